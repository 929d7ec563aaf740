//! The Impala ResNet encoder (Espeholt et al. 2018, figure 3) with a width scale, as BBF
//! uses it (scale 4: 64/128/128 channels). Input `[batch, c, h, w]` (NCHW, scaled to
//! `[0, 1]`), output `[batch, features]` (NHWC flattened, as Flax).
//!
//! Each of the 3 stages: conv 3x3 `SAME` -> max-pool 3x3 stride 2 `SAME` -> 2 residual blocks
//! `x + conv(relu(conv(relu(x))))`; a final ReLU. Stage widths `(16, 32, 32) x scale`.

use std::sync::Arc;

use candle_core::{D, Tensor};
use rand::Rng;

use crate::error::{NnError, Result};
use crate::gather::{Layout, gather_rows, index_tensor, window_index};
use crate::init::Init;
use crate::nature_cnn::Conv2d;
use crate::params::ParamStore;

/// Max pooling 3x3, stride 2, `SAME` padding (Flax: output `ceil(h / 2)`, the padding split
/// low = total / 2), NHWC in and out.
#[derive(Clone, Debug)]
struct MaxPool {
    index: Arc<Vec<u32>>,
    columns: Tensor,
    input: (usize, usize, usize),
    output: (usize, usize),
}

impl MaxPool {
    fn new(
        (channels, height, width, layout): (usize, usize, usize, Layout),
        device: &candle_core::Device,
    ) -> Result<Self> {
        let (oh, ow) = (height.div_ceil(2), width.div_ceil(2));
        let pad_total = ((oh - 1) * 2 + 3).saturating_sub(height);
        let index = window_index(
            (channels, height, width, layout),
            (3, 2, pad_total / 2),
            (oh, ow),
        );
        Ok(MaxPool {
            columns: index_tensor(&index, channels * height * width, device)?,
            index: Arc::new(index),
            input: (channels, height, width),
            output: (oh, ow),
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let batch = x.dim(0)?;
        let (c, h, w) = self.input;
        let (oh, ow) = self.output;
        let windows = gather_rows(
            &x.reshape((batch, c * h * w))?,
            &self.index,
            &self.columns,
            f32::NEG_INFINITY,
        )?;
        Ok(windows.reshape((batch, oh, ow, c, 9))?.max(D::Minus1)?)
    }
}

#[derive(Clone, Debug)]
struct Stage {
    conv: Conv2d,
    pool: MaxPool,
    blocks: Vec<(Conv2d, Conv2d)>,
}

/// The Impala encoder.
#[derive(Clone, Debug)]
pub struct Impala {
    stages: Vec<Stage>,
    out_dim: usize,
}

impl Impala {
    /// For inputs of `channels x height x width`, stage widths `(16, 32, 32) x width_scale`.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        (channels, height, width): (usize, usize, usize),
        width_scale: usize,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        if width_scale == 0 || height == 0 || width == 0 {
            return Err(NnError::Config(
                "Impala needs a width scale and an image of at least 1x1".into(),
            ));
        }
        let device = store.device().clone();
        let (mut c, mut h, mut w, mut layout) = (channels, height, width, Layout::Nchw);
        let mut stages = Vec::new();
        for (s, base) in [16, 32, 32].into_iter().enumerate() {
            let out = base * width_scale;
            let conv = Conv2d::new(
                store,
                &format!("{name}.stage{s}.conv"),
                (c, out, 3, 1),
                (h, w, layout, 1),
                init,
                rng,
            )?;
            let pool = MaxPool::new((out, h, w, Layout::Nhwc), &device)?;
            (c, h, w, layout) = (out, pool.output.0, pool.output.1, Layout::Nhwc);
            let mut blocks = Vec::new();
            for b in 0..2 {
                let geometry = (h, w, Layout::Nhwc, 1);
                blocks.push((
                    Conv2d::new(
                        store,
                        &format!("{name}.stage{s}.block{b}.conv0"),
                        (c, c, 3, 1),
                        geometry,
                        init,
                        rng,
                    )?,
                    Conv2d::new(
                        store,
                        &format!("{name}.stage{s}.block{b}.conv1"),
                        (c, c, 3, 1),
                        geometry,
                        init,
                        rng,
                    )?,
                ));
            }
            stages.push(Stage { conv, pool, blocks });
        }
        debug_assert_eq!(layout, Layout::Nhwc);
        Ok(Impala {
            stages,
            out_dim: c * h * w,
        })
    }

    /// Width of the flattened output.
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// `[batch, c, h, w]` (NCHW) `-> [batch, out_dim]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        for stage in &self.stages {
            x = stage.pool.forward(&stage.conv.forward(&x)?)?;
            for (conv0, conv1) in &stage.blocks {
                let y = conv1.forward(&conv0.forward_relu(&x.relu()?)?)?;
                x = (x + y)?;
            }
        }
        Ok(x.relu()?.flatten_from(1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use rand::SeedableRng;

    #[test]
    fn impala_maps_84x84_to_11x11_by_32_scale() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut store = ParamStore::new(Device::Cpu);
        let net = Impala::new(
            &mut store,
            "enc",
            (4, 84, 84),
            2,
            Init::XavierUniform,
            &mut rng,
        )
        .unwrap();
        // 84 -> 42 -> 21 -> 11 with SAME pooling.
        assert_eq!(net.out_dim(), 64 * 11 * 11);
        let x = Tensor::rand(0f32, 1f32, (2, 4, 84, 84), &Device::Cpu).unwrap();
        let y = net.forward(&x).unwrap();
        assert_eq!(y.dims(), &[2, 64 * 11 * 11]);
        let g = y.sum_all().unwrap().backward().unwrap();
        assert!(
            store
                .vars()
                .iter()
                .all(|(_, v)| g.get(v.as_tensor()).is_some())
        );
    }

    #[test]
    fn same_padded_convolution_and_pooling_match_references() {
        let dev = Device::Cpu;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut store = ParamStore::new(dev.clone());
        let conv = Conv2d::new(
            &mut store,
            "c",
            (2, 3, 3, 1),
            (5, 6, Layout::Nchw, 1),
            Init::DOPAMINE,
            &mut rng,
        )
        .unwrap();
        let x = Tensor::rand(-1f32, 1f32, (2, 2, 5, 6), &dev).unwrap();
        let ours = conv.forward(&x).unwrap();
        assert_eq!(ours.dims(), &[2, 5, 6, 3]);
        let weight = &store.vars()[0].1;
        let bias = &store.vars()[1].1;
        let reference = x
            .conv2d(weight.as_tensor(), 1, 1, 1, 1)
            .unwrap()
            .broadcast_add(&bias.as_tensor().reshape((1, 3, 1, 1)).unwrap())
            .unwrap()
            .permute((0, 2, 3, 1))
            .unwrap();
        let diff = (ours - reference)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff < 1e-5, "conv difference {diff}");
        // Pooling a 1-channel 5x5 ramp: SAME pads 1 before and 1 after (total (3-1)*2+3-5 = 2).
        let ramp: Vec<f32> = (0..25).map(|i| i as f32).collect();
        let pool = MaxPool::new((1, 5, 5, Layout::Nhwc), &dev).unwrap();
        let y: Vec<f32> = pool
            .forward(&Tensor::from_vec(ramp, (1, 25), &dev).unwrap())
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        // Windows rows/cols {-1,0,1}, {1,2,3}, {3,4,5}: maxima at rows/cols 1, 3, 4.
        let expect: Vec<f32> = [1usize, 3, 4]
            .iter()
            .flat_map(|&r| [1usize, 3, 4].map(|c| (r * 5 + c) as f32))
            .collect();
        assert_eq!(y, expect);
    }
}
