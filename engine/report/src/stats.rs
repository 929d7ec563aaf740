//! Point estimates of aggregate performance (Agarwal et al. 2021).
//!
//! Scores are held per task as a [`ScoreSet`]: one column of run scores per
//! task. With the same number of runs on every task this is the
//! `num_runs x num_tasks` matrix that rliable takes, and every estimate here
//! follows rliable's definition on it, summing in the same order as numpy
//! so that the numbers agree to the last bit where rounding allows (see the
//! crate README).

/// Scores of one algorithm: for each task, the scores of its runs.
///
/// Tasks may have different numbers of runs (a run still going may lack a
/// task); every task needs at least one score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSet {
    tasks: Vec<String>,
    columns: Vec<Vec<f64>>,
}

/// Why a [`ScoreSet`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreSetError {
    /// No task at all.
    #[error("no tasks: a score set needs at least one task with one score")]
    Empty,
    /// A task without scores.
    #[error("task `{0}` has no scores")]
    EmptyTask(String),
    /// A NaN or infinite score.
    #[error("task `{task}` has a non-finite score ({value})")]
    NonFinite {
        /// The task.
        task: String,
        /// The value.
        value: f64,
    },
    /// The same task twice.
    #[error("task `{0}` appears twice")]
    DuplicateTask(String),
}

impl ScoreSet {
    /// Builds a score set from `(task, run scores)` columns.
    pub fn new(columns: Vec<(String, Vec<f64>)>) -> Result<Self, ScoreSetError> {
        if columns.is_empty() {
            return Err(ScoreSetError::Empty);
        }
        let mut tasks = Vec::with_capacity(columns.len());
        let mut cols = Vec::with_capacity(columns.len());
        for (task, scores) in columns {
            if scores.is_empty() {
                return Err(ScoreSetError::EmptyTask(task));
            }
            if let Some(&value) = scores.iter().find(|v| !v.is_finite()) {
                return Err(ScoreSetError::NonFinite { task, value });
            }
            if tasks.contains(&task) {
                return Err(ScoreSetError::DuplicateTask(task));
            }
            tasks.push(task);
            cols.push(scores);
        }
        Ok(Self {
            tasks,
            columns: cols,
        })
    }

    /// Builds a score set from a `num_runs x num_tasks` matrix (rows are runs),
    /// the layout rliable uses. Tasks are named `task0`, `task1`, ...
    pub fn from_matrix(rows: &[Vec<f64>]) -> Result<Self, ScoreSetError> {
        let num_tasks = rows.first().map_or(0, Vec::len);
        let columns = (0..num_tasks)
            .map(|t| {
                let col = rows.iter().filter_map(|r| r.get(t).copied()).collect();
                (format!("task{t}"), col)
            })
            .collect();
        Self::new(columns)
    }

    /// Task names, in order.
    pub fn tasks(&self) -> &[String] {
        &self.tasks
    }

    /// The run scores of each task, in task order.
    pub fn columns(&self) -> &[Vec<f64>] {
        &self.columns
    }

    /// The run scores of one task.
    pub fn task(&self, name: &str) -> Option<&[f64]> {
        let i = self.tasks.iter().position(|t| t == name)?;
        Some(&self.columns[i])
    }

    /// Number of tasks.
    pub fn num_tasks(&self) -> usize {
        self.tasks.len()
    }

    /// Total number of scores (runs x tasks when rectangular).
    pub fn num_scores(&self) -> usize {
        self.columns.iter().map(Vec::len).sum()
    }

    /// Largest number of runs on any task.
    pub fn max_runs(&self) -> usize {
        self.columns.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Whether every task has the same number of runs.
    pub fn is_rectangular(&self) -> bool {
        let n = self.max_runs();
        self.columns.iter().all(|c| c.len() == n)
    }

    /// All scores flattened run-major (run 0 of every task, then run 1, ...),
    /// the order of a C-contiguous `num_runs x num_tasks` matrix.
    pub fn flatten(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.num_scores());
        flatten_into(&self.columns, &mut out);
        out
    }

