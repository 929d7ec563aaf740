//! The engine contract on a tiny test scene: auto-reset, episode bookkeeping, determinism,
//! checkpoints and resume after `kill -9` and after Ctrl-C.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use arcadia::prelude::*;
use arcadia_engine::run::RunStatus;
use bevy::prelude::*;
use support::{Corridor, corridor_scene, csv_rows, spec};

fn train(dir: &Path, seed: u64, budget: u64, envs: usize, tasks: usize) -> Summary {
    let mut trainer = Trainer::new(spec(dir, seed, budget, budget / 4), |app| {
        app.add_plugins((corridor_scene(envs, tasks), RandomAgentPlugin));
    })
    .expect("trainer builds");
    trainer
        .run(&AtomicBool::new(false), |_| {})
        .expect("run completes")
}

fn episodes(dir: &Path) -> Vec<Vec<String>> {
    csv_rows(dir, "episodes.csv")
}

#[test]
fn finished_episodes_reset_and_are_booked_once() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = train(tmp.path(), 3, 4000, 8, 2);
    assert_eq!(summary.status, RunStatus::Complete);
    assert_eq!(summary.env_steps, 4000);
    let rows = episodes(tmp.path());
    assert!(
        rows.len() > 100,
        "expected many episodes, got {}",
        rows.len()
    );
    let mut per_env_steps = [0u64; 8];
    for (i, row) in rows.iter().enumerate() {
        // env_step,env,task,episode,return,length,success
        assert_eq!(
            row[3],
            i.to_string(),
            "episode numbers count up without gaps"
        );
        let length: u64 = row[5].parse().unwrap();
        assert!(
            (1..=20).contains(&length),
            "corridor episodes last 1..=20 steps"
        );
        let env: usize = row[1].parse().unwrap();
        assert_eq!(
            row[2],
            format!("corridor-{}", env % 2),
            "task name follows the env"
        );
        let ret: f64 = row[4].parse().unwrap();
        let success = row[6] == "true";
        let expected = if success {
            1.0 - 0.01 * (length - 1) as f64
        } else {
            -0.01 * length as f64
        };
        assert!(
            (ret - expected).abs() < 1e-4,
            "return {ret} for length {length}"
        );
        per_env_steps[env] += length;
    }
    // Every env's finished episodes fit in its 500 steps; at most one episode is unfinished.
    for steps in per_env_steps {
        assert!(
            steps <= 500 && steps + 20 > 500,
            "env booked {steps} of 500 steps"
        );
    }
    let booked: u64 = summary.tasks.iter().map(|t| t.episodes).sum();
    assert_eq!(booked as usize, rows.len());
    assert_eq!(summary.tasks.len(), 2);
    assert_eq!(
        summary.tasks[0].env_steps + summary.tasks[1].env_steps,
        4000
    );
    assert!(summary.tasks.iter().all(|t| t.success_rate.is_some()));
    // Scene metrics: one row per episode; the summary's mean and median agree with them.
    let metrics = fs::read_to_string(tmp.path().join("episode_metrics.csv")).unwrap();
    let values: Vec<f64> = metrics
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(values.len(), rows.len());
    let task_metrics: Vec<_> = summary.tasks.iter().map(|t| &t.metrics[0]).collect();
    assert!(task_metrics.iter().all(|m| m.name == "final_position"));
    let total: u64 = task_metrics.iter().map(|m| m.episodes).sum();
    assert_eq!(total as usize, values.len());
    let weighted: f64 = task_metrics
        .iter()
        .map(|m| m.mean * m.episodes as f64)
        .sum();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!((weighted / values.len() as f64 - mean).abs() < 1e-9);
    assert!(task_metrics.iter().all(|m| (0.0..=7.0).contains(&m.median)));
}

#[test]
fn auto_reset_keeps_the_final_observation() {
    let mut app = headless_app(1);
    app.add_plugins((corridor_scene(4, 1), ScriptedAgentPlugin));
    app.finish();
    app.cleanup();
    let mut saw_end = false;
    for _ in 0..30 {
        app.update();
        let mut q = app.world_mut().query::<(
            &Terminated,
            &Stepped,
            &Observation,
            &FinalObservation,
            &EnvInstance<Corridor>,
        )>();
        for (term, stepped, obs, last, env) in q.iter(app.world()) {
            if stepped.0 && term.0 {
                saw_end = true;
                let last = last.0.as_f32().unwrap();
                assert!(
                    (last[0] - 7.0 / 8.0).abs() < 1e-6,
                    "final obs is at the goal"
                );
                assert_eq!(env.0.t, 0, "env was reset");
                assert_eq!(
                    obs.as_f32().unwrap()[1],
                    0.0,
                    "observation is the new episode's"
                );
            }
        }
    }
    assert!(
        saw_end,
        "the scripted policy reaches the goal within 30 steps"
    );
}

use arcadia_engine::scene::EnvInstance;

