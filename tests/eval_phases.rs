//! Evaluation phases on the corridor test scene: training pauses on schedule, every env
//! restarts, the agent acts with its evaluation policy, episodes are spread evenly over the
//! envs and recorded apart, and a run stopped mid-evaluation resumes to the same files.

mod support;

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use arcadia::prelude::*;
use arcadia_engine::run::RunStatus;
use bevy::prelude::*;
use rand::Rng;
use support::{corridor_scene, csv_rows, spec};

/// Random while training, always right (a certain success) while evaluating.
struct PhaseAgent;

impl Plugin for PhaseAgent {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, act.in_set(ArcadiaSet::AgentAct));
    }
}

fn act(phase: Res<Phase>, mut envs: Query<(&mut AgentRng, &mut Action)>) {
    for (mut rng, mut action) in &mut envs {
        let right = phase.is_eval() || rng.random_bool(0.5);
        *action = Action::Discrete(u32::from(right));
    }
}

const ENVS: usize = 3;
const BUDGET: u64 = 2400;

fn schedule() -> EvalSchedule {
    EvalSchedule {
        every: 1000,
        episodes: 10,
        at_end: true,
    }
}

fn trainer(dir: &Path, resume: bool) -> Trainer {
    let mut spec = spec(dir, 5, BUDGET, 600);
    spec.resume = resume;
    Trainer::new(spec, |app| {
        app.add_plugins((corridor_scene(ENVS, 1), PhaseAgent))
            .insert_resource(schedule());
    })
    .expect("trainer builds")
}

#[test]
fn phases_run_on_schedule_and_are_recorded_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = trainer(tmp.path(), false)
        .run(&AtomicBool::new(false), |_| {})
        .unwrap();
    assert_eq!(summary.status, RunStatus::Complete);
    // Evaluation steps do not count toward the budget.
    assert_eq!(summary.env_steps, BUDGET);
    assert_eq!(summary.tasks[0].env_steps, BUDGET);
    // Phases start at the first update reaching each multiple of `every`, and once more at
    // the end of the budget.
    let starts: Vec<u64> = summary.eval.iter().map(|r| r.train_step).collect();
    assert_eq!(starts, [1002, 2001, 2400]);

    let eval = csv_rows(tmp.path(), "eval_episodes.csv");
    assert_eq!(eval.len(), 30);
    for (round, summary_round) in summary.eval.iter().enumerate() {
        let episodes: Vec<_> = eval.iter().filter(|r| r[1] == round.to_string()).collect();
        assert_eq!(summary_round.episodes, 10);
        // 10 episodes over 3 envs: 4, 3, 3, so long episodes count as much as short ones.
        let per_env: Vec<usize> = (0..ENVS)
            .map(|env| episodes.iter().filter(|r| r[2] == env.to_string()).count())
            .collect();
        assert_eq!(per_env, [4, 3, 3]);
        for row in episodes {
            // train_step,round,env,task,episode,return,length,success
            assert_eq!(row[0], summary_round.train_step.to_string());
            // The evaluation policy walks right from a fresh start in cells 0..4.
            let length: u64 = row[6].parse().unwrap();
            assert!(
                (4..=7).contains(&length),
                "evaluation episode of {length} steps"
            );
            assert_eq!(row[7], "true");
        }
        let task = &summary_round.tasks[0];
        assert_eq!(task.success_rate, Some(1.0));
        assert_eq!(
            task.episodes as f64 * task.mean_length.unwrap(),
            summary_round.env_steps as f64
        );
    }
    // Training episodes are the random policy's, never the evaluation's.
    let train = csv_rows(tmp.path(), "episodes.csv");
    assert_eq!(train.len() as u64, summary.tasks[0].episodes);
    let train_success = summary.tasks[0].success_rate.unwrap();
    assert!(train_success < 0.9, "training success {train_success}");
    let lengths: u64 = train.iter().map(|r| r[5].parse::<u64>().unwrap()).sum();
    assert!(lengths <= BUDGET);
}

#[test]
fn a_run_stopped_during_evaluation_resumes_to_the_same_files() {
    let reference = tempfile::tempdir().unwrap();
    trainer(reference.path(), false)
        .run(&AtomicBool::new(false), |_| {})
        .unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let stop = AtomicBool::new(false);
    let mut stopped_during_eval = false;
    let summary = trainer(tmp.path(), false)
        .run(&stop, |p| {
            if p.evaluating && p.env_steps > 1500 && !stop.load(Ordering::Relaxed) {
                stopped_during_eval = true;
                stop.store(true, Ordering::Relaxed);
            }
        })
        .unwrap();
    assert!(stopped_during_eval);
    assert_eq!(summary.status, RunStatus::Interrupted);
    assert_eq!(summary.eval.len(), 1, "the second phase was cut short");
    trainer(tmp.path(), true)
        .run(&AtomicBool::new(false), |_| {})
        .unwrap();
    for file in ["episodes.csv", "eval_episodes.csv", "episode_metrics.csv"] {
        assert_eq!(
            fs::read(tmp.path().join(file)).unwrap(),
            fs::read(reference.path().join(file)).unwrap(),
            "{file}"
        );
    }
    let summary = |dir: &Path| -> serde_json::Value {
        let mut value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("wall_time_s");
        object.remove("steps_per_second");
        value
    };
    assert_eq!(summary(tmp.path()), summary(reference.path()));
}
