//! The Nature DQN convolutional torso (Mnih et al. 2015): input `[batch, c, 84, 84]`
//! (already scaled to `[0, 1]`), conv 32 8x8 stride 4, conv 64 4x4 stride 2, conv 64 3x3
//! stride 1, ReLU after each, flattened to `[batch, 64 * 7 * 7]` (for 84x84 inputs).
//! Convolutions without padding; feature maps after the first layer are NHWC, as in Flax,
//! so the flattened features come in Dopamine's order.

use std::sync::Arc;

use candle_core::Tensor;
use rand::Rng;

use crate::error::{NnError, Result};
use crate::fused::{self, ConvPlan};
pub use crate::gather::Layout;
use crate::gather::{gather_rows, index_tensor, window_index};
use crate::init::Init;
use crate::params::ParamStore;

/// One convolution with zero padding `pad` on every side, weight `[out, in, k, k]` and bias
/// `[out]`, computed as an index gather (im2col) and one matrix product, so its backward pass
/// is a scatter-add and two matrix products (candle's CPU `conv2d` backward goes through a
/// direct `conv_transpose2d`, several times slower for these shapes). On the CPU the whole
/// layer (and its ReLU, [`Conv2d::forward_relu`]) is one fused op ([`crate::fused`]); on
/// other devices it is composed from candle ops. Input `[batch, in, h, w]` (NCHW) or
/// `[batch, h, w, in]` (NHWC) flattened per sample; output NHWC `[batch, oh, ow, out]`.
#[derive(Clone, Debug)]
pub struct Conv2d {
    weight: Tensor,
    bias: Tensor,
    columns: Tensor,
    index: Arc<Vec<u32>>,
    plan: Arc<ConvPlan>,
    input: (usize, usize, usize),
    output: (usize, usize, usize),
}

impl Conv2d {
    /// Creates `name.weight` and `name.bias` (zeros) for inputs of `(c, h, w)` in `layout`,
    /// with `pad` zeros on every side.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        (inputs, outputs, kernel, stride): (usize, usize, usize, usize),
        (height, width, layout, pad): (usize, usize, Layout, usize),
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let oh = conv_out(height + 2 * pad, kernel, stride)?;
        let ow = conv_out(width + 2 * pad, kernel, stride)?;
        let index = window_index(
            (inputs, height, width, layout),
            (kernel, stride, pad),
            (oh, ow),
        );
        let device = store.device().clone();
        let plan = ConvPlan::new(
            (inputs, height, width, layout),
            (kernel, stride, pad),
            (oh, ow, outputs),
        );
        Ok(Conv2d {
            weight: store.var(
                &format!("{name}.weight"),
                &[outputs, inputs, kernel, kernel],
                init,
                rng,
            )?,
            bias: store.var(
                &format!("{name}.bias"),
                &[outputs],
                Init::Constant(0.0),
                rng,
            )?,
            columns: index_tensor(&index, inputs * height * width, &device)?,
            index: Arc::new(index),
            plan: Arc::new(plan),
            input: (inputs, height, width),
            output: (oh, ow, outputs),
        })
    }

    /// `[batch, ...input] -> [batch, oh, ow, out]` (NHWC).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.apply(x, false)
    }

    /// `relu(conv(x))`: `[batch, ...input] -> [batch, oh, ow, out]` (NHWC), on the CPU with
    /// the activation and its gradient mask fused into the convolution's passes.
    pub fn forward_relu(&self, x: &Tensor) -> Result<Tensor> {
        self.apply(x, true)
    }

    fn apply(&self, x: &Tensor, relu: bool) -> Result<Tensor> {
        let (oh, ow, out) = self.output;
        self.apply_shaped(x, relu, &[oh, ow, out])
    }

    /// The layer with outputs of `sample_shape` per sample (`oh * ow * out` values, NHWC):
    /// the fused op takes and gives tensors of any shape, so no reshape (a zeroed gradient
    /// and a sum in the backward pass) is needed around it.
    pub(crate) fn apply_shaped(
        &self,
        x: &Tensor,
        relu: bool,
        sample_shape: &[usize],
    ) -> Result<Tensor> {
        let batch = x.dim(0)?;
        let (c, h, w) = self.input;
        if x.elem_count() != batch * c * h * w {
            return Err(NnError::Config(format!(
                "convolution over ({c}, {h}, {w}) inputs got a tensor of shape {:?}",
                x.dims()
            )));
        }
        let mut shape = vec![batch];
        shape.extend_from_slice(sample_shape);
        if fused::applies(x) {
            let y = fused::conv(x, &self.weight, &self.bias, &self.plan, relu, sample_shape)?;
            return Ok(y);
        }
        let x = x.reshape((batch, c * h * w))?;
        let y = self.composed(&x)?.reshape(shape)?;
        Ok(if relu { y.relu()? } else { y })
    }

    /// The layer from candle's generic ops (devices other than the CPU, and the reference
    /// the fused op is tested against): `[batch, in_len] -> [batch * oh * ow, out]`.
    fn composed(&self, x: &Tensor) -> Result<Tensor> {
        let batch = x.dim(0)?;
        let (oh, ow, out) = self.output;
        let patch = self.weight.elem_count() / out;
        let cols = gather_rows(x, &self.index, &self.columns, 0.0)?;
        let cols = cols.reshape((batch * oh * ow, patch))?;
        Ok(cols
            .matmul(&self.weight.reshape((out, patch))?.t()?)?
            .broadcast_add(&self.bias)?)
    }

    /// `(oh, ow, out)`.
    pub fn output(&self) -> (usize, usize, usize) {
        self.output
    }
}

