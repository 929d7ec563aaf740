//! Chi-square tests (fixed seeds, p > 0.01) that the simulated jump process matches each
//! rate model: which neighbour the silicon jumps to first, and how many jumps a dwell
//! holds. The reference jump-count distribution comes from integrating the Kolmogorov
//! forward equations of the same Markov chain (a method independent of the sampler).

use std::collections::HashMap;

use arcadia_stem::lattice::{Graphene, Site, Vec2};
use arcadia_stem::rates::{BeamSettings, GaussianMixture, HumanPrior, LearnedRates, RateModel};
use arcadia_stem::stats::{ChiSquare, chi_square_sf, chi_square_test};
use arcadia_stem::transition::{simulate_dwell, site_rates};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const DWELLS: usize = 20_000;
/// Jump counts are binned 0, 1, ..., MAX_COUNT - 1, and ">= MAX_COUNT".
const MAX_COUNT: usize = 5;

fn models() -> Vec<(&'static str, RateModel)> {
    let mut rng = ChaCha8Rng::seed_from_u64(100);
    // A mixture with a strong enough peak that the test has jumps to count.
    let mut mixture = GaussianMixture::sample(&mut rng);
    while mixture.max_rate < 0.4 {
        mixture = GaussianMixture::sample(&mut rng);
    }
    let mut net = LearnedRates::random(&[16, 16], &mut rng);
    // Through the file format, as a user would load it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rates.safetensors");
    std::fs::write(&path, net.to_bytes().unwrap()).unwrap();
    net = LearnedRates::load(&path).unwrap();
    vec![
        ("canonical", RateModel::Canonical),
        ("human prior", RateModel::HumanPrior(HumanPrior::default())),
        ("gaussian mixture", RateModel::GaussianMixture(mixture)),
        ("learned", RateModel::Learned(std::sync::Arc::new(net))),
    ]
}

