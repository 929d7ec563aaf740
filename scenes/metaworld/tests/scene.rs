//! The Bevy scene end to end: random actions through `EnvPlugin`, and the scripted agent
//! through the engine's `Trainer`, which writes per-task success rates to `summary.json`.

use std::sync::atomic::AtomicBool;

use arcadia_engine::prelude::*;
use arcadia_metaworld::{MetaWorldConfig, plugin};
use bevy::prelude::*;

fn random_actions(info: Res<SceneInfo>, mut envs: Query<(&mut AgentRng, &mut Action)>) {
    for (mut rng, mut action) in &mut envs {
        *action = info.action_space.sample(&mut *rng);
    }
}

#[test]
fn mt10_scene_runs_random_actions_through_bevy() {
    let config = MetaWorldConfig {
        max_episode_steps: 100,
        ..Default::default()
    };
    let mut app = headless_app(7);
    app.add_plugins(plugin(&config, 10))
        .add_systems(Update, random_actions.in_set(ArcadiaSet::AgentAct));
    app.finish();
    app.cleanup();
    {
        let info = app.world().resource::<SceneInfo>();
        assert_eq!(info.num_envs, 10);
        assert_eq!(info.tasks.len(), 10);
        assert_eq!(info.tasks[2], "pick-place");
        assert_eq!(info.observation_space.flat_dim(), 39);
        assert_eq!(info.action_space.flat_dim(), 4);
    }
    // One env per task, tagged with its task id.
    let mut ids: Vec<usize> = app
        .world_mut()
        .query::<&TaskId>()
        .iter(app.world())
        .map(|t| t.0)
        .collect();
    ids.sort();
    assert_eq!(ids, (0..10).collect::<Vec<_>>());
    for _ in 0..301 {
        app.update();
        let errors = app.world().resource::<StepErrors>().take();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let stats = app.world().resource::<RunStats>();
    assert_eq!(stats.env_steps, 3000);
    assert_eq!(stats.episodes, 30, "three 100-step episodes per env");
    assert_eq!(stats.tasks.len(), 10);
    assert!(
        stats
            .tasks
            .iter()
            .all(|t| t.success_defined && t.episodes == 3)
    );
}

#[test]
fn scripted_agent_writes_per_task_success_rates() {
    let dir =
        std::env::temp_dir().join(format!("arcadia-metaworld-scripted-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = MetaWorldConfig::default();
    let spec = RunSpec {
        name: "mt10-scripted".into(),
        agent: "scripted".into(),
        seed: 3,
        budget: 10 * 500 * 2,
        out_dir: dir.clone(),
        checkpoint_every: 0,
        resume: false,
        config_text: "test".into(),
    };
    let mut trainer = Trainer::new(spec, |app| {
        app.add_plugins(plugin(&config, 10));
        app.insert_resource(ScriptedControl);
    })
    .expect("trainer");
    let summary = trainer.run(&AtomicBool::new(false), |_| {}).expect("run");
    assert_eq!(summary.tasks.len(), 10);
    let mut successes = 0.0;
    for task in &summary.tasks {
        assert_eq!(task.episodes, 2, "{}", task.task);
        successes += task.success_rate.expect("success is defined") * 2.0;
    }
    assert!(
        successes >= 18.0,
        "{successes} of 20 scripted episodes succeeded"
    );
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    assert!(text.contains("\"success_rate\""), "{text}");
    assert!(text.contains("peg-insert-side"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_to(dir: &std::path::Path, budget: u64, resume: bool, checkpoint_every: u64) -> Summary {
    let config = MetaWorldConfig {
        max_episode_steps: 100,
        ..Default::default()
    };
    let spec = RunSpec {
        name: "mt10-resume".into(),
        agent: "scripted".into(),
        seed: 5,
        budget,
        out_dir: dir.to_path_buf(),
        checkpoint_every,
        resume,
        config_text: "resume-test".into(),
    };
    let mut trainer = Trainer::new(spec, |app| {
        app.add_plugins(plugin(&config, 10));
        app.insert_resource(ScriptedControl);
    })
    .expect("trainer");
    trainer.run(&AtomicBool::new(false), |_| {}).expect("run")
}

#[test]
fn a_resumed_run_writes_the_same_episodes_as_a_straight_one() {
    let base =
        std::env::temp_dir().join(format!("arcadia-metaworld-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let straight = base.join("straight");
    let pieces = base.join("pieces");
    run_to(&straight, 4000, false, 0);
    // Stop mid-episode (checkpoint at 1500 env steps), then resume to the same budget.
    run_to(&pieces, 1500, false, 1000);
    run_to(&pieces, 4000, true, 1000);
    let a = std::fs::read_to_string(straight.join("episodes.csv")).unwrap();
    let b = std::fs::read_to_string(pieces.join("episodes.csv")).unwrap();
    assert_eq!(a.lines().count(), 1 + 40, "40 episodes of 100 steps");
    assert_eq!(a, b);
    let _ = std::fs::remove_dir_all(&base);
}
