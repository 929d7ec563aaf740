//! Throughput measurements for `arcadia bench metaworld`: single-threaded env steps per
//! second with uniform random actions, the way Meta-World's own speed is usually quoted,
//! and the same measurement of Farama Metaworld on MuJoCo for a side-by-side ratio.

use std::path::Path;
use std::process::Command;
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

/// The reference script that measures Farama Metaworld (shipped with this crate).
pub const REFERENCE_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/metaworld_steps.py");

/// Why the Metaworld reference could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The Python interpreter could not be started.
    #[error("cannot run `{python}`: {source}")]
    Spawn {
        /// The interpreter.
        python: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The script failed (typically: `pip install metaworld` is missing).
    #[error("the Metaworld reference failed ({status}); is `pip install metaworld` done? {stderr}")]
    Failed {
        /// Exit status.
        status: String,
        /// The last line of its standard error.
        stderr: String,
    },
    /// The script's output had no rate in it.
    #[error("cannot read a rate from the Metaworld reference output: {0}")]
    Output(String),
}

/// Runs the Metaworld reference for `task` (as `<name>-v3`) with `python` (an interpreter
/// with `metaworld` installed) and returns its random-action steps per second.
pub fn metaworld_reference(
    python: &str,
    task: Task,
    steps: u64,
    seed: u64,
) -> Result<f64, ReferenceError> {
    let out = Command::new(python)
        .arg(Path::new(REFERENCE_SCRIPT))
        .args(["--steps", &steps.to_string(), "--seed", &seed.to_string()])
        .arg(format!("{}-v3", task.name()))
        .output()
        .map_err(|source| ReferenceError::Spawn {
            python: python.to_string(),
            source,
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(ReferenceError::Failed {
            status: out.status.to_string(),
            stderr: stderr.lines().last().unwrap_or("").to_string(),
        });
    }
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    parse_rate(&text).ok_or(ReferenceError::Output(text))
}

/// Reads `"steps_per_second": x` from the reference script's JSON line.
fn parse_rate(text: &str) -> Option<f64> {
    let key = "\"steps_per_second\":";
    let start = text.find(key)? + key.len();
    let rest = &text[start..];
    let end = rest.find(['}', ',']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_rate() {
        let line =
            r#"{"task": "reach-v3", "steps": 3000, "seconds": 1.7, "steps_per_second": 1737.5}"#;
        assert_eq!(parse_rate(line), Some(1737.5));
        assert_eq!(parse_rate("nothing"), None);
    }

    #[test]
    fn bench_counts_the_steps_it_takes() {
        let config = MetaWorldConfig {
            max_episode_steps: 50,
            ..Default::default()
        };
        let r = bench_task(Task::Reach, &config, 120, 1);
        assert_eq!(r.steps, 120);
        assert!(r.steps_per_second > 0.0);
    }
}
