//! A full evaluation of several algorithms: aggregate intervals,
//! probabilities of improvement, performance profiles and learning curves,
//! with their Markdown, CSV and JSON renderings.

use std::collections::BTreeMap;

use crate::bootstrap::{
    AggregateIntervals, BootstrapConfig, Interval, ProfileIntervals, aggregate_intervals,
    improvement_interval, iqm_interval, profile_intervals,
};
use crate::normalize::Benchmark;
use crate::runs::BinnedCurves;
use crate::scores::{ScoreTable, csv_field};
use crate::stats::{Metric, ScoreSet, linspace, probability_of_improvement};

/// Points of a performance profile's threshold grid.
pub const PROFILE_POINTS: usize = 81;

/// Evaluation of one algorithm.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlgorithmSummary {
    /// Name.
    pub name: String,
    /// Largest number of runs on a task.
    pub runs: usize,
    /// Number of tasks.
    pub tasks: usize,
    /// Aggregate metrics with intervals.
    pub aggregates: AggregateIntervals,
}

/// Probability that algorithm `x` beats algorithm `y`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Improvement {
    /// The algorithm that may improve.
    pub x: String,
    /// The one it is compared with.
    pub y: String,
    /// Average over shared tasks of P(X > Y), with interval.
    pub interval: Interval,
}

/// A learning curve: IQM over runs x tasks per environment-step bin.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Curve {
    /// Agent.
    pub name: String,
    /// `(env_step, IQM with interval)` for each bin with data.
    pub points: Vec<(u64, Interval)>,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// How intervals were estimated.
    pub config: BootstrapConfig,
    /// Benchmark used to normalize scores, if any.
    pub normalization: Option<Benchmark>,
    /// One entry per algorithm.
    pub algorithms: Vec<AlgorithmSummary>,
    /// Every ordered pair of distinct algorithms sharing a task.
    pub improvements: Vec<Improvement>,
    /// Performance profile of each algorithm.
    pub profiles: Vec<(String, ProfileIntervals)>,
    /// Learning curves (run directories only).
    pub curves: Vec<Curve>,
}

/// The threshold grid of performance profiles: rliable's Atari grid
/// (`linspace(0, 8, 81)`) for normalized scores when the scores reach that
/// far, else 81 points from `min(0, lowest score)` to the highest score.
pub fn tau_grid(sets: &[&ScoreSet], normalization: Option<Benchmark>) -> Vec<f64> {
    let all = || {
        sets.iter()
            .flat_map(|s| s.columns().iter().flatten().copied())
    };
    let lo = all().fold(0.0f64, f64::min);
    let mut hi = all().fold(f64::NEG_INFINITY, f64::max);
    if let Some(b) = normalization
        && hi >= 8.0
    {
        return b.tau_grid();
    }
    if hi <= lo || hi.is_nan() {
        hi = lo + 1.0;
    }
    linspace(lo, hi, PROFILE_POINTS)
}

impl Evaluation {
    /// Evaluates a score table.
    pub fn from_scores(table: &ScoreTable, config: BootstrapConfig) -> Self {
        let algorithms = table
            .algorithms
            .iter()
            .map(|(name, set)| AlgorithmSummary {
                name: name.clone(),
                runs: set.max_runs(),
                tasks: set.num_tasks(),
                aggregates: aggregate_intervals(set, &config, name),
            })
            .collect();
        // Each unordered pair is bootstrapped once: on every replicate
        // P(Y > X) = 1 - P(X > Y), so the reverse interval is the mirror
        // image. Point estimates are computed directly (as rliable does).
        let mut improvements = Vec::new();
        let algs = &table.algorithms;
        for (i, (xn, xs)) in algs.iter().enumerate() {
            for (yn, ys) in &algs[i + 1..] {
                let Some(forward) =
                    improvement_interval(xs, ys, &config, &format!("{xn}\u{0}{yn}"))
                else {
                    continue;
                };
                let backward = Interval {
                    estimate: probability_of_improvement(ys, xs),
                    lower: 1.0 - forward.upper,
                    upper: 1.0 - forward.lower,
                };
                improvements.push(Improvement {
                    x: xn.clone(),
                    y: yn.clone(),
                    interval: forward,
                });
                improvements.push(Improvement {
                    x: yn.clone(),
                    y: xn.clone(),
                    interval: backward,
                });
            }
        }
        // Order by X, then Y, as the algorithms are listed.
        let pos = |n: &str| algs.iter().position(|(a, _)| a == n);
        improvements.sort_by_key(|imp| (pos(&imp.x), pos(&imp.y)));
        let sets: Vec<&ScoreSet> = table.algorithms.iter().map(|(_, s)| s).collect();
        let taus = tau_grid(&sets, table.normalization);
        let profiles = table
            .algorithms
            .iter()
            .map(|(name, set)| (name.clone(), profile_intervals(set, &taus, &config, name)))
            .collect();
        Self {
            config,
            normalization: table.normalization,
            algorithms,
            improvements,
            profiles,
            curves: Vec::new(),
        }
    }

