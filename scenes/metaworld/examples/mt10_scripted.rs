//! The MT10 scene with the scripted agent through the engine's `Trainer`, as
//! `arcadia train` runs it: 10 envs (one per task) until each has finished `episodes`
//! episodes; writes the run directory (`summary.json` has the per-task success rates).
//!
//! `cargo run -p arcadia-metaworld --example mt10_scripted -- [out_dir] [episodes] [seed]`

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use arcadia_engine::prelude::*;
use arcadia_metaworld::{MetaWorldConfig, plugin};

fn main() {
    let mut args = std::env::args().skip(1);
    let out_dir = PathBuf::from(args.next().unwrap_or_else(|| "runs/mt10-scripted".into()));
    let episodes: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let config = MetaWorldConfig::default();
    let spec = RunSpec {
        name: "mt10-scripted".into(),
        agent: "scripted".into(),
        seed,
        budget: 10 * config.max_episode_steps * episodes,
        out_dir: out_dir.clone(),
        checkpoint_every: 0,
        resume: false,
        config_text: arcadia_engine::config::to_ron(&config).unwrap_or_default(),
    };
    let mut trainer = match Trainer::new(spec, |app| {
        app.add_plugins(plugin(&config, 10));
        app.insert_resource(ScriptedControl);
    }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    match trainer.run(&AtomicBool::new(false), |_| {}) {
        Ok(summary) => {
            println!("| task | episodes | success rate | mean return |");
            println!("|---|---|---|---|");
            for t in &summary.tasks {
                println!(
                    "| {} | {} | {:.2} | {:.1} |",
                    t.task,
                    t.episodes,
                    t.success_rate.unwrap_or(f64::NAN),
                    t.mean_return.unwrap_or(f64::NAN)
                );
            }
            println!("summary: {}", out_dir.join("summary.json").display());
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
