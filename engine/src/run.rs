//! The headless runner: builds an App, steps it until the env-step budget is spent, writes
//! the run directory, checkpoints, and resumes a killed run from its last checkpoint.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{
    CheckpointError, latest_checkpoint, load_checkpoint, save_checkpoint, write_atomic,
};
use crate::eval::{self, EvalRound, EvalSchedule, EvalState, Phase};
use crate::record::{METRICS_FILE_COUNT, MetricsFiles, RunStats, TaskTotals, files};
use crate::scene::{SceneInfo, StepErrors};
use crate::{ArcadiaPlugin, WallClock};

/// What to run and where to write it.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// The experiment's name.
    pub name: String,
    /// The agent's name, for `run.json`.
    pub agent: String,
    /// The experiment seed.
    pub seed: u64,
    /// Env steps to take (all envs together); the run stops at the first update reaching it.
    pub budget: u64,
    /// The run directory.
    pub out_dir: PathBuf,
    /// Env steps between checkpoints (0: only at the end).
    pub checkpoint_every: u64,
    /// Continue the run in `out_dir` from its last checkpoint.
    pub resume: bool,
    /// The resolved config, saved as `config.ron` (and compared on resume).
    pub config_text: String,
}

/// Where a run stands, for progress display.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Env steps taken.
    pub env_steps: u64,
    /// The budget.
    pub budget: u64,
    /// Finished episodes.
    pub episodes: u64,
    /// Mean return of the recent episodes.
    pub recent_return: Option<f64>,
    /// Whether an evaluation phase is running.
    pub evaluating: bool,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Still going (or killed).
    Running,
    /// The budget was spent.
    Complete,
    /// Stopped early on request (Ctrl-C); resumable.
    Interrupted,
}

/// Mean and median of one scene-specific episode metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    /// The metric's name.
    pub name: String,
    /// Episodes that reported it.
    pub episodes: u64,
    /// Mean value.
    pub mean: f64,
    /// Median value.
    pub median: f64,
}

impl MetricSummary {
    fn of(name: &str, values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
        };
        MetricSummary {
            name: name.to_string(),
            episodes: n as u64,
            mean: sorted.iter().sum::<f64>() / n.max(1) as f64,
            median,
        }
    }
}

/// Per-task results in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Task name.
    pub task: String,
    /// Finished episodes.
    pub episodes: u64,
    /// Mean episode return (`null` without episodes).
    pub mean_return: Option<f64>,
    /// Fraction of episodes that reached success (`null` when the scene defines none).
    pub success_rate: Option<f64>,
    /// Mean episode length.
    pub mean_length: Option<f64>,
    /// Env steps taken in this task.
    pub env_steps: u64,
    /// Scene-specific episode metrics (seconds to goal, say).
    pub metrics: Vec<MetricSummary>,
}

fn task_summaries(totals: &[TaskTotals], names: &[String]) -> Vec<TaskSummary> {
    let mean = |sum: f64, n: u64| (n > 0).then(|| sum / n as f64);
    totals
        .iter()
        .enumerate()
        .map(|(i, t)| TaskSummary {
            task: names.get(i).cloned().unwrap_or_else(|| i.to_string()),
            episodes: t.episodes,
            mean_return: mean(t.return_sum, t.episodes),
            success_rate: if t.success_defined {
                mean(t.successes as f64, t.episodes)
            } else {
                None
            },
            mean_length: mean(t.length_sum as f64, t.episodes),
            env_steps: t.env_steps,
            metrics: t
                .metrics
                .iter()
                .map(|(name, values)| MetricSummary::of(name, values))
                .collect(),
        })
        .collect()
}

/// One evaluation phase in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalSummary {
    /// Training env steps taken when the phase started.
    pub train_step: u64,
    /// Episodes recorded.
    pub episodes: u64,
    /// Env steps the phase took.
    pub env_steps: u64,
    /// Per task.
    pub tasks: Vec<TaskSummary>,
}

impl EvalSummary {
    fn of(round: &EvalRound, names: &[String]) -> Self {
        EvalSummary {
            train_step: round.train_step,
            episodes: round.episodes,
            env_steps: round.env_steps,
            tasks: task_summaries(&round.tasks, names),
        }
    }
}

/// `summary.json`: how the run ended and its per-task results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How the run ended.
    pub status: RunStatus,
    /// Env steps taken.
    pub env_steps: u64,
    /// Seconds of wall time, summed over resumed pieces.
    pub wall_time_s: f64,
    /// Env steps per second of wall time.
    pub steps_per_second: f64,
    /// Per task.
    pub tasks: Vec<TaskSummary>,
    /// Evaluation phases in order (empty without an evaluation schedule).
    #[serde(default)]
    pub eval: Vec<EvalSummary>,
}