    /// Adds learning curves from binned run values (IQM per bin with
    /// [`BootstrapConfig::profile_reps`] replicates).
    pub fn with_curves(mut self, binned: &BinnedCurves) -> Self {
        self.curves = binned
            .agents
            .iter()
            .map(|(name, bins)| Curve {
                name: name.clone(),
                points: bins
                    .iter()
                    .zip(&binned.bin_ends)
                    .enumerate()
                    .filter_map(|(b, (tasks, &end))| {
                        let set = bin_set(tasks)?;
                        let label = format!("curve/{name}/{b}");
                        Some((
                            end,
                            iqm_interval(&set, self.config.profile_reps, &self.config, &label),
                        ))
                    })
                    .collect(),
            })
            .collect();
        self
    }

    /// The score label: normalized or raw.
    pub fn score_label(&self) -> String {
        match self.normalization {
            Some(b) => format!("human-normalized score ({})", b.name()),
            None => "score".into(),
        }
    }

    /// Markdown: the aggregate table, then probabilities of improvement.
    pub fn to_markdown(&self) -> String {
        let (lo, hi) = self.config.percentiles();
        let mut s = format!(
            "Scores: {}. Point estimates with {:.0}% stratified-bootstrap confidence intervals (percentile method, {} replicates, seed {}; interval = [{lo:.1}th, {hi:.1}th percentile]).\n\n",
            self.score_label(),
            self.config.confidence * 100.0,
            self.config.reps,
            self.config.seed,
        );
        s.push_str("| Algorithm | Runs | Tasks | IQM | Median | Mean | Optimality Gap |\n");
        s.push_str("|---|---:|---:|---|---|---|---|\n");
        for a in &self.algorithms {
            s.push_str(&format!("| {} | {} | {} |", md(&a.name), a.runs, a.tasks));
            for m in [
                Metric::Iqm,
                Metric::Median,
                Metric::Mean,
                Metric::OptimalityGap,
            ] {
                s.push_str(&format!(" {} |", fmt_interval(a.aggregates.get(m))));
            }
            s.push('\n');
        }
        if !self.improvements.is_empty() {
            s.push_str(
                "\nProbability of improvement P(X > Y):\n\n| X | Y | P(X > Y) |\n|---|---|---|\n",
            );
            for i in &self.improvements {
                s.push_str(&format!(
                    "| {} | {} | {} |\n",
                    md(&i.x),
                    md(&i.y),
                    fmt_interval(i.interval)
                ));
            }
        }
        s
    }

