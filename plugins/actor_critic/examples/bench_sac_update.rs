//! Times one SAC update (twin critics and actor of 3 x 400 ReLU layers, batch 256,
//! 39-D observations, 4-D actions: Meta-World's sizes) on candle, then runs the JAX/Flax
//! reference (`bench/jax_sac.py`) on the same network and batch in the same run, and prints
//! both and their ratio.
//!
//! `CANDLE_NUM_THREADS=1 XLA_FLAGS=--xla_cpu_multi_thread_eigen=false cargo run --release -p arcadia-actor-critic --example bench_sac_update -- [updates]`

use std::process::Command;
use std::time::Instant;

use arcadia_actor_critic::prelude::*;
use arcadia_engine::rng::{StreamKind, stream};
use arcadia_engine::space::Space;
use rand::Rng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(50);
    let config = SacConfig {
        batch_size: 256,
        replay_capacity: 10_000,
        ..SacConfig::default()
    };
    let mut learner = SacLearner::new(
        &config,
        &Space::uniform_box(-1.0, 1.0, 39),
        &Space::uniform_box(-1.0, 1.0, 4),
        1,
        stream(0, StreamKind::Learner, 0),
    )?;
    let mut rng = stream(0, StreamKind::Learner, 1);
    for _ in 0..2000 {
        let o: Vec<f32> = (0..39).map(|_| rng.random_range(-1.0..1.0)).collect();
        let a: Vec<f32> = (0..4).map(|_| rng.random_range(-1.0..1.0)).collect();
        learner.replay.push(&o, &a, rng.random(), false, &o, 0)?;
    }
    for _ in 0..3 {
        learner.update()?;
    }
    let start = Instant::now();
    for _ in 0..n {
        learner.update()?;
    }
    let ours = start.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("candle sac update: {ours:.2} ms (3 x 400, batch 256, {n} updates)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/jax_sac.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(n.to_string())
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    print!("{text}");
    let jax: Option<f64> = text
        .lines()
        .find_map(|l| l.strip_prefix("jax sac update: "))
        .and_then(|s| s.trim_end_matches(" ms").parse().ok());
    match jax {
        Some(jax) => println!("ratio candle / jax: {:.2}", ours / jax),
        None => println!(
            "the JAX reference did not run: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
    Ok(())
}
