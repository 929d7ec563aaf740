//! Throughput benchmarks and baseline evaluations, called by `arcadia bench stem` (and by
//! the `stem_baselines` test). Timings are measured here, never asserted in tests.

use std::time::Instant;

use arcadia_engine::prelude::*;
use rand::Rng;

use crate::config::{ObservationKind, StemConfig};
use crate::env::{StemEnv, StemError};

/// A measured throughput.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// What was measured.
    pub name: String,
    /// Env steps taken.
    pub steps: u64,
    /// Episodes finished.
    pub episodes: u64,
    /// Wall seconds.
    pub seconds: f64,
    /// Steps per wall second.
    pub steps_per_second: f64,
    /// Steps per CPU second of the stepping thread (Linux only; a fairer figure on a busy
    /// machine, where wall time includes waiting for a core).
    pub steps_per_cpu_second: Option<f64>,
}

/// CPU seconds the calling thread has used (Linux: `/proc/thread-self/stat`), if known.
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every mainstream Linux configuration.
    Some(ticks / 100.0)
}

/// Steps one env of `config` for `steps` steps with uniform random actions on one thread,
/// resetting at episode ends, and measures env steps per second.
pub fn bench_env(
    name: &str,
    config: &StemConfig,
    steps: u64,
    seed: u64,
) -> Result<BenchResult, StemError> {
    let mut env = StemEnv::new(config)?;
    let mut rng = EnvRng(stream(seed, StreamKind::Env, 0));
    let mut agent = AgentRng(stream(seed, StreamKind::Agent, 0));
    let mut obs = Observation::zeros(&env.observation_space());
    let space = env.action_space();
    let mut action = space.sample(&mut agent);
    env.reset(&mut rng, &mut obs);
    let mut episodes = 0;
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    for _ in 0..steps {
        match &mut action {
            Action::Continuous(v) => v
                .iter_mut()
                .for_each(|x| *x = agent.random_range(-1.0..1.0)),
            Action::Discrete(a) => *a = agent.random_range(0..space.discrete_n().unwrap_or(1)),
            Action::Unset => {}
        }
        let out = env
            .step(&action, &mut rng, &mut obs)
            .map_err(|e| StemError::Config(format!("benchmark step failed: {e}")))?;
        if out.terminated || out.truncated {
            env.reset(&mut rng, &mut obs);
            episodes += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = match (cpu_start, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b - a >= 0.5 => Some(b - a),
        _ => None,
    };
    Ok(BenchResult {
        name: name.to_string(),
        steps,
        episodes,
        seconds,
        steps_per_second: steps as f64 / seconds.max(1e-12),
        steps_per_cpu_second: cpu.map(|c| steps as f64 / c),
    })
}

/// State observations, continuous actions, the default task.
pub fn bench_state(steps: u64, seed: u64) -> Result<BenchResult, StemError> {
    bench_env("stem state obs", &StemConfig::default(), steps, seed)
}

/// 128 x 128 image observations with the full noise model, the default task.
pub fn bench_image(steps: u64, seed: u64) -> Result<BenchResult, StemError> {
    let config = StemConfig {
        observation: ObservationKind::Image,
        ..Default::default()
    };
    bench_env("stem image obs 128x128", &config, steps, seed)
}

/// Steps `threads` independent envs of `config`, one per thread (as the engine's parallel
/// env stepping does), `steps_per_thread` steps each, and reports the total steps per
/// wall second.
pub fn bench_parallel(
    name: &str,
    config: &StemConfig,
    threads: usize,
    steps_per_thread: u64,
    seed: u64,
) -> Result<BenchResult, StemError> {
    StemEnv::new(config)?;
    let start = Instant::now();
    let results: Vec<Result<BenchResult, StemError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|t| {
                scope.spawn(move || {
                    bench_env(name, config, steps_per_thread, seed.wrapping_add(t as u64))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(StemError::Config("benchmark thread panicked".into())))
            })
            .collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    let mut steps = 0;
    let mut episodes = 0;
    for r in results {
        let r = r?;
        steps += r.steps;
        episodes += r.episodes;
    }
    Ok(BenchResult {
        name: format!("{name} ({threads} threads)"),
        steps,
        episodes,
        seconds,
        steps_per_second: steps as f64 / seconds.max(1e-12),
        steps_per_cpu_second: None,
    })
}

/// The standard benchmark set: state and image observations.
pub fn bench(steps: u64, seed: u64) -> Result<Vec<BenchResult>, StemError> {
    Ok(vec![
        bench_state(steps, seed)?,
        bench_image((steps / 20).max(1), seed)?,
    ])
}

/// A controller evaluated over seeded episodes run through the env directly.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Episodes run.
    pub episodes: u64,
    /// Episodes that reached the goal.
    pub successes: u64,
    /// `successes / episodes`.
    pub success_rate: f64,
    /// Median simulated seconds to the goal over successful episodes.
    pub median_seconds_to_goal: Option<f64>,
    /// Mean simulated seconds to the goal over successful episodes.
    pub mean_seconds_to_goal: Option<f64>,
    /// Mean steps per episode.
    pub mean_steps: f64,
    /// Mean return.
    pub mean_return: f64,
}

/// Which controller [`evaluate`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Controller {
    /// The greedy baseline ([`crate::greedy`]).
    Greedy,
    /// Uniform random actions.
    Random,
}

/// Runs `episodes` episodes of `config` with `controller`, episode `i` on env stream `i` of
/// `seed`, and summarizes success and time to goal.
pub fn evaluate(
    config: &StemConfig,
    controller: Controller,
    episodes: u64,
    seed: u64,
) -> Result<Evaluation, StemError> {
    let mut env = StemEnv::new(config)?;
    let mut obs = Observation::zeros(&env.observation_space());
    let space = env.action_space();
    let mut times = Vec::new();
    let (mut steps, mut ret) = (0u64, 0f64);
    for i in 0..episodes {
        let mut rng = EnvRng(stream(seed, StreamKind::Env, i));
        let mut agent = AgentRng(stream(seed, StreamKind::Agent, i));
        env.reset(&mut rng, &mut obs);
        loop {
            let action = match controller {
                Controller::Greedy => env.greedy_action(),
                Controller::Random => space.sample(&mut agent),
            };
            let out = env
                .step(&action, &mut rng, &mut obs)
                .map_err(|e| StemError::Config(format!("evaluation step failed: {e}")))?;
            steps += 1;
            ret += out.reward as f64;
            if out.terminated {
                times.push(env.elapsed_s());
            }
            if out.terminated || out.truncated {
                break;
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let median = (n > 0).then(|| {
        if n % 2 == 1 {
            times[n / 2]
        } else {
            0.5 * (times[n / 2 - 1] + times[n / 2])
        }
    });
    Ok(Evaluation {
        episodes,
        successes: n as u64,
        success_rate: n as f64 / episodes.max(1) as f64,
        median_seconds_to_goal: median,
        mean_seconds_to_goal: (n > 0).then(|| times.iter().sum::<f64>() / n as f64),
        mean_steps: steps as f64 / episodes.max(1) as f64,
        mean_return: ret / episodes.max(1) as f64,
    })
}

/// The greedy controller on `config` with discrete or continuous actions (convenience).
pub fn evaluate_greedy(
    config: &StemConfig,
    episodes: u64,
    seed: u64,
) -> Result<Evaluation, StemError> {
    evaluate(config, Controller::Greedy, episodes, seed)
}
