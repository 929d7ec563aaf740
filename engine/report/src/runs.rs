//! Run directories written by the engine: loading, per-task scores and
//! binned learning curves.
//!
//! A run directory holds `run.json` (metadata and status), `episodes.csv`
//! (one row per finished training episode), and, once finished,
//! `summary.json`. See the crate README for the formats.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::ReportError;
use crate::normalize::Benchmark;
use crate::scores::ScoreRow;

/// Fraction of a task's training episodes, at the end, whose mean is the
/// run's score on the task.
pub const FINAL_FRACTION: f64 = 0.1;

/// Status of a run, from `run.json` (and `summary.json` when present).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Still training.
    Running,
    /// Reached its budget.
    Complete,
    /// Stopped before its budget.
    Interrupted,
}

/// Contents of `run.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunMeta {
    /// Run name.
    #[serde(default)]
    pub name: String,
    /// Scene the run trained on.
    #[serde(default)]
    pub scene: String,
    /// Agent name: runs are grouped by it.
    pub agent: String,
    /// Experiment seed.
    #[serde(default)]
    pub seed: u64,
    /// Number of parallel environments.
    #[serde(default)]
    pub num_envs: u64,
    /// Environment-step budget.
    #[serde(default)]
    pub budget: u64,
    /// Task names.
    #[serde(default)]
    pub tasks: Vec<String>,
    /// Status when last written.
    pub status: RunStatus,
}

/// Contents of `summary.json` that the report uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunSummary {
    /// Final status.
    pub status: RunStatus,
    /// Environment steps taken.
    #[serde(default)]
    pub env_steps: u64,
    /// Wall-clock seconds.
    #[serde(default)]
    pub wall_time_s: f64,
    /// Evaluation phases in order (runs with an `eval` schedule).
    #[serde(default)]
    pub eval: Vec<EvalPhase>,
}

/// One evaluation phase of `summary.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EvalPhase {
    /// Training env steps when the phase started.
    pub train_step: u64,
    /// Per task.
    pub tasks: Vec<EvalTask>,
}

/// One task of an evaluation phase.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EvalTask {
    /// Task name.
    pub task: String,
    /// Episodes evaluated.
    pub episodes: u64,
    /// Mean undiscounted return.
    pub mean_return: Option<f64>,
    /// Success rate, when the scene defines success.
    pub success_rate: Option<f64>,
}

/// One finished training episode (a row of `episodes.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// Environment steps when the episode finished.
    pub env_step: u64,
    /// Task name.
    pub task: String,
    /// Undiscounted return.
    pub ret: f64,
    /// Whether the episode succeeded, when the scene defines success.
    pub success: Option<bool>,
}

/// A loaded run directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The directory.
    pub dir: PathBuf,
    /// `run.json`.
    pub meta: RunMeta,
    /// `summary.json`, absent while the run is going.
    pub summary: Option<RunSummary>,
    /// Finished episodes in file order.
    pub episodes: Vec<Episode>,
    /// Things worth telling the reader (a truncated last line, ...).
    pub warnings: Vec<String>,
}

impl Run {
    /// Status: the summary's when present, else `run.json`'s.
    pub fn status(&self) -> RunStatus {
        self.summary.as_ref().map_or(self.meta.status, |s| s.status)
    }

