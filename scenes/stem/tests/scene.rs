//! The scene end to end through Bevy: the plugin's envs stepped by the engine with random
//! actions (set in `ArcadiaSet::AgentAct`), and with the scripted greedy controller.

use arcadia_engine::prelude::*;
use arcadia_stem::prelude::*;
use bevy::prelude::*;

fn random_actions(mut envs: Query<(&mut Action, &mut AgentRng)>, info: Res<SceneInfo>) {
    for (mut action, mut rng) in &mut envs {
        *action = info.action_space.sample(&mut *rng);
    }
}

#[derive(Resource, Default)]
struct Ends(Vec<EpisodeEnd>);

fn collect(mut reader: MessageReader<EpisodeEnd>, mut ends: ResMut<Ends>) {
    ends.0.extend(reader.read().cloned());
}

fn run(config: &StemConfig, scripted: bool, updates: usize) -> (Vec<EpisodeEnd>, u64) {
    let mut app = headless_app(3);
    app.add_plugins(plugin(config, 4).unwrap())
        .init_resource::<Ends>();
    if scripted {
        app.insert_resource(ScriptedControl);
    } else {
        app.add_systems(Update, random_actions.in_set(ArcadiaSet::AgentAct));
    }
    app.add_systems(Update, collect.in_set(ArcadiaSet::AgentObserve));
    for _ in 0..updates {
        app.update();
        let errors = app.world().resource::<StepErrors>().take();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let steps = app.world().resource::<RunStats>().env_steps;
    (
        std::mem::take(&mut app.world_mut().resource_mut::<Ends>().0),
        steps,
    )
}

#[test]
fn random_agent_runs_hundreds_of_steps_through_bevy() {
    let (ends, steps) = run(&StemConfig::default(), false, 300);
    assert!(steps >= 4 * 298, "{steps} env steps");
    // Random beams reach some goals and time out on others.
    assert!(!ends.is_empty());
    assert!(ends.iter().all(|e| e.success.is_some()));
}

#[test]
fn greedy_controller_reaches_goals_through_bevy() {
    let (ends, _) = run(&StemConfig::default(), true, 200);
    let successes = ends.iter().filter(|e| e.success == Some(true)).count();
    assert!(successes >= 8, "{successes} of {} episodes", ends.len());
    assert!(
        ends.iter()
            .filter(|e| e.success == Some(true))
            .all(|e| e.episode_return > 0.0)
    );
}

#[test]
fn image_and_discrete_variants_run_through_bevy() {
    let config = StemConfig {
        observation: ObservationKind::Image,
        actions: ActionKind::Discrete,
        ..Default::default()
    };
    let mut app = headless_app(5);
    app.add_plugins(plugin(&config, 2).unwrap());
    app.add_systems(Update, random_actions.in_set(ArcadiaSet::AgentAct));
    for _ in 0..30 {
        app.update();
    }
    assert!(app.world().resource::<StepErrors>().take().is_empty());
    let info = app.world().resource::<SceneInfo>().clone();
    assert_eq!(info.action_space, Space::Discrete { n: 12 });
    let mut q = app.world_mut().query::<&Observation>();
    for obs in q.iter(app.world()) {
        assert_eq!(obs.shape, vec![1, 128, 128]);
        assert_eq!(obs.aux.len(), 2);
    }
}

#[test]
fn bad_configs_are_errors_from_the_plugin() {
    let bad = StemConfig {
        rate_model: RateModelConfig::Learned {
            path: "/nonexistent/weights.safetensors".into(),
        },
        ..Default::default()
    };
    let err = plugin(&bad, 1)
        .err()
        .expect("missing weights must be an error");
    assert!(
        err.to_string().contains("/nonexistent/weights.safetensors"),
        "{err}"
    );
    let bad = StemConfig {
        fov_width_a: (0.0, 0.0),
        ..Default::default()
    };
    assert!(plugin(&bad, 1).is_err());
}

#[test]
fn envs_survive_a_checkpoint_round_trip_for_every_rate_model() {
    use arcadia_engine::checkpoint::{load_value, save_value};
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("rates.safetensors");
    let mut seed_rng = AgentRng(stream(1, StreamKind::Learner, 0));
    std::fs::write(
        &weights,
        LearnedRates::random(&[8], &mut seed_rng)
            .to_bytes()
            .unwrap(),
    )
    .unwrap();
    let models = [
        RateModelConfig::Canonical,
        RateModelConfig::HumanPrior,
        RateModelConfig::GaussianMixture,
        RateModelConfig::Learned {
            path: weights.to_string_lossy().into_owned(),
        },
    ];
    for (i, rate_model) in models.into_iter().enumerate() {
        let config = StemConfig {
            rate_model,
            observation: ObservationKind::Image,
            image: ImageConfig {
                resolution: 32,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut env = StemEnv::new(&config).unwrap();
        let mut rng = EnvRng(stream(2, StreamKind::Env, 0));
        let mut obs = Observation::zeros(&env.observation_space());
        env.reset(&mut rng, &mut obs);
        for _ in 0..5 {
            let a = env.greedy_action();
            env.step(&a, &mut rng, &mut obs).unwrap();
        }
        let path = dir.path().join(format!("env{i}.bin"));
        save_value(&path, &(&env, &rng)).unwrap();
        let (mut back, mut rng2): (StemEnv, EnvRng) = load_value(&path).unwrap();
        let mut obs2 = obs.clone();
        for _ in 0..30 {
            let a = env.greedy_action();
            assert_eq!(a, back.greedy_action());
            let x = env.step(&a, &mut rng, &mut obs).unwrap();
            let y = back.step(&a, &mut rng2, &mut obs2).unwrap();
            assert_eq!(x, y);
            assert_eq!(obs, obs2);
            if x.terminated || x.truncated {
                env.reset(&mut rng, &mut obs);
                back.reset(&mut rng2, &mut obs2);
            }
        }
    }
}
