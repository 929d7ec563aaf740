//! The silicon's jumps under a beam held still: a continuous-time Markov jump process.
//!
//! With the beam at a fixed position, the silicon swaps with neighbour `i` at rate
//! `lambda_i` (from a [`RateModel`]). The time to the next swap is exponential with rate
//! `sum(lambda)`, and the swap goes to neighbour `i` with probability
//! `lambda_i / sum(lambda)`; rates are re-evaluated after each swap (the silicon moved, the
//! beam did not), until the dwell time is spent. Several swaps per dwell are possible.

use rand::Rng;
use rand_distr::{Distribution, Exp1};

use crate::lattice::{Graphene, Site, Vec2};
use crate::rates::{BeamSettings, RateModel};

/// At most this many swaps are simulated in one dwell; more means a rate model gave absurd
/// rates (millions per second), which [`simulate_dwell`] reports instead of looping.
pub const MAX_JUMPS_PER_DWELL: u32 = 100_000;

/// What happened during one dwell.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DwellOutcome {
    /// Number of swaps.
    pub jumps: u32,
    /// The neighbour (index into [`Graphene::neighbours`] of the starting site) of the
    /// first swap, if any.
    pub first_neighbour: Option<usize>,
    /// Time of the first swap after the dwell started, seconds.
    pub first_jump_s: Option<f64>,
    /// The dwell stopped at [`MAX_JUMPS_PER_DWELL`] swaps.
    pub capped: bool,
}

/// The rates of the three neighbours of `si` (in [`Graphene::neighbours`] order) for the
/// beam at `beam` (material frame).
pub fn site_rates(
    lattice: &Graphene,
    si: Site,
    beam: Vec2,
    model: &RateModel,
    settings: &BeamSettings,
) -> ([Site; 3], [f64; 3]) {
    let p = lattice.position(si);
    let sites = lattice.neighbours(si);
    let offsets = sites.map(|s| lattice.position(s) - p);
    (sites, model.rates(beam - p, &offsets, settings))
}

/// Holds the beam at `beam` (material frame) for `dwell_s` seconds, moving the silicon at
/// `si` as the jump process dictates. Exact: no time discretization.
pub fn simulate_dwell<R: Rng + ?Sized>(
    lattice: &Graphene,
    si: &mut Site,
    beam: Vec2,
    dwell_s: f64,
    model: &RateModel,
    settings: &BeamSettings,
    rng: &mut R,
) -> DwellOutcome {
    let mut out = DwellOutcome::default();
    let mut t = 0.0;
    loop {
        let (sites, rates) = site_rates(lattice, *si, beam, model, settings);
        let total = rates[0] + rates[1] + rates[2];
        if !(total > 0.0 && total.is_finite()) {
            break;
        }
        let wait: f64 = Exp1.sample(rng);
        t += wait / total;
        if t > dwell_s {
            break;
        }
        let u = rng.random::<f64>() * total;
        let k = if u < rates[0] {
            0
        } else if u < rates[0] + rates[1] {
            1
        } else {
            2
        };
        *si = sites[k];
        if out.jumps == 0 {
            out.first_neighbour = Some(k);
            out.first_jump_s = Some(t);
        }
        out.jumps += 1;
        if out.jumps >= MAX_JUMPS_PER_DWELL {
            out.capped = true;
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn no_rate_means_no_jump_and_a_far_beam_rarely_moves() {
        let g = Graphene::default();
        let mut si = Site::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let prior = RateModel::HumanPrior(Default::default());
        let far = Vec2::new(500.0, 0.0);
        let out = simulate_dwell(
            &g,
            &mut si,
            far,
            10.0,
            &prior,
            &BeamSettings::default(),
            &mut rng,
        );
        assert_eq!(out.jumps, 0);
        assert_eq!(si, Site::default());
    }

    #[test]
    fn beam_on_a_neighbour_moves_the_silicon_there_most_of_the_time() {
        let g = Graphene::new(0.4, Vec2::ZERO);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let target = g.neighbours(Site::default())[1];
        let mut hits = 0;
        for _ in 0..1000 {
            let mut si = Site::default();
            let out = simulate_dwell(
                &g,
                &mut si,
                g.position(target),
                0.5,
                &RateModel::Canonical,
                &BeamSettings::default(),
                &mut rng,
            );
            if out.first_neighbour == Some(1) {
                hits += 1;
            }
        }
        // P(first jump within 0.5 s) * P(neighbour 1) = (1 - e^{-0.5 * 1.0408}) * 0.961 = 0.39.
        assert!((330..450).contains(&hits), "{hits}");
    }
}
