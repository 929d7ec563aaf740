//! DQN (and a DER-style variant) on the STEM scene's discrete task: learning against the
//! random agent on the same config, and exact resumption of a stopped run.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use arcadia_agents::random::RandomAgentPlugin;
use arcadia_engine::prelude::*;
use arcadia_nn::q_network::Torso;
use arcadia_stem::config::{ActionKind, ObservationKind, StemConfig};
use arcadia_value_agents::prelude::*;
use bevy::prelude::*;

const ENVS: usize = 8;

/// A short version of the discrete task: goals 1 to 3 hops away, one minute to reach them.
fn stem_config() -> StemConfig {
    StemConfig {
        actions: ActionKind::Discrete,
        observation: ObservationKind::State,
        goal_distance_a: (1.0, 4.0),
        timeout_s: 60.0,
        ..StemConfig::default()
    }
}

/// A small DQN for 10-float states.
fn small_dqn() -> ValueConfig {
    ValueConfig {
        torso: Torso::Mlp {
            hidden: vec![64, 64],
        },
        hidden: None,
        frame_stack: 1,
        gamma: 0.95,
        update_horizon: 3,
        min_replay_history: 500,
        update_period: 2,
        target_update_period: 400,
        epsilon_train: 0.02,
        epsilon_decay_period: 3000,
        learning_rate: 1e-3,
        replay_capacity: 20_000,
        batch_size: 32,
        double_dqn: true,
        reward_clip: None,
        log_every: 50,
        ..ValueConfig::dqn()
    }
}

/// A small DER-like config (noisy, dueling, distributional, prioritized) for the resume test.
fn small_der() -> ValueConfig {
    ValueConfig {
        num_atoms: 11,
        v_max: 1.0,
        noisy: true,
        dueling: true,
        prioritized: true,
        min_replay_history: 200,
        update_period: 1,
        target_update_period: 100,
        max_gradient_norm: Some(10.0),
        ..small_dqn()
    }
}

fn spec(dir: &Path, budget: u64, resume: bool) -> RunSpec {
    RunSpec {
        name: "value-test".into(),
        agent: "dqn".into(),
        seed: 11,
        budget,
        out_dir: dir.to_path_buf(),
        checkpoint_every: 0,
        resume,
        config_text: "value-test".into(),
    }
}

fn install(app: &mut App, agent: Option<&ValueConfig>) {
    install_scene(app, &stem_config(), agent);
}

fn install_scene(app: &mut App, scene: &StemConfig, agent: Option<&ValueConfig>) {
    let scene = arcadia_stem::plugin(scene, ENVS).expect("stem config is valid");
    app.add_plugins(scene);
    match agent {
        Some(config) => app.add_plugins(plugin(config)),
        None => app.add_plugins(RandomAgentPlugin),
    };
}

/// `(success, env_step)` of every finished episode.
fn episodes(dir: &Path) -> Vec<(bool, u64)> {
    fs::read_to_string(dir.join("episodes.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[6] == "true", f[0].parse().unwrap())
        })
        .collect()
}

fn success_rate(rows: &[(bool, u64)]) -> f64 {
    rows.iter().filter(|r| r.0).count() as f64 / rows.len().max(1) as f64
}

