//! The Nature DQN convolutional torso (Mnih et al. 2015): input `[batch, c, 84, 84]`
//! (already scaled to `[0, 1]`), conv 32 8x8 stride 4, conv 64 4x4 stride 2, conv 64 3x3
//! stride 1, ReLU after each, flattened to `[batch, 64 * 7 * 7]` (for 84x84 inputs).
//! Dopamine's `NatureDQNNetwork` pads `SAME`-free ("VALID"), which these sizes follow.

use candle_core::Tensor;
use rand::Rng;

use crate::error::{NnError, Result};
use crate::init::Init;
use crate::params::ParamStore;

/// One convolution with weight `[out, in, k, k]` and bias `[out]`, no padding.
#[derive(Clone, Debug)]
pub struct Conv2d {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
}

impl Conv2d {
    /// Creates `name.weight` and `name.bias` (zeros).
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        (inputs, outputs, kernel, stride): (usize, usize, usize, usize),
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
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
            stride,
        })
    }

    /// `[batch, in, h, w] -> [batch, out, (h - k) / s + 1, (w - k) / s + 1]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = x.conv2d(&self.weight, 0, self.stride, 1, 1)?;
        let out = self.bias.dims1()?;
        Ok(y.broadcast_add(&self.bias.reshape((1, out, 1, 1))?)?)
    }
}

/// The Nature CNN torso.
#[derive(Clone, Debug)]
pub struct NatureCnn {
    convs: [Conv2d; 3],
    out_dim: usize,
}

fn conv_out(size: usize, kernel: usize, stride: usize) -> Result<usize> {
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
        let (mut h, mut w) = (height, width);
        for &(_, _, k, s) in &specs {
            h = conv_out(h, k, s)?;
            w = conv_out(w, k, s)?;
        }
        let convs = [
            Conv2d::new(store, &format!("{name}.conv0"), specs[0], init, rng)?,
            Conv2d::new(store, &format!("{name}.conv1"), specs[1], init, rng)?,
            Conv2d::new(store, &format!("{name}.conv2"), specs[2], init, rng)?,
        ];
        Ok(NatureCnn {
            convs,
            out_dim: 64 * h * w,
        })
    }

    /// Width of the flattened output.
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// `[batch, c, h, w] -> [batch, out_dim]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        for conv in &self.convs {
            x = conv.forward(&x)?.relu()?;
        }
        Ok(x.flatten_from(1)?)
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
}
