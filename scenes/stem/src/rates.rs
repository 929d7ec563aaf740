//! Transition-rate models: how fast the silicon swaps with each of its three neighbours for
//! a beam held at a position.
//!
//! Every model maps (beam offset from the silicon, offsets of the three neighbours, beam
//! settings) to three rates in s^-1, one per neighbour, in the order the neighbours were
//! given. Offsets are in Angstroms.
//!
//! | model | rate of neighbour `n` | source |
//! |---|---|---|
//! | canonical | `1 / ((4 d)^2 + 1)`, `d = ‖beam - n‖ / 1.42 A` | putting-dune `simple_canonical_rate_function` |
//! | human prior | `ln2/3 * exp(-‖b - 0.85 n̂‖^2 / (2 * 0.1))`, `b` in bonds | putting-dune `HumanPriorRatePredictor` |
//! | Gaussian mixture | `sum_k w_k N(beam; l_k n, R diag(v_k) R^T)`, scaled to a peak `max_rate` | putting-dune `GaussianMixtureRateFunction` |
//! | learned | MLP over `(current, voltage, canonical beam)` | Schwarzer et al. 2023, [`learned`] |

pub mod learned;

use std::f64::consts::{LN_2, TAU};
use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, Poisson};
use serde::{Deserialize, Serialize};

use crate::lattice::{BOND_LENGTH, Vec2};
pub use learned::{LearnedRates, LearnedRatesError};

/// Electron-beam settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeamSettings {
    /// Accelerating voltage, kV.
    pub voltage_kv: f64,
    /// Probe current, nA.
    pub current_na: f64,
}

impl Default for BeamSettings {
    /// The paper's beam: 60 kV, 0.1 nA.
    fn default() -> Self {
        BeamSettings {
            voltage_kv: 60.0,
            current_na: 0.1,
        }
    }
}

/// The human prior: a Gaussian bump per neighbour, in bond-length units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HumanPrior {
    /// Distance of the peak from the silicon along the neighbour direction, bonds.
    pub peak_distance: f64,
    /// Isotropic variance of the bump, bonds^2.
    pub variance: f64,
    /// Rate at the peak, s^-1.
    pub max_rate: f64,
}

impl Default for HumanPrior {
    /// putting-dune's constants: peak 0.85 bonds, covariance 0.1 I, peak rate ln2 / 3.
    fn default() -> Self {
        HumanPrior {
            peak_distance: 0.85,
            variance: 0.1,
            max_rate: LN_2 / 3.0,
        }
    }
}

impl HumanPrior {
    fn rate(&self, beam_bonds: Vec2, unit: Vec2) -> f64 {
        let d = beam_bonds - unit * self.peak_distance;
        self.max_rate * (-0.5 * d.length_squared() / self.variance).exp()
    }
}

/// One component of a [`GaussianMixture`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MixtureComponent {
    /// Mixture weight (the weights sum to 1).
    pub weight: f64,
    /// Centre along the silicon -> neighbour vector, in multiples of that vector.
    pub location: f64,
    /// Variance along the neighbour direction, A^2.
    pub variance_parallel: f64,
    /// Variance across the neighbour direction, A^2.
    pub variance_perpendicular: f64,
}

/// A random rate function for domain randomization: a mixture of Gaussians laid along each
/// silicon -> neighbour vector, normalized so that the highest component peak is
/// `max_rate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaussianMixture {
    /// Rate at the highest single-component peak, s^-1.
    pub max_rate: f64,
    /// The components.
    pub components: Vec<MixtureComponent>,
    /// Per component: the factor that turns `exp(-q/2)` into a rate.
    coefficients: Vec<f64>,
}

impl GaussianMixture {
    /// A mixture with the given peak rate and components.
    pub fn new(max_rate: f64, components: Vec<MixtureComponent>) -> Self {
        let peak = |c: &MixtureComponent| {
            c.weight / (TAU * (c.variance_parallel * c.variance_perpendicular).sqrt())
        };
        let max_peak = components.iter().map(peak).fold(0.0, f64::max);
        let norm = if max_peak > 0.0 {
            max_rate / max_peak
        } else {
            0.0
        };
        let coefficients = components.iter().map(|c| peak(c) * norm).collect();
        GaussianMixture {
            max_rate,
            components,
            coefficients,
        }
    }