#[test]
fn dqn_learns_the_stem_discrete_task_better_than_random() {
    let budget = 24_000;
    let tmp = tempfile::tempdir().unwrap();
    let random_dir = tmp.path().join("random");
    let mut random = Trainer::new(spec(&random_dir, budget / 4, false), |app| {
        install(app, None)
    })
    .unwrap();
    random.run(&AtomicBool::new(false), |_| {}).unwrap();
    let random_rate = success_rate(&episodes(&random_dir));

    let dqn_dir = tmp.path().join("dqn");
    let config = small_dqn();
    let mut dqn = Trainer::new(spec(&dqn_dir, budget, false), |app| {
        install(app, Some(&config))
    })
    .unwrap();
    dqn.run(&AtomicBool::new(false), |_| {}).unwrap();
    let rows = episodes(&dqn_dir);
    let late: Vec<_> = rows
        .iter()
        .copied()
        .filter(|r| r.1 > budget * 3 / 4)
        .collect();
    let dqn_rate = success_rate(&late);
    let scalars = fs::read_to_string(dqn_dir.join("scalars.csv")).unwrap();
    assert!(scalars.contains("loss"), "the agent logs its loss");
    eprintln!(
        "random: {random_rate:.3} over {} episodes; DQN last quarter: {dqn_rate:.3} over {} episodes",
        episodes(&random_dir).len(),
        late.len()
    );
    assert!(
        late.len() > 50,
        "enough late episodes to judge ({})",
        late.len()
    );
    assert!(
        dqn_rate > random_rate + 0.25,
        "DQN success {dqn_rate:.3} is not clearly above random {random_rate:.3}"
    );
}

/// Trains `budget` steps; with `stop_at`, stops there first and resumes in a fresh Trainer.
fn final_weights(dir: &Path, config: &ValueConfig, budget: u64, stop_at: Option<u64>) -> Vec<f32> {
    if let Some(stop_at) = stop_at {
        let stop = AtomicBool::new(false);
        let mut first =
            Trainer::new(spec(dir, budget, false), |app| install(app, Some(config))).unwrap();
        let summary = first
            .run(&stop, |p| {
                if p.env_steps >= stop_at {
                    stop.store(true, Ordering::Relaxed);
                }
            })
            .unwrap();
        assert!(summary.env_steps < budget, "the first piece stopped early");
        drop(first);
    }
    let mut trainer = Trainer::new(spec(dir, budget, stop_at.is_some()), |app| {
        install(app, Some(config))
    })
    .unwrap();
    let summary = trainer.run(&AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(summary.env_steps, budget);
    let agent = trainer.app_mut().world().resource::<ValueAgent>();
    assert!(agent.learner.state.gradient_updates > 0, "the run learned");
    agent.learner.online_params().flat_values().unwrap()
}

fn check_resume(config: &ValueConfig) {
    let tmp = tempfile::tempdir().unwrap();
    let budget = 1600;
    let straight = final_weights(&tmp.path().join("straight"), config, budget, None);
    let resumed = final_weights(&tmp.path().join("resumed"), config, budget, Some(700));
    assert_eq!(straight.len(), resumed.len());
    let differing = straight
        .iter()
        .zip(&resumed)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differing, 0, "{differing} weights differ after resuming");
    let a = fs::read_to_string(tmp.path().join("straight/episodes.csv")).unwrap();
    let b = fs::read_to_string(tmp.path().join("resumed/episodes.csv")).unwrap();
    assert_eq!(a, b, "episodes are identical");
}

#[test]
fn stopped_and_resumed_dqn_ends_with_the_same_weights() {
    check_resume(&small_dqn());
}

#[test]
fn stopped_and_resumed_der_variant_ends_with_the_same_weights() {
    check_resume(&small_der());
}

#[test]
fn der_variant_learns_the_stem_discrete_task_better_than_random() {
    let budget = 16_000;
    let tmp = tempfile::tempdir().unwrap();
    let random_dir = tmp.path().join("random");
    let mut random = Trainer::new(spec(&random_dir, budget / 4, false), |app| {
        install(app, None)
    })
    .unwrap();
    random.run(&AtomicBool::new(false), |_| {}).unwrap();
    let random_rate = success_rate(&episodes(&random_dir));

    let dir = tmp.path().join("der");
    let config = small_der();
    let mut der =
        Trainer::new(spec(&dir, budget, false), |app| install(app, Some(&config))).unwrap();
    der.run(&AtomicBool::new(false), |_| {}).unwrap();
    let late: Vec<_> = episodes(&dir)
        .into_iter()
        .filter(|r| r.1 > budget * 3 / 4)
        .collect();
    let rate = success_rate(&late);
    eprintln!(
        "random: {random_rate:.3}; DER variant last quarter: {rate:.3} over {} episodes",
        late.len()
    );
    assert!(
        late.len() > 50,
        "enough late episodes to judge ({})",
        late.len()
    );
    assert!(
        rate > random_rate + 0.25,
        "DER success {rate:.3} is not clearly above random {random_rate:.3}"
    );
}

