//! Stratified bootstrap confidence intervals (percentile method).
//!
//! Each replicate resamples, with replacement, the runs of every task
//! separately (the tasks themselves are kept), recomputes the statistic, and
//! the interval is read off the replicates' percentiles: the 2.5th and
//! 97.5th for a 95% interval, as rliable's `get_interval_estimates` with
//! `method="percentile"`. Random draws come from ChaCha8 seeded by
//! ([`BootstrapConfig::seed`], a stream named after what is estimated), so a
//! report is the same for the same seed, whatever else it contains.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::stats::{
    Aggregates, Metric, ScoreSet, aggregates_of, flatten_into, improvement_probability_sorted,
    mean, percentile_sorted, profile_of_sorted,
};

/// Default replicates for interval estimates (rliable's default).
pub const DEFAULT_REPS: usize = 50_000;
/// Default replicates for performance profiles (rliable's default).
pub const DEFAULT_PROFILE_REPS: usize = 2_000;
/// Default coverage of the intervals.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// How intervals are estimated.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BootstrapConfig {
    /// Replicates for interval estimates of aggregates and probability of
    /// improvement.
    pub reps: usize,
    /// Replicates for performance profiles and learning curves.
    pub profile_reps: usize,
    /// Coverage, e.g. 0.95.
    pub confidence: f64,
    /// Seed of every random draw.
    pub seed: u64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        Self {
            reps: DEFAULT_REPS,
            profile_reps: DEFAULT_PROFILE_REPS,
            confidence: DEFAULT_CONFIDENCE,
            seed: 0,
        }
    }
}

impl BootstrapConfig {
    /// Lower and upper percentiles (in percent) of a two-sided interval.
    pub fn percentiles(&self) -> (f64, f64) {
        let alpha = (1.0 - self.confidence) / 2.0;
        (100.0 * alpha, 100.0 * (1.0 - alpha))
    }

    /// The random stream for a named estimate.
    pub fn rng(&self, label: &str) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(fnv1a(label.as_bytes()));
        rng
    }

    fn interval(&self, estimate: f64, replicates: &mut [f64]) -> Interval {
        replicates.sort_unstable_by(f64::total_cmp);
        let (lo, hi) = self.percentiles();
        Interval {
            estimate,
            lower: percentile_sorted(replicates, lo),
            upper: percentile_sorted(replicates, hi),
        }
    }
}

/// 64-bit FNV-1a: a fixed, portable hash naming random streams.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    /// The statistic on the data itself.
    pub estimate: f64,
    /// Lower bound of the interval.
    pub lower: f64,
    /// Upper bound of the interval.
    pub upper: f64,
}

/// Interval estimates of the four aggregate metrics.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AggregateIntervals {
    /// Median of per-task means.
    pub median: Interval,
    /// Interquartile mean.
    pub iqm: Interval,
    /// Mean of per-task means.
    pub mean: Interval,
    /// Optimality gap.
    pub optimality_gap: Interval,
}

impl AggregateIntervals {
    /// One metric.
    pub fn get(&self, metric: Metric) -> Interval {
        match metric {
            Metric::Median => self.median,
            Metric::Iqm => self.iqm,
            Metric::Mean => self.mean,
            Metric::OptimalityGap => self.optimality_gap,
        }
    }
}

/// Draws stratified resamples of per-task columns into reusable buffers.
struct Resampler<'a> {
    columns: &'a [Vec<f64>],
    buffer: Vec<Vec<f64>>,
}

impl<'a> Resampler<'a> {
    fn new(columns: &'a [Vec<f64>]) -> Self {
        Self {
            columns,
            buffer: columns.iter().map(|c| vec![0.0; c.len()]).collect(),
        }
    }

