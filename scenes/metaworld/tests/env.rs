//! The environment contract: observation layout, action handling, determinism, serde.

use arcadia_engine::prelude::*;
use arcadia_metaworld::env::{HAND_SPACE_HIGH, OBS_DIM};
use arcadia_metaworld::{MT10, MetaWorldConfig, MetaWorldEnv, Task};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn env_rng(seed: u64) -> EnvRng {
    EnvRng(stream(seed, StreamKind::Env, 0))
}

#[test]
fn observation_layout_matches_meta_world() {
    let config = MetaWorldConfig::default();
    for (i, task) in MT10.into_iter().enumerate() {
        let mut env = MetaWorldEnv::new(task, i, &config);
        let mut obs = Observation::zeros(&env.observation_space());
        let mut rng = env_rng(1);
        env.reset(&mut rng, &mut obs);
        let o = obs.as_f32().unwrap().to_vec();
        assert_eq!(o.len(), OBS_DIM);
        // At reset the previous frame equals the current one.
        assert_eq!(o[..18], o[18..36], "{task:?}");
        // Hand at its initial position (within the settling tolerance), gripper open.
        let hand_init = task.hand_init();
        for k in 0..3 {
            assert!(
                (o[k] - hand_init[k]).abs() < 0.02,
                "{task:?} hand {:?}",
                &o[..3]
            );
        }
        assert!(o[3] > 0.9 && o[3] <= 1.0, "{task:?} opening {}", o[3]);
        // The second object slot is zero padded in MT10; the goal is visible.
        assert!(o[11..18].iter().all(|&v| v == 0.0), "{task:?}");
        assert_eq!(o[36..39], env.episode().target, "{task:?}");
        // After a step, the previous half holds the old current half.
        let before = o[..18].to_vec();
        let action = Action::Continuous(vec![1.0, 0.0, 0.0, -1.0]);
        env.step(&action, &mut rng, &mut obs).unwrap();
        let o2 = obs.as_f32().unwrap();
        assert_eq!(o2[18..36], before[..], "{task:?}");
        assert!(
            o2[0] > before[0],
            "{task:?}: +x action moves the hand in +x"
        );
    }
}

