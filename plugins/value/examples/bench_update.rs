//! Times one gradient update (Nature CNN, batch 32, 84x84x4, Adam) and one batched action
//! selection (8 observations) for the DQN and DER configurations.
//!
//! `cargo run --release -p arcadia-value-agents --example bench_update [dqn|der] [updates] [act]`
//!
//! The optional arguments pick one configuration (default: both), the number of timed
//! updates (default 50; acting is timed over five times as many calls) and, with `act`,
//! time only the acting (for profiling it).
//!
//! Prints wall time and process CPU time (all threads, from `/proc/self/stat` on Linux; on a
//! shared machine wall time includes waiting for a core). The layer kernels use
//! `ARCADIA_NN_THREADS` threads (default: all cores); candle's own ops (input conversion,
//! loss, gradient sums) `CANDLE_NUM_THREADS` (default: all cores, in a spin-waiting pool:
//! on a loaded machine `CANDLE_NUM_THREADS=1` saves CPU time and wall time).

use std::time::Instant;

use arcadia_engine::rng::{StreamKind, stream};
use arcadia_engine::space::Space;
use arcadia_nn::replay::{BatchObs, ObsRef};
use arcadia_value_agents::{Learner, ValueConfig};
use rand::Rng;

/// Process CPU time (user + system, all threads) in seconds, where `/proc` has it.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which ends with the last ')'): utime is the 12th and
    // stime the 13th of them, in clock ticks (100 per second on Linux).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Runs `f` `n` times; returns (wall ms, CPU ms) per run.
fn time(n: usize, mut f: impl FnMut()) -> (f64, Option<f64>) {
    let cpu = cpu_seconds();
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    let wall = start.elapsed().as_secs_f64() * 1000.0 / n.max(1) as f64;
    let cpu = cpu
        .zip(cpu_seconds())
        .map(|(a, b)| (b - a) * 1000.0 / n.max(1) as f64);
    (wall, cpu)
}

fn show(cpu: Option<f64>) -> String {
    cpu.map_or_else(|| "n/a".to_string(), |c| format!("{c:.1} ms"))
}

fn bench(name: &str, mut config: ValueConfig, n: usize, act_only: bool) {
    config.replay_capacity = 4000;
    config.min_replay_history = 0;
    let observation = Space::Image {
        height: 84,
        width: 84,
        channels: 4,
        aux: 0,
    };
    let actions = Space::Discrete { n: 6 };
    let mut learner = Learner::new(
        &config,
        &observation,
        &actions,
        1,
        stream(0, StreamKind::Learner, 0),
    )
    .expect("learner builds");
    let mut rng = stream(0, StreamKind::Env, 0);
    let mut frame = || -> Vec<u8> { (0..4 * 84 * 84).map(|_| rng.random()).collect() };
    learner
        .replay
        .start_episode(0, ObsRef::U8(&frame()), &[])
        .unwrap();
    for t in 0..1000u32 {
        let next = frame();
        learner
            .replay
            .add(0, t % 6, 0.0, false, false, (ObsRef::U8(&next), &[]), None)
            .unwrap();
    }
    for _ in 0..3 {
        learner.update().unwrap();
    }
    let (update_ms, update_cpu) = time(if act_only { 0 } else { n }, || {
        learner.update().unwrap();
    });
    let obs: Vec<u8> = (0..8).flat_map(|_| frame()).collect();
    for _ in 0..3 {
        learner
            .greedy(BatchObs::U8(obs.clone()), Vec::new(), 8)
            .unwrap();
    }
    let (act_ms, act_cpu) = time(5 * n, || {
        learner
            .greedy(BatchObs::U8(obs.clone()), Vec::new(), 8)
            .unwrap();
    });
    println!(
        "{name}: update {update_ms:.1} ms wall, {} cpu (batch 32); act {act_ms:.2} ms wall, {} cpu (8 observations)",
        show(update_cpu),
        show(act_cpu)
    );
}

fn main() {
    // The thread settings this run saw (candle's own ops spin-wait in a pool of
    // `CANDLE_NUM_THREADS` threads, which costs CPU on an oversubscribed machine).
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| "unset".to_string());
    println!(
        "CANDLE_NUM_THREADS={} ARCADIA_NN_THREADS={} (layer kernels: {} threads)",
        var("CANDLE_NUM_THREADS"),
        var("ARCADIA_NN_THREADS"),
        arcadia_nn::threads::threads()
    );
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = args.first().map(String::as_str);
    let n = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let act_only = args.get(2).is_some_and(|a| a == "act");
    if only.is_none_or(|o| o == "dqn") {
        bench("dqn", ValueConfig::dqn(), n, act_only);
    }
    if only.is_none_or(|o| o == "der") {
        bench("der", ValueConfig::der(), n, act_only);
    }
}