    /// A short label: the directory's name (runs of one experiment share
    /// `name` in `run.json`, their directories differ).
    pub fn label(&self) -> String {
        self.dir.file_name().map_or_else(
            || self.dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Task names in the order of `run.json`, then any other task seen in
    /// `episodes.csv`.
    pub fn task_names(&self) -> Vec<String> {
        let mut names = self.meta.tasks.clone();
        for e in &self.episodes {
            if !names.contains(&e.task) {
                names.push(e.task.clone());
            }
        }
        names
    }

    /// Episodes of one task, in order.
    pub fn task_episodes<'a>(&'a self, task: &'a str) -> impl Iterator<Item = &'a Episode> + 'a {
        self.episodes.iter().filter(move |e| e.task == task)
    }

    /// The run's score on a task: its last evaluation phase's success rate
    /// (or mean return when the scene defines no success) when the run has
    /// evaluation phases; otherwise the success rate over the final 10% of the
    /// task's training episodes (at least one) when every one of them
    /// records success, else their mean return. `None` without episodes.
    pub fn task_score(&self, task: &str) -> Option<TaskScore> {
        let last_eval = self.summary.as_ref().and_then(|s| s.eval.last());
        if let Some(result) = last_eval.and_then(|p| p.tasks.iter().find(|t| t.task == task)) {
            let (value, is_success_rate) = match (result.success_rate, result.mean_return) {
                (Some(rate), _) => (rate, true),
                (None, Some(ret)) => (ret, false),
                (None, None) => return None,
            };
            return Some(TaskScore {
                value,
                is_success_rate,
                episodes: result.episodes as usize,
            });
        }
        let eps: Vec<&Episode> = self.task_episodes(task).collect();
        if eps.is_empty() {
            return None;
        }
        let k = ((eps.len() as f64 * FINAL_FRACTION).ceil() as usize).clamp(1, eps.len());
        Some(score_of(&eps[eps.len() - k..]))
    }
}

/// A score and what it measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskScore {
    /// The value.
    pub value: f64,
    /// Whether it is a success rate (else a mean return).
    pub is_success_rate: bool,
    /// Number of episodes it averages.
    pub episodes: usize,
}

fn score_of(eps: &[&Episode]) -> TaskScore {
    let n = eps.len();
    if eps.iter().all(|e| e.success.is_some()) {
        let wins = eps.iter().filter(|e| e.success == Some(true)).count();
        TaskScore {
            value: wins as f64 / n as f64,
            is_success_rate: true,
            episodes: n,
        }
    } else {
        let rets: Vec<f64> = eps.iter().map(|e| e.ret).collect();
        TaskScore {
            value: crate::stats::mean(&rets),
            is_success_rate: false,
            episodes: n,
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| ReportError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Loads one run directory.
pub fn load_run(dir: &Path) -> Result<Run, ReportError> {
    let run_json = dir.join("run.json");
    if !run_json.is_file() {
        return Err(ReportError::Usage(format!(
            "{}: not a run directory (no run.json)",
            dir.display()
        )));
    }
    let meta: RunMeta = read_json(&run_json)?;
    let summary_path = dir.join("summary.json");
    let mut warnings = Vec::new();
    let summary = if summary_path.is_file() {
        match read_json::<RunSummary>(&summary_path) {
            Ok(s) => Some(s),
            Err(e) => {
                warnings.push(format!("ignoring a malformed summary.json ({e})"));
                None
            }
        }
    } else {
        None
    };
    let episodes_path = dir.join("episodes.csv");
    let episodes = if episodes_path.is_file() {
        let text = std::fs::read(&episodes_path).map_err(|e| ReportError::io(&episodes_path, e))?;
        parse_episodes(&text, &episodes_path, &mut warnings)?
    } else if meta.status == RunStatus::Running {
        Vec::new()
    } else {
        return Err(ReportError::Usage(format!(
            "{}: missing episodes.csv",
            dir.display()
        )));
    };
    Ok(Run {
        dir: dir.to_path_buf(),
        meta,
        summary,
        episodes,
        warnings,
    })
}

/// Parses `episodes.csv`. A malformed last line that lacks its newline (a
/// row being written) is skipped with a warning; any other bad row is an
/// error naming its line.
fn parse_episodes(
    bytes: &[u8],
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<Episode>, ReportError> {
    let err = |line: u64, message: String| ReportError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| err(1, format!("cannot read the header: {e}")))?
        .clone();
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Ok(Vec::new());
    }
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            err(
                1,
                format!(
                    "missing column `{name}`: expected the header env_step,env,task,episode,return,length,success (found: {})",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            )
        })
    };
    let (i_step, i_task, i_ret) = (col("env_step")?, col("task")?, col("return")?);
    let i_success = headers.iter().position(|h| h == "success");
    let ends_with_newline = bytes.last().is_some_and(|&b| b == b'\n');
    let records: Vec<_> = rdr.records().collect();
    let last = records.len().saturating_sub(1);
    let mut episodes = Vec::with_capacity(records.len());
    for (k, record) in records.into_iter().enumerate() {
        let parsed = record
            .map_err(|e| (e.position().map_or(0, |p| p.line()), e.to_string()))
            .and_then(|r| {
                let line = r.position().map_or(0, |p| p.line());
                parse_episode(&r, i_step, i_task, i_ret, i_success).map_err(|m| (line, m))
            });
        match parsed {
            Ok(Some(e)) => episodes.push(e),
            Ok(None) => {}
            Err((line, message)) if k == last && !ends_with_newline => {
                warnings.push(format!(
                    "{}, line {line}: skipping an incomplete last row ({message})",
                    path.display()
                ));
            }
            Err((line, message)) => return Err(err(line, message)),
        }
    }
    Ok(episodes)
}