    /// The point estimates of the four aggregate metrics.
    pub fn aggregates(&self) -> Aggregates {
        let mut scratch = Vec::new();
        aggregates_of(&self.columns, &mut scratch)
    }
}

/// Point estimates of the four aggregate metrics of one score set.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Aggregates {
    /// Median of the per-task mean scores.
    pub median: f64,
    /// Interquartile mean: 25% trimmed mean of all runs x tasks.
    pub iqm: f64,
    /// Mean of the per-task mean scores.
    pub mean: f64,
    /// Optimality gap at threshold 1: `1 - mean(min(score, 1))`.
    pub optimality_gap: f64,
}

impl Aggregates {
    /// The metrics in the fixed order [`Metric::ALL`].
    pub fn to_array(&self) -> [f64; 4] {
        [self.median, self.iqm, self.mean, self.optimality_gap]
    }

    /// One metric.
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Median => self.median,
            Metric::Iqm => self.iqm,
            Metric::Mean => self.mean,
            Metric::OptimalityGap => self.optimality_gap,
        }
    }
}

/// The aggregate metrics, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Median of per-task means.
    Median,
    /// Interquartile mean.
    Iqm,
    /// Mean of per-task means.
    Mean,
    /// Optimality gap (threshold 1).
    OptimalityGap,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 4] = [
        Metric::Median,
        Metric::Iqm,
        Metric::Mean,
        Metric::OptimalityGap,
    ];

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Median => "Median",
            Metric::Iqm => "IQM",
            Metric::Mean => "Mean",
            Metric::OptimalityGap => "Optimality Gap",
        }
    }

    /// Machine name (JSON keys, CSV columns).
    pub fn key(self) -> &'static str {
        match self {
            Metric::Median => "median",
            Metric::Iqm => "iqm",
            Metric::Mean => "mean",
            Metric::OptimalityGap => "optimality_gap",
        }
    }
}

/// Threshold of the optimality gap (scores above it count as 1).
pub const OPTIMALITY_GAP_THRESHOLD: f64 = 1.0;

pub(crate) fn flatten_into(columns: &[Vec<f64>], out: &mut Vec<f64>) {
    out.clear();
    let max_runs = columns.iter().map(Vec::len).max().unwrap_or(0);
    for r in 0..max_runs {
        for col in columns {
            if let Some(&v) = col.get(r) {
                out.push(v);
            }
        }
    }
}

/// Sum of a slice in numpy's order (pairwise summation with eight
/// accumulators over blocks of at most 128 values), so that means agree with
/// numpy's to the last bit.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = a.len();
    if n < 8 {
        let mut s = 0.0;
        for &x in a {
            s += x;
        }
        s
    } else if n <= BLOCK {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += a[i + j];
            }
            i += 8;
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[whole..] {
            s += x;
        }
        s
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&a[..half]) + pairwise_sum(&a[half..])
    }
}

/// Mean in numpy's summation order. NaN for an empty slice.
pub fn mean(a: &[f64]) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    pairwise_sum(a) / a.len() as f64
}

/// Mean of one task's runs, summed run after run (numpy's order for a
/// reduction over the run axis of a runs x tasks matrix).
fn column_mean(col: &[f64]) -> f64 {
    let mut s = 0.0;
    for &x in col {
        s += x;
    }
    s / col.len() as f64
}

/// Median (mean of the two middle values for an even count), sorting `a`.
fn median_in_place(a: &mut [f64]) -> f64 {
    let n = a.len();
    if n == 0 {
        return f64::NAN;
    }
    a.sort_unstable_by(f64::total_cmp);
    if n % 2 == 1 {
        a[n / 2]
    } else {
        (a[n / 2 - 1] + a[n / 2]) / 2.0
    }
}

/// Median of a slice.
pub fn median(a: &[f64]) -> f64 {
    let mut v = a.to_vec();
    median_in_place(&mut v)
}

/// Trimmed mean cutting `floor(proportion x n)` values from each end, as
/// scipy's `trim_mean`. NaN for an empty slice.
pub fn trim_mean(a: &[f64], proportion: f64) -> f64 {
    let mut v = a.to_vec();
    trim_mean_in_place(&mut v, proportion)
}

