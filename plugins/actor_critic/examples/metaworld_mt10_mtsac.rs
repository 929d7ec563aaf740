//! MT-SAC on Meta-World MT10 for a small budget (one env per task, or a multiple of 10),
//! then deterministic evaluation episodes per task.
//!
//! `cargo run -p arcadia-actor-critic --example metaworld_mt10_mtsac -- [preset.ron] [env steps] [envs] [eval episodes per task] [out dir]`

mod common;

use std::path::PathBuf;

use arcadia_actor_critic::prelude::*;
use arcadia_metaworld::config::MetaWorldConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "assets/agents/mt_sac_mt10_small.ron".into());
    let budget: u64 = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(250_000);
    let envs: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(10);
    let episodes: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(10);
    let out: PathBuf = args.get(5).map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("arcadia-mt10-{}", std::process::id()))
    });
    let config: MtSacConfig = arcadia_engine::config::load_ron(std::path::Path::new(&preset))?;
    config.validate()?;
    let scene = MetaWorldConfig::default();
    let names = scene.task_names();
    let (summary, eval) = common::train_and_evaluate(
        "metaworld-mt10-mtsac",
        out.clone(),
        1,
        budget,
        50_000,
        episodes,
        |app| {
            app.add_plugins(arcadia_metaworld::scene::plugin(&scene, envs));
            ActorCriticConfig::MtSac(config.clone()).add_to(app);
        },
    )?;
    println!(
        "trained {} env steps in {:.0} s ({:.0} steps/s)",
        summary.env_steps, summary.wall_time_s, summary.steps_per_second
    );
    for t in &summary.tasks {
        println!(
            "train {:<22} episodes {:>4} success {:?}",
            t.task, t.episodes, t.success_rate
        );
    }
    common::print_eval(&names, &eval);
    println!("run directory {}", out.display());
    Ok(())
}