/// The Nature CNN torso.
#[derive(Clone, Debug)]
pub struct NatureCnn {
    convs: [Conv2d; 3],
    out_dim: usize,
}

pub(crate) fn conv_out(size: usize, kernel: usize, stride: usize) -> Result<usize> {
    if size < kernel {
        return Err(NnError::Config(format!(
            "image side {size} is smaller than a {kernel}x{kernel} kernel"
        )));
    }
    Ok((size - kernel) / stride + 1)
}

impl NatureCnn {
    /// For inputs of `channels x height x width`.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        (channels, height, width): (usize, usize, usize),
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let specs = [(channels, 32, 8, 4), (32, 64, 4, 2), (64, 64, 3, 1)];
        let c0 = Conv2d::new(
            store,
            &format!("{name}.conv0"),
            specs[0],
            (height, width, Layout::Nchw, 0),
            init,
            rng,
        )?;
        let (h, w, _) = c0.output();
        let c1 = Conv2d::new(
            store,
            &format!("{name}.conv1"),
            specs[1],
            (h, w, Layout::Nhwc, 0),
            init,
            rng,
        )?;
        let (h, w, _) = c1.output();
        let c2 = Conv2d::new(
            store,
            &format!("{name}.conv2"),
            specs[2],
            (h, w, Layout::Nhwc, 0),
            init,
            rng,
        )?;
        let (h, w, c) = c2.output();
        Ok(NatureCnn {
            convs: [c0, c1, c2],
            out_dim: h * w * c,
        })
    }

    /// Width of the flattened output.
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// `[batch, c, h, w]` (NCHW) `-> [batch, out_dim]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let [c0, c1, c2] = &self.convs;
        let x = c1.forward_relu(&c0.forward_relu(x)?)?;
        c2.apply_shaped(&x, true, &[self.out_dim])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};
    use rand::SeedableRng;

    #[test]
    fn nature_cnn_maps_84x84x4_to_3136_features() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut store = ParamStore::new(Device::Cpu);
        let cnn = NatureCnn::new(&mut store, "cnn", (4, 84, 84), Init::DOPAMINE, &mut rng).unwrap();
        assert_eq!(cnn.out_dim(), 3136);
        let x = Tensor::zeros((2, 4, 84, 84), DType::F32, &Device::Cpu).unwrap();
        assert_eq!(cnn.forward(&x).unwrap().dims(), &[2, 3136]);
    }

    /// Trains a small Nature CNN + head with Adam for a few steps (acting batches of 2 and
    /// update batches of 5) and returns the final parameters.
    fn train_a_little(seed: u64) -> Vec<f32> {
        use crate::adam::{Adam, AdamConfig};
        use crate::linear::Linear;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut store = ParamStore::new(Device::Cpu);
        let cnn = NatureCnn::new(&mut store, "cnn", (2, 36, 36), Init::DOPAMINE, &mut rng).unwrap();
        let head = Linear::new(
            &mut store,
            "head",
            cnn.out_dim(),
            3,
            Init::DOPAMINE,
            &mut rng,
        )
        .unwrap();
        let mut adam = Adam::new(
            AdamConfig {
                learning_rate: 1e-3,
                ..AdamConfig::default()
            },
            &store,
        )
        .unwrap();
        let images = |n: usize, step: usize| {
            let v: Vec<f32> = (0..n * 2 * 36 * 36)
                .map(|i| ((i * 31 + step * 7) % 101) as f32 / 101.0)
                .collect();
            Tensor::from_vec(v, (n, 2, 36, 36), &Device::Cpu).unwrap()
        };
        for step in 0..4 {
            let acted = head
                .forward(&cnn.forward(&images(2, step)).unwrap())
                .unwrap();
            let _ = acted.to_vec2::<f32>().unwrap();
            let y = head
                .forward(&cnn.forward(&images(5, step)).unwrap())
                .unwrap();
            let loss = y.sqr().unwrap().mean_all().unwrap();
            adam.step(&store, &loss.backward().unwrap()).unwrap();
        }
        store.flat_values().unwrap()
    }

    #[test]
    fn training_is_repeatable_in_one_process() {
        // The second run finds the first one's pooled buffers and heap: same weights.
        let a = train_a_little(3);
        let b = train_a_little(3);
        assert_eq!(a, b);
        assert_ne!(a, train_a_little(4), "another seed gives other weights");
    }

    #[test]
    fn gathered_convolution_equals_candle_conv2d() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut store = ParamStore::new(Device::Cpu);
        let conv = Conv2d::new(
            &mut store,
            "c",
            (3, 5, 3, 2),
            (9, 11, Layout::Nchw, 0),
            Init::DOPAMINE,
            &mut rng,
        )
        .unwrap();
        let values: Vec<f32> = (0..2 * 3 * 9 * 11)
            .map(|i| ((i * 37) % 17) as f32 / 17.0)
            .collect();
        let x = Tensor::from_vec(values, (2, 3, 9, 11), &Device::Cpu).unwrap();
        let ours = conv.forward(&x).unwrap().permute((0, 3, 1, 2)).unwrap();
        let reference = x
            .conv2d(&conv.weight, 0, 2, 1, 1)
            .unwrap()
            .broadcast_add(&conv.bias.reshape((1, 5, 1, 1)).unwrap())
            .unwrap();
        assert_eq!(ours.dims(), reference.dims());
        let diff = (ours - reference)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff < 1e-5, "max difference {diff}");
        // NHWC input of the same values gives the same result.
        let nhwc = Conv2d::new(
            &mut store,
            "d",
            (3, 5, 3, 2),
            (9, 11, Layout::Nhwc, 0),
            Init::DOPAMINE,
            &mut rng,
        )
        .unwrap();
        let x_nhwc = x.permute((0, 2, 3, 1)).unwrap().contiguous().unwrap();
        let a = nhwc.forward(&x_nhwc).unwrap();
        let b = x
            .conv2d(&nhwc.weight, 0, 2, 1, 1)
            .unwrap()
            .broadcast_add(&nhwc.bias.reshape((1, 5, 1, 1)).unwrap())
            .unwrap()
            .permute((0, 2, 3, 1))
            .unwrap();
        let diff = (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff < 1e-5, "NHWC max difference {diff}");
    }
    #[test]
    fn gathered_convolution_gradients_equal_candle_conv2d_gradients() {
        use candle_core::Var;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut store = ParamStore::new(Device::Cpu);
        let conv = Conv2d::new(
            &mut store,
            "c",
            (2, 3, 3, 2),
            (7, 7, Layout::Nchw, 0),
            Init::DOPAMINE,
            &mut rng,
        )
        .unwrap();
        let values: Vec<f32> = (0..2 * 2 * 7 * 7)
            .map(|i| ((i * 13) % 11) as f32 / 11.0 - 0.5)
            .collect();
        let x = Var::from_vec(values, (2, 2, 7, 7), &Device::Cpu).unwrap();
        let weights = Tensor::arange(0f32, 2.0 * 3.0 * 3.0 * 3.0, &Device::Cpu)
            .unwrap()
            .reshape((2, 3, 3, 3))
            .unwrap();
        // loss = sum(y * weights) over NHWC outputs, the same loss through candle's conv2d.
        let ours = conv.forward(x.as_tensor()).unwrap();
        let g1 = (ours * &weights)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let reference = x
            .as_tensor()
            .conv2d(&conv.weight, 0, 2, 1, 1)
            .unwrap()
            .permute((0, 2, 3, 1))
            .unwrap();
        let g2 = (reference * &weights)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        for t in [x.as_tensor(), &conv.weight] {
            let a = g1.get(t).unwrap();
            let b = g2.get(t).unwrap();
            let diff = (a - b)
                .unwrap()
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap();
            assert!(diff < 1e-4, "gradient difference {diff}");
        }
    }
}