fn parse_episode(
    r: &csv::StringRecord,
    i_step: usize,
    i_task: usize,
    i_ret: usize,
    i_success: Option<usize>,
) -> Result<Option<Episode>, String> {
    if r.iter().all(str::is_empty) {
        return Ok(None);
    }
    let get = |i: usize, name: &str| {
        r.get(i)
            .ok_or_else(|| format!("missing value for `{name}`"))
    };
    let step_text = get(i_step, "env_step")?;
    let env_step = step_text
        .parse::<u64>()
        .map_err(|_| format!("env_step `{step_text}` is not a non-negative integer"))?;
    let task = get(i_task, "task")?;
    if task.is_empty() {
        return Err("empty task name".into());
    }
    let ret_text = get(i_ret, "return")?;
    let ret = ret_text
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("return `{ret_text}` is not a finite number"))?;
    let success = match i_success.map(|i| r.get(i)) {
        None => None,
        Some(None) => return Err("missing value for `success`".into()),
        Some(Some("")) => None,
        Some(Some(s)) if s.eq_ignore_ascii_case("true") || s == "1" => Some(true),
        Some(Some(s)) if s.eq_ignore_ascii_case("false") || s == "0" => Some(false),
        Some(Some(s)) => return Err(format!("success `{s}` is not true, false or empty")),
    };
    Ok(Some(Episode {
        env_step,
        task: task.to_string(),
        ret,
        success,
    }))
}

/// Run directories found under the given paths: a path holding `run.json`
/// is a run; otherwise its subdirectories (two levels deep) are searched.
/// Returns the directories and a problem line for each path without any.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        if !p.exists() {
            problems.push(format!("{}: no such directory", p.display()));
            continue;
        }
        if !p.is_dir() {
            problems.push(format!("{}: not a directory", p.display()));
            continue;
        }
        let before = found.len();
        collect_runs(p, 2, &mut found);
        if found.len() == before {
            problems.push(format!(
                "{}: no run directory here (no run.json in it or its subdirectories)",
                p.display()
            ));
        }
    }
    found.dedup();
    (found, problems)
}

fn collect_runs(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if dir.join("run.json").is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for d in subdirs {
        collect_runs(&d, depth - 1, out);
    }
}

/// Runs loaded from directories, with what could not be used.
#[derive(Debug, Clone, Default)]
pub struct LoadedRuns {
    /// Runs with at least one finished episode.
    pub runs: Vec<Run>,
    /// One line per directory that was skipped, and why.
    pub problems: Vec<String>,
    /// One line per note on a usable run (still running, truncated row).
    pub notes: Vec<String>,
}