/// The jump-count distribution after `dwell` seconds, from the forward equations on the
/// states (site, jumps so far), jumps capped at `MAX_COUNT` (absorbing), by RK4.
fn count_distribution(g: &Graphene, model: &RateModel, beam: Vec2, dwell: f64) -> Vec<f64> {
    let s = BeamSettings::default();
    // Sites reachable in fewer than MAX_COUNT jumps.
    let mut index: HashMap<Site, usize> = HashMap::new();
    let mut sites = vec![Site::default()];
    index.insert(Site::default(), 0);
    let mut frontier = vec![Site::default()];
    for _ in 0..MAX_COUNT {
        let mut next = Vec::new();
        for &site in &frontier {
            for n in g.neighbours(site) {
                if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(n) {
                    slot.insert(sites.len());
                    sites.push(n);
                    next.push(n);
                }
            }
        }
        frontier = next;
    }
    let rates: Vec<([Site; 3], [f64; 3])> = sites
        .iter()
        .map(|&site| site_rates(g, site, beam, model, &s))
        .collect();
    let ns = sites.len();
    let dim = ns * (MAX_COUNT + 1);
    let deriv = |p: &[f64], out: &mut [f64]| {
        out.iter_mut().for_each(|x| *x = 0.0);
        for (si, (targets, r)) in rates.iter().enumerate() {
            let total: f64 = r.iter().sum();
            for c in 0..MAX_COUNT {
                let mass = p[c * ns + si];
                if mass == 0.0 {
                    continue;
                }
                out[c * ns + si] -= total * mass;
                for (t, &rate) in targets.iter().zip(r) {
                    if let Some(&ti) = index.get(t) {
                        out[(c + 1) * ns + ti] += rate * mass;
                    }
                }
            }
        }
    };
    let mut p = vec![0.0; dim];
    p[0] = 1.0;
    let steps = 4000;
    let h = dwell / steps as f64;
    let (mut k1, mut k2, mut k3, mut k4, mut tmp) = (
        vec![0.0; dim],
        vec![0.0; dim],
        vec![0.0; dim],
        vec![0.0; dim],
        vec![0.0; dim],
    );
    for _ in 0..steps {
        deriv(&p, &mut k1);
        for i in 0..dim {
            tmp[i] = p[i] + 0.5 * h * k1[i];
        }
        deriv(&tmp, &mut k2);
        for i in 0..dim {
            tmp[i] = p[i] + 0.5 * h * k2[i];
        }
        deriv(&tmp, &mut k3);
        for i in 0..dim {
            tmp[i] = p[i] + h * k3[i];
        }
        deriv(&tmp, &mut k4);
        for i in 0..dim {
            p[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    (0..=MAX_COUNT)
        .map(|c| p[c * ns..(c + 1) * ns].iter().sum())
        .collect()
}

fn beams(g: &Graphene) -> Vec<Vec2> {
    let si = g.position(Site::default());
    let n = g.neighbours(Site::default()).map(|s| g.position(s) - si);
    vec![
        si + n[0],                              // on a neighbour
        si + n[1] * 0.85 + Vec2::new(0.2, 0.1), // near the prior's peak
        si + (n[0] + n[2]) * 0.6,               // between two neighbours
    ]
}

/// Pools independent chi-square tests (over the beam positions of one model) into one:
/// statistics and degrees of freedom add. One test per model keeps the family of tests
/// small, so a correct simulator passes all of them at p > 0.01 with high probability.
fn pooled(tests: &[ChiSquare]) -> ChiSquare {
    let statistic = tests.iter().map(|t| t.statistic).sum();
    let dof = tests.iter().map(|t| t.dof).sum();
    ChiSquare {
        statistic,
        dof,
        p_value: chi_square_sf(statistic, dof),
    }
}

#[test]
fn first_jump_neighbour_matches_every_rate_model() {
    let g = Graphene::new(0.9, Vec2::new(0.1, 0.2));
    for (name, model) in models() {
        let mut tests = Vec::new();
        for (b, beam) in beams(&g).into_iter().enumerate() {
            let (_, rates) =
                site_rates(&g, Site::default(), beam, &model, &BeamSettings::default());
            let total: f64 = rates.iter().sum();
            if total < 1e-3 {
                // Too slow to collect first jumps here; the other beams cover this model.
                continue;
            }
            let probs = rates.map(|r| r / total);
            let mut rng = ChaCha8Rng::seed_from_u64(1000 + b as u64);
            let mut counts = [0u64; 3];
            let mut n = 0;
            while n < DWELLS {
                let mut si = Site::default();
                // A dwell long enough that nearly every trial jumps (P(none) = e^-20); only
                // the first jump counts.
                let dwell = 20.0 / total;
                let out = simulate_dwell(
                    &g,
                    &mut si,
                    beam,
                    dwell,
                    &model,
                    &BeamSettings::default(),
                    &mut rng,
                );
                if let Some(k) = out.first_neighbour {
                    counts[k] += 1;
                    n += 1;
                }
            }
            let test = chi_square_test(&counts, &probs);
            println!("{name}, beam {b}: counts {counts:?} vs p {probs:?}: {test:?}");
            tests.push(test);
        }
        let test = pooled(&tests);
        println!("{name}: {test:?}");
        assert!(!tests.is_empty(), "{name}: no beam position had jumps");
        assert!(
            test.p_value > 0.01,
            "{name}: first-jump neighbours do not match the rates: {test:?}"
        );
    }
}

#[test]
fn jump_counts_per_dwell_match_the_forward_equations() {
    let g = Graphene::new(0.9, Vec2::new(0.1, 0.2));
    for (name, model) in models() {
        let mut tests = Vec::new();
        for (b, beam) in beams(&g).into_iter().enumerate() {
            let dwell = 2.0;
            let expected = count_distribution(&g, &model, beam, dwell);
            let total: f64 = expected.iter().sum();
            assert!((total - 1.0).abs() < 1e-6, "probabilities sum to {total}");
            let mut rng = ChaCha8Rng::seed_from_u64(2000 + b as u64);
            let mut counts = [0u64; MAX_COUNT + 1];
            for _ in 0..DWELLS {
                let mut si = Site::default();
                let out = simulate_dwell(
                    &g,
                    &mut si,
                    beam,
                    dwell,
                    &model,
                    &BeamSettings::default(),
                    &mut rng,
                );
                counts[(out.jumps as usize).min(MAX_COUNT)] += 1;
            }
            let test = chi_square_test(&counts, &expected);
            println!("{name}, beam {b}: counts {counts:?} vs {expected:?}: {test:?}");
            tests.push(test);
        }
        let test = pooled(&tests);
        println!("{name}: {test:?}");
        assert!(
            test.p_value > 0.01,
            "{name}: jump counts do not match the rates: {test:?}"
        );
    }
}

#[test]
fn the_test_detects_a_wrong_rate_model() {
    // The canonical simulator against the human prior's prediction must fail: the chi-square
    // test has the power to tell the models apart.
    let g = Graphene::new(0.9, Vec2::new(0.1, 0.2));
    let beam = beams(&g)[2];
    let expected = count_distribution(&g, &RateModel::HumanPrior(HumanPrior::default()), beam, 2.0);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut counts = [0u64; MAX_COUNT + 1];
    for _ in 0..DWELLS {
        let mut si = Site::default();
        let out = simulate_dwell(
            &g,
            &mut si,
            beam,
            2.0,
            &RateModel::Canonical,
            &BeamSettings::default(),
            &mut rng,
        );
        counts[(out.jumps as usize).min(MAX_COUNT)] += 1;
    }
    assert!(chi_square_test(&counts, &expected).p_value < 1e-6);
}