    /// CSV: one row per algorithm with each metric's estimate and bounds.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("algorithm,runs,tasks");
        for m in Metric::ALL {
            let k = m.key();
            s.push_str(&format!(",{k},{k}_lower,{k}_upper"));
        }
        s.push('\n');
        for a in &self.algorithms {
            s.push_str(&format!("{},{},{}", csv_field(&a.name), a.runs, a.tasks));
            for m in Metric::ALL {
                let i = a.aggregates.get(m);
                s.push_str(&format!(",{},{},{}", i.estimate, i.lower, i.upper));
            }
            s.push('\n');
        }
        s
    }

    /// CSV of the probabilities of improvement (`x,y,estimate,lower,upper`).
    pub fn improvements_csv(&self) -> String {
        let mut s = String::from("x,y,estimate,lower,upper\n");
        for i in &self.improvements {
            s.push_str(&format!(
                "{},{},{},{},{}\n",
                csv_field(&i.x),
                csv_field(&i.y),
                i.interval.estimate,
                i.interval.lower,
                i.interval.upper
            ));
        }
        s
    }

    /// JSON: settings, then per algorithm each metric's `estimate`, `lower`
    /// and `upper`, then the probabilities of improvement.
    pub fn to_json(&self) -> serde_json::Value {
        let algorithms: Vec<serde_json::Value> = self
            .algorithms
            .iter()
            .map(|a| {
                let mut obj = serde_json::Map::new();
                obj.insert("name".into(), a.name.clone().into());
                obj.insert("runs".into(), a.runs.into());
                obj.insert("tasks".into(), a.tasks.into());
                for m in Metric::ALL {
                    obj.insert(m.key().into(), interval_json(a.aggregates.get(m)));
                }
                serde_json::Value::Object(obj)
            })
            .collect();
        let improvements: Vec<serde_json::Value> = self
            .improvements
            .iter()
            .map(|i| {
                serde_json::json!({
                    "x": i.x, "y": i.y,
                    "estimate": i.interval.estimate, "lower": i.interval.lower, "upper": i.interval.upper,
                })
            })
            .collect();
        serde_json::json!({
            "normalization": self.normalization.map(Benchmark::name),
            "confidence": self.config.confidence,
            "reps": self.config.reps,
            "profile_reps": self.config.profile_reps,
            "seed": self.config.seed,
            "algorithms": algorithms,
            "probability_of_improvement": improvements,
        })
    }
}

fn bin_set(tasks: &BTreeMap<String, Vec<f64>>) -> Option<ScoreSet> {
    if tasks.is_empty() {
        return None;
    }
    ScoreSet::new(tasks.iter().map(|(t, v)| (t.clone(), v.clone())).collect()).ok()
}

/// Escapes a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

fn interval_json(i: Interval) -> serde_json::Value {
    serde_json::json!({"estimate": i.estimate, "lower": i.lower, "upper": i.upper})
}

/// `0.512 [0.431, 0.598]` with three significant decimals.
pub fn fmt_interval(i: Interval) -> String {
    format!(
        "{} [{}, {}]",
        fmt_num(i.estimate),
        fmt_num(i.lower),
        fmt_num(i.upper)
    )
}

fn fmt_num(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scores::ScoreRow;

    fn table() -> ScoreTable {
        let mut rows = Vec::new();
        for (alg, off) in [("good", 1.0), ("bad", 0.0)] {
            for t in 0..3 {
                for r in 0..4 {
                    rows.push(ScoreRow {
                        algorithm: alg.into(),
                        task: format!("t{t}"),
                        run: r.to_string(),
                        score: off + 0.1 * r as f64 + 0.01 * t as f64,
                    });
                }
            }
        }
        ScoreTable::from_rows(&rows, None).unwrap()
    }

    fn cfg() -> BootstrapConfig {
        BootstrapConfig {
            reps: 500,
            profile_reps: 200,
            confidence: 0.95,
            seed: 7,
        }
    }

    #[test]
    fn evaluation_covers_every_pair_and_renders() {
        let e = Evaluation::from_scores(&table(), cfg());
        assert_eq!(e.algorithms.len(), 2);
        assert_eq!(e.improvements.len(), 2);
        assert_eq!(e.improvements[0].interval.estimate, 1.0);
        assert_eq!(e.improvements[1].interval.estimate, 0.0);
        let (fwd, back) = (e.improvements[0].interval, e.improvements[1].interval);
        assert_eq!((back.lower, back.upper), (1.0 - fwd.upper, 1.0 - fwd.lower));
        let md = e.to_markdown();
        assert!(md.contains("| good | 4 | 3 |"), "{md}");
        let csv = e.to_csv();
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.starts_with("algorithm,runs,tasks,median,median_lower"));
        let json = e.to_json();
        assert_eq!(json["algorithms"][0]["name"], "good");
        assert!(json["algorithms"][1]["iqm"]["lower"].is_number());
    }

    #[test]
    fn tau_grid_spans_the_scores() {
        let t = table();
        let sets: Vec<&ScoreSet> = t.algorithms.iter().map(|(_, s)| s).collect();
        let g = tau_grid(&sets, None);
        assert_eq!(g.len(), PROFILE_POINTS);
        assert_eq!(g[0], 0.0);
        assert_eq!(*g.last().unwrap(), 1.32);
    }
}
