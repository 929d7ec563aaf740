//! Episode bookkeeping and metrics files.
//!
//! Metrics hold no wall-clock values, so two runs of one seed write byte-identical files:
//! - `episodes.csv`: `env_step,env,task,episode,return,length,success`, one row per finished
//!   episode in env order (`success` is empty when the scene defines none);
//! - `scalars.csv`: `env_step,name,value`, what agents log (losses, epsilon, ...).

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{Stepped, TaskId};
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
    fn push_metric(&mut self, name: &str, value: f64) {
        match self.metrics.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value),
            None => self.metrics.push((name.to_string(), vec![value])),
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

/// Open metrics files of a run directory (absent when an App records nothing to disk).
#[derive(Resource, Debug)]
pub struct MetricsFiles {
    episodes: BufWriter<File>,
    scalars: BufWriter<File>,
    metrics: BufWriter<File>,
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
    /// Final summary.
    pub const SUMMARY: &str = "summary.json";
    /// Run identity and status.
    pub const RUN: &str = "run.json";
    /// The resolved experiment config.
    pub const CONFIG: &str = "config.ron";
    /// Checkpoint directory.
    pub const CHECKPOINTS: &str = "checkpoints";
}

impl MetricsFiles {
    /// Creates fresh metrics files with their headers in `dir`.
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        let episodes_path = dir.join(files::EPISODES);
        let scalars_path = dir.join(files::SCALARS);
        let mut episodes = BufWriter::new(File::create(&episodes_path)?);
        writeln!(episodes, "env_step,env,task,episode,return,length,success")?;
        let mut scalars = BufWriter::new(File::create(&scalars_path)?);
        writeln!(scalars, "env_step,name,value")?;
        let mut metrics = BufWriter::new(File::create(dir.join(files::EPISODE_METRICS))?);
        writeln!(metrics, "env_step,episode,task,name,value")?;
        Ok(MetricsFiles {
            episodes,
            scalars,
            metrics,
            episodes_path,
            scalars_path,
            error: None,
        })
    }

    /// Opens existing metrics files of `dir`, cut back to `lengths` bytes (what a checkpoint
    /// recorded), so rows written after that checkpoint are dropped and written again.
    pub fn reopen(dir: &Path, lengths: (u64, u64, u64)) -> std::io::Result<Self> {
        let open = |path: &Path, len: u64| -> std::io::Result<BufWriter<File>> {
            let mut file = OpenOptions::new().read(true).write(true).open(path)?;
            file.set_len(len)?;
            file.seek(SeekFrom::End(0))?;
            Ok(BufWriter::new(file))
        };
        let episodes_path = dir.join(files::EPISODES);
        let scalars_path = dir.join(files::SCALARS);
        Ok(MetricsFiles {
            episodes: open(&episodes_path, lengths.0)?,
            scalars: open(&scalars_path, lengths.1)?,
            metrics: open(&dir.join(files::EPISODE_METRICS), lengths.2)?,
            episodes_path,
            scalars_path,
            error: None,
        })
    }

    /// Flushes and syncs the files; returns their lengths in bytes.
    pub fn flush(&mut self) -> std::io::Result<(u64, u64, u64)> {
        let length = |w: &mut BufWriter<File>| -> std::io::Result<u64> {
            w.flush()?;
            w.get_ref().sync_data()?;
            Ok(w.get_ref().metadata()?.len())
        };
        Ok((
            length(&mut self.episodes)?,
            length(&mut self.scalars)?,
            length(&mut self.metrics)?,
        ))
    }

    /// Paths of the episode and scalar files.
    pub fn paths(&self) -> (&Path, &Path) {
        (&self.episodes_path, &self.scalars_path)
    }

    fn note(&mut self, result: std::io::Result<()>) {
        if let Err(e) = result {
            self.error.get_or_insert_with(|| e.to_string());
        }
    }
}

/// Counts this update's steps, books finished episodes and writes metrics rows.
pub fn record(
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
    for (task, stepped) in &envs {
        if stepped.0 {
            stats.env_steps += 1;
            if let Some(totals) = stats.tasks.get_mut(task.0) {
                totals.env_steps += 1;
            }
        }
    }
    let env_step = stats.env_steps;
    let mut finished: Vec<&EpisodeEnd> = ends.read().collect();
    finished.sort_by_key(|e| e.env);
    for end in finished {
        let episode = stats.episodes;
        stats.episodes += 1;
        if stats.tasks.len() <= end.task {
            stats.tasks.resize(end.task + 1, TaskTotals::default());
        }
        let totals = &mut stats.tasks[end.task];
        for (name, value) in &end.metrics {
            totals.push_metric(name, *value);
        }
        totals.episodes += 1;
        totals.return_sum += end.episode_return;
        totals.length_sum += end.length;
        if let Some(success) = end.success {
            totals.success_defined = true;
            totals.successes += success as u64;
        }
        if stats.recent_returns.len() == RunStats::RECENT {
            stats.recent_returns.pop_front();
        }
        stats.recent_returns.push_back(end.episode_return);
        if let Some(files) = files.as_mut() {
            let task = scene
                .as_ref()
                .and_then(|s| s.tasks.get(end.task).cloned())
                .unwrap_or_else(|| end.task.to_string());
            let success = end.success.map_or(String::new(), |s| s.to_string());
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