#[test]
fn object_slot_shows_the_object() {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(Task::PickPlace, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    env.reset_to(3, &mut obs);
    let init = env.episode().obj_init;
    assert!((obs[4] - init[0]).abs() < 1e-3 && (obs[5] - init[1]).abs() < 1e-3);
    assert!(
        (obs[6] - 0.02).abs() < 2e-3,
        "puck centre rests 2 cm above the table"
    );
    // An upright puck: identity quaternion in (x, y, z, w) order.
    assert!((obs[10] - 1.0).abs() < 1e-2, "{:?}", &obs[7..11]);
}

#[test]
fn partially_observable_hides_the_goal() {
    let config = MetaWorldConfig {
        partially_observable: true,
        ..Default::default()
    };
    let mut env = MetaWorldEnv::new(Task::Reach, 0, &config);
    let mut obs = vec![1.0; OBS_DIM];
    env.reset_to(0, &mut obs);
    assert_eq!(obs[36..39], [0.0; 3]);
}

#[test]
fn nan_and_malformed_actions_are_errors() {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(Task::Push, 0, &config);
    let mut rng = env_rng(2);
    let mut obs = Observation::zeros(&env.observation_space());
    env.reset(&mut rng, &mut obs);
    let nan = Action::Continuous(vec![0.0, f32::NAN, 0.0, 0.0]);
    let err = env.step(&nan, &mut rng, &mut obs).unwrap_err();
    assert!(matches!(
        err,
        EnvError::InvalidAction(ActionError::NotFinite { index: 1, .. })
    ));
    assert!(err.to_string().contains("not finite"), "{err}");
    let short = Action::Continuous(vec![0.0; 3]);
    assert!(matches!(
        env.step(&short, &mut rng, &mut obs),
        Err(EnvError::InvalidAction(ActionError::WrongLength {
            expected: 4,
            found: 3
        }))
    ));
    assert!(matches!(
        env.step(&Action::Discrete(1), &mut rng, &mut obs),
        Err(EnvError::InvalidAction(ActionError::WrongKind { .. }))
    ));
    assert!(env.step(&Action::Unset, &mut rng, &mut obs).is_err());
}

#[test]
fn out_of_range_actions_are_clipped() {
    let config = MetaWorldConfig::default();
    let run = |scale: f32| {
        let mut env = MetaWorldEnv::new(Task::Reach, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        env.reset_to(0, &mut obs);
        for _ in 0..10 {
            env.step_raw(&[scale, -scale, 0.0, scale], &mut obs)
                .unwrap();
        }
        (obs.clone(), env.sim().mocap)
    };
    let (a, mocap_a) = run(1.0);
    let (b, mocap_b) = run(50.0);
    assert_eq!(a, b);
    assert_eq!(mocap_a, mocap_b);
    // 10 steps of +1 move the mocap 10 cm.
    assert!((mocap_a[0] - (Task::Reach.hand_init()[0] + 0.1)).abs() < 1e-5);
}

#[test]
fn mocap_is_clipped_to_the_hand_bounds() {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(Task::Reach, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    env.reset_to(0, &mut obs);
    for _ in 0..200 {
        env.step_raw(&[0.0, 0.0, 1.0, 0.0], &mut obs).unwrap();
    }
    assert_eq!(env.sim().mocap[2], 0.5);
    assert!(obs[2] <= HAND_SPACE_HIGH[2]);
}

#[test]
fn episodes_truncate_after_500_steps_and_never_terminate() {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(Task::WindowClose, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    env.reset_to(0, &mut obs);
    for t in 1..=500 {
        let outcome = env.step_raw(&[0.3, -0.2, 0.1, 0.5], &mut obs).unwrap();
        assert!(!outcome.terminated);
        assert_eq!(outcome.truncated, t == 500, "step {t}");
    }
}

fn rollout(task: Task, seed: u64) -> Vec<f32> {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(task, 0, &config);
    let mut rng = env_rng(seed);
    let mut obs = Observation::zeros(&env.observation_space());
    env.reset(&mut rng, &mut obs);
    let space = env.action_space();
    let mut agent = ChaCha8Rng::seed_from_u64(seed);
    let mut trace = Vec::new();
    for _ in 0..150 {
        let action = space.sample(&mut agent);
        let outcome = env.step(&action, &mut rng, &mut obs).unwrap();
        trace.extend_from_slice(obs.as_f32().unwrap());
        trace.push(outcome.reward);
    }
    trace
}

#[test]
fn episodes_are_deterministic_for_a_seed() {
    for task in [Task::PickPlace, Task::DoorOpen, Task::PegInsertSide] {
        let a = rollout(task, 11);
        let b = rollout(task, 11);
        assert_eq!(a, b, "{task:?}");
        assert_ne!(a, rollout(task, 12), "{task:?}");
    }
}

#[test]
fn a_serialized_env_continues_identically() {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(Task::PickPlace, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    env.reset_to(7, &mut obs);
    for _ in 0..60 {
        let a = env.scripted(&obs);
        env.step_raw(&a, &mut obs).unwrap();
    }
    // Through the engine's checkpoint format (postcard), as a checkpoint stores it.
    let path =
        std::env::temp_dir().join(format!("arcadia-metaworld-env-{}.bin", std::process::id()));
    arcadia_engine::checkpoint::save_value(&path, &env).unwrap();
    let mut copy: MetaWorldEnv = arcadia_engine::checkpoint::load_value(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let mut obs_copy = obs.clone();
    for _ in 0..60 {
        let a = env.scripted(&obs);
        let r1 = env.step_raw(&a, &mut obs).unwrap();
        let r2 = copy.step_raw(&a, &mut obs_copy).unwrap();
        assert_eq!(r1, r2);
        assert_eq!(obs, obs_copy);
    }
}

#[test]
fn rewards_stay_in_zero_to_ten_under_random_actions() {
    let config = MetaWorldConfig::default();
    let mut agent = ChaCha8Rng::seed_from_u64(5);
    for task in MT10 {
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        env.reset_to(1, &mut obs);
        let space = env.action_space();
        for _ in 0..200 {
            let Action::Continuous(a) = space.sample(&mut agent) else {
                unreachable!()
            };
            let outcome = env.step_raw(&a, &mut obs).unwrap();
            assert!(
                (0.0..=10.0).contains(&outcome.reward),
                "{task:?}: reward {}",
                outcome.reward
            );
            assert!(obs.iter().all(|v| v.is_finite()), "{task:?}");
        }
    }
}

/// Reset observations of Farama Metaworld 3.1.1 (MuJoCo) for one `rand_vec` per task:
/// object slot position, quaternion and goal. Window-close's handle is the value after one
/// step (Metaworld's very first observation of it is taken before forward kinematics).
#[allow(clippy::type_complexity)]
const METAWORLD_RESETS: [(&str, &[f32], [f32; 3], [f32; 4], [f32; 3]); 10] = [
    (
        "reach",
        &[-0.0125, 0.6892, 0.0200, -0.0233, 0.8792, 0.1822],
        [-0.0125, 0.6892, 0.0200],
        [-0.0001, 0.0002, -0.0000, 1.0000],
        [-0.0233, 0.8792, 0.1822],
    ),
    (
        "push",
        &[-0.0125, 0.6892, 0.0200, -0.0233, 0.8792, 0.0153],
        [-0.0125, 0.6892, 0.0194],
        [-0.0001, 0.0002, -0.0000, 1.0000],
        [-0.0233, 0.8792, 0.0194],
    ),
    (
        "pick-place",
        &[-0.0125, 0.6892, 0.0200, -0.0233, 0.8792, 0.1822],
        [-0.0125, 0.6892, 0.0200],
        [-0.0001, 0.0002, -0.0000, 1.0000],
        [-0.0233, 0.8792, 0.1822],
    ),
    (
        "door-open",
        &[0.0545, 0.8924, 0.1500],
        [0.2452, 0.6852, 0.1500],
        [0.6908, -0.1506, 0.6909, 0.1512],
        [-0.2455, 0.4424, 0.1500],
    ),
    (
        "drawer-open",
        &[0.0090, 0.9000, 0.0000],
        [0.0090, 0.7300, 0.0900],
        [1.0000, 0.0000, 0.0000, 0.0000],
        [0.0090, 0.5400, 0.0900],
    ),
    (
        "drawer-close",
        &[0.0090, 0.9000, 0.0000],
        [0.0090, 0.5800, 0.1400],
        [0.0000, 0.0000, 0.0000, 0.0000],
        [0.0090, 0.7400, 0.0900],
    ),
    (
        "button-press-topdown",
        &[0.0090, 0.8424, 0.1150],
        [0.0090, 0.8424, 0.3085],
        [0.7074, -0.7068, 0.0000, 0.0000],
        [0.0090, 0.8423, 0.2150],
    ),
    (
        "peg-insert-side",
        &[0.0875, 0.6784, 0.0200, -0.3117, 0.6375, 0.0001],
        [0.1175, 0.6784, 0.0300],
        [0.0000, 0.0000, 0.0000, 1.0000],
        [-0.2817, 0.6375, 0.1301],
    ),
    (
        "window-open",
        &[0.0090, 0.7847, 0.1600],
        [-0.0310, 0.6897, 0.1600],
        [0.0000, 0.0000, 0.0000, 0.0000],
        [0.2090, 0.7847, 0.1600],
    ),
    (
        "window-close",
        &[0.0000, 0.8135, 0.2000],
        [0.2100, 0.7185, 0.2000],
        [0.0000, 0.0000, 0.0000, 0.0000],
        [0.0000, 0.8135, 0.2000],
    ),
];

#[test]
fn reset_observations_match_metaworld_for_the_same_rand_vec() {
    let config = MetaWorldConfig::default();
    for (name, rand_vec, pos, quat, goal) in METAWORLD_RESETS {
        let task = Task::from_name(name).unwrap();
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        env.reset_with_rand_vec(rand_vec, &mut obs).unwrap();
        for k in 0..3 {
            // Objects settle on contact here (the peg rests 5 mm lower than Metaworld's
            // pre-settling first observation).
            assert!(
                (obs[4 + k] - pos[k]).abs() < 6e-3,
                "{name} object {:?} vs {pos:?}",
                &obs[4..7]
            );
            assert!(
                (obs[36 + k] - goal[k]).abs() < 1e-3,
                "{name} goal {:?} vs {goal:?}",
                &obs[36..39]
            );
        }
        for k in 0..4 {
            assert!(
                (obs[7 + k] - quat[k]).abs() < 2e-3,
                "{name} quaternion {:?} vs {quat:?}",
                &obs[7..11]
            );
        }
        // Hand at its initial position, gripper open.
        let hand = task.hand_init();
        for k in 0..3 {
            assert!(
                (obs[k] - hand[k]).abs() < 0.01,
                "{name} hand {:?}",
                &obs[..3]
            );
        }
        assert!(obs[3] > 0.95, "{name} opening {}", obs[3]);
    }
    let mut env = MetaWorldEnv::new(Task::Reach, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    assert!(env.reset_with_rand_vec(&[0.0; 3], &mut obs).is_err());
}

/// Metaworld 3.1.1's reward for one step with a zero action from the reset states of
/// `METAWORLD_RESETS` (same order).
const METAWORLD_FIRST_REWARDS: [f32; 10] = [
    1.4065, 0.0527, 0.0013, 0.5635, 1.2347, 0.0, 0.0, 0.0149, 0.4091, 0.5260,
];

#[test]
fn first_step_rewards_match_metaworld() {
    // The hand sits still, so the physics barely matters and the v2 reward formulas (with
    // their margins from the initial tcp, pads and object) decide the value.
    let config = MetaWorldConfig::default();
    for ((name, rand_vec, ..), expected) in METAWORLD_RESETS.iter().zip(METAWORLD_FIRST_REWARDS) {
        let task = Task::from_name(name).unwrap();
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        env.reset_with_rand_vec(rand_vec, &mut obs).unwrap();
        let reward = env.step_raw(&[0.0; 4], &mut obs).unwrap().reward;
        let tolerance = (0.03 * expected).max(0.002);
        assert!(
            (reward - expected).abs() <= tolerance,
            "{name}: reward {reward}, Metaworld {expected}"
        );
    }
}
