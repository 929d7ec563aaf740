//! Runs each task's scripted policy over seeded episodes and prints success rates:
//! `cargo run -p arcadia-metaworld --example scripted [episodes] [task]`.

use arcadia_metaworld::env::OBS_DIM;
use arcadia_metaworld::{MT10, MetaWorldConfig, MetaWorldEnv, Task};

fn main() {
    let mut args = std::env::args().skip(1);
    let episodes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let only = args.next().and_then(|n| Task::from_name(&n));
    let verbose = std::env::var("VERBOSE").is_ok();
    let mut config = MetaWorldConfig::default();
    // Physics overrides for experiments: SUBSTEPS, TIMESTEP, CONTACT_UPDATES.
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    if let Some(v) = var("SUBSTEPS") {
        config.substeps = v as usize;
    }
    if let Some(v) = var("TIMESTEP") {
        config.timestep = v;
    }
    if let Some(v) = var("CONTACT_UPDATES") {
        config.contact_updates = v as usize;
    }
    for task in MT10.into_iter().filter(|t| only.is_none_or(|o| o == *t)) {
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut obs = vec![0.0; OBS_DIM];
        let mut successes = 0;
        let mut steps_to_success = Vec::new();
        for episode in 0..episodes {
            env.reset_to(episode, &mut obs);
            let mut ret = 0.0;
            let mut first = None;
            for t in 0..500 {
                let a = env.scripted(&obs);
                let out = env.step_raw(&a, &mut obs).expect("step");
                ret += out.reward;
                if out.success == Some(true) && first.is_none() {
                    first = Some(t);
                }
                if verbose && t % 25 == 0 {
                    println!(
                        "  t={t} hand={:.3?} open={:.2} obj={:.3?} goal={:.3?} a={:.2?} r={:.2}",
                        &obs[0..3],
                        obs[3],
                        &obs[4..7],
                        &obs[36..39],
                        a,
                        out.reward
                    );
                }
            }
            if let Some(t) = first {
                successes += 1;
                steps_to_success.push(t);
            } else {
                println!(
                    "  {} episode {episode} failed (return {ret:.1})",
                    task.name()
                );
            }
        }
        steps_to_success.sort();
        let median = steps_to_success.get(steps_to_success.len() / 2).copied();
        println!(
            "{:<22} {successes}/{episodes} median steps to success {:?}",
            task.name(),
            median
        );
    }
}