    fn draw(&mut self, rng: &mut ChaCha8Rng) -> &mut [Vec<f64>] {
        for (src, dst) in self.columns.iter().zip(self.buffer.iter_mut()) {
            let n = src.len();
            for slot in dst.iter_mut() {
                *slot = src[rng.random_range(0..n)];
            }
        }
        &mut self.buffer
    }
}

/// Point estimates and stratified-bootstrap intervals of median, IQM, mean
/// and optimality gap; `label` names the random stream (e.g. the algorithm).
pub fn aggregate_intervals(
    set: &ScoreSet,
    cfg: &BootstrapConfig,
    label: &str,
) -> AggregateIntervals {
    let point = set.aggregates();
    let reps = cfg.reps.max(1);
    let mut rng = cfg.rng(&format!("aggregates/{label}"));
    let mut resampler = Resampler::new(set.columns());
    let mut scratch = Vec::new();
    let mut reps_by_metric: [Vec<f64>; 4] = std::array::from_fn(|_| Vec::with_capacity(reps));
    for _ in 0..reps {
        let a: Aggregates = aggregates_of(resampler.draw(&mut rng), &mut scratch);
        for (store, value) in reps_by_metric.iter_mut().zip(a.to_array()) {
            store.push(value);
        }
    }
    let [median, iqm, mean, og] = reps_by_metric;
    let iv = |estimate: f64, mut v: Vec<f64>| cfg.interval(estimate, &mut v);
    AggregateIntervals {
        median: iv(point.median, median),
        iqm: iv(point.iqm, iqm),
        mean: iv(point.mean, mean),
        optimality_gap: iv(point.optimality_gap, og),
    }
}

/// Interval estimate of the IQM alone (learning curves).
pub fn iqm_interval(set: &ScoreSet, reps: usize, cfg: &BootstrapConfig, label: &str) -> Interval {
    let estimate = set.aggregates().iqm;
    let mut rng = cfg.rng(&format!("iqm/{label}"));
    let mut resampler = Resampler::new(set.columns());
    let mut scratch = Vec::new();
    let mut values = Vec::with_capacity(reps.max(1));
    for _ in 0..reps.max(1) {
        flatten_into(resampler.draw(&mut rng), &mut scratch);
        values.push(crate::stats::iqm(&scratch));
    }
    cfg.interval(estimate, &mut values)
}

/// A performance profile with pointwise intervals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProfileIntervals {
    /// Thresholds.
    pub taus: Vec<f64>,
    /// Fraction of runs x tasks scoring above each threshold, with intervals.
    pub points: Vec<Interval>,
}

/// Performance profile (fraction of all scores strictly above each `tau`)
/// with stratified-bootstrap intervals over [`BootstrapConfig::profile_reps`]
/// replicates.
pub fn profile_intervals(
    set: &ScoreSet,
    taus: &[f64],
    cfg: &BootstrapConfig,
    label: &str,
) -> ProfileIntervals {
    let estimate = crate::stats::performance_profile(set, taus);
    let reps = cfg.profile_reps.max(1);
    let mut rng = cfg.rng(&format!("profile/{label}"));
    let mut resampler = Resampler::new(set.columns());
    let mut flat = Vec::new();
    let mut by_tau: Vec<Vec<f64>> = vec![Vec::with_capacity(reps); taus.len()];
    for _ in 0..reps {
        flatten_into(resampler.draw(&mut rng), &mut flat);
        for (store, v) in by_tau.iter_mut().zip(profile_of_sorted(&mut flat, taus)) {
            store.push(v);
        }
    }
    let points = estimate
        .iter()
        .zip(by_tau.iter_mut())
        .map(|(&e, v)| cfg.interval(e, v))
        .collect();
    ProfileIntervals {
        taus: taus.to_vec(),
        points,
    }
}

