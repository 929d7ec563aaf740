//! The tanh-squashed diagonal Gaussian policy of SAC (Haarnoja et al. 2018, "Soft
//! Actor-Critic: Off-Policy Maximum Entropy Deep RL with a Stochastic Actor", appendix C).
//!
//! Shapes: `mean`, `log_std`, `noise`: `[batch, actions]`; log-probabilities `[batch]`.
//!
//! `u = mean + std * noise`, `a = tanh(u)`, and (eq. 21)
//! `log pi(a|s) = log N(u; mean, std) - sum_i log(1 - tanh(u_i)^2)`, with the correction
//! written stably as `log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2 u))`.

use candle_core::Tensor;

use crate::error::Result;

/// `log(1 + exp(x))` without overflow: `max(x, 0) + log(1 + exp(-|x|))`.
pub fn softplus(x: &Tensor) -> Result<Tensor> {
    Ok((x.relu()? + ((x.abs()?.neg()?.exp()? + 1.0)?.log()?))?)
}

/// Maps an unbounded network output into `[min, max]` with a tanh (CleanRL's SAC):
/// `min + (max - min) (tanh(raw) + 1) / 2`.
pub fn bounded_log_std(raw: &Tensor, min: f64, max: f64) -> Result<Tensor> {
    Ok(((raw.tanh()? + 1.0)? * (0.5 * (max - min)))?.affine(1.0, min)?)
}

/// Draws `a = tanh(mean + exp(log_std) noise)` and returns `(a, log pi(a|s))` (eq. 21).
/// Gradients flow to `mean` and `log_std` (the reparameterisation trick, eq. 11).
pub fn sample(mean: &Tensor, log_std: &Tensor, noise: &Tensor) -> Result<(Tensor, Tensor)> {
    let u = (mean + (log_std.exp()? * noise)?)?;
    let action = u.tanh()?;
    // log N(u; mean, std) = -noise^2 / 2 - log_std - log(2 pi) / 2, summed over actions.
    let half_log_two_pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let gaussian = ((noise.sqr()? * -0.5)? - log_std)?.affine(1.0, -half_log_two_pi)?;
    // log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)).
    let correction = ((u.neg()? - softplus(&(&u * -2.0)?)?)?.affine(2.0, 2.0 * 2f64.ln()))?;
    let log_prob = (gaussian - correction)?.sum(1)?;
    Ok((action, log_prob))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// The density of `a = tanh(u)`, `u ~ N(m, s)` in 1-D, integrated numerically over `a`:
    /// `p(a) = N(atanh a) / (1 - a^2)`. The closed form must match it pointwise and the
    /// numeric density must integrate to one.
    #[test]
    fn squashed_log_prob_matches_the_change_of_variables_density() {
        let (m, log_s) = (0.3f64, -0.4f64);
        let s = log_s.exp();
        let density = |a: f64| {
            let u = a.atanh();
            let z = (u - m) / s;
            (-0.5 * z * z).exp() / (s * (2.0 * std::f64::consts::PI).sqrt()) / (1.0 - a * a)
        };
        // Pointwise: pick noises, compare with the closed form.
        let noises = [-2.5f32, -1.0, 0.0, 0.7, 1.9];
        let dev = Device::Cpu;
        let mean = Tensor::full(m as f32, (noises.len(), 1), &dev).unwrap();
        let log_std = Tensor::full(log_s as f32, (noises.len(), 1), &dev).unwrap();
        let noise = Tensor::from_slice(&noises, (noises.len(), 1), &dev).unwrap();
        let (a, lp) = sample(&mean, &log_std, &noise).unwrap();
        let a: Vec<f32> = a.flatten_all().unwrap().to_vec1().unwrap();
        let lp: Vec<f32> = lp.to_vec1().unwrap();
        for k in 0..noises.len() {
            let expected = density(a[k] as f64).ln();
            assert!(
                (lp[k] as f64 - expected).abs() < 2e-3,
                "noise {}: log-prob {} vs numeric {expected}",
                noises[k],
                lp[k]
            );
        }
        // The numeric density is a density (midpoint rule over (-1, 1)).
        let n = 200_000;
        let total: f64 = (0..n)
            .map(|i| density(-1.0 + (i as f64 + 0.5) * 2.0 / n as f64) * 2.0 / n as f64)
            .sum();
        assert!((total - 1.0).abs() < 1e-3, "integral {total}");
    }

    #[test]
    fn log_prob_sums_over_action_dimensions_and_stays_finite_at_saturation() {
        let dev = Device::Cpu;
        let mean = Tensor::new(&[[0.0f32, 30.0]], &dev).unwrap();
        let log_std = Tensor::new(&[[0.0f32, 0.0]], &dev).unwrap();
        let noise = Tensor::new(&[[0.5f32, 0.5]], &dev).unwrap();
        let (_, lp) = sample(&mean, &log_std, &noise).unwrap();
        let lp: Vec<f32> = lp.to_vec1().unwrap();
        assert_eq!(lp.len(), 1);
        assert!(lp[0].is_finite(), "saturated tanh gives {}", lp[0]);
        let b = bounded_log_std(
            &Tensor::new(&[-100f32, 0.0, 100.0], &dev).unwrap(),
            -5.0,
            2.0,
        )
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
        assert!(
            (b[0] + 5.0).abs() < 1e-5 && (b[1] + 1.5).abs() < 1e-5 && (b[2] - 2.0).abs() < 1e-5
        );
    }
}
