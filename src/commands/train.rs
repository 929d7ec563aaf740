//! `arcadia train` and `arcadia check`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arcadia_engine::run::{RunError, RunSpec, RunStatus, Summary, TaskSummary, Trainer};
use indicatif::{ProgressBar, ProgressStyle};

use super::CommandError;
use crate::experiment::Experiment;

/// Options of `arcadia train` beyond the experiment file.
#[derive(Clone, Debug, Default)]
pub struct TrainOptions {
    /// Run directory (default `runs/NAME/seed-SEED`).
    pub out: Option<PathBuf>,
    /// Overrides the experiment's seed.
    pub seed: Option<u64>,
    /// Overrides the experiment's budget in env steps.
    pub steps: Option<u64>,
    /// Continue the run in the run directory from its last checkpoint.
    pub resume: bool,
    /// Draw a progress bar (when stderr is a terminal).
    pub progress: bool,
}

/// Loads, validates and prints a summary of an experiment without running it.
pub fn check(path: &Path) -> Result<String, CommandError> {
    let experiment = Experiment::load(path).map_err(CommandError::input)?;
    Ok(format!(
        "{}: ok ({} scene, {} agent, {} envs, {} env steps, seed {})",
        path.display(),
        experiment.scene.name(),
        experiment.agent.name(),
        experiment.envs,
        experiment.steps,
        experiment.seed
    ))
}

/// Applies command-line overrides to an experiment.
pub fn apply_overrides(experiment: &mut Experiment, options: &TrainOptions) {
    if let Some(seed) = options.seed {
        experiment.seed = seed;
    }
    if let Some(steps) = options.steps {
        experiment.steps = steps.max(1);
    }
}

/// The run directory of an experiment.
pub fn run_dir(experiment: &Experiment, options: &TrainOptions) -> PathBuf {
    options.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs")
            .join(&experiment.name)
            .join(format!("seed-{}", experiment.seed))
    })
}

/// Trains an experiment headless until its budget is spent or `stop` is raised.
pub fn train_experiment(
    experiment: &Experiment,
    options: &TrainOptions,
    stop: &AtomicBool,
) -> Result<(PathBuf, Summary), CommandError> {
    let out_dir = run_dir(experiment, options);
    let spec = RunSpec {
        name: experiment.name.clone(),
        agent: experiment.agent.name().to_string(),
        seed: experiment.seed,
        budget: experiment.steps,
        out_dir: out_dir.clone(),
        checkpoint_every: experiment.checkpoint_every(),
        resume: options.resume,
        config_text: experiment.resolved(),
    };
    let scene = experiment.build_scene().map_err(CommandError::input)?;
    let mut trainer =
        Trainer::new(spec, |app| experiment.install(app, scene)).map_err(run_error)?;
    let bar = if options.progress {
        let bar = ProgressBar::new(experiment.steps);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {human_pos}/{human_len} steps {per_sec} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let result = trainer.run(stop, |p| {
        bar.set_position(p.env_steps);
        if p.evaluating {
            bar.set_message("evaluating");
        } else if let Some(r) = p.recent_return {
            bar.set_message(format!("episodes {} return {r:.3}", p.episodes));
        }
    });
    bar.finish_and_clear();
    let summary = result.map_err(run_error)?;
    Ok((out_dir, summary))
}

fn run_error(error: RunError) -> CommandError {
    match error {
        RunError::Exists(_) | RunError::NothingToResume(..) | RunError::ConfigChanged(_) => {
            CommandError::input(error)
        }
        _ => CommandError::failure(error),
    }
}

/// `arcadia train`: loads the experiment, installs a Ctrl-C handler that stops cleanly,
/// trains, and prints where the results are.
pub fn train(path: &Path, options: &TrainOptions) -> Result<Summary, CommandError> {
    let mut experiment = Experiment::load(path).map_err(CommandError::input)?;
    apply_overrides(&mut experiment, options);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // A second Ctrl-C while stopping is ignored; the checkpoint is being written.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let (dir, summary) = train_experiment(&experiment, options, &stop)?;
    let mut report = format!(
        "{}: {} after {} env steps in {:.1} s ({:.0} steps/s)",
        dir.display(),
        match summary.status {
            RunStatus::Complete => "complete",
            RunStatus::Interrupted => "interrupted (resume with --resume)",
            RunStatus::Running => "running",
        },
        summary.env_steps,
        summary.wall_time_s,
        summary.steps_per_second
    );
    let task_line = |task: &TaskSummary| {
        format!(
            "\n  {}: {} episodes, mean return {}, success {}",
            task.task,
            task.episodes,
            task.mean_return.map_or("-".into(), |r| format!("{r:.4}")),
            task.success_rate
                .map_or("-".into(), |r| format!("{:.1}%", 100.0 * r)),
        )
    };
    for task in &summary.tasks {
        report.push_str(&task_line(task));
    }
    if let Some(last) = summary.eval.last() {
        report.push_str(&format!(
            "\nlast evaluation (after {} training steps):",
            last.train_step
        ));
        for task in &last.tasks {
            report.push_str(&task_line(task));
        }
    }
    eprintln!("{report}");
    Ok(summary)
}