#[test]
fn same_seed_gives_byte_identical_metrics() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    train(a.path(), 11, 3000, 5, 1);
    train(b.path(), 11, 3000, 5, 1);
    train(c.path(), 12, 3000, 5, 1);
    let read = |d: &Path| fs::read(d.join("episodes.csv")).unwrap();
    assert_eq!(read(a.path()), read(b.path()));
    assert_ne!(
        read(a.path()),
        read(c.path()),
        "another seed gives other episodes"
    );
}

#[test]
fn invalid_action_stops_the_run_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut trainer = Trainer::new(spec(tmp.path(), 0, 100, 0), |app| {
        app.add_plugins(corridor_scene(2, 1)).add_systems(
            Update,
            (|mut q: Query<&mut Action>| {
                for mut a in &mut q {
                    *a = Action::Discrete(7);
                }
            })
            .in_set(ArcadiaSet::AgentAct),
        );
    })
    .unwrap();
    let error = trainer.run(&AtomicBool::new(false), |_| {}).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("env 0") && text.contains("outside 0..2"),
        "{text}"
    );
}

#[test]
fn an_existing_run_is_not_overwritten_and_resume_needs_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    train(tmp.path(), 0, 200, 2, 1);
    let again = Trainer::new(spec(tmp.path(), 0, 200, 0), |app| {
        app.add_plugins(corridor_scene(2, 1));
    });
    assert!(matches!(again, Err(RunError::Exists(_))));
    let empty = tempfile::tempdir().unwrap();
    let mut resume = spec(empty.path(), 0, 200, 0);
    resume.resume = true;
    let result = Trainer::new(resume, |app| {
        app.add_plugins(corridor_scene(2, 1));
    });
    assert!(matches!(result, Err(RunError::NothingToResume(..))));
}

use arcadia_engine::run::RunError;

/// Child side of the kill tests: a long run, started by the parent test through this test
/// binary, in the directory named by `ARCADIA_CHILD_DIR`.
#[test]
fn child_long_run() {
    let Ok(dir) = std::env::var("ARCADIA_CHILD_DIR") else {
        return; // only runs as a child process
    };
    let dir = Path::new(&dir);
    let resume = dir.join("config.ron").exists();
    let mut s = spec(dir, 5, LONG_BUDGET, 20_000);
    s.resume = resume;
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst)).unwrap();
    let mut trainer = Trainer::new(s, |app| {
        app.add_plugins((corridor_scene(8, 2), RandomAgentPlugin));
    })
    .unwrap();
    trainer.run(&stop, |_| {}).unwrap();
}

const LONG_BUDGET: u64 = 1_000_000;

fn spawn_child(dir: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_long_run",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ARCADIA_CHILD_DIR", dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the child has written a checkpoint and more episodes after it.
fn wait_for_checkpoint(dir: &Path, child: &mut std::process::Child) {
    let start = Instant::now();
    loop {
        let latest = dir.join("checkpoints/LATEST");
        if latest.exists() && fs::metadata(dir.join("episodes.csv")).map_or(0, |m| m.len()) > 0 {
            std::thread::sleep(Duration::from_millis(30));
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "child ended before a checkpoint"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint after 120 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn reference_run() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spec(tmp.path(), 5, LONG_BUDGET, 20_000);
    s.resume = false;
    let mut trainer = Trainer::new(s, |app| {
        app.add_plugins((corridor_scene(8, 2), RandomAgentPlugin));
    })
    .unwrap();
    trainer.run(&AtomicBool::new(false), |_| {}).unwrap();
    fs::read(tmp.path().join("episodes.csv")).unwrap()
}

#[test]
fn resume_after_kill_9_loses_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut child = spawn_child(dir);
    wait_for_checkpoint(dir, &mut child);
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed mid-run");
    let summary_missing = !dir.join("summary.json").exists();
    assert!(summary_missing, "a killed run has no summary");
    let mut child = spawn_child(dir); // resumes: config.ron exists
    assert!(child.wait().unwrap().success());
    let resumed = fs::read(dir.join("episodes.csv")).unwrap();
    assert_eq!(
        resumed,
        reference_run(),
        "resumed metrics equal an uninterrupted run's"
    );
}

#[test]
fn ctrl_c_stops_cleanly_and_resume_finishes_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut child = spawn_child(dir);
    wait_for_checkpoint(dir, &mut child);
    let pid = child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(
        child.wait().unwrap().success(),
        "Ctrl-C ends the run without error"
    );
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["status"], "interrupted");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "interrupted");
    assert!(summary["env_steps"].as_u64().unwrap() < LONG_BUDGET);
    let mut child = spawn_child(dir);
    assert!(child.wait().unwrap().success());
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "complete");
    assert_eq!(
        fs::read(dir.join("episodes.csv")).unwrap(),
        reference_run(),
        "interrupted + resumed equals uninterrupted"
    );
}
