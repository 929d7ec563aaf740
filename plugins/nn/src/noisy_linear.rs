//! Factorised Gaussian noisy linear layer (Fortunato et al. 2018, "Noisy Networks for
//! Exploration", section 3.2). Input `[batch, in]`, output `[batch, out]`.
//!
//! `y = (mu_w + sigma_w * eps_w) x + mu_b + sigma_b * eps_b`, with factorised noise
//! `eps_w[i, j] = f(eps_out[i]) f(eps_in[j])`, `eps_b = f(eps_out)`, `f(x) = sgn(x) sqrt(|x|)`
//! (eq. 10-11). Initialisation (section 3.2): `mu ~ U(-1/sqrt(p), 1/sqrt(p))`,
//! `sigma = sigma_0 / sqrt(p)`, `p` inputs, `sigma_0 = 0.5`.

use candle_core::Tensor;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::Result;
use crate::fused;
use crate::init::Init;
use crate::params::ParamStore;

/// The paper's `sigma_0` for factorised noise.
pub const SIGMA_0: f64 = 0.5;

/// A factorised noisy dense layer.
#[derive(Clone, Debug)]
pub struct NoisyLinear {
    mu_w: Tensor,
    sigma_w: Tensor,
    mu_b: Tensor,
    sigma_b: Tensor,
    inputs: usize,
    outputs: usize,
}

fn scaled_noise<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let x: f32 = StandardNormal.sample(rng);
            x.signum() * x.abs().sqrt()
        })
        .collect()
}

impl NoisyLinear {
    /// Creates `name.{mu_w, sigma_w, mu_b, sigma_b}` initialised as in the paper.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let bound = 1.0 / (inputs as f64).sqrt();
        let mu = Init::Uniform {
            low: -bound,
            high: bound,
        };
        let sigma = Init::Constant(SIGMA_0 / (inputs as f64).sqrt());
        Ok(NoisyLinear {
            mu_w: store.var(&format!("{name}.mu_w"), &[outputs, inputs], mu, rng)?,
            sigma_w: store.var(&format!("{name}.sigma_w"), &[outputs, inputs], sigma, rng)?,
            mu_b: store.var(&format!("{name}.mu_b"), &[outputs], mu, rng)?,
            sigma_b: store.var(&format!("{name}.sigma_b"), &[outputs], sigma, rng)?,
            inputs,
            outputs,
        })
    }

    /// `[batch, in] -> [batch, out]`. With `rng` a fresh noise sample is drawn (training and
    /// acting); without, the mean weights are used (evaluation).
    pub fn forward(&self, x: &Tensor, rng: Option<&mut ChaCha8Rng>) -> Result<Tensor> {
        let fused = fused::applies(x) && x.rank() == 2;
        let Some(rng) = rng else {
            if fused {
                return Ok(fused::linear(x, &self.mu_w, &self.mu_b, false)?);
            }
            return Ok(x.matmul(&self.mu_w.t()?)?.broadcast_add(&self.mu_b)?);
        };
        let device = x.device();
        let eps_in = Tensor::from_vec(scaled_noise(self.inputs, rng), (1, self.inputs), device)?;
        let eps_out = Tensor::from_vec(scaled_noise(self.outputs, rng), (1, self.outputs), device)?;
        // (mu + sigma * (eps_out eps_in^T)) x = mu x + eps_out * (sigma (eps_in * x)): two
        // products with the weights instead of building the noisy weight matrix.
        if fused {
            // mu x + mu_b + eps_out * (sigma (eps_in * x) + sigma_b), two fused dense ops.
            let mean = fused::linear(x, &self.mu_w, &self.mu_b, false)?;
            let noise = fused::linear(
                &x.broadcast_mul(&eps_in)?,
                &self.sigma_w,
                &self.sigma_b,
                false,
            )?;
            return Ok((mean + noise.broadcast_mul(&eps_out)?)?);
        }
        let mean = x.matmul(&self.mu_w.t()?)?;
        let noise = x
            .broadcast_mul(&eps_in)?
            .matmul(&self.sigma_w.t()?)?
            .broadcast_mul(&eps_out)?;
        let b = (&self.mu_b + (&self.sigma_b * eps_out.squeeze(0)?)?)?;
        Ok((mean + noise)?.broadcast_add(&b)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use rand::SeedableRng;

    #[test]
    fn noisy_outputs_have_the_mean_of_the_mu_weights_and_the_expected_spread() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut store = ParamStore::new(Device::Cpu);
        let layer = NoisyLinear::new(&mut store, "n", 16, 4, &mut rng).unwrap();
        let x = Tensor::ones((1, 16), candle_core::DType::F32, &Device::Cpu).unwrap();
        let mean_out: Vec<f32> = layer
            .forward(&x, None)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let n = 20000;
        let mut sum = [0f64; 4];
        let mut sq = [0f64; 4];
        for _ in 0..n {
            let y: Vec<f32> = layer
                .forward(&x, Some(&mut rng))
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1()
                .unwrap();
            for k in 0..4 {
                let d = (y[k] - mean_out[k]) as f64;
                sum[k] += d;
                sq[k] += d * d;
            }
        }
        // With x = 1: y - mu = sigma (f(eps_out) sum_j f(eps_in_j) + f(eps_out)),
        // sigma = 0.5 / 4. E[f(e)^2] = E|e| = sqrt(2/pi), so
        // Var = sigma^2 (E|e| * 16 E|e| + E|e|) = sigma^2 E|e| (16 E|e| + 1).
        let e_abs = (2.0 / std::f64::consts::PI).sqrt();
        let sigma = 0.5 / 4.0;
        let expected_var = sigma * sigma * e_abs * (16.0 * e_abs + 1.0);
        for k in 0..4 {
            let mean = sum[k] / n as f64;
            let var = sq[k] / n as f64 - mean * mean;
            assert!(mean.abs() < 0.02, "output {k}: noise mean {mean}");
            assert!(
                (var / expected_var - 1.0).abs() < 0.08,
                "output {k}: variance {var}, expected {expected_var}"
            );
        }
    }
}