    /// Draws a mixture as putting-dune does: `1 + Poisson(2)` components, peak rate
    /// `U(0.01, 1)`, weights `U(0, 10)` normalized, locations `U(-2, 3)`, variances
    /// `U(0.1, 5)` A^2 per axis.
    pub fn sample<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let extra: f64 = Poisson::new(2.0).map(|p| p.sample(rng)).unwrap_or(2.0);
        let n = 1 + extra as usize;
        let max_rate = rng.random_range(0.01..1.0);
        let mut components: Vec<MixtureComponent> = (0..n)
            .map(|_| MixtureComponent {
                weight: rng.random_range(0.0..10.0),
                location: rng.random_range(-2.0..3.0),
                variance_parallel: rng.random_range(0.1..5.0),
                variance_perpendicular: rng.random_range(0.1..5.0),
            })
            .collect();
        let total: f64 = components.iter().map(|c| c.weight).sum();
        for c in &mut components {
            c.weight = if total > 0.0 {
                c.weight / total
            } else {
                1.0 / n as f64
            };
        }
        GaussianMixture::new(max_rate, components)
    }

    fn rate(&self, beam: Vec2, neighbour: Vec2) -> f64 {
        let u = neighbour.normalized();
        let v = Vec2::new(-u.y, u.x);
        let mut rate = 0.0;
        for (c, &coef) in self.components.iter().zip(&self.coefficients) {
            let d = beam - neighbour * c.location;
            let (p, q) = (d.dot(u), d.dot(v));
            let m = p * p / c.variance_parallel + q * q / c.variance_perpendicular;
            rate += coef * (-0.5 * m).exp();
        }
        rate
    }
}

/// A transition-rate model, ready to evaluate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RateModel {
    /// `1 / ((4 d)^2 + 1)` with `d` the beam-neighbour distance in bonds.
    Canonical,
    /// A Gaussian bump per neighbour ([`HumanPrior`]).
    HumanPrior(HumanPrior),
    /// A random Gaussian mixture ([`GaussianMixture`]).
    GaussianMixture(GaussianMixture),
    /// A learned MLP ([`LearnedRates`]).
    Learned(Arc<LearnedRates>),
}

impl RateModel {
    /// Rates (s^-1) of swapping with each neighbour, for the beam at offset `beam` from the
    /// silicon and the neighbours at offsets `neighbours` (Angstroms).
    pub fn rates(&self, beam: Vec2, neighbours: &[Vec2; 3], settings: &BeamSettings) -> [f64; 3] {
        match self {
            RateModel::Canonical => neighbours.map(|n| {
                let d = (beam - n).length() / BOND_LENGTH;
                1.0 / (16.0 * d * d + 1.0)
            }),
            RateModel::HumanPrior(prior) => {
                let b = beam * (1.0 / BOND_LENGTH);
                neighbours.map(|n| prior.rate(b, n.normalized()))
            }
            RateModel::GaussianMixture(mixture) => neighbours.map(|n| mixture.rate(beam, n)),
            RateModel::Learned(net) => net.rates(beam, neighbours, settings),
        }
    }

    /// The rate towards a neighbour at `(1, 0)` bonds (with its partners at +-120 degrees)
    /// for a beam at `beam` (Angstroms): the canonical frame greedy controllers search.
    pub fn canonical_rate(&self, beam: Vec2, settings: &BeamSettings) -> f64 {
        self.rates(beam, &canonical_neighbours(), settings)[0]
    }
}

