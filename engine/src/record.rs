//! Episode bookkeeping and metrics files.
//!
//! Metrics hold no wall-clock values, so two runs of one seed write byte-identical files:
//! - `episodes.csv`: `env_step,env,task,episode,return,length,success`, one row per finished
//!   episode in env order (`success` is empty when the scene defines none);
//! - `scalars.csv`: `env_step,name,value`, what agents log (losses, epsilon, ...);
//! - `episode_metrics.csv`: `env_step,episode,task,name,value`, scene-specific measurements;
//! - `eval_episodes.csv`: `train_step,round,env,task,episode,return,length,success`, the
//!   episodes of evaluation phases (see [`crate::eval`]).

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{Stepped, TaskId};
use crate::eval::Phase;
use crate::scene::SceneInfo;

/// An episode finished in env `env` this update.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct EpisodeEnd {
    /// The env's index.
    pub env: usize,
    /// The env's task.
    pub task: usize,
    /// Sum of the episode's rewards.
    pub episode_return: f64,
    /// Steps in the episode.
    pub length: u64,
    /// Whether the task was solved at any step (`None` when the scene defines no success).
    pub success: Option<bool>,
    /// True for a terminal end, false for a truncation.
    pub terminated: bool,
    /// Scene-specific measurements of the episode (`Environment::episode_metrics`).
    pub metrics: Vec<(String, f64)>,
}

impl EpisodeEnd {
    /// The task's name as the scene calls it (its index when the scene names none).
    pub fn task_name(&self, scene: Option<&SceneInfo>) -> String {
        scene
            .and_then(|s| s.tasks.get(self.task).cloned())
            .unwrap_or_else(|| self.task.to_string())
    }

    /// The `success` field of a CSV row: `true`, `false`, or empty without a success notion.
    pub fn success_field(&self) -> String {
        self.success.map_or(String::new(), |s| s.to_string())
    }
}

/// Adds a finished episode to the totals of its task, growing `tasks` as needed.
pub(crate) fn book_episode(tasks: &mut Vec<TaskTotals>, end: &EpisodeEnd) {
    if tasks.len() <= end.task {
        tasks.resize(end.task + 1, TaskTotals::default());
    }
    tasks[end.task].add_episode(end);
}

/// Counts this update's stepped envs into their tasks' totals; returns how many stepped.
pub(crate) fn count_steps<'a>(
    tasks: &mut [TaskTotals],
    envs: impl Iterator<Item = (&'a TaskId, &'a Stepped)>,
) -> u64 {
    let mut steps = 0;
    for (task, _) in envs.filter(|(_, stepped)| stepped.0) {
        steps += 1;
        if let Some(totals) = tasks.get_mut(task.0) {
            totals.env_steps += 1;
        }
    }
    steps
}

/// Named values agents log during an update (losses, epsilon, ...), written to `scalars.csv`.
#[derive(Resource, Clone, Debug, Default)]
pub struct ScalarLog(Vec<(String, f64)>);

impl ScalarLog {
    /// Logs `value` under `name` at the current env step.
    pub fn log(&mut self, name: impl Into<String>, value: f64) {
        self.0.push((name.into(), value));
    }

    /// Takes what was logged since the last call.
    pub fn drain(&mut self) -> Vec<(String, f64)> {
        std::mem::take(&mut self.0)
    }
}

/// Totals of one task over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskTotals {
    /// Finished episodes.
    pub episodes: u64,
    /// Sum of episode returns.
    pub return_sum: f64,
    /// Sum of episode lengths.
    pub length_sum: u64,
    /// Episodes that reached success.
    pub successes: u64,
    /// Whether the scene reported success for this task.
    pub success_defined: bool,
    /// Env steps taken in this task.
    pub env_steps: u64,
    /// Every value of each scene-specific episode metric, in episode order.
    pub metrics: Vec<(String, Vec<f64>)>,
}

