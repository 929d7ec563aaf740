//! Adam (Kingma & Ba 2015, Algorithm 1) over a [`ParamStore`], with `eps` added outside the
//! square root after bias correction as optax (Dopamine's optimizer) does, and optional
//! decoupled weight decay (AdamW, Loshchilov & Hutter 2019) that skips biases. The moments
//! are plain tensors so a checkpoint can save and restore them exactly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use candle_core::{CpuStorage, DType, InplaceOp2, Layout, Tensor, backprop::GradStore};
use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result};
use crate::params::ParamStore;
use crate::vector::AdamStep;

/// Adam's hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// Step size.
    pub learning_rate: f64,
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Added to the denominator (Dopamine: 1.5e-4 for DQN/Rainbow/DER, 3.125e-4 for C51).
    pub eps: f64,
    /// Decoupled weight decay on non-bias parameters (0: plain Adam).
    pub weight_decay: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            learning_rate: 6.25e-5,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1.5e-4,
            weight_decay: 0.0,
        }
    }
}

/// Adam's state: step count and both moments per parameter.
#[derive(Debug)]
pub struct Adam {
    config: AdamConfig,
    step: u64,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

impl Adam {
    /// Zeroed moments for every parameter of `store`.
    pub fn new(config: AdamConfig, store: &ParamStore) -> Result<Self> {
        let zeros: Vec<Vec<f32>> = store
            .vars()
            .iter()
            .map(|(_, v)| vec![0.0; v.elem_count()])
            .collect();
        Ok(Adam {
            config,
            step: 0,
            m: zeros.clone(),
            v: zeros,
        })
    }

    /// Updates taken.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// One update of every parameter of `store` that has a gradient in `grads`:
    /// `m <- b1 m + (1 - b1) g`, `v <- b2 v + (1 - b2) g^2`,
    /// `theta <- theta - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`.
    pub fn step(&mut self, store: &ParamStore, grads: &GradStore) -> Result<()> {
        let c = self.config;
        self.step += 1;
        let t = self.step as i32;
        let bc1 = 1.0 - c.beta1.powi(t);
        let bc2 = 1.0 - c.beta2.powi(t);
        // Plain loops over the values: one pass instead of a tensor per operation.
        let (b1, b2, lr, eps) = (
            c.beta1 as f32,
            c.beta2 as f32,
            c.learning_rate as f32,
            c.eps as f32,
        );
        let (bc1, bc2) = (bc1 as f32, bc2 as f32);
        for (i, (name, var)) in store.vars().iter().enumerate() {
            let Some(g) = grads.get(var.as_tensor()) else {
                continue;
            };
            let decay =
                if c.weight_decay > 0.0 && !name.ends_with("bias") && !name.ends_with("mu_b") {
                    1.0 - (c.learning_rate * c.weight_decay) as f32
                } else {
                    1.0
                };
            let kernel = AdamKernel {
                m: RefCell::new(&mut self.m[i]),
                v: RefCell::new(&mut self.v[i]),
                b1,
                b2,
                lr,
                eps,
                bc1,
                bc2,
                decay,
            };
            let theta = var.as_tensor();
            if theta.device().is_cpu() && theta.dtype() == DType::F32 && theta.is_contiguous() {
                // One pass over the values in place.
                theta.inplace_op2(&g.contiguous()?, &kernel)?;
            } else {
                let g = g.flatten_all()?.to_vec1::<f32>()?;
                let mut values = theta.flatten_all()?.to_vec1::<f32>()?;
                kernel.apply(&mut values, &g);
                var.set(&Tensor::from_vec(values, var.shape(), var.device())?)?;
            }
        }
        Ok(())
    }

    /// Writes the moments (`m.<name>`, `v.<name>`) and the step count into `path`
    /// (safetensors; the step count is the `step` tensor).
    pub fn save(&self, store: &ParamStore, path: &Path) -> Result<()> {
        let mut map = HashMap::new();
        for (i, (name, _)) in store.vars().iter().enumerate() {
            let device = store.device();
            map.insert(
                format!("m.{name}"),
                Tensor::from_slice(&self.m[i], self.m[i].len(), device)?,
            );
            map.insert(
                format!("v.{name}"),
                Tensor::from_slice(&self.v[i], self.v[i].len(), device)?,
            );
        }
        let step = Tensor::new(
            &[self.step as u32, (self.step >> 32) as u32],
            store.device(),
        )?;
        map.insert("step".to_string(), step);
        candle_core::safetensors::save(&map, path)?;
        Ok(())
    }

