//! Times one gradient update (Nature CNN, batch 32, 84x84x4, Adam) and one batched action
//! selection (8 observations) for the DQN and DER configurations.
//!
//! `cargo run --release -p arcadia-value-agents --example bench_update`

use std::time::Instant;

use arcadia_engine::rng::{StreamKind, stream};
use arcadia_engine::space::Space;
use arcadia_nn::replay::{BatchObs, ObsRef};
use arcadia_value_agents::{Learner, ValueConfig};
use rand::Rng;

fn bench(name: &str, mut config: ValueConfig) {
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
    let n = 20;
    let start = Instant::now();
    for _ in 0..n {
        learner.update().unwrap();
    }
    let update_ms = start.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let obs: Vec<u8> = (0..8).flat_map(|_| frame()).collect();
    for _ in 0..3 {
        learner
            .greedy(BatchObs::U8(obs.clone()), Vec::new(), 8)
            .unwrap();
    }
    let start = Instant::now();
    for _ in 0..n {
        learner
            .greedy(BatchObs::U8(obs.clone()), Vec::new(), 8)
            .unwrap();
    }
    let act_ms = start.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("{name}: update {update_ms:.1} ms (batch 32), act {act_ms:.2} ms (8 observations)");
}

fn main() {
    bench("dqn", ValueConfig::dqn());
    bench("der", ValueConfig::der());
}
