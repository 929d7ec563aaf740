//! A named, ordered set of trainable variables with seeded initialisation and safetensors
//! save/load. (candle's `VarMap` draws initial values from an unseeded generator; Arcadia
//! needs a seed to fix them, so layers take a `ParamStore` and a generator instead.)

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor, Var};
use rand::Rng;

use crate::error::{NnError, Result};
use crate::init::Init;

/// Trainable variables in creation order, each with a unique name.
#[derive(Debug)]
pub struct ParamStore {
    device: Device,
    vars: Vec<(String, Var)>,
}

impl ParamStore {
    /// An empty store on `device`.
    pub fn new(device: Device) -> Self {
        ParamStore {
            device,
            vars: Vec::new(),
        }
    }

    /// The device of the variables.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Creates variable `name` of `shape` initialised by `init` from `rng`; returns its tensor
    /// (which tracks gradients and sees later in-place updates).
    pub fn var(
        &mut self,
        name: &str,
        shape: &[usize],
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Tensor> {
        if self.vars.iter().any(|(n, _)| n == name) {
            return Err(NnError::Config(format!("parameter {name} defined twice")));
        }
        let values = init.sample(shape, rng);
        let var = Var::from_vec(values, shape, &self.device)?;
        let tensor = var.as_tensor().clone();
        self.vars.push((name.to_string(), var));
        Ok(tensor)
    }

    /// The variables, in creation order.
    pub fn vars(&self) -> &[(String, Var)] {
        &self.vars
    }

    /// Number of scalar parameters.
    pub fn num_parameters(&self) -> usize {
        self.vars.iter().map(|(_, v)| v.elem_count()).sum()
    }

    /// Copies every value of `other` (same names and shapes) into this store: a hard target
    /// update `theta' <- theta`.
    pub fn copy_from(&self, other: &ParamStore) -> Result<()> {
        self.soft_update_from(other, 1.0)
    }

    /// Polyak update `theta' <- tau theta + (1 - tau) theta'` from `other`.
    pub fn soft_update_from(&self, other: &ParamStore, tau: f64) -> Result<()> {
        if self.vars.len() != other.vars.len() {
            return Err(NnError::Mismatch(format!(
                "stores hold {} and {} parameters",
                self.vars.len(),
                other.vars.len()
            )));
        }
        for ((name, dst), (other_name, src)) in self.vars.iter().zip(&other.vars) {
            if name != other_name {
                return Err(NnError::Mismatch(format!(
                    "parameter {name} vs {other_name}"
                )));
            }
            let value = if tau >= 1.0 {
                src.as_detached_tensor()
            } else {
                ((src.as_detached_tensor() * tau)? + (dst.as_detached_tensor() * (1.0 - tau))?)?
            };
            dst.set(&value)?;
        }
        Ok(())
    }

    /// The values as detached tensors by name (for saving).
    pub fn tensors(&self) -> HashMap<String, Tensor> {
        self.vars
            .iter()
            .map(|(n, v)| (n.clone(), v.as_detached_tensor()))
            .collect()
    }

    /// Writes the values to a safetensors file.
    pub fn save(&self, path: &Path) -> Result<()> {
        candle_core::safetensors::save(&self.tensors(), path)?;
        Ok(())
    }

    /// Reads values written by [`ParamStore::save`] into the existing variables (names and
    /// shapes must match).
    pub fn load(&self, path: &Path) -> Result<()> {
        let map = candle_core::safetensors::load(path, &self.device)?;
        self.set_all(&map)
    }

    /// Sets every variable from `map` (names and shapes must match).
    pub fn set_all(&self, map: &HashMap<String, Tensor>) -> Result<()> {
        for (name, var) in &self.vars {
            let t = map
                .get(name)
                .ok_or_else(|| NnError::Load(format!("no tensor named {name}")))?;
            if t.dims() != var.dims() {
                return Err(NnError::Load(format!(
                    "{name} has shape {:?}, expected {:?}",
                    t.dims(),
                    var.dims()
                )));
            }
            var.set(&t.to_dtype(DType::F32)?)?;
        }
        Ok(())
    }

    /// All values flattened in creation order (for tests and comparisons).
    pub fn flat_values(&self) -> Result<Vec<f32>> {
        let mut out = Vec::with_capacity(self.num_parameters());
        for (_, v) in &self.vars {
            out.extend(v.as_tensor().flatten_all()?.to_vec1::<f32>()?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn store(seed: u64) -> ParamStore {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut s = ParamStore::new(Device::Cpu);
        s.var("w", &[3, 2], Init::DOPAMINE, &mut rng).unwrap();
        s.var("b", &[3], Init::Constant(0.5), &mut rng).unwrap();
        s
    }

    #[test]
    fn hard_target_update_copies_and_soft_update_interpolates() {
        let online = store(1);
        let target = store(2);
        let before_t = target.flat_values().unwrap();
        let on = online.flat_values().unwrap();
        assert_ne!(on, before_t);
        target.soft_update_from(&online, 0.25).unwrap();
        let mixed = target.flat_values().unwrap();
        for i in 0..on.len() {
            assert!((mixed[i] - (0.25 * on[i] + 0.75 * before_t[i])).abs() < 1e-6);
        }
        target.copy_from(&online).unwrap();
        assert_eq!(target.flat_values().unwrap(), on);
        // A copy is a copy: later changes of the online values do not leak into the target.
        online.vars()[0]
            .1
            .set(&Tensor::zeros((3, 2), DType::F32, &Device::Cpu).unwrap())
            .unwrap();
        assert_eq!(target.flat_values().unwrap(), on);
    }

    #[test]
    fn same_seed_same_weights_and_safetensors_round_trip() {
        assert_eq!(
            store(7).flat_values().unwrap(),
            store(7).flat_values().unwrap()
        );
        let dir = std::env::temp_dir().join(format!("arcadia-nn-params-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.safetensors");
        store(7).save(&path).unwrap();
        let other = store(8);
        other.load(&path).unwrap();
        assert_eq!(
            other.flat_values().unwrap(),
            store(7).flat_values().unwrap()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