/// Discovers and loads run directories; never fails: unusable ones are
/// listed in [`LoadedRuns::problems`].
pub fn load_runs(paths: &[PathBuf]) -> LoadedRuns {
    let (dirs, mut problems) = discover(paths);
    let mut runs = Vec::new();
    let mut notes = Vec::new();
    for d in dirs {
        match load_run(&d) {
            Ok(run) if run.episodes.is_empty() => problems.push(format!(
                "{}: no finished episode yet (status {:?})",
                d.display(),
                run.status()
            )),
            Ok(run) => {
                for w in &run.warnings {
                    notes.push(format!("{}: {w}", d.display()));
                }
                if run.status() == RunStatus::Interrupted {
                    notes.push(format!(
                        "{}: interrupted before its budget ({} episodes); scored on the episodes it finished",
                        d.display(),
                        run.episodes.len()
                    ));
                }
                if run.status() == RunStatus::Running {
                    notes.push(format!(
                        "{}: still running ({} episodes so far); scored on the episodes finished so far",
                        d.display(),
                        run.episodes.len()
                    ));
                }
                runs.push(run);
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    LoadedRuns {
        runs,
        problems,
        notes,
    }
}

/// One score row per (run, task with episodes): algorithm = agent, run =
/// the run's [`Run::label`], or its full path when two runs share a label.
pub fn score_rows(runs: &[Run]) -> Vec<ScoreRow> {
    let labels: Vec<String> = runs.iter().map(Run::label).collect();
    let mut rows = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        let id = if labels.iter().filter(|l| **l == labels[k]).count() > 1 {
            run.dir.display().to_string()
        } else {
            labels[k].clone()
        };
        for task in run.task_names() {
            if let Some(s) = run.task_score(&task) {
                rows.push(ScoreRow {
                    algorithm: run.meta.agent.clone(),
                    task,
                    run: id.clone(),
                    score: s.value,
                });
            }
        }
    }
    rows
}

/// The run values of one bin, per task.
pub type BinValues = BTreeMap<String, Vec<f64>>;

/// Per-run learning curves on a shared grid of environment-step bins.
#[derive(Debug, Clone, PartialEq)]
pub struct BinnedCurves {
    /// Upper edge of each bin, in environment steps.
    pub bin_ends: Vec<u64>,
    /// Per agent: per bin, per task, the run values in that bin.
    pub agents: Vec<(String, Vec<BinValues>)>,
}

/// Bins every run's episodes by `env_step` into `bins` equal bins up to the
/// largest step seen. A run's value in a bin is its score (as
/// [`Run::task_score`] defines it, normalized when a benchmark is given,
/// as the final scores are)
/// over the episodes that finished in the bin, carried forward through
/// empty bins, up to the bin of its last episode.
pub fn bin_curves(
    runs: &[Run],
    bins: usize,
    normalization: Option<Benchmark>,
) -> Result<BinnedCurves, ReportError> {
    let bins = bins.max(1);
    let max_step = runs
        .iter()
        .flat_map(|r| r.episodes.iter().map(|e| e.env_step))
        .max()
        .unwrap_or(0)
        .max(1);
    let width = (max_step as f64 / bins as f64).max(1.0);
    let bin_of = |step: u64| {
        (((step as f64) / width).ceil() as usize)
            .saturating_sub(1)
            .min(bins - 1)
    };
    let bin_ends = (1..=bins)
        .map(|b| (b as f64 * width).round() as u64)
        .collect();
    let mut agents: Vec<(String, Vec<BinValues>)> = Vec::new();
    for run in runs {
        let idx = match agents.iter().position(|(a, _)| *a == run.meta.agent) {
            Some(i) => i,
            None => {
                agents.push((run.meta.agent.clone(), vec![BTreeMap::new(); bins]));
                agents.len() - 1
            }
        };
        for task in run.task_names() {
            let mut per_bin: Vec<Vec<&Episode>> = vec![Vec::new(); bins];
            for e in run.task_episodes(&task) {
                per_bin[bin_of(e.env_step)].push(e);
            }
            let Some(last) = per_bin.iter().rposition(|v| !v.is_empty()) else {
                continue;
            };
            let mut current: Option<f64> = None;
            for (b, eps) in per_bin.iter().enumerate().take(last + 1) {
                if !eps.is_empty() {
                    let s = score_of(eps);
                    let v = match normalization {
                        Some(bm) => bm.normalize(&task, s.value)?,
                        None => s.value,
                    };
                    current = Some(v);
                }
                if let Some(v) = current {
                    agents[idx].1[b].entry(task.clone()).or_default().push(v);
                }
            }
        }
    }
    Ok(BinnedCurves { bin_ends, agents })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(step: u64, ret: f64, success: Option<bool>) -> Episode {
        Episode {
            env_step: step,
            task: "t".into(),
            ret,
            success,
        }
    }

    fn run(episodes: Vec<Episode>) -> Run {
        Run {
            dir: PathBuf::from("r"),
            meta: RunMeta {
                name: "r".into(),
                scene: "s".into(),
                agent: "a".into(),
                seed: 0,
                num_envs: 1,
                budget: 100,
                tasks: vec!["t".into()],
                status: RunStatus::Complete,
            },
            summary: None,
            episodes,
            warnings: vec![],
        }
    }

    #[test]
    fn score_is_mean_return_of_final_tenth() {
        let eps = (0..20).map(|i| episode(i, i as f64, None)).collect();
        let s = run(eps).task_score("t").unwrap();
        assert_eq!(s.value, 18.5);
        assert_eq!(s.episodes, 2);
        assert!(!s.is_success_rate);
    }

    #[test]
    fn score_is_the_last_evaluation_when_the_run_has_one() {
        let mut r = run((0..20).map(|i| episode(i, i as f64, None)).collect());
        let phase = |step: u64, ret: f64| EvalPhase {
            train_step: step,
            tasks: vec![EvalTask {
                task: "t".into(),
                episodes: 8,
                mean_return: Some(ret),
                success_rate: None,
            }],
        };
        r.summary = Some(RunSummary {
            status: RunStatus::Complete,
            env_steps: 20,
            wall_time_s: 1.0,
            eval: vec![phase(10, 3.0), phase(20, 7.5)],
        });
        let s = r.task_score("t").unwrap();
        assert_eq!((s.value, s.episodes, s.is_success_rate), (7.5, 8, false));
        assert!(r.task_score("other").is_none());
    }

    #[test]
    fn score_uses_at_least_one_episode() {
        let s = run(vec![episode(1, 3.0, None), episode(2, 5.0, None)])
            .task_score("t")
            .unwrap();
        assert_eq!(s.value, 5.0);
    }

    #[test]
    fn score_is_success_rate_when_defined() {
        let eps = (0..30).map(|i| episode(i, 0.0, Some(i % 3 == 0))).collect();
        let s = run(eps).task_score("t").unwrap();
        assert!(s.is_success_rate);
        assert_eq!(s.value, 1.0 / 3.0);
    }

    #[test]
    fn episodes_parse_with_empty_success_and_truncated_tail() {
        let text = b"env_step,env,task,episode,return,length,success\n10,0,pong,0,-21,100,\n20,1,pong,0,-20.5,90,\n25,0,po";
        let mut w = Vec::new();
        let eps = parse_episodes(text, Path::new("e.csv"), &mut w).unwrap();
        assert_eq!(eps.len(), 2);
        assert_eq!(eps[1].ret, -20.5);
        assert_eq!(eps[0].success, None);
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn bad_row_in_the_middle_is_an_error_with_its_line() {
        let text = b"env_step,env,task,episode,return,length,success\n10,0,pong,0,oops,100,\n20,1,pong,0,1,90,\n";
        let e = parse_episodes(text, Path::new("e.csv"), &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(e.to_string().contains("oops"), "{e}");
    }

    #[test]
    fn curves_carry_forward_and_stop_at_the_last_episode() {
        let r = run(vec![episode(10, 1.0, None), episode(35, 3.0, None)]);
        let mut longer = run(vec![episode(100, 7.0, None)]);
        longer.meta.agent = "b".into();
        let c = bin_curves(&[r, longer], 10, None).unwrap();
        assert_eq!(c.bin_ends[0], 10);
        let a = &c.agents[0].1;
        assert_eq!(a[0]["t"], vec![1.0]);
        assert_eq!(a[1]["t"], vec![1.0]);
        assert_eq!(a[3]["t"], vec![3.0]);
        assert!(a[4].is_empty());
        assert_eq!(c.agents[1].1[9]["t"], vec![7.0]);
    }
}
