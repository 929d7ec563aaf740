//! Throughput measurements for `arcadia bench metaworld`: single-threaded env steps per
//! second with uniform random actions, the way Meta-World's own speed is usually quoted.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::MetaWorldConfig;
use crate::env::{ACTION_DIM, MetaWorldEnv, OBS_DIM};
use crate::tasks::Task;

/// One measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// The task measured.
    pub task: Task,
    /// Env steps taken (resets included in the time).
    pub steps: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Steps per second.
    pub steps_per_second: f64,
}

/// Steps one env of `task` for `steps` steps with uniform random actions in `[-1, 1]^4`,
/// resetting at truncation, and returns the measured rate.
pub fn bench_task(task: Task, config: &MetaWorldConfig, steps: u64, seed: u64) -> BenchResult {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut env = MetaWorldEnv::new(task, 0, config);
    let mut obs = vec![0.0f32; OBS_DIM];
    env.reset_with(&mut rng, &mut obs);
    let mut action = [0.0f32; ACTION_DIM];
    let start = Instant::now();
    for _ in 0..steps {
        for a in &mut action {
            *a = rng.random_range(-1.0..1.0);
        }
        match env.step_raw(&action, &mut obs) {
            Ok(outcome) if outcome.truncated => env.reset_with(&mut rng, &mut obs),
            Ok(_) => {}
            Err(_) => env.reset_with(&mut rng, &mut obs),
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    BenchResult {
        task,
        steps,
        seconds,
        steps_per_second: steps as f64 / seconds.max(1e-9),
    }
}

/// [`bench_task`] for every task of the config.
pub fn bench(config: &MetaWorldConfig, steps: u64, seed: u64) -> Vec<BenchResult> {
    config
        .tasks
        .iter()
        .map(|&task| bench_task(task, config, steps, seed))
        .collect()
}
