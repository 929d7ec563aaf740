//! The task: bring the silicon to a goal lattice site.
//!
//! As in putting-dune's `SingleSiliconGoalReaching`: the goal is a lattice site drawn
//! uniformly among those inside the field of view whose distance from the silicon lies in
//! a range (default 0.1 to 50 A; the view, 15 to 30 A wide, is the binding limit). Success
//! is the silicon within 0.71 A (half a bond) of the goal; it ends the episode with reward
//! `gamma_s^elapsed` where `elapsed` counts the episode's simulated seconds.

use rand::Rng;

use crate::lattice::{Graphene, Rect, Site, Vec2};

/// Draws a goal site inside `view` at a distance from `si` in `(range.0, range.1)`
/// (exclusive, as putting-dune), or `None` when no site qualifies.
pub fn sample_goal<R: Rng + ?Sized>(
    lattice: &Graphene,
    si: Site,
    view: &Rect,
    range: (f64, f64),
    rng: &mut R,
) -> Option<Site> {
    let origin = lattice.position(si);
    let (lo2, hi2) = (range.0 * range.0, range.1 * range.1);
    let ok = |p: Vec2| {
        let d2 = (p - origin).length_squared();
        d2 > lo2 && d2 < hi2
    };
    let mut count = 0usize;
    lattice.for_each_site_in(view, |_, p| count += ok(p) as usize);
    if count == 0 {
        return None;
    }
    let mut pick = rng.random_range(0..count);
    let mut chosen = None;
    lattice.for_each_site_in(view, |s, p| {
        if chosen.is_none() && ok(p) {
            if pick == 0 {
                chosen = Some(s);
            } else {
                pick -= 1;
            }
        }
    });
    chosen
}

/// Whether the silicon at `si` is within `radius` of `goal` (Angstroms).
pub fn reached(si: Vec2, goal: Vec2, radius: f64) -> bool {
    (si - goal).length_squared() < radius * radius
}

/// The success reward after `elapsed_s` simulated seconds: `gamma_per_second^elapsed_s`.
pub fn success_reward(gamma_per_second: f64, elapsed_s: f64) -> f32 {
    gamma_per_second.powf(elapsed_s) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn goals_are_in_view_and_in_range_and_cover_the_candidates() {
        let g = Graphene::new(1.1, Vec2::ZERO);
        let si = Site::default();
        let view = Rect::square(g.position(si), 20.0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..5000 {
            let goal = sample_goal(&g, si, &view, (3.0, 8.0), &mut rng).unwrap();
            let p = g.position(goal);
            let d = (p - g.position(si)).length();
            assert!(view.contains(p) && d > 3.0 && d < 8.0, "{d}");
            seen.insert(goal);
        }
        let mut candidates = 0;
        g.for_each_site_in(&view, |_, p| {
            let d = p.length();
            candidates += (d > 3.0 && d < 8.0) as usize;
        });
        assert_eq!(seen.len(), candidates);
        assert_eq!(sample_goal(&g, si, &view, (100.0, 200.0), &mut rng), None);
    }

    #[test]
    fn reward_decays_per_second() {
        assert_eq!(success_reward(0.9967, 0.0), 1.0);
        assert!((success_reward(0.9967, 100.0) - 0.9967f32.powi(100)).abs() < 1e-6);
        assert!(reached(Vec2::new(0.0, 0.0), Vec2::new(0.7, 0.0), 0.71));
        assert!(!reached(Vec2::new(0.0, 0.0), Vec2::new(1.42, 0.0), 0.71));
    }
}
