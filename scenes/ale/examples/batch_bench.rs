//! Batch throughput with the full preprocessing, next to EnvPool configured the same:
//! `cargo run --release -p arcadia-ale --example batch_bench -- [GAME] [ENVS] [STEPS] [THREADS] [envpool] [draw-all]`
//! (defaults: pong, 8 envs, 2,500 agent steps per env, all cores; `draw-all` sets
//! `PreprocessConfig::draw_all_frames`).
//!
//! Each env is an [`AtariPreprocessing`] (sticky actions 0.25, 1..=30 NOOP starts, frame skip 4
//! with max-pool, grayscale, 84x84 `INTER_AREA`, stack 4) stepped with uniformly random actions;
//! the envs are split over the threads. Frames/s are given per wall second and per CPU second
//! (user + system time of the whole process, from `/proc/self/stat`), because the machine may
//! be shared. With `envpool`, EnvPool's Atari env runs the same work (same envs, threads, steps
//! and settings) in a Python child process, measured the same way.

use std::process::Command;
use std::time::Instant;

use arcadia_ale::preprocess::{AtariPreprocessing, PreprocessConfig};
use arcadia_ale::{Ale, AleConfig, Mt19937, RomRegistry};

const ENVPOOL: &str = r#"
import sys, time, numpy as np, envpool
task, envs, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
env = envpool.make(task, env_type="gymnasium", num_envs=envs, batch_size=envs,
                   num_threads=threads, repeat_action_probability=0.25, noop_max=30,
                   frame_skip=4, stack_num=4, img_height=84, img_width=84, gray_scale=True,
                   episodic_life=False, reward_clip=False, max_episode_steps=27000)
env.reset()
n = env.action_space.n
rng = np.random.default_rng(0)
acts = [rng.integers(0, n, size=envs) for _ in range(256)]
w, c = time.perf_counter(), time.process_time()
for i in range(steps):
    env.step(acts[i % 256])
w, c = time.perf_counter() - w, time.process_time() - c
print(steps * envs * 4 / w, steps * envs * 4 / c)
"#;

/// User + system CPU seconds of this process (all threads); 0 where not measured.
fn cpu_seconds() -> f64 {
    arcadia_ale::bench::process_cpu_seconds().unwrap_or(0.0)
}

fn envpool_task(game: &str) -> String {
    let camel: String = game
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{camel}-v5")
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let game = args.first().map(String::as_str).unwrap_or("pong");
    let envs: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(8);
    let steps: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2500);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: usize = args
        .get(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(cores)
        .clamp(1, envs.max(1));
    let vs_envpool = args.iter().any(|a| a == "envpool");
    let draw_all_frames = args.iter().any(|a| a == "draw-all");
    let registry = RomRegistry::open_default();
    let rom = match registry.resolve(game) {
        Ok(rom) => rom,
        Err(_) => {
            registry.import_ale_py()?;
            registry.resolve(game)?
        }
    };
    let mut all = Vec::with_capacity(envs);
    for i in 0..envs {
        let config = AleConfig {
            random_seed: i as u32,
            repeat_action_probability: 0.25,
            max_num_frames_per_episode: 108_000,
            ..AleConfig::default()
        };
        let ale = Ale::new(&rom.bytes, config)?;
        let mut env = AtariPreprocessing::new(
            ale,
            PreprocessConfig {
                seed: i as u32,
                draw_all_frames,
                ..PreprocessConfig::default()
            },
        )?;
        env.reset()?;
        all.push(env);
    }
    let per_thread = envs.div_ceil(threads);
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    std::thread::scope(|scope| {
        for (t, chunk) in all.chunks_mut(per_thread).enumerate() {
            scope.spawn(move || {
                let mut mt = Mt19937::new(t as u32 + 1);
                for _ in 0..steps {
                    for env in chunk.iter_mut() {
                        let n = env.actions().len() as u32;
                        let out = env.step((mt.next_u32() % n) as usize);
                        if out.as_ref().is_ok_and(|o| o.terminated || o.truncated) {
                            let _ = env.reset();
                        }
                    }
                }
            });
        }
    });
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let frames = (envs * steps * 4) as f64;
    println!("| runner | ROM | envs | threads | agent steps | frames/s (wall) | frames/CPU-s |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    println!(
        "| arcadia-ale | {game} | {envs} | {threads} | {} | {:.0} | {:.0} |",
        envs * steps,
        frames / wall,
        frames / cpu
    );
    if vs_envpool {
        let task = envpool_task(game);
        let out = Command::new("python3")
            .args(["-c", ENVPOOL, &task])
            .args([envs.to_string(), threads.to_string(), steps.to_string()])
            .output()?;
        if !out.status.success() {
            println!(
                "EnvPool: unavailable ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return Ok(());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let nums: Vec<f64> = text
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        let [theirs_wall, theirs_cpu] = nums[..] else {
            return Err(format!("EnvPool printed {text:?}").into());
        };
        println!(
            "| EnvPool ({task}) | {game} | {envs} | {threads} | {} | {theirs_wall:.0} | {theirs_cpu:.0} |",
            envs * steps
        );
        println!(
            "\nratio arcadia-ale / EnvPool: {:.2} (wall), {:.2} (CPU)",
            frames / wall / theirs_wall,
            frames / cpu / theirs_cpu
        );
    }
    Ok(())
}