/// The three neighbour offsets of the canonical frame: `(1, 0)` bonds and its rotations by
/// 120 and 240 degrees, in Angstroms.
pub fn canonical_neighbours() -> [Vec2; 3] {
    let third = TAU / 3.0;
    [0.0, third, 2.0 * third].map(|a| Vec2::new(BOND_LENGTH, 0.0).rotated(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn canonical_rate_peaks_at_one_on_the_neighbour() {
        let n = canonical_neighbours();
        let s = BeamSettings::default();
        let r = RateModel::Canonical.rates(n[0], &n, &s);
        assert!((r[0] - 1.0).abs() < 1e-12);
        // The other two neighbours are sqrt(3) bonds away: 1 / (48 + 1).
        assert!((r[1] - 1.0 / 49.0).abs() < 1e-9 && (r[2] - 1.0 / 49.0).abs() < 1e-9);
        // One bond beyond: d = 1 -> 1/17.
        let r = RateModel::Canonical.rates(n[0] * 2.0, &n, &s);
        assert!((r[0] - 1.0 / 17.0).abs() < 1e-12);
    }

    #[test]
    fn human_prior_peaks_at_085_bonds_with_ln2_over_3() {
        let n = canonical_neighbours();
        let s = BeamSettings::default();
        let model = RateModel::HumanPrior(HumanPrior::default());
        let peak = model.rates(n[0] * 0.85, &n, &s);
        assert!((peak[0] - LN_2 / 3.0).abs() < 1e-12);
        let off = model.rates(n[0] * 0.85 + Vec2::new(0.0, 0.3 * BOND_LENGTH), &n, &s);
        assert!((off[0] - LN_2 / 3.0 * (-0.45f64).exp()).abs() < 1e-12);
        assert!(peak[1] < 1e-3 * peak[0]);
    }

    #[test]
    fn gaussian_mixture_peak_equals_max_rate_for_one_component() {
        let m = GaussianMixture::new(
            0.4,
            vec![MixtureComponent {
                weight: 1.0,
                location: 0.5,
                variance_parallel: 0.3,
                variance_perpendicular: 2.0,
            }],
        );
        let n = canonical_neighbours();
        let model = RateModel::GaussianMixture(m);
        let s = BeamSettings::default();
        let at_peak = model.rates(n[0] * 0.5, &n, &s)[0];
        assert!((at_peak - 0.4).abs() < 1e-12, "{at_peak}");
        // Anisotropy: moving across the bond falls off slower than along it.
        let along = model.rates(n[0] * 0.5 + n[0].normalized() * 0.5, &n, &s)[0];
        let across = model.rates(n[0] * 0.5 + Vec2::new(0.0, 0.5), &n, &s)[0];
        assert!(across > along);
    }

    #[test]
    fn sampled_mixtures_follow_putting_dune_ranges() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200 {
            let m = GaussianMixture::sample(&mut rng);
            assert!((0.01..1.0).contains(&m.max_rate));
            assert!(!m.components.is_empty());
            let w: f64 = m.components.iter().map(|c| c.weight).sum();
            assert!((w - 1.0).abs() < 1e-9);
            for c in &m.components {
                assert!((-2.0..3.0).contains(&c.location));
                assert!((0.1..5.0).contains(&c.variance_parallel));
            }
            let rebuilt = GaussianMixture::new(m.max_rate, m.components.clone());
            assert_eq!(rebuilt, m);
        }
    }

    #[test]
    fn models_are_symmetric_under_lattice_rotation() {
        let s = BeamSettings::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let models = [
            RateModel::Canonical,
            RateModel::HumanPrior(HumanPrior::default()),
            RateModel::GaussianMixture(GaussianMixture::sample(&mut rng)),
        ];
        let n = canonical_neighbours();
        let beam = Vec2::new(0.9, 0.4);
        for model in &models {
            let r = model.rates(beam, &n, &s);
            let rot = TAU / 3.0;
            let n2 = n.map(|v| v.rotated(rot));
            let r2 = model.rates(beam.rotated(rot), &n2, &s);
            for k in 0..3 {
                assert!((r[k] - r2[k]).abs() < 1e-12);
            }
        }
    }
}
