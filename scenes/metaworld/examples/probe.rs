//! Debug probe: lowers onto the puck, closes, and prints finger positions.
use arcadia_metaworld::env::OBS_DIM;
use arcadia_metaworld::{MetaWorldConfig, MetaWorldEnv, Task};

fn main() {
    let effort: f32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0.6);
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(Task::PickPlace, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    env.reset_to(0, &mut obs);
    for t in 0..120 {
        let hand = [obs[0], obs[1], obs[2]];
        let puck = [obs[4], obs[5], obs[6]];
        let target = [puck[0], puck[1], if t < 40 { 0.05 } else if t < 80 { 0.05 } else { 0.2 }];
        let mut a = [0.0f32; 4];
        for i in 0..3 {
            a[i] = (10.0 * (target[i] - hand[i])).clamp(-1.0, 1.0);
        }
        a[3] = if t < 40 { -1.0 } else { effort };
        env.step_raw(&a, &mut obs).unwrap();
        let s = env.sim();
        let w = &s.world;
        if t % 5 == 0 {
            println!(
                "t={t} hand={:.4?} right={:.4?} left={:.4?} open={:.3} obj={:.3?} q={:.2?}",
                s.robot.hand_pos(w),
                s.robot.right_claw(w),
                s.robot.left_claw(w),
                obs[3],
                &obs[4..7],
                &obs[7..11]
            );
        }
    }
}
