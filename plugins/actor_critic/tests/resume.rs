//! A run stopped part-way and resumed from its checkpoint ends with the same weights and the
//! same episodes as an uninterrupted run (SAC, MT-SAC with task heads, PPO), on the STEM
//! scene's continuous task with tiny networks.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use arcadia_actor_critic::prelude::*;
use arcadia_engine::prelude::*;
use arcadia_stem::config::{ActionKind, StemConfig};
use bevy::prelude::App;

const ENVS: usize = 4;

fn spec(dir: &Path, budget: u64, resume: bool) -> RunSpec {
    RunSpec {
        name: "ac-resume".into(),
        agent: "ac".into(),
        seed: 3,
        budget,
        out_dir: dir.to_path_buf(),
        checkpoint_every: 0,
        resume,
        config_text: "ac-resume".into(),
    }
}

fn install(app: &mut App, agent: &ActorCriticConfig, actions: ActionKind) {
    let scene = StemConfig {
        actions,
        ..StemConfig::default()
    };
    app.add_plugins(arcadia_stem::plugin(&scene, ENVS).expect("valid STEM config"));
    agent.add_to(app);
}

fn weights(trainer: &mut Trainer) -> Vec<f32> {
    let world = trainer.app_mut().world();
    if let Some(agent) = world.get_resource::<SacAgent>() {
        assert!(agent.learner.state.gradient_updates > 0, "the run learned");
        let mut w = agent.learner.actor_params().flat_values().unwrap();
        w.extend(agent.learner.critic_params().flat_values().unwrap());
        w.extend(agent.learner.temperatures().unwrap());
        return w;
    }
    let agent = world.resource::<PpoAgent>();
    assert!(agent.learner.state.rollouts > 0, "the run learned");
    agent.learner.params().flat_values().unwrap()
}

fn final_weights(
    dir: &Path,
    agent: &ActorCriticConfig,
    actions: ActionKind,
    budget: u64,
    stop_at: Option<u64>,
) -> Vec<f32> {
    if let Some(stop_at) = stop_at {
        let stop = AtomicBool::new(false);
        let mut first =
            Trainer::new(spec(dir, budget, false), |app| install(app, agent, actions)).unwrap();
        let summary = first
            .run(&stop, |p| {
                if p.env_steps >= stop_at {
                    stop.store(true, Ordering::Relaxed);
                }
            })
            .unwrap();
        assert!(summary.env_steps < budget, "the first piece stopped early");
    }
    let mut trainer = Trainer::new(spec(dir, budget, stop_at.is_some()), |app| {
        install(app, agent, actions)
    })
    .unwrap();
    let summary = trainer.run(&AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(summary.env_steps, budget);
    weights(&mut trainer)
}

fn check_resume(agent: &ActorCriticConfig, actions: ActionKind, budget: u64, stop_at: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let straight = final_weights(&tmp.path().join("straight"), agent, actions, budget, None);
    let resumed = final_weights(
        &tmp.path().join("resumed"),
        agent,
        actions,
        budget,
        Some(stop_at),
    );
    assert_eq!(straight.len(), resumed.len());
    let differing = straight
        .iter()
        .zip(&resumed)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differing, 0, "{differing} weights differ after resuming");
    let a = std::fs::read_to_string(tmp.path().join("straight/episodes.csv")).unwrap();
    let b = std::fs::read_to_string(tmp.path().join("resumed/episodes.csv")).unwrap();
    assert_eq!(a, b, "episodes are identical");
}

fn tiny_sac() -> SacConfig {
    SacConfig {
        actor_hidden: vec![16, 16],
        critic_hidden: vec![16, 16],
        batch_size: 16,
        replay_capacity: 10_000,
        learning_starts: 64,
        log_every: 10,
        ..SacConfig::default()
    }
}

#[test]
fn stopped_and_resumed_sac_ends_with_the_same_weights() {
    check_resume(
        &ActorCriticConfig::Sac(tiny_sac()),
        ActionKind::Continuous,
        400,
        200,
    );
}

#[test]
fn stopped_and_resumed_mt_sac_ends_with_the_same_weights() {
    let config = MtSacConfig {
        actor_width: 16,
        actor_depth: 1,
        critic_width: 16,
        critic_depth: 2,
        batch_size: 16,
        replay_capacity: 10_000,
        learning_starts: 64,
        dormant_every: 20,
        log_every: 10,
        ..MtSacConfig::default()
    };
    check_resume(
        &ActorCriticConfig::MtSac(config),
        ActionKind::Continuous,
        400,
        200,
    );
}

#[test]
fn stopped_and_resumed_ppo_ends_with_the_same_weights_in_both_action_kinds() {
    for (actions, shared) in [
        (ActionKind::Continuous, false),
        (ActionKind::Discrete, true),
    ] {
        let config = PpoConfig {
            hidden: vec![16],
            shared_encoder: shared,
            rollout_steps: 24,
            epochs: 2,
            minibatches: 4,
            lr_anneal_steps: 2000,
            ..PpoConfig::default()
        };
        // The first piece stops at 256 env steps (64 updates), mid-way through the third rollout
        // of 24 updates, so the partial rollout is restored.
        check_resume(&ActorCriticConfig::Ppo(config), actions, 480, 230);
    }
}
