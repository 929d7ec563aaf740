//! Random-action stress: checks finiteness, reward range and finger spread over many steps.
//! `cargo run -p arcadia-metaworld --example stress -- [steps]`
use arcadia_metaworld::env::OBS_DIM;
use arcadia_metaworld::{MT10, MetaWorldConfig, MetaWorldEnv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let config = MetaWorldConfig::default();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for task in MT10 {
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        env.reset_with(&mut rng, &mut obs);
        let (mut max_open, mut min_hand_z, mut max_reward, mut bad, mut successes) =
            (0.0f32, f32::MAX, 0.0f32, 0, 0);
        let mut max_obj = 0.0f32;
        for _ in 0..steps {
            let a: Vec<f32> = (0..4).map(|_| rng.random_range(-1.0..1.0)).collect();
            let out = env.step_raw(&a, &mut obs).unwrap();
            if !obs.iter().all(|v| v.is_finite()) || !(0.0..=10.0).contains(&out.reward) {
                bad += 1;
            }
            let s = env.sim();
            let spread = (s.robot.right_claw(&s.world) - s.robot.left_claw(&s.world)).length();
            max_open = max_open.max(spread);
            min_hand_z = min_hand_z.min(obs[2]);
            max_reward = max_reward.max(out.reward);
            max_obj = max_obj.max(obs[4].abs().max(obs[5].abs()).max(obs[6].abs()));
            successes += usize::from(out.success == Some(true));
            if out.truncated {
                env.reset_with(&mut rng, &mut obs);
            }
        }
        println!(
            "{:<22} bad {bad} max claw spread {max_open:.4} min hand z {min_hand_z:.3} max reward {max_reward:.2} max |obj| {max_obj:.2} success steps {successes}",
            task.name()
        );
    }
}
