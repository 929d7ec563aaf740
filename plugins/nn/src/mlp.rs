//! A multilayer perceptron torso. Input `[batch, in]`, output `[batch, last hidden]`, ReLU
//! after every layer.

use candle_core::Tensor;
use rand::Rng;

use crate::error::Result;
use crate::init::Init;
use crate::linear::Linear;
use crate::params::ParamStore;

/// Dense layers with ReLU after each.
#[derive(Clone, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    out_dim: usize,
}

impl Mlp {
    /// Layers `inputs -> hidden[0] -> ... -> hidden[last]`, named `name.{i}`.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        inputs: usize,
        hidden: &[usize],
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let mut layers = Vec::with_capacity(hidden.len());
        let mut fan_in = inputs;
        for (i, &h) in hidden.iter().enumerate() {
            layers.push(Linear::new(
                store,
                &format!("{name}.{i}"),
                fan_in,
                h,
                init,
                rng,
            )?);
            fan_in = h;
        }
        Ok(Mlp {
            layers,
            out_dim: fan_in,
        })
    }

    /// Width of the output (`inputs` when there is no layer).
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// `[batch, in] -> [batch, out_dim]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        for layer in &self.layers {
            x = layer.forward_relu(&x)?;
        }
        Ok(x)
    }
}
