//! `arcadia trace`, `arcadia roms` and `arcadia bench ale`.

use std::io::Write;
use std::path::{Path, PathBuf};

use arcadia_ale::bench::Rate;
use arcadia_ale::roms::{Rom, RomRegistry};
use arcadia_ale::trace::{TraceOptions, read_actions, write_trace};
use arcadia_report::stats::median;

use super::CommandError;

/// Resolves a ROM name, MD5 or path: the registry first, then ale-py's bundled ROMs.
pub fn find_rom(name_or_path: &str) -> Result<Rom, CommandError> {
    RomRegistry::open_default()
        .resolve_or_ale_py(name_or_path)
        .map_err(CommandError::input)
}

/// Options of `arcadia trace`, as `ale_trace.py` takes them.
#[derive(Clone, Debug, clap::Args)]
pub struct TraceArgs {
    /// ROM name (`pong`), MD5 or path.
    #[arg(long)]
    pub rom: String,
    /// Action file: one `ACTION [STRENGTH]` a line (ALE action ids 0..17).
    #[arg(long)]
    pub actions: PathBuf,
    /// Frames per act.
    #[arg(long, default_value_t = 1)]
    pub frameskip: u32,
    /// Sticky-action probability.
    #[arg(long, default_value_t = 0.0)]
    pub sticky: f32,
    /// ALE `random_seed`.
    #[arg(long, default_value_t = 0)]
    pub seed: u32,
    /// Game mode.
    #[arg(long)]
    pub mode: Option<u32>,
    /// Difficulty.
    #[arg(long)]
    pub difficulty: Option<u32>,
    /// Episode frame budget (0: none).
    #[arg(long, default_value_t = 0)]
    pub max_frames: u64,
    /// Add the md5 of the RGB screen.
    #[arg(long)]
    pub rgb: bool,
}

/// Prints the trace of `ale_trace.py` for the same arguments to `out`.
pub fn trace(args: &TraceArgs, out: &mut impl Write) -> Result<(), CommandError> {
    if !(0.0..=1.0).contains(&args.sticky) {
        return Err(CommandError::input(format!(
            "--sticky {} is not a probability in [0, 1]",
            args.sticky
        )));
    }
    let rom = find_rom(&args.rom)?;
    let actions = read_actions(&args.actions).map_err(CommandError::input)?;
    let mut options = TraceOptions::new(rom, actions);
    options.frameskip = args.frameskip;
    options.sticky = args.sticky;
    options.seed = args.seed;
    options.mode = args.mode;
    options.difficulty = args.difficulty;
    options.max_frames = args.max_frames;
    options.rgb = args.rgb;
    write_trace(&options, out).map_err(CommandError::input)
}

/// `arcadia roms import DIR` or `--ale-py`: copies known ROMs into the registry.
pub fn import(dir: Option<&Path>, ale_py: bool) -> Result<String, CommandError> {
    let registry = RomRegistry::open_default();
    let report = match (dir, ale_py) {
        (Some(dir), false) => registry.import_dir(dir),
        (None, true) => registry.import_ale_py(),
        _ => {
            return Err(CommandError::input(
                "give either a directory or --ale-py (not both)",
            ));
        }
    }
    .map_err(CommandError::input)?;
    let mut text = format!(
        "imported {} ROMs into {}",
        report.imported.len(),
        registry.dir().display()
    );
    if !report.unknown.is_empty() {
        text.push_str(&format!(
            "\nskipped {} files whose MD5 is not an ALE ROM:",
            report.unknown.len()
        ));
        for path in &report.unknown {
            text.push_str(&format!("\n  {}", path.display()));
        }
    }
    Ok(text)
}

/// `arcadia roms list`: the ROMs in the registry, by name.
pub fn list() -> Result<String, CommandError> {
    let registry = RomRegistry::open_default();
    let roms = registry.list().map_err(CommandError::input)?;
    let mut text = format!("{} ROMs in {}", roms.len(), registry.dir().display());
    let mut names: Vec<_> = roms.values().map(|info| (info.name, info.md5)).collect();
    names.sort();
    for (name, md5) in names {
        text.push_str(&format!("\n{name:<24} {md5}"));
    }
    Ok(text)
}

/// `arcadia bench ale`: frames/s of emulation, optionally beside ale-py's on the same work.
///
/// Runs `rounds` rounds, each ours then ale-py's, and reports each side's median: on a busy
/// machine one round's rates move by 10-20%, alternating rounds keep both sides under the
/// same conditions.
pub fn bench(
    rom: &str,
    frames: u64,
    envs: usize,
    rounds: usize,
    vs_ale_py: bool,
) -> Result<String, CommandError> {
    let rom = find_rom(rom)?;
    let envs = envs.max(1);
    let rounds = rounds.max(1);
    // ale-py reads the ROM from a file, written once for all rounds.
    let dir = if vs_ale_py {
        Some(tempfile_dir()?)
    } else {
        None
    };
    let result = (|| {
        let path = match &dir {
            Some(dir) => {
                let path = dir.join(format!("{}.bin", rom.name));
                std::fs::write(&path, &rom.bytes).map_err(CommandError::failure)?;
                Some(path)
            }
            None => None,
        };
        let mut ours = Vec::with_capacity(rounds);
        let mut theirs = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            ours.push(
                arcadia_ale::bench::frames_per_second(&rom.bytes, frames, envs)
                    .map_err(CommandError::failure)?,
            );
            if let Some(path) = &path {
                theirs.push(
                    arcadia_ale::bench::ale_py_frames_per_second(path, frames, envs)
                        .map_err(CommandError::failure)?,
                );
            }
        }
        Ok::<_, CommandError>((ours, theirs))
    })();
    if let Some(dir) = &dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    let (ours, theirs) = result?;
    let mut text = format!(
        "| emulator | ROM | envs | frames | rounds | frames/s (median) | frames/CPU-s (median) | each round (wall) |\n|---|---|---:|---:|---:|---:|---:|---|\n{}",
        bench_row("arcadia (stella)", &rom.name, envs, frames, &ours)
    );
    if vs_ale_py {
        text.push_str(&bench_row("ale-py 0.12", &rom.name, envs, frames, &theirs));
        let (ours_wall, theirs_wall) = (walls(&ours), walls(&theirs));
        let ratios: Vec<f64> = ours_wall
            .iter()
            .zip(&theirs_wall)
            .map(|(a, b)| a / b)
            .collect();
        text.push_str(&format!(
            "\nratio arcadia / ale-py: {:.2} (wall, medians; each round: {})",
            median(&ours_wall) / median(&theirs_wall),
            join_rates(&ratios, 2)
        ));
        if let (Some(a), Some(b)) = (cpu_median(&ours), cpu_median(&theirs)) {
            text.push_str(&format!(", {:.2} (CPU, medians)", a / b));
        }
        text.push('\n');
    }
    Ok(text)
}