    /// Reads what [`Adam::save`] wrote.
    pub fn load(&mut self, store: &ParamStore, path: &Path) -> Result<()> {
        let map = candle_core::safetensors::load(path, store.device())?;
        let get = |key: &str| {
            map.get(key)
                .cloned()
                .ok_or_else(|| NnError::Load(format!("optimizer state has no {key}")))
        };
        for (i, (name, _)) in store.vars().iter().enumerate() {
            let m: Vec<f32> = get(&format!("m.{name}"))?.to_vec1()?;
            let v: Vec<f32> = get(&format!("v.{name}"))?.to_vec1()?;
            if m.len() != self.m[i].len() || v.len() != self.v[i].len() {
                return Err(NnError::Load(format!(
                    "optimizer moments of {name} have the wrong size"
                )));
            }
            self.m[i] = m;
            self.v[i] = v;
        }
        let step: Vec<u32> = get("step")?.to_vec1()?;
        self.step = step[0] as u64 | ((step[1] as u64) << 32);
        Ok(())
    }
}

/// One parameter's Adam update, applied in place to its values.
struct AdamKernel<'a> {
    m: RefCell<&'a mut Vec<f32>>,
    v: RefCell<&'a mut Vec<f32>>,
    b1: f32,
    b2: f32,
    lr: f32,
    eps: f32,
    bc1: f32,
    bc2: f32,
    decay: f32,
}

impl AdamKernel<'_> {
    fn apply(&self, theta: &mut [f32], g: &[f32]) {
        let (mut m, mut v) = (self.m.borrow_mut(), self.v.borrow_mut());
        let step = AdamStep {
            b1: self.b1,
            b2: self.b2,
            lr: self.lr,
            eps: self.eps,
            bc1: self.bc1,
            bc2: self.bc2,
            decay: self.decay,
        };
        step.apply(theta, g, &mut m[..], &mut v[..]);
    }
}

impl InplaceOp2 for AdamKernel<'_> {
    fn name(&self) -> &'static str {
        "arcadia-adam"
    }

    fn cpu_fwd(
        &self,
        dst: &mut CpuStorage,
        dst_l: &Layout,
        g: &CpuStorage,
        g_l: &Layout,
    ) -> candle_core::Result<()> {
        let (Some((ts, te)), Some((gs, ge))) =
            (dst_l.contiguous_offsets(), g_l.contiguous_offsets())
        else {
            candle_core::bail!("adam: non-contiguous parameter or gradient");
        };
        let g = &g.as_slice::<f32>()?[gs..ge];
        let CpuStorage::F32(theta) = dst else {
            candle_core::bail!("adam: parameters must be f32");
        };
        let theta = &mut theta[ts..te];
        if g.len() != theta.len() || self.m.borrow().len() != theta.len() {
            candle_core::bail!("adam: gradient or moments of the wrong size");
        }
        self.apply(theta, g);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::Init;
    use candle_core::{DType, Device};
    use rand::SeedableRng;

    #[test]
    fn first_adam_step_moves_by_lr_times_g_over_abs_g_plus_eps() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut store = ParamStore::new(Device::Cpu);
        let w = store.var("w", &[2], Init::Constant(1.0), &mut rng).unwrap();
        let config = AdamConfig {
            learning_rate: 0.1,
            eps: 1e-3,
            ..AdamConfig::default()
        };
        let mut adam = Adam::new(config, &store).unwrap();
        // loss = sum(x * w) with x = (2, -0.001): gradient = x.
        let x = Tensor::new(&[2f32, -0.001], &Device::Cpu).unwrap();
        let grads = (&w * &x).unwrap().sum_all().unwrap().backward().unwrap();
        adam.step(&store, &grads).unwrap();
        let v: Vec<f32> = w.to_vec1().unwrap();
        // After bias correction m_hat = g and sqrt(v_hat) = |g|.
        let expect = |g: f64| 1.0 - 0.1 * g / (g.abs() + 1e-3);
        assert!((v[0] as f64 - expect(2.0)).abs() < 1e-6, "{v:?}");
        assert!((v[1] as f64 - expect(-0.001)).abs() < 1e-6, "{v:?}");
        assert_eq!(adam.steps(), 1);
        let _ = DType::F32;
    }
}