impl TaskTotals {
    /// Adds a finished episode.
    pub fn add_episode(&mut self, end: &EpisodeEnd) {
        for (name, value) in &end.metrics {
            match self.metrics.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) => values.push(*value),
                None => self.metrics.push((name.clone(), vec![*value])),
            }
        }
        self.episodes += 1;
        self.return_sum += end.episode_return;
        self.length_sum += end.length;
        if let Some(success) = end.success {
            self.success_defined = true;
            self.successes += success as u64;
        }
    }
}

/// Counters of the whole run: env steps, updates, episodes, per-task totals.
#[derive(Resource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// Env steps taken (every stepped env counts one per update).
    pub env_steps: u64,
    /// `App::update` calls.
    pub updates: u64,
    /// Finished episodes, all envs.
    pub episodes: u64,
    /// Totals per task, indexed by task id.
    pub tasks: Vec<TaskTotals>,
    /// Returns of the last episodes (at most [`RunStats::RECENT`]).
    pub recent_returns: VecDeque<f64>,
}

impl RunStats {
    /// How many recent returns are kept for progress display.
    pub const RECENT: usize = 100;

    /// Mean of the recent episode returns.
    pub fn recent_mean_return(&self) -> Option<f64> {
        (!self.recent_returns.is_empty())
            .then(|| self.recent_returns.iter().sum::<f64>() / self.recent_returns.len() as f64)
    }
}

/// How many files [`MetricsFiles`] keeps: episodes, scalars, episode metrics, eval episodes.
pub const METRICS_FILE_COUNT: usize = 4;

/// Open metrics files of a run directory (absent when an App records nothing to disk).
#[derive(Resource, Debug)]
pub struct MetricsFiles {
    episodes: BufWriter<File>,
    scalars: BufWriter<File>,
    metrics: BufWriter<File>,
    eval_episodes: BufWriter<File>,
    episodes_path: PathBuf,
    scalars_path: PathBuf,
    /// The first write error, reported by the runner.
    pub error: Option<String>,
}

/// File names inside a run directory.
pub mod files {
    /// Episode rows.
    pub const EPISODES: &str = "episodes.csv";
    /// Agent scalars.
    pub const SCALARS: &str = "scalars.csv";
    /// Scene-specific episode metrics.
    pub const EPISODE_METRICS: &str = "episode_metrics.csv";
    /// Episodes of evaluation phases.
    pub const EVAL_EPISODES: &str = "eval_episodes.csv";
    /// Final summary.
    pub const SUMMARY: &str = "summary.json";
    /// Run identity and status.
    pub const RUN: &str = "run.json";
    /// The resolved experiment config.
    pub const CONFIG: &str = "config.ron";
    /// Checkpoint directory.
    pub const CHECKPOINTS: &str = "checkpoints";
}

/// The metrics files in their order, with their CSV headers.
const HEADERS: [(&str, &str); METRICS_FILE_COUNT] = [
    (
        files::EPISODES,
        "env_step,env,task,episode,return,length,success",
    ),
    (files::SCALARS, "env_step,name,value"),
    (files::EPISODE_METRICS, "env_step,episode,task,name,value"),
    (
        files::EVAL_EPISODES,
        "train_step,round,env,task,episode,return,length,success",
    ),
];

impl MetricsFiles {
    fn from_writers(dir: &Path, writers: Vec<BufWriter<File>>) -> Self {
        let [episodes, scalars, metrics, eval_episodes]: [BufWriter<File>; METRICS_FILE_COUNT] =
            writers
                .try_into()
                .unwrap_or_else(|_| unreachable!("one writer per metrics file"));
        MetricsFiles {
            episodes,
            scalars,
            metrics,
            eval_episodes,
            episodes_path: dir.join(files::EPISODES),
            scalars_path: dir.join(files::SCALARS),
            error: None,
        }
    }

    /// Creates fresh metrics files with their headers in `dir`.
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        let writers = HEADERS
            .iter()
            .map(|(name, header)| {
                let mut writer = BufWriter::new(File::create(dir.join(name))?);
                writeln!(writer, "{header}")?;
                Ok(writer)
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self::from_writers(dir, writers))
    }

