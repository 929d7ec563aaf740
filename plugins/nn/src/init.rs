//! Parameter initialisations of the reference implementations (Flax / Dopamine), drawn from
//! a seeded generator so that a seed fixes the initial weights exactly.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// How a parameter tensor is initialised. Fan-in and fan-out are those of Flax: for a
/// dense kernel `[out, in]` fan-in is `in`; for a convolution `[out, in, kh, kw]` fan-in is
/// `in * kh * kw` and fan-out `out * kh * kw`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Init {
    /// All values equal.
    Constant(f64),
    /// `U(-limit, limit)` with `limit = sqrt(3 scale / fan_in)`: Flax's
    /// `variance_scaling(scale, "fan_in", "uniform")`. Dopamine's JAX networks use
    /// `scale = 1/3`, that is `limit = 1/sqrt(fan_in)`.
    VarianceScalingFanInUniform {
        /// The variance scale.
        scale: f64,
    },
    /// Glorot / Xavier uniform: `U(-l, l)`, `l = sqrt(6 / (fan_in + fan_out))`.
    XavierUniform,
    /// `U(low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

impl Init {
    /// Dopamine's kernel initialiser: `variance_scaling(1/sqrt(3)... )` as written in its JAX
    /// networks, `scale = 1/3`, so `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.
    pub const DOPAMINE: Init = Init::VarianceScalingFanInUniform { scale: 1.0 / 3.0 };

    /// Draws `n` values for a tensor of `shape` (first dim = outputs, second = inputs).
    pub fn sample(&self, shape: &[usize], rng: &mut impl Rng) -> Vec<f32> {
        let n: usize = shape.iter().product();
        let (fan_in, fan_out) = fans(shape);
        let uniform = |limit: f64, rng: &mut dyn rand::RngCore| -> Vec<f32> {
            (0..n)
                .map(|_| rng.random_range(-limit..=limit) as f32)
                .collect()
        };
        match *self {
            Init::Constant(c) => vec![c as f32; n],
            Init::VarianceScalingFanInUniform { scale } => {
                uniform((3.0 * scale / fan_in.max(1) as f64).sqrt(), rng)
            }
            Init::XavierUniform => uniform((6.0 / (fan_in + fan_out).max(1) as f64).sqrt(), rng),
            Init::Uniform { low, high } => (0..n)
                .map(|_| rng.random_range(low..=high) as f32)
                .collect(),
        }
    }
}

/// `(fan_in, fan_out)` of a parameter shape `[out, in, k...]`.
pub fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        [out, inp, rest @ ..] => {
            let receptive: usize = rest.iter().product();
            (inp * receptive, out * receptive)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn dopamine_init_is_bounded_by_inverse_sqrt_fan_in() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let v = Init::DOPAMINE.sample(&[64, 100], &mut rng);
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!(max <= 0.1 + 1e-6 && max > 0.09, "max {max}");
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        assert!(mean.abs() < 0.01);
    }

    #[test]
    fn conv_fans_include_the_receptive_field() {
        assert_eq!(fans(&[32, 4, 8, 8]), (256, 2048));
    }
}
