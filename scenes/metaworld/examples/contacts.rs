//! Debug: runs a task's scripted policy and prints the robot's active contacts.
//! `cargo run -p arcadia-metaworld --example contacts -- task variation steps`
use arcadia_metaworld::env::OBS_DIM;
use arcadia_metaworld::{MetaWorldConfig, MetaWorldEnv, Task};

fn main() {
    let mut args = std::env::args().skip(1);
    let task = args
        .next()
        .and_then(|n| Task::from_name(&n))
        .unwrap_or(Task::DoorOpen);
    let variation: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let steps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let config = MetaWorldConfig::default();
    let mut env = MetaWorldEnv::new(task, 0, &config);
    let mut obs = vec![0.0; OBS_DIM];
    env.reset_to(variation, &mut obs);
    for _ in 0..steps {
        let a = env.scripted(&obs);
        env.step_raw(&a, &mut obs).unwrap();
    }
    let sim = env.sim();
    let w = &sim.world;
    let robot = [sim.robot.hand, sim.robot.left, sim.robot.right];
    for pair in w.narrow_phase.contact_pairs() {
        if !pair.has_any_active_contact() {
            continue;
        }
        let (c1, c2) = (&w.colliders[pair.collider1], &w.colliders[pair.collider2]);
        let (p1, p2) = (c1.parent(), c2.parent());
        if robot.iter().any(|r| Some(*r) == p1 || Some(*r) == p2) {
            println!(
                "contact {:?} {:.3?} <-> {:?} {:.3?}",
                p1,
                c1.compute_aabb(),
                p2,
                c2.compute_aabb()
            );
            for m in pair.manifolds() {
                for pt in &m.points {
                    println!("   dist {:.4} normal {:.3?}", pt.dist, m.data.normal);
                }
            }
        }
    }
    println!(
        "hand {:.3?} left {:?} right {:?}",
        sim.robot.hand_pos(w),
        sim.robot.left,
        sim.robot.right
    );
}