/// `run.json`: what a run directory holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// Experiment name.
    pub name: String,
    /// Scene name.
    pub scene: String,
    /// Agent name.
    pub agent: String,
    /// Experiment seed.
    pub seed: u64,
    /// Number of envs.
    pub num_envs: u64,
    /// Env-step budget.
    pub budget: u64,
    /// Task names.
    pub tasks: Vec<String>,
    /// Status.
    pub status: RunStatus,
}

/// Why a run could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A file of the run directory could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A checkpoint could not be written or read.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// An env reported an error (an invalid action, say).
    #[error("env {env}: {message}")]
    Env {
        /// The env's index.
        env: usize,
        /// The error.
        message: String,
    },
    /// The run directory already holds a run and `--resume` was not given.
    #[error("{0} already holds a run; pass --resume to continue it, or choose another --out")]
    Exists(PathBuf),
    /// `--resume` was given but the directory has no run to continue.
    #[error("{0} holds no run to resume (no {1})")]
    NothingToResume(PathBuf, &'static str),
    /// The config differs from the one the run started with.
    #[error(
        "the config differs from the one this run started with ({0}); resume with the same config and options"
    )]
    ConfigChanged(PathBuf),
    /// Writing metrics failed.
    #[error("writing metrics: {0}")]
    Metrics(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A headless run: an App with `MinimalPlugins`-level plugins, the Arcadia core, a scene
/// and an agent, stepped until its budget is spent.
pub struct Trainer {
    app: App,
    spec: RunSpec,
    next_checkpoint: u64,
}

impl Trainer {
    /// Builds the App (`install` adds the scene and agent plugins), prepares the run
    /// directory, and with `spec.resume` loads the last checkpoint.
    pub fn new(spec: RunSpec, install: impl FnOnce(&mut App)) -> Result<Self, RunError> {
        let dir = spec.out_dir.clone();
        let config_path = dir.join(files::CONFIG);
        if spec.resume {
            if !config_path.exists() {
                return Err(RunError::NothingToResume(dir, files::CONFIG));
            }
            let saved = fs::read_to_string(&config_path).map_err(io(&config_path))?;
            if saved != spec.config_text {
                return Err(RunError::ConfigChanged(config_path));
            }
        } else if dir.join(files::EPISODES).exists() || config_path.exists() {
            return Err(RunError::Exists(dir));
        }
        fs::create_dir_all(&dir).map_err(io(&dir))?;

        let mut app = headless_app(spec.seed);
        install(&mut app);
        app.finish();
        app.cleanup();
        use_single_threaded_executors(&mut app);

        let checkpoints = dir.join(files::CHECKPOINTS);
        let latest = if spec.resume {
            latest_checkpoint(&checkpoints)?
        } else {
            None
        };
        let metrics = match &latest {
            Some(path) => {
                load_checkpoint(app.world_mut(), path)?;
                let lengths = app.world().resource::<MetricsLengths>().0;
                MetricsFiles::reopen(&dir, lengths).map_err(io(&dir))?
            }
            None => {
                write_atomic(&config_path, spec.config_text.as_bytes())?;
                MetricsFiles::create(&dir).map_err(io(&dir))?
            }
        };
        app.insert_resource(metrics);
        let mut trainer = Trainer {
            next_checkpoint: 0,
            app,
            spec,
        };
        trainer.next_checkpoint = trainer.following_checkpoint();
        trainer.write_manifest(RunStatus::Running)?;
        Ok(trainer)
    }

    /// The App, to inspect or drive by hand.
    pub fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }

    /// The run's counters.
    pub fn stats(&self) -> &RunStats {
        self.app.world().resource::<RunStats>()
    }

    fn following_checkpoint(&self) -> u64 {
        let steps = self.stats().env_steps;
        match self.spec.checkpoint_every {
            0 => u64::MAX,
            every => (steps / every + 1) * every,
        }
    }

    /// Steps until the budget is spent or `stop` is raised; writes `summary.json` either way.
    /// `on_progress` is called every few updates.
    pub fn run(
        &mut self,
        stop: &AtomicBool,
        mut on_progress: impl FnMut(&Progress),
    ) -> Result<Summary, RunError> {
        let started = Instant::now();
        let offset = self.app.world().resource::<WallClock>().0;
        let mut status = RunStatus::Complete;
        while self.needs_update() {
            if stop.load(Ordering::Relaxed) {
                status = RunStatus::Interrupted;
                break;
            }
            self.app.update();
            self.check_errors()?;
            self.app.world_mut().resource_mut::<WallClock>().0 =
                offset + started.elapsed().as_secs_f64();
            let stats = self.stats();
            if stats.updates.is_multiple_of(16) {
                on_progress(&self.progress());
            }
            if self.stats().env_steps >= self.next_checkpoint
                && self.stats().env_steps < self.spec.budget
            {
                self.checkpoint()?;
                self.next_checkpoint = self.following_checkpoint();
            }
        }
        on_progress(&self.progress());
        self.checkpoint()?;
        let summary = self.summary(status);
        let path = self.spec.out_dir.join(files::SUMMARY);
        let text = serde_json::to_string_pretty(&summary).expect("summary serializes");
        write_atomic(&path, text.as_bytes())?;
        self.write_manifest(status)?;
        Ok(summary)
    }

    /// Whether the run goes on: budget left, an evaluation phase in progress, or the final
    /// evaluation still to start (which this starts).
    fn needs_update(&mut self) -> bool {
        let world = self.app.world_mut();
        if world.resource::<Phase>().is_eval() {
            return true;
        }
        let steps = world.resource::<RunStats>().env_steps;
        if steps < self.spec.budget {
            return true;
        }
        let final_eval = world
            .get_resource::<EvalSchedule>()
            .is_some_and(|s| s.at_end)
            && world.resource::<EvalState>().last_train_step() != Some(steps);
        if final_eval {
            eval::begin(world);
        }
        world.resource::<Phase>().is_eval()
    }

    fn progress(&self) -> Progress {
        let stats = self.stats();
        Progress {
            env_steps: stats.env_steps,
            budget: self.spec.budget,
            episodes: stats.episodes,
            recent_return: stats.recent_mean_return(),
            evaluating: self.app.world().resource::<Phase>().is_eval(),
        }
    }

    fn check_errors(&mut self) -> Result<(), RunError> {
        let errors = self.app.world().resource::<StepErrors>().take();
        if let Some((env, error)) = errors.into_iter().next() {
            return Err(RunError::Env {
                env,
                message: error.to_string(),
            });
        }
        if let Some(error) = self
            .app
            .world_mut()
            .resource_mut::<MetricsFiles>()
            .error
            .take()
        {
            return Err(RunError::Metrics(error));
        }
        Ok(())
    }

    /// Writes a checkpoint now (metrics are flushed first, and their lengths recorded).
    pub fn checkpoint(&mut self) -> Result<PathBuf, RunError> {
        let world = self.app.world_mut();
        let lengths = world
            .resource_mut::<MetricsFiles>()
            .flush()
            .map_err(|e| RunError::Metrics(e.to_string()))?;
        world.insert_resource(MetricsLengths(lengths));
        let steps = world.resource::<RunStats>().env_steps;
        let dir = self.spec.out_dir.join(files::CHECKPOINTS);
        Ok(save_checkpoint(world, &dir, steps)?)
    }

    /// The summary of the run so far.
    pub fn summary(&self, status: RunStatus) -> Summary {
        let world = self.app.world();
        let stats = world.resource::<RunStats>();
        let names = world
            .get_resource::<SceneInfo>()
            .map(|s| s.tasks.clone())
            .unwrap_or_default();
        let wall = world.resource::<WallClock>().0;
        let eval = world
            .resource::<EvalState>()
            .rounds
            .iter()
            .map(|round| EvalSummary::of(round, &names))
            .collect();
        Summary {
            status,
            env_steps: stats.env_steps,
            wall_time_s: wall,
            steps_per_second: if wall > 0.0 {
                stats.env_steps as f64 / wall
            } else {
                0.0
            },
            tasks: task_summaries(&stats.tasks, &names),
            eval,
        }
    }

    fn write_manifest(&self, status: RunStatus) -> Result<(), RunError> {
        let scene = self.app.world().get_resource::<SceneInfo>();
        let manifest = RunManifest {
            name: self.spec.name.clone(),
            scene: scene.map(|s| s.name.clone()).unwrap_or_default(),
            agent: self.spec.agent.clone(),
            seed: self.spec.seed,
            num_envs: scene.map_or(0, |s| s.num_envs as u64),
            budget: self.spec.budget,
            tasks: scene.map(|s| s.tasks.clone()).unwrap_or_default(),
            status,
        };
        let text = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
        write_atomic(&self.spec.out_dir.join(files::RUN), text.as_bytes())?;
        Ok(())
    }
}

/// Byte lengths of the metrics files at the last checkpoint.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsLengths(pub [u64; METRICS_FILE_COUNT]);

/// A headless App: `MinimalPlugins` and the Arcadia core, no window, no renderer; the
/// caller drives `App::update`.
pub fn headless_app(seed: u64) -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .add_plugins(ArcadiaPlugin { seed });
    app
}

/// Runs every schedule of `app` on the single-threaded executor. The Arcadia sets form one
/// chain, so a multi-threaded executor has little to overlap and costs tens of
/// microseconds per update in thread wake-ups; envs are still stepped in parallel inside
/// the scene systems (`par_iter_mut`). Call after `App::finish`.
pub fn use_single_threaded_executors(app: &mut App) {
    let mut schedules = app.world_mut().resource_mut::<Schedules>();
    for (_, schedule) in schedules.iter_mut() {
        schedule.set_executor(bevy::ecs::schedule::SingleThreadedExecutor::new());
    }
}
