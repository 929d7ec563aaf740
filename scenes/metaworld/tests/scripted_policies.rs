//! Each task's scripted policy must succeed on at least 90% of 50 seeded episodes (an
//! episode succeeds if `success` is reported at any of its 500 steps).

use arcadia_metaworld::env::OBS_DIM;
use arcadia_metaworld::{MetaWorldConfig, MetaWorldEnv, Task};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn success_rate(task: Task, episodes: usize, seed: u64) -> f64 {
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(task, 0, &config);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut obs = vec![0.0; OBS_DIM];
    let mut successes = 0;
    for _ in 0..episodes {
        env.reset_with(&mut rng, &mut obs);
        let mut success = false;
        for _ in 0..config.max_episode_steps {
            let action = env.scripted(&obs);
            let outcome = env
                .step_raw(&action, &mut obs)
                .expect("scripted actions are valid");
            success |= outcome.success == Some(true);
            if outcome.truncated {
                break;
            }
        }
        successes += usize::from(success);
    }
    successes as f64 / episodes as f64
}

macro_rules! policy_test {
    ($name:ident, $task:expr) => {
        #[test]
        fn $name() {
            let rate = success_rate($task, 50, 2024);
            assert!(rate >= 0.9, "{:?}: success rate {rate} < 0.9", $task);
        }
    };
}

policy_test!(reach_policy_succeeds_90_percent, Task::Reach);
policy_test!(push_policy_succeeds_90_percent, Task::Push);
policy_test!(pick_place_policy_succeeds_90_percent, Task::PickPlace);
policy_test!(door_open_policy_succeeds_90_percent, Task::DoorOpen);
policy_test!(drawer_open_policy_succeeds_90_percent, Task::DrawerOpen);
policy_test!(drawer_close_policy_succeeds_90_percent, Task::DrawerClose);
policy_test!(
    button_press_topdown_policy_succeeds_90_percent,
    Task::ButtonPressTopdown
);
policy_test!(
    peg_insert_side_policy_succeeds_90_percent,
    Task::PegInsertSide
);
policy_test!(window_open_policy_succeeds_90_percent, Task::WindowOpen);
policy_test!(window_close_policy_succeeds_90_percent, Task::WindowClose);

#[test]
fn doing_nothing_does_not_succeed_at_the_manipulation_tasks() {
    // The success criteria must be able to fail: holding still never solves these tasks.
    let config = MetaWorldConfig::default();
    for task in [
        Task::Push,
        Task::PickPlace,
        Task::DoorOpen,
        Task::DrawerOpen,
        Task::PegInsertSide,
        Task::WindowOpen,
    ] {
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        for variation in 0..5 {
            env.reset_to(variation, &mut obs);
            for _ in 0..100 {
                let outcome = env.step_raw(&[0.0; 4], &mut obs).unwrap();
                assert_eq!(
                    outcome.success,
                    Some(false),
                    "{task:?} variation {variation}"
                );
                assert!((0.0..=10.0).contains(&outcome.reward));
            }
        }
    }
}