/// The wall-time rates of `rates`.
fn walls(rates: &[Rate]) -> Vec<f64> {
    rates.iter().map(|r| r.wall).collect()
}

/// The median CPU-time rate, if every round measured one.
fn cpu_median(rates: &[Rate]) -> Option<f64> {
    let cpu: Option<Vec<f64>> = rates.iter().map(|r| r.cpu).collect();
    cpu.map(|c| median(&c))
}

/// One row of the `bench ale` table: the medians and every round's wall-time rate.
fn bench_row(emulator: &str, rom: &str, envs: usize, frames: u64, rates: &[Rate]) -> String {
    let cpu = cpu_median(rates).map_or("-".to_string(), |c| format!("{c:.0}"));
    let wall = walls(rates);
    format!(
        "| {emulator} | {rom} | {envs} | {frames} | {} | {:.0} | {cpu} | {} |\n",
        rates.len(),
        median(&wall),
        join_rates(&wall, 0)
    )
}

/// `rates` with `digits` decimals, separated by " / ".
fn join_rates(rates: &[f64], digits: usize) -> String {
    rates
        .iter()
        .map(|r| format!("{r:.digits$}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn tempfile_dir() -> Result<PathBuf, CommandError> {
    let dir = std::env::temp_dir().join(format!("arcadia-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(CommandError::failure)?;
    Ok(dir)
}

const ENVPOOL_BENCH: &str = r#"
import sys, time, numpy as np, envpool
task, envs, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
env = envpool.make(task, env_type="gymnasium", num_envs=envs, batch_size=envs,
                   num_threads=threads, repeat_action_probability=0.25, noop_max=30,
                   frame_skip=4, stack_num=4, img_height=84, img_width=84, gray_scale=True,
                   episodic_life=False, reward_clip=False)
env.reset()
n = env.action_space.n
rng = np.random.default_rng(0)
t = time.perf_counter()
for i in range(steps):
    env.step(rng.integers(0, n, size=envs))
print(steps * envs * 4 / (time.perf_counter() - t))
"#;

/// EnvPool's task id of an ALE ROM name (`ms_pacman` -> `MsPacman-v5`).
fn envpool_task(rom: &str) -> String {
    let camel: String = rom
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

/// `arcadia bench ale --preprocess`: emulated frames/s of `envs` envs stepped through the
/// engine with the full preprocessing (sticky 0.25, frame skip 4 with max-pool, 84x84
/// grayscale, stack 4), on all cores, optionally beside EnvPool configured the same.
pub fn bench_preprocessed(
    rom: &str,
    steps: u64,
    envs: usize,
    vs_envpool: bool,
) -> Result<String, CommandError> {
    use crate::prelude::*;
    let rom = find_rom(rom)?;
    let envs = envs.max(1);
    let config = arcadia_ale::scene::AleSceneConfig::new(rom.name.clone());
    let frame_skip = config.preprocessing.frame_skip as u64;
    let mut app = headless_app(0);
    app.add_plugins(arcadia_ale::scene::plugin(&config, &rom, envs).map_err(CommandError::input)?)
        .add_plugins(RandomAgentPlugin);
    app.finish();
    app.cleanup();
    arcadia_engine::run::use_single_threaded_executors(&mut app);
    app.update(); // the first update only chooses actions
    let updates = steps.div_ceil(envs as u64).max(1);
    let start = std::time::Instant::now();
    for _ in 0..updates {
        app.update();
    }
    let ours = (updates * envs as u64 * frame_skip) as f64 / start.elapsed().as_secs_f64();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut text = format!(
        "| runner | ROM | envs | threads | agent steps | frames/s |\n|---|---|---:|---:|---:|---:|\n| arcadia (engine + stella) | {} | {envs} | {threads} | {} | {ours:.0} |\n",
        rom.name,
        updates * envs as u64
    );
    if vs_envpool {
        let task = envpool_task(&rom.name);
        let out = std::process::Command::new("python3")
            .args(["-c", ENVPOOL_BENCH, &task])
            .args([envs.to_string(), threads.to_string(), updates.to_string()])
            .output()
            .map_err(CommandError::failure)?;
        if !out.status.success() {
            return Err(CommandError::failure(format!(
                "EnvPool benchmark failed (pip install envpool): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let theirs: f64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(CommandError::failure)?;
        text.push_str(&format!(
            "| EnvPool ({task}) | {} | {envs} | {threads} | {} | {theirs:.0} |\n\nratio arcadia / EnvPool: {:.2}\n",
            rom.name,
            updates * envs as u64,
            ours / theirs
        ));
    }
    Ok(text)
}