fn trim_mean_in_place(a: &mut [f64], proportion: f64) -> f64 {
    let n = a.len();
    if n == 0 {
        return f64::NAN;
    }
    let cut = (proportion * n as f64) as usize;
    if 2 * cut >= n {
        // scipy returns NaN for an empty middle; only reachable for proportion >= 0.5.
        return f64::NAN;
    }
    a.sort_unstable_by(f64::total_cmp);
    mean(&a[cut..n - cut])
}

/// Interquartile mean: 25% trimmed mean of all scores.
pub fn iqm(a: &[f64]) -> f64 {
    trim_mean(a, 0.25)
}

/// Optimality gap of a set of scores at threshold `gamma`.
pub fn optimality_gap(a: &[f64], gamma: f64) -> f64 {
    let clipped: Vec<f64> = a.iter().map(|&x| x.min(gamma)).collect();
    gamma - mean(&clipped)
}

/// The four aggregates of per-task columns; `scratch` is reused storage.
pub(crate) fn aggregates_of(columns: &[Vec<f64>], scratch: &mut Vec<f64>) -> Aggregates {
    let mut task_means: Vec<f64> = columns.iter().map(|c| column_mean(c)).collect();
    let mean_of_means = mean(&task_means);
    let median_of_means = median_in_place(&mut task_means);
    flatten_into(columns, scratch);
    for x in scratch.iter_mut() {
        *x = x.min(OPTIMALITY_GAP_THRESHOLD);
    }
    let og = OPTIMALITY_GAP_THRESHOLD - mean(scratch);
    flatten_into(columns, scratch);
    let iqm = trim_mean_in_place(scratch, 0.25);
    Aggregates {
        median: median_of_means,
        iqm,
        mean: mean_of_means,
        optimality_gap: og,
    }
}

/// Mann-Whitney U statistic of `x` over `y` divided by `n x m`: the
/// probability that a random run of `x` beats a random run of `y`, ties
/// counting one half. `y_sorted` must be sorted ascending.
pub(crate) fn improvement_probability_sorted(x: &[f64], y_sorted: &[f64]) -> f64 {
    let mut u = 0.0;
    for &xi in x {
        let below = y_sorted.partition_point(|&y| y < xi);
        let not_above = y_sorted.partition_point(|&y| y <= xi);
        u += below as f64 + 0.5 * (not_above - below) as f64;
    }
    u / (x.len() * y_sorted.len()) as f64
}

/// Probability of improvement of `x` over `y` on one task:
/// `P(X > Y) + P(X = Y) / 2` over runs (Mann-Whitney U / (n m)).
pub fn task_improvement_probability(x: &[f64], y: &[f64]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return f64::NAN;
    }
    let mut ys = y.to_vec();
    ys.sort_unstable_by(f64::total_cmp);
    improvement_probability_sorted(x, &ys)
}

/// Average probability of improvement of `x` over `y` over the tasks both
/// have (in `x`'s task order). NaN when they share no task.
pub fn probability_of_improvement(x: &ScoreSet, y: &ScoreSet) -> f64 {
    let per_task: Vec<f64> = x
        .tasks()
        .iter()
        .zip(x.columns())
        .filter_map(|(t, xc)| y.task(t).map(|yc| task_improvement_probability(xc, yc)))
        .collect();
    mean(&per_task)
}

/// Fraction of all scores strictly above each threshold (the score
/// distribution of Agarwal et al. 2021).
pub fn performance_profile(set: &ScoreSet, taus: &[f64]) -> Vec<f64> {
    let mut flat = set.flatten();
    profile_of_sorted(&mut flat, taus)
}

pub(crate) fn profile_of_sorted(flat: &mut [f64], taus: &[f64]) -> Vec<f64> {
    flat.sort_unstable_by(f64::total_cmp);
    let n = flat.len() as f64;
    taus.iter()
        .map(|&tau| {
            let above = flat.len() - flat.partition_point(|&x| x <= tau);
            above as f64 / n
        })
        .collect()
}

/// `n` evenly spaced values from `start` to `stop` inclusive (numpy's
/// `linspace`).
pub fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![start],
        _ => {
            let step = (stop - start) / (n - 1) as f64;
            let mut v: Vec<f64> = (0..n).map(|i| start + i as f64 * step).collect();
            v[n - 1] = stop;
            v
        }
    }
}

