//! A dense layer. Input `[batch, in]`, output `[batch, out]`: `y = x W^T + b`.

use candle_core::Tensor;
use rand::Rng;

use crate::error::Result;
use crate::fused;
use crate::init::Init;
use crate::params::ParamStore;

/// A dense layer with weight `[out, in]` and bias `[out]`.
#[derive(Clone, Debug)]
pub struct Linear {
    weight: Tensor,
    bias: Tensor,
}

impl Linear {
    /// Creates `name.weight` (kernel init `init`) and `name.bias` (zeros, as Flax).
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        inputs: usize,
        outputs: usize,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let weight = store.var(&format!("{name}.weight"), &[outputs, inputs], init, rng)?;
        let bias = store.var(
            &format!("{name}.bias"),
            &[outputs],
            Init::Constant(0.0),
            rng,
        )?;
        Ok(Linear { weight, bias })
    }

    /// `[batch, in] -> [batch, out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.apply(x, false)
    }

    /// `relu(x W^T + b)`, on the CPU as one fused op (product, bias, activation and its
    /// gradient mask).
    pub fn forward_relu(&self, x: &Tensor) -> Result<Tensor> {
        self.apply(x, true)
    }

    fn apply(&self, x: &Tensor, relu: bool) -> Result<Tensor> {
        if fused::applies(x) && x.rank() == 2 {
            return Ok(fused::linear(x, &self.weight, &self.bias, relu)?);
        }
        let y = x.matmul(&self.weight.t()?)?.broadcast_add(&self.bias)?;
        Ok(if relu { y.relu()? } else { y })
    }

    /// The weight `[out, in]`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }
}
