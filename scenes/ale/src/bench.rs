//! Emulation throughput: frames/s of `Ale::act` with random minimal-set actions
//! (frame skip 1, no sticky actions, the screen read every frame), single thread or one env
//! per thread on all cores, and the same work in ale-py for a side-by-side ratio. Rates are
//! per second of wall time and, on one thread, per second of CPU time (which other work on a
//! shared machine disturbs less).

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

/// Frames per second of a benchmark run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Per second of wall time.
    pub wall: f64,
    /// Per second of the process's CPU time (user + system), where it is measured: runs on
    /// one thread, on Linux.
    pub cpu: Option<f64>,
}

/// User + system CPU seconds of this process so far (all threads), from `/proc/self/stat`;
/// `None` where that file cannot be read (not Linux). Resolution: one clock tick (10 ms).
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (in parentheses, which may hold spaces): utime and
    // stime are the 14th and 15th of the line, the 12th and 13th after the name.
    let rest = stat.rsplit(')').next()?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Emulates `frames` frames on one env and returns its frame rates.
pub fn frames_per_second_single(rom: &[u8], frames: u64, seed: u32) -> Result<Rate, AleError> {
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
    let cpu_start = process_cpu_seconds();
    for i in 0..frames as usize {
        ale.act(minimal[stream[i % stream.len()] % minimal.len()], 1.0);
        checksum = checksum.wrapping_add(ale.screen()[i % 1000] as u64);
        if ale.game_over(true) {
            ale.reset()?;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = process_cpu_seconds()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    std::hint::black_box(checksum);
    Ok(Rate {
        wall: frames as f64 / seconds,
        cpu: cpu_seconds.filter(|&s| s > 0.0).map(|s| frames as f64 / s),
    })
}

/// Emulates `frames` frames in total over `envs` envs, one thread per env, and returns the
/// aggregate frame rates (the CPU rate only for one env).
pub fn frames_per_second(rom: &[u8], frames: u64, envs: usize) -> Result<Rate, AleError> {
    if envs <= 1 {
        return frames_per_second_single(rom, frames, 1);
    }
    let per_env = frames.div_ceil(envs as u64);
    let start = Instant::now();
    let results: Vec<Result<Rate, AleError>> = std::thread::scope(|scope| {
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
    Ok(Rate {
        wall: (per_env * envs as u64) as f64 / seconds,
        cpu: None,
    })
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
    t, c = time.perf_counter(), time.process_time()
    if envs == 1:
        done = run(1)
        # Only on one env: process_time does not count the pool's worker processes.
        cpu = done / (time.process_time() - c)
    else:
        with Pool(envs) as pool:
            done = sum(pool.map(run, range(envs)))
        cpu = "none"
    print(done / (time.perf_counter() - t), cpu)
"#;

/// Runs the same work in ale-py (`python3` with ale-py installed; one process per env when
/// `envs > 1`) and returns its frame rates (the CPU rate only for one env).
pub fn ale_py_frames_per_second(
    rom_path: &Path,
    frames: u64,
    envs: usize,
) -> Result<Rate, AleError> {
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
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.split_whitespace();
    let wall = numbers.next().and_then(|n| n.parse().ok()).ok_or_else(|| {
        AleError::Config(format!(
            "ale-py benchmark printed no rate: {:?}",
            text.trim()
        ))
    })?;
    let cpu = numbers.next().and_then(|n| n.parse().ok());
    Ok(Rate { wall, cpu })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_cpu_time_grows_with_work() {
        let Some(start) = process_cpu_seconds() else {
            println!("SKIP: no /proc/self/stat");
            return;
        };
        // Spin for 50 ms of wall time: at least a few clock ticks of CPU time.
        let wall = Instant::now();
        let mut x = 0u64;
        while wall.elapsed().as_millis() < 50 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let spent = process_cpu_seconds().unwrap() - start;
        assert!(spent > 0.0 && spent < 5.0, "{spent}");
    }
}