/// Percentile with linear interpolation between order statistics (numpy's
/// default `linear` method); `q` in `[0, 100]`. `sorted` must be ascending.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = (q / 100.0).clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let t = pos - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rows: &[&[f64]]) -> ScoreSet {
        let rows: Vec<Vec<f64>> = rows.iter().map(|r| r.to_vec()).collect();
        ScoreSet::from_matrix(&rows).unwrap()
    }

    #[test]
    fn iqm_trims_a_quarter_from_each_end() {
        assert_eq!(iqm(&[1.0, 2.0, 3.0, 5.0]), 2.5);
        // 10 values: cut floor(2.5) = 2 from each end.
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(iqm(&v), (3..=8).map(f64::from).sum::<f64>() / 6.0);
        assert_eq!(iqm(&[7.0]), 7.0);
    }

    #[test]
    fn mean_and_median_are_over_task_means() {
        // runs x tasks: task means are 1.5, 10, 100.
        let s = set(&[&[1.0, 10.0, 50.0], &[2.0, 10.0, 150.0]]);
        let a = s.aggregates();
        assert_eq!(a.mean, (1.5 + 10.0 + 100.0) / 3.0);
        assert_eq!(a.median, 10.0);
    }

    #[test]
    fn optimality_gap_clips_at_one() {
        let s = set(&[&[0.5, 2.0], &[1.0, 0.0]]);
        assert_eq!(
            s.aggregates().optimality_gap,
            1.0 - (0.5 + 1.0 + 1.0 + 0.0) / 4.0
        );
    }

    #[test]
    fn improvement_counts_ties_as_half() {
        assert_eq!(
            task_improvement_probability(&[1.0, 2.0], &[1.0, 0.0]),
            0.875
        );
        assert_eq!(task_improvement_probability(&[0.0], &[1.0]), 0.0);
        let x = set(&[&[1.0, 5.0]]);
        let y = set(&[&[0.0, 5.0]]);
        assert_eq!(probability_of_improvement(&x, &y), 0.75);
    }

    #[test]
    fn profile_counts_scores_strictly_above() {
        let s = set(&[&[0.0, 1.0], &[2.0, 3.0]]);
        assert_eq!(
            performance_profile(&s, &[-1.0, 0.0, 1.0, 2.5, 3.0]),
            vec![1.0, 0.75, 0.5, 0.25, 0.0]
        );
    }

    #[test]
    fn pairwise_sum_matches_exact_sum_on_integers() {
        for n in [0usize, 1, 7, 8, 9, 127, 128, 129, 300, 1000] {
            let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
            assert_eq!(
                pairwise_sum(&v),
                (n * n.saturating_sub(1) / 2) as f64,
                "n={n}"
            );
        }
    }

    #[test]
    fn percentile_interpolates_linearly() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile_sorted(&v, 50.0), 3.0);
        assert_eq!(percentile_sorted(&v, 0.0), 1.0);
        assert_eq!(percentile_sorted(&v, 100.0), 5.0);
        assert!((percentile_sorted(&v, 2.5) - 1.1).abs() < 1e-12);
    }

    #[test]
    fn score_set_rejects_bad_input() {
        assert_eq!(ScoreSet::new(vec![]), Err(ScoreSetError::Empty));
        assert!(matches!(
            ScoreSet::new(vec![("a".into(), vec![f64::NAN])]),
            Err(ScoreSetError::NonFinite { .. })
        ));
        assert!(matches!(
            ScoreSet::new(vec![("a".into(), vec![])]),
            Err(ScoreSetError::EmptyTask(_))
        ));
    }

    #[test]
    fn ragged_sets_flatten_run_major() {
        let s = ScoreSet::new(vec![
            ("a".into(), vec![1.0, 2.0, 3.0]),
            ("b".into(), vec![4.0]),
        ])
        .unwrap();
        assert_eq!(s.flatten(), vec![1.0, 4.0, 2.0, 3.0]);
        assert!(!s.is_rectangular());
    }
}