    /// Opens existing metrics files of `dir`, cut back to `lengths` bytes (what a checkpoint
    /// recorded), so rows written after that checkpoint are dropped and written again.
    pub fn reopen(dir: &Path, lengths: [u64; METRICS_FILE_COUNT]) -> std::io::Result<Self> {
        let writers = HEADERS
            .iter()
            .zip(lengths)
            .map(|((name, _), len)| {
                let path = dir.join(name);
                let mut file = OpenOptions::new().read(true).write(true).open(&path)?;
                file.set_len(len)?;
                file.seek(SeekFrom::End(0))?;
                Ok(BufWriter::new(file))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self::from_writers(dir, writers))
    }

    /// Flushes and syncs the files; returns their lengths in bytes.
    pub fn flush(&mut self) -> std::io::Result<[u64; METRICS_FILE_COUNT]> {
        let length = |w: &mut BufWriter<File>| -> std::io::Result<u64> {
            w.flush()?;
            w.get_ref().sync_data()?;
            Ok(w.get_ref().metadata()?.len())
        };
        Ok([
            length(&mut self.episodes)?,
            length(&mut self.scalars)?,
            length(&mut self.metrics)?,
            length(&mut self.eval_episodes)?,
        ])
    }

    /// Paths of the episode and scalar files.
    pub fn paths(&self) -> (&Path, &Path) {
        (&self.episodes_path, &self.scalars_path)
    }

    /// Appends one row to `eval_episodes.csv`.
    pub(crate) fn write_eval_row(&mut self, row: std::fmt::Arguments) {
        let result = writeln!(self.eval_episodes, "{row}");
        self.note(result);
    }

    fn note(&mut self, result: std::io::Result<()>) {
        if let Err(e) = result {
            self.error.get_or_insert_with(|| e.to_string());
        }
    }
}

/// Counts this update's steps, books finished episodes and writes metrics rows (training
/// phases only: [`crate::eval::track`] books evaluation phases).
pub fn record(
    phase: Res<Phase>,
    scene: Option<Res<SceneInfo>>,
    envs: Query<(&TaskId, &Stepped)>,
    mut ends: MessageReader<EpisodeEnd>,
    mut scalars: ResMut<ScalarLog>,
    mut stats: ResMut<RunStats>,
    mut files: Option<ResMut<MetricsFiles>>,
) {
    let task_count = scene.as_ref().map_or(1, |s| s.tasks.len().max(1));
    if stats.tasks.len() < task_count {
        stats.tasks.resize(task_count, TaskTotals::default());
    }
    stats.updates += 1;
    if phase.is_eval() {
        ends.clear();
    } else {
        stats.env_steps += count_steps(&mut stats.tasks, envs.iter());
    }
    let env_step = stats.env_steps;
    let mut finished: Vec<&EpisodeEnd> = ends.read().collect();
    finished.sort_by_key(|e| e.env);
    for end in finished {
        let episode = stats.episodes;
        stats.episodes += 1;
        book_episode(&mut stats.tasks, end);
        if stats.recent_returns.len() == RunStats::RECENT {
            stats.recent_returns.pop_front();
        }
        stats.recent_returns.push_back(end.episode_return);
        if let Some(files) = files.as_mut() {
            let task = end.task_name(scene.as_deref());
            let success = end.success_field();
            let result = writeln!(
                files.episodes,
                "{env_step},{},{task},{episode},{},{},{success}",
                end.env, end.episode_return, end.length
            );
            files.note(result);
            for (name, value) in &end.metrics {
                let result = writeln!(files.metrics, "{env_step},{episode},{task},{name},{value}");
                files.note(result);
            }
        }
    }
    for (name, value) in scalars.drain() {
        if let Some(files) = files.as_mut() {
            let result = writeln!(files.scalars, "{env_step},{name},{value}");
            files.note(result);
        }
    }
}
