//! Gradient clipping by global norm (Pascanu et al. 2013; optax `clip_by_global_norm`):
//! when `||g|| = sqrt(sum over all parameters of sum g^2)` exceeds `max_norm`, every
//! gradient is scaled by `max_norm / ||g||`.

use candle_core::backprop::GradStore;

use crate::error::Result;
use crate::params::ParamStore;

/// Clips the gradients of `store`'s parameters in `grads` in place; returns the global norm
/// before clipping.
pub fn clip_grad_norm(store: &ParamStore, grads: &mut GradStore, max_norm: f64) -> Result<f64> {
    let mut sum = 0f64;
    for (_, var) in store.vars() {
        if let Some(g) = grads.get(var.as_tensor()) {
            sum += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
        }
    }
    let norm = sum.sqrt();
    if norm > max_norm && norm > 0.0 {
        let scale = max_norm / norm;
        for (_, var) in store.vars() {
            if let Some(g) = grads.get(var.as_tensor()) {
                let scaled = (g * scale)?;
                grads.insert(var.as_tensor(), scaled);
            }
        }
    }
    Ok(norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::Init;
    use candle_core::{Device, Tensor};
    use rand::SeedableRng;

    #[test]
    fn gradients_above_the_norm_are_scaled_to_it() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut store = ParamStore::new(Device::Cpu);
        let a = store.var("a", &[1], Init::Constant(1.0), &mut rng).unwrap();
        let b = store.var("b", &[1], Init::Constant(1.0), &mut rng).unwrap();
        // loss = 3a + 4b: gradient norm 5.
        let loss = ((&a * 3.0).unwrap() + (&b * 4.0).unwrap())
            .unwrap()
            .sum_all()
            .unwrap();
        let mut grads = loss.backward().unwrap();
        let norm = clip_grad_norm(&store, &mut grads, 1.0).unwrap();
        assert!((norm - 5.0).abs() < 1e-6);
        let ga: Vec<f32> = grads.get(&a).unwrap().to_vec1().unwrap();
        let gb: Vec<f32> = grads.get(&b).unwrap().to_vec1().unwrap();
        assert!((ga[0] - 0.6).abs() < 1e-6 && (gb[0] - 0.8).abs() < 1e-6);
        let _ = Tensor::new(&[0f32], &Device::Cpu);
    }
}