/// Average probability of improvement of `x` over `y` (over their shared
/// tasks) with an interval from resampling the runs of each algorithm
/// independently within every task. `None` when they share no task.
pub fn improvement_interval(
    x: &ScoreSet,
    y: &ScoreSet,
    cfg: &BootstrapConfig,
    label: &str,
) -> Option<Interval> {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for (t, xc) in x.tasks().iter().zip(x.columns()) {
        if let Some(yc) = y.task(t) {
            xs.push(xc.clone());
            ys.push(yc.to_vec());
        }
    }
    if xs.is_empty() {
        return None;
    }
    let estimate = crate::stats::probability_of_improvement(x, y);
    let reps = cfg.reps.max(1);
    let mut rng = cfg.rng(&format!("improvement/{label}"));
    let mut rx = Resampler::new(&xs);
    let mut ry = Resampler::new(&ys);
    let mut per_task = vec![0.0; xs.len()];
    let mut values = Vec::with_capacity(reps);
    for _ in 0..reps {
        // rliable draws all of x's indices, then all of y's.
        let bx = rx.draw(&mut rng);
        let by = ry.draw(&mut rng);
        for ((p, xc), yc) in per_task.iter_mut().zip(bx.iter()).zip(by.iter_mut()) {
            yc.sort_unstable_by(f64::total_cmp);
            *p = improvement_probability_sorted(xc, yc);
        }
        values.push(mean(&per_task));
    }
    Some(cfg.interval(estimate, &mut values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_set(offset: f64) -> ScoreSet {
        let rows: Vec<Vec<f64>> = (0..6)
            .map(|r| {
                (0..5)
                    .map(|t| offset + 0.1 * r as f64 + 0.05 * t as f64)
                    .collect()
            })
            .collect();
        ScoreSet::from_matrix(&rows).unwrap()
    }

    fn cfg(seed: u64) -> BootstrapConfig {
        BootstrapConfig {
            reps: 2_000,
            profile_reps: 500,
            confidence: 0.95,
            seed,
        }
    }

    #[test]
    fn intervals_are_deterministic_for_a_seed() {
        let s = sample_set(0.2);
        assert_eq!(
            aggregate_intervals(&s, &cfg(3), "a"),
            aggregate_intervals(&s, &cfg(3), "a")
        );
        assert_ne!(
            aggregate_intervals(&s, &cfg(3), "a"),
            aggregate_intervals(&s, &cfg(4), "a")
        );
    }

    #[test]
    fn intervals_contain_the_estimate() {
        let s = sample_set(0.2);
        let a = aggregate_intervals(&s, &cfg(1), "a");
        for m in Metric::ALL {
            let i = a.get(m);
            assert!(
                i.lower <= i.estimate && i.estimate <= i.upper,
                "{m:?}: {i:?}"
            );
            assert!(i.lower < i.upper, "{m:?} has an empty interval: {i:?}");
        }
    }

    #[test]
    fn constant_scores_give_degenerate_intervals() {
        let s = ScoreSet::from_matrix(&[vec![0.5, 0.5], vec![0.5, 0.5]]).unwrap();
        let a = aggregate_intervals(&s, &cfg(1), "c");
        assert_eq!(
            a.iqm,
            Interval {
                estimate: 0.5,
                lower: 0.5,
                upper: 0.5
            }
        );
    }

    #[test]
    fn dominating_algorithm_has_improvement_one() {
        let hi = sample_set(5.0);
        let lo = sample_set(0.0);
        let i = improvement_interval(&hi, &lo, &cfg(1), "hi/lo").unwrap();
        assert_eq!((i.estimate, i.lower, i.upper), (1.0, 1.0, 1.0));
    }

    #[test]
    fn profile_bounds_bracket_estimate() {
        let s = sample_set(0.0);
        let p = profile_intervals(&s, &[0.0, 0.3, 0.6, 2.0], &cfg(2), "p");
        assert_eq!(p.points.len(), 4);
        assert_eq!(p.points[3].estimate, 0.0);
        for pt in &p.points {
            assert!(pt.lower <= pt.estimate && pt.estimate <= pt.upper);
        }
    }
}
