//! In an evaluation phase the agents act with their evaluation policy and neither store
//! transitions nor learn; back in training they go on learning.

use std::sync::atomic::AtomicBool;

use arcadia_actor_critic::prelude::*;
use arcadia_engine::prelude::*;
use arcadia_stem::config::{ActionKind, StemConfig};

fn trainer(dir: &std::path::Path, agent: &ActorCriticConfig, budget: u64) -> Trainer {
    let spec = RunSpec {
        name: "ac-eval".into(),
        agent: agent.name().into(),
        seed: 5,
        budget,
        out_dir: dir.to_path_buf(),
        checkpoint_every: 0,
        resume: false,
        config_text: "ac-eval".into(),
    };
    let scene = StemConfig {
        actions: ActionKind::Continuous,
        ..StemConfig::default()
    };
    let mut t = Trainer::new(spec, |app| {
        app.add_plugins(arcadia_stem::plugin(&scene, 4).expect("valid STEM config"));
        agent.add_to(app);
    })
    .unwrap();
    t.run(&AtomicBool::new(false), |_| {}).unwrap();
    t
}

fn sac_counts(t: &mut Trainer) -> (usize, u64) {
    let a = t.app_mut().world().resource::<SacAgent>();
    (a.learner.replay.len(), a.learner.state.gradient_updates)
}

#[test]
fn sac_stores_and_learns_nothing_while_evaluating_and_acts_with_the_mean() {
    let config = SacConfig {
        actor_hidden: vec![16],
        critic_hidden: vec![16],
        batch_size: 16,
        replay_capacity: 10_000,
        learning_starts: 64,
        ..SacConfig::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut t = trainer(tmp.path(), &ActorCriticConfig::Sac(config), 200);
    let before = sac_counts(&mut t);
    assert!(before.1 > 0, "it learned while training");
    let app = t.app_mut();
    app.insert_resource(Phase::Eval);
    for _ in 0..20 {
        app.update();
    }
    assert_eq!(
        sac_counts(&mut t),
        before,
        "nothing stored or learned in Eval"
    );
    // Evaluation actions are the tanh of the mean: the learner's deterministic action.
    let app = t.app_mut();
    let world = app.world_mut();
    let order = world.resource::<EnvOrder>().0.clone();
    let mut obs = Vec::new();
    let mut acts = Vec::new();
    for e in &order {
        obs.extend_from_slice(world.get::<Observation>(*e).unwrap().as_f32().unwrap());
        if let Action::Continuous(a) = world.get::<Action>(*e).unwrap() {
            acts.extend_from_slice(a);
        }
    }
    let agent = world.resource::<SacAgent>();
    let expected = agent.learner.act(&obs, &[0; 4], None).unwrap();
    assert_eq!(acts, expected);
    // Back in training: it stores and learns again (after the step across the switch).
    t.app_mut().insert_resource(Phase::Train);
    for _ in 0..5 {
        t.app_mut().update();
    }
    let after = sac_counts(&mut t);
    assert!(after.0 > before.0 && after.1 > before.1);
}

#[test]
fn ppo_rollout_does_not_grow_while_evaluating() {
    let config = PpoConfig {
        hidden: vec![16],
        rollout_steps: 1000,
        ..PpoConfig::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut t = trainer(tmp.path(), &ActorCriticConfig::Ppo(config), 200);
    let len = |t: &mut Trainer| {
        t.app_mut()
            .world()
            .resource::<PpoAgent>()
            .learner
            .state
            .rollout
            .len()
    };
    let before = len(&mut t);
    assert!(before > 0);
    t.app_mut().insert_resource(Phase::Eval);
    for _ in 0..20 {
        t.app_mut().update();
    }
    assert_eq!(len(&mut t), before);
    let agent = t.app_mut().world().resource::<PpoAgent>();
    let last = agent.learner.state.rollout.last().unwrap();
    assert!(
        last.dones.iter().all(|d| *d),
        "the rollout's episodes end at the switch"
    );
}