#[test]
fn a_config_that_does_not_fit_the_scene_stops_the_run_with_its_message() {
    let tmp = tempfile::tempdir().unwrap();
    let config = ValueConfig {
        frame_stack: 4,
        ..small_dqn()
    };
    let mut trainer = Trainer::new(spec(tmp.path(), 800, false), |app| {
        install(app, Some(&config))
    })
    .unwrap();
    let err = trainer.run(&AtomicBool::new(false), |_| {}).unwrap_err();
    assert!(err.to_string().contains("frame_stack"), "{err}");
}

#[test]
fn evaluation_phases_act_with_epsilon_eval_and_learn_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let config = small_dqn();
    let budget = 8000;
    let schedule = EvalSchedule {
        every: 2000,
        episodes: 20,
        at_end: true,
    };
    let mut trainer = Trainer::new(spec(tmp.path(), budget, false), |app| {
        install(app, Some(&config));
        app.insert_resource(schedule.clone());
    })
    .unwrap();
    let summary = trainer.run(&AtomicBool::new(false), |_| {}).unwrap();
    let agent = trainer.app_mut().world().resource::<ValueAgent>();
    // Evaluation steps feed neither the budget nor the replay.
    assert_eq!(summary.env_steps, budget);
    assert_eq!(agent.learner.replay.added(), budget);
    let rounds: Vec<u64> = summary.eval.iter().map(|r| r.train_step).collect();
    assert_eq!(rounds, [2000, 4000, 6000, 8000]);
    assert!(summary.eval.iter().all(|r| r.episodes == 20));
    let rows = fs::read_to_string(tmp.path().join("eval_episodes.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 4 * 20);
    let last = &summary.eval[3].tasks[0];
    let rate = last.success_rate.unwrap();
    assert!(rate > 0.6, "final evaluation success {rate:.3}");
}

#[test]
fn image_observations_with_aux_train_through_the_nature_cnn_and_resume_exactly() {
    // 1 x 84 x 84 HAADF frames plus the 2-float goal offset; a small Nature-CNN DER variant.
    let scene = StemConfig {
        observation: ObservationKind::Image,
        image: arcadia_stem::config::ImageConfig {
            resolution: 84,
            ..Default::default()
        },
        ..stem_config()
    };
    let config = ValueConfig {
        torso: Torso::NatureCnn,
        hidden: Some(32),
        frame_stack: 1,
        batch_size: 4,
        min_replay_history: 64,
        update_period: 8,
        augmentation_pad: 4,
        ..small_der()
    };
    let run = |dir: &Path, stop_at: Option<u64>| -> Vec<f32> {
        let budget = 256;
        if let Some(stop_at) = stop_at {
            let stop = AtomicBool::new(false);
            let mut first = Trainer::new(spec(dir, budget, false), |app| {
                install_scene(app, &scene, Some(&config))
            })
            .unwrap();
            first
                .run(&stop, |p| {
                    if p.env_steps >= stop_at {
                        stop.store(true, Ordering::Relaxed);
                    }
                })
                .unwrap();
        }
        let mut trainer = Trainer::new(spec(dir, budget, stop_at.is_some()), |app| {
            install_scene(app, &scene, Some(&config))
        })
        .unwrap();
        trainer.run(&AtomicBool::new(false), |_| {}).unwrap();
        let agent = trainer.app_mut().world().resource::<ValueAgent>();
        assert!(agent.learner.layout.pixels && agent.learner.layout.aux == 2);
        assert!(agent.learner.state.gradient_updates > 0);
        agent.learner.online_params().flat_values().unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let straight = run(&tmp.path().join("a"), None);
    let resumed = run(&tmp.path().join("b"), Some(128));
    assert!(straight == resumed, "weights differ after resuming");
}
