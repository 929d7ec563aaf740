//! SAC on Meta-World reach (the committed `assets/experiments/metaworld-reach-sac.ron`
//! setup), then 50 deterministic evaluation episodes (`tanh` of the policy mean).
//!
//! `cargo run --release -p arcadia-actor-critic --example metaworld_reach_sac -- [preset.ron] [env steps] [envs] [out dir]`

mod common;

use std::path::PathBuf;

use arcadia_actor_critic::prelude::*;
use arcadia_metaworld::config::MetaWorldConfig;
use arcadia_metaworld::tasks::Task;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "assets/agents/sac_metaworld_reach.ron".into());
    let budget: u64 = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(240_000);
    let envs: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(4);
    let out: PathBuf = args.get(4).map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("arcadia-reach-sac-{}", std::process::id()))
    });
    let config: SacConfig = arcadia_engine::config::load_ron(std::path::Path::new(&preset))?;
    config.validate()?;
    let scene = MetaWorldConfig {
        tasks: vec![Task::Reach],
        ..MetaWorldConfig::default()
    };
    let started = std::time::Instant::now();
    let (summary, episodes) = common::train_and_evaluate(
        "metaworld-reach-sac",
        out.clone(),
        1,
        budget,
        20_000,
        50,
        |app| {
            app.add_plugins(arcadia_metaworld::scene::plugin(&scene, envs));
            ActorCriticConfig::Sac(config.clone()).add_to(app);
        },
    )?;
    println!(
        "trained {} env steps in {:.0} s ({:.0} steps/s); training success {:?}",
        summary.env_steps,
        summary.wall_time_s,
        summary.steps_per_second,
        summary.tasks.first().and_then(|t| t.success_rate)
    );
    common::print_eval(&["reach".to_string()], &episodes);
    println!(
        "total wall time {:.0} s; run directory {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
