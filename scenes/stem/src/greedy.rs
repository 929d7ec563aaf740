//! The greedy controller baseline (putting-dune's `GreedyAgent`): put the beam where the
//! rate model's rate towards the neighbour nearest the goal is highest.
//!
//! The best beam position is searched once in the canonical frame (neighbour at `(1, 0)`
//! bonds) on a 41 x 41 grid over the disc the action space can reach in every orientation,
//! then rotated onto the chosen neighbour at each step. For discrete actions it picks the
//! radius with the highest rate.

use serde::{Deserialize, Serialize};

use crate::lattice::{BOND_LENGTH, Vec2};
use crate::rates::{BeamSettings, RateModel};

/// Grid points per axis of the argmax search.
pub const SEARCH_POINTS: usize = 41;

/// Where the greedy controller puts the beam, in the canonical frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GreedyPlan {
    /// Beam offset from the silicon, Angstroms, for a target neighbour at `(1.42, 0)`.
    pub beam: Vec2,
    /// The rate towards the target there, s^-1.
    pub rate: f64,
    /// Index into the discrete radii of the best radius.
    pub radius_index: usize,
}

impl GreedyPlan {
    /// Searches the argmax of the rate towards the canonical neighbour within
    /// `max_distance_a` of the silicon, and the best of `radii_bonds`.
    pub fn search(
        model: &RateModel,
        settings: &BeamSettings,
        max_distance_a: f64,
        radii_bonds: &[f64],
    ) -> Self {
        let mut best = GreedyPlan {
            beam: Vec2::new(max_distance_a.min(BOND_LENGTH), 0.0),
            rate: f64::NEG_INFINITY,
            radius_index: 0,
        };
        let step = 2.0 * max_distance_a / (SEARCH_POINTS - 1) as f64;
        for iy in 0..SEARCH_POINTS {
            for ix in 0..SEARCH_POINTS {
                let p = Vec2::new(
                    -max_distance_a + ix as f64 * step,
                    -max_distance_a + iy as f64 * step,
                );
                if p.length() > max_distance_a * (1.0 + 1e-9) {
                    continue;
                }
                let r = model.canonical_rate(p, settings);
                if r > best.rate {
                    best.rate = r;
                    best.beam = p;
                }
            }
        }
        let mut best_radius = f64::NEG_INFINITY;
        for (i, &r) in radii_bonds.iter().enumerate() {
            let rate = model.canonical_rate(Vec2::new(r * BOND_LENGTH, 0.0), settings);
            if rate > best_radius {
                best_radius = rate;
                best.radius_index = i;
            }
        }
        best
    }
}

/// The neighbour (index into `neighbours`) nearest the goal offset `goal`: the greedy
/// controller's target.
pub fn target_neighbour(neighbours: &[Vec2; 3], goal: Vec2) -> usize {
    let mut best = 0;
    for k in 1..3 {
        if (neighbours[k] - goal).length_squared() < (neighbours[best] - goal).length_squared() {
            best = k;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::HumanPrior;

    #[test]
    fn canonical_argmax_is_on_the_neighbour_and_prior_at_085_bonds() {
        let s = BeamSettings::default();
        let plan = GreedyPlan::search(&RateModel::Canonical, &s, BOND_LENGTH, &[0.85, 1.0, 1.32]);
        assert!(
            (plan.beam - Vec2::new(BOND_LENGTH, 0.0)).length() < 1e-9,
            "{:?}",
            plan.beam
        );
        assert_eq!(plan.radius_index, 1);
        let prior = RateModel::HumanPrior(HumanPrior::default());
        let plan = GreedyPlan::search(&prior, &s, 2.0 * BOND_LENGTH, &[0.85, 1.0, 1.32]);
        let step = 4.0 * BOND_LENGTH / 40.0;
        assert!(
            (plan.beam - Vec2::new(0.85 * BOND_LENGTH, 0.0)).length() < step,
            "{:?}",
            plan.beam
        );
        assert_eq!(plan.radius_index, 0);
    }

    #[test]
    fn target_is_the_neighbour_nearest_the_goal() {
        let n = crate::rates::canonical_neighbours();
        assert_eq!(target_neighbour(&n, Vec2::new(10.0, 0.5)), 0);
        assert_eq!(target_neighbour(&n, n[2] * 5.0), 2);
    }
}
