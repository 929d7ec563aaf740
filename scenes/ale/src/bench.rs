//! Emulation throughput: frames/s of `Ale::act` with random minimal-set actions
//! (frame skip 1, no sticky actions, the screen read every frame), single thread or one env
//! per thread on all cores, and the same work in ale-py for a side-by-side ratio.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::{Ale, AleConfig, AleError, Mt19937};

/// The action stream a benchmark replays: indices into the minimal action set.
pub fn action_stream(len: usize, actions: usize, seed: u32) -> Vec<usize> {
    let mut mt = Mt19937::new(seed);
    (0..len)
        .map(|_| mt.next_u32() as usize % actions.max(1))
        .collect()
}

/// Emulates `frames` frames on one env and returns frames per second of wall time.
pub fn frames_per_second_single(rom: &[u8], frames: u64, seed: u32) -> Result<f64, AleError> {
    let config = AleConfig {
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let mut ale = Ale::new(rom, config)?;
    let minimal = ale.minimal_actions();
    // The same stream ale-py replays: draws over 18, reduced modulo the minimal set.
    let stream = action_stream(4096, 18, seed);
    let mut checksum = 0u64;
    let start = Instant::now();
    for i in 0..frames as usize {
        ale.act(minimal[stream[i % stream.len()] % minimal.len()], 1.0);
        checksum = checksum.wrapping_add(ale.screen()[i % 1000] as u64);
        if ale.game_over(true) {
            ale.reset()?;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    Ok(frames as f64 / seconds)
}

/// Emulates `frames` frames in total over `envs` envs, one thread per env, and returns the
/// aggregate frames per second.
pub fn frames_per_second(rom: &[u8], frames: u64, envs: usize) -> Result<f64, AleError> {
    if envs <= 1 {
        return frames_per_second_single(rom, frames, 1);
    }
    let per_env = frames.div_ceil(envs as u64);
    let start = Instant::now();
    let results: Vec<Result<f64, AleError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..envs)
            .map(|_| scope.spawn(move || frames_per_second_single(rom, per_env, 1)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(AleError::Config("bench thread panicked".into())))
            })
            .collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    for r in results {
        r?;
    }
    Ok((per_env * envs as u64) as f64 / seconds)
}

const ALE_PY_BENCH: &str = r#"
import sys, time, numpy as np
from multiprocessing import Pool
from ale_py import ALEInterface, LoggerMode
ALEInterface.setLoggerMode(LoggerMode.Error)
rom, frames, envs, actions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
actions = [int(a) for a in actions.split(",")]
def run(seed):
    ale = ALEInterface()
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(rom)
    minimal = ale.getMinimalActionSet()
    screen = np.empty((ale.getScreenDims()[0], ale.getScreenDims()[1]), dtype=np.uint8)
    per_env = -(-frames // envs)
    for i in range(per_env):
        ale.act(minimal[actions[i % len(actions)] % len(minimal)])
        ale.getScreen(screen)
        if ale.game_over():
            ale.reset_game()
    return per_env
if __name__ == "__main__":
    t = time.perf_counter()
    if envs == 1:
        done = run(1)
    else:
        with Pool(envs) as pool:
            done = sum(pool.map(run, range(envs)))
    print(done / (time.perf_counter() - t))
"#;

/// Runs the same work in ale-py (`python3` with ale-py installed; one process per env when
/// `envs > 1`) and returns its frames per second.
pub fn ale_py_frames_per_second(
    rom_path: &Path,
    frames: u64,
    envs: usize,
) -> Result<f64, AleError> {
    let stream = action_stream(4096, 18, 1)
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let out = Command::new("python3")
        .args(["-c", ALE_PY_BENCH])
        .arg(rom_path)
        .args([frames.to_string(), envs.max(1).to_string(), stream])
        .output()
        .map_err(|e| AleError::Config(format!("cannot run python3: {e}")))?;
    if !out.status.success() {
        return Err(AleError::Config(format!(
            "ale-py benchmark failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| AleError::Config(format!("ale-py benchmark printed no number: {e}")))
}
