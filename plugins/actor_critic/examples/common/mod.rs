//! Shared helpers of the examples: run a training with the engine's `Trainer`, then an
//! evaluation phase (`Phase::Eval`) that counts whole episodes per task.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use arcadia_engine::prelude::*;
use bevy::prelude::*;

/// One evaluation episode: `(env, task, return, success, metrics)`.
pub type EvalEpisode = (usize, usize, f64, Option<bool>, Vec<(String, f64)>);

/// Episodes finished during the evaluation phase.
#[derive(Resource, Default)]
pub struct EvalEpisodes {
    /// Envs whose first (partial) evaluation episode has ended.
    pub started: Vec<bool>,
    /// Whole evaluation episodes.
    pub episodes: Vec<EvalEpisode>,
}

fn collect(phase: Res<Phase>, mut ends: MessageReader<EpisodeEnd>, mut eval: ResMut<EvalEpisodes>) {
    for end in ends.read() {
        if !phase.is_eval() {
            continue;
        }
        if eval.started.len() <= end.env {
            eval.started.resize(end.env + 1, false);
        }
        if eval.started[end.env] {
            eval.episodes.push((
                end.env,
                end.task,
                end.episode_return,
                end.success,
                end.metrics.clone(),
            ));
        } else {
            // The episode running when evaluation began was partly a training episode.
            eval.started[end.env] = true;
        }
    }
}

/// Adds the evaluation collector to an App.
pub fn install_eval(app: &mut App) {
    app.init_resource::<EvalEpisodes>()
        .add_systems(Update, collect.in_set(ArcadiaSet::Record));
}

/// Trains with `install`, then evaluates until `episodes` whole episodes per task ended.
pub fn train_and_evaluate(
    name: &str,
    out_dir: PathBuf,
    seed: u64,
    budget: u64,
    checkpoint_every: u64,
    episodes_per_task: usize,
    install: impl FnOnce(&mut App),
) -> Result<(Summary, Vec<EvalEpisode>), Box<dyn std::error::Error>> {
    let resume = out_dir.join("config.ron").exists();
    let spec = RunSpec {
        name: name.into(),
        agent: name.into(),
        seed,
        budget,
        out_dir,
        checkpoint_every,
        resume,
        // The budget is left out, so a finished run can be resumed with a larger one.
        config_text: format!("{name} seed {seed}"),
    };
    let started = std::time::Instant::now();
    let mut trainer = Trainer::new(spec, |app| {
        install(app);
        install_eval(app);
    })?;
    let mut last = 0;
    let summary = trainer.run(&AtomicBool::new(false), |p| {
        if p.env_steps >= last + budget / 50 {
            last = p.env_steps;
            eprintln!(
                "[{:>7.0} s] {} / {} steps, {} episodes, recent return {:?}",
                started.elapsed().as_secs_f64(),
                p.env_steps,
                p.budget,
                p.episodes,
                p.recent_return.map(|r| (r * 10.0).round() / 10.0)
            );
        }
    })?;
    let app = trainer.app_mut();
    let tasks = app.world().resource::<SceneInfo>().tasks.len().max(1);
    app.insert_resource(Phase::Eval);
    loop {
        app.update();
        let eval = app.world().resource::<EvalEpisodes>();
        let done = (0..tasks)
            .all(|t| eval.episodes.iter().filter(|e| e.1 == t).count() >= episodes_per_task);
        if done {
            break;
        }
    }
    let mut eval = app.world_mut().resource_mut::<EvalEpisodes>();
    let mut kept = Vec::new();
    for t in 0..tasks {
        kept.extend(
            eval.episodes
                .iter()
                .filter(|e| e.1 == t)
                .take(episodes_per_task)
                .cloned(),
        );
    }
    eval.episodes.clear();
    Ok((summary, kept))
}

/// Prints success and return per task of evaluation episodes.
pub fn print_eval(names: &[String], episodes: &[EvalEpisode]) {
    let tasks = names.len().max(1);
    let mut total_success = 0usize;
    for t in 0..tasks {
        let rows: Vec<_> = episodes.iter().filter(|e| e.1 == t).collect();
        let successes = rows.iter().filter(|e| e.3 == Some(true)).count();
        total_success += successes;
        let mean_return = rows.iter().map(|e| e.2).sum::<f64>() / rows.len().max(1) as f64;
        println!(
            "eval {:<22} success {:>3}/{:<3} = {:.2}  mean return {:.1}",
            names.get(t).map(String::as_str).unwrap_or("task"),
            successes,
            rows.len(),
            successes as f64 / rows.len().max(1) as f64,
            mean_return
        );
    }
    println!(
        "eval overall success {:.3} over {} episodes",
        total_success as f64 / episodes.len().max(1) as f64,
        episodes.len()
    );
}
