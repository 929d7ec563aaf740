//! The categorical (C51) distributional head's support and the projection of a shifted,
//! discounted distribution back onto it (Bellemare et al. 2017, "A Distributional
//! Perspective on Reinforcement Learning", Algorithm 1, eq. 7).

use candle_core::{Device, Tensor};

use crate::error::{NnError, Result};

/// `atoms` evenly spaced returns `z_i = v_min + i (v_max - v_min) / (atoms - 1)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Support {
    /// Smallest atom.
    pub v_min: f32,
    /// Largest atom.
    pub v_max: f32,
    /// Number of atoms (>= 2).
    pub atoms: usize,
}

impl Support {
    /// A support; errors unless `atoms >= 2` and `v_min < v_max`.
    pub fn new(v_min: f32, v_max: f32, atoms: usize) -> Result<Self> {
        if atoms < 2 || v_min >= v_max || v_min.is_nan() || v_max.is_nan() {
            return Err(NnError::Config(format!(
                "a distributional support needs >= 2 atoms and v_min < v_max, got {atoms} atoms on [{v_min}, {v_max}]"
            )));
        }
        Ok(Support {
            v_min,
            v_max,
            atoms,
        })
    }

    /// Spacing between atoms.
    pub fn delta(&self) -> f32 {
        (self.v_max - self.v_min) / (self.atoms - 1) as f32
    }

    /// The atom values.
    pub fn values(&self) -> Vec<f32> {
        (0..self.atoms)
            .map(|i| self.v_min + i as f32 * self.delta())
            .collect()
    }

    /// The atom values as a `[1, 1, atoms]` tensor (to broadcast against `[batch, actions,
    /// atoms]` probabilities).
    pub fn tensor(&self, device: &Device) -> Result<Tensor> {
        Ok(Tensor::from_vec(self.values(), (1, 1, self.atoms), device)?)
    }
}

/// Projects the distributions `probs` (`[batch][atoms]`, row-major) of the returns
/// `r + d z_j` onto `support` (Algorithm 1): each shifted atom `Tz_j = clamp(r + d z_j)` splits
/// its mass between its neighbouring atoms in proportion to closeness. `discounts` holds
/// `gamma^n` for bootstrapped transitions and 0 for terminal ones (then all mass lands on the
/// atoms around `r`). Returns `[batch][atoms]`, row-major.
pub fn project_distribution(
    support: &Support,
    probs: &[f32],
    returns: &[f32],
    discounts: &[f32],
) -> Result<Vec<f32>> {
    let n = support.atoms;
    let batch = returns.len();
    if probs.len() != batch * n || discounts.len() != batch {
        return Err(NnError::Mismatch(format!(
            "projection of {} probabilities, {} returns, {} discounts with {n} atoms",
            probs.len(),
            batch,
            discounts.len()
        )));
    }
    let z = support.values();
    let dz = support.delta();
    let mut out = vec![0f32; batch * n];
    for b in 0..batch {
        let row = &probs[b * n..(b + 1) * n];
        let target = &mut out[b * n..(b + 1) * n];
        for (j, &p) in row.iter().enumerate() {
            let tz = (returns[b] + discounts[b] * z[j]).clamp(support.v_min, support.v_max);
            let pos = ((tz - support.v_min) / dz).clamp(0.0, (n - 1) as f32);
            let lower = pos.floor() as usize;
            let upper = pos.ceil() as usize;
            if lower == upper {
                target[lower] += p;
            } else {
                target[lower] += p * (upper as f32 - pos);
                target[upper] += p * (pos - lower as f32);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn support() -> Support {
        Support::new(-2.0, 2.0, 5).unwrap() // atoms -2, -1, 0, 1, 2
    }

    #[test]
    fn terminal_transition_puts_mass_around_the_reward() {
        let p = [0.2f32, 0.2, 0.2, 0.2, 0.2];
        let m = project_distribution(&support(), &p, &[0.25], &[0.0]).unwrap();
        assert_eq!(m.len(), 5);
        assert!(
            (m[2] - 0.75).abs() < 1e-6 && (m[3] - 0.25).abs() < 1e-6,
            "{m:?}"
        );
        assert!((m.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn shifted_atoms_split_between_neighbours_and_clip_at_the_edges() {
        // r = 0.5, d = 1: atoms go to -1.5, -0.5, 0.5, 1.5, 2.5 -> clipped to 2.
        let p = [0.1f32, 0.2, 0.3, 0.3, 0.1];
        let m = project_distribution(&support(), &p, &[0.5], &[1.0]).unwrap();
        let expected = [0.05f32, 0.15, 0.25, 0.3, 0.25];
        for (a, b) in m.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{m:?} vs {expected:?}");
        }
    }

    #[test]
    fn discount_contracts_the_distribution_towards_the_reward() {
        // d = 0.5, r = 0: atoms -2..2 map to -1, -0.5, 0, 0.5, 1.
        let p = [0.2f32; 5];
        let m = project_distribution(&support(), &p, &[0.0], &[0.5]).unwrap();
        let expected = [0.0f32, 0.3, 0.4, 0.3, 0.0];
        for (a, b) in m.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{m:?}");
        }
        // The mean is preserved by the projection when nothing is clipped.
        let mean: f32 = m.iter().zip(support().values()).map(|(p, z)| p * z).sum();
        assert!(mean.abs() < 1e-6);
    }

    #[test]
    fn bad_support_is_an_error() {
        assert!(Support::new(1.0, -1.0, 51).is_err());
        assert!(Support::new(-1.0, 1.0, 1).is_err());
    }
}
