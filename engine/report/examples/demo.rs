//! Writes synthetic run directories for three agents on four Atari 100k
//! games, then reports on them (normalized with the Atari 100k references).
//!
//! ```text
//! cargo run -p arcadia-report --example demo -- /tmp/arcadia-demo
//! ```
//!
//! makes `/tmp/arcadia-demo/runs/` and `/tmp/arcadia-demo/report/`; the
//! figures in the crate's `docs/` come from it. The returns are made up:
//! each agent reaches a fraction of the human-random gap along a saturating
//! curve, with noise per seed and per episode.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arcadia_report::normalize::Benchmark;
use arcadia_report::{ReportArgs, run_report};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BUDGET: u64 = 100_000;
const GAMES: [&str; 4] = ["alien", "boxing", "breakout", "pong"];

fn write_run(dir: &Path, agent: &str, skill: f64, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed * 1000 + agent.len() as u64);
    let tasks: Vec<String> = GAMES.iter().map(|g| format!("\"{g}\"")).collect();
    std::fs::write(
        dir.join("run.json"),
        format!(
            r#"{{"name": "{agent}-seed{seed}", "scene": "ale", "agent": "{agent}", "seed": {seed}, "num_envs": 4, "budget": {BUDGET}, "tasks": [{}], "status": "complete"}}"#,
            tasks.join(", ")
        ),
    )?;
    let mut csv = String::from("env_step,env,task,episode,return,length,success\n");
    for (t, game) in GAMES.iter().enumerate() {
        let r = Benchmark::Atari100k
            .reference(game)
            .expect("Atari 100k game");
        let seed_skill = skill * (0.6 + 0.8 * rng.random::<f64>());
        let mut step = 0;
        let mut episode = 0;
        while step < BUDGET {
            step += 800 + rng.random_range(0..1600);
            let progress = 1.0 - (-3.0 * step as f64 / BUDGET as f64).exp();
            let noise = 0.15 * (rng.random::<f64>() - 0.5);
            let fraction = seed_skill * progress + noise;
            let ret = r.random + (r.human - r.random) * fraction;
            let _ = writeln!(
                csv,
                "{},{t},{game},{episode},{ret:.1},{},",
                step.min(BUDGET),
                500 + episode
            );
            episode += 1;
        }
    }
    std::fs::write(dir.join("episodes.csv"), csv)?;
    std::fs::write(
        dir.join("summary.json"),
        format!(
            r#"{{"status": "complete", "env_steps": {BUDGET}, "wall_time_s": 60.0, "tasks": []}}"#
        ),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("arcadia-demo"), PathBuf::from);
    let runs = root.join("runs");
    for (agent, skill) in [("DQN", 0.25), ("DER", 0.45), ("BBF", 0.9)] {
        for seed in 0..5 {
            write_run(&runs.join(format!("{agent}-{seed}")), agent, skill, seed)?;
        }
    }
    run_report(&ReportArgs {
        run_dirs: vec![runs],
        normalize: Some(Benchmark::Atari100k),
        out: root.join("report"),
        ..ReportArgs::default()
    })?;
    Ok(())
}
