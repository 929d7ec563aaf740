//! The `arcadia` command line: train, check, bench.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use arcadia::commands::{self, CommandError, train::TrainOptions};
use arcadia_engine::run::RunStatus;
use clap::{Parser, Subcommand};

/// Arcadia: an ECS simulation engine for reinforcement-learning research.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train an experiment headless until its env-step budget is spent.
    Train {
        /// The experiment RON file.
        experiment: PathBuf,
        /// Run directory (default runs/NAME/seed-SEED).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override the experiment seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override the budget in env steps.
        #[arg(long)]
        steps: Option<u64>,
        /// Continue a killed or interrupted run from its last checkpoint.
        #[arg(long)]
        resume: bool,
    },
    /// Validate an experiment file without running it.
    Check {
        /// The experiment RON file.
        experiment: PathBuf,
    },
    /// Measure throughput.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print ale-py's step-by-step trace (`ale_trace.py`) of a ROM, computed by Arcadia.
    Trace(commands::ale::TraceArgs),
    /// Manage the ROM registry (ROMs are never shipped: import your own or ale-py's).
    #[command(subcommand)]
    Roms(RomsCommand),
    /// Aggregate results with reliable statistics (IQM, bootstrap CIs, profiles) and plot them.
    Report(arcadia_report::ReportArgs),
}

#[derive(Subcommand, Debug)]
enum RomsCommand {
    /// Copy the ALE ROMs found in DIR (by MD5), or ale-py's bundled ROMs, into the registry.
    Import {
        /// Folder to import from.
        dir: Option<PathBuf>,
        /// Import the ROMs bundled with the installed ale-py.
        #[arg(long)]
        ale_py: bool,
    },
    /// List the ROMs in the registry.
    List,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Atari emulation frames/s (frameskip 1, no sticky actions, screen every frame).
    Ale {
        /// ROM name, MD5 or path.
        #[arg(long, default_value = "pong")]
        rom: String,
        /// Frames in total.
        #[arg(long, default_value_t = 20_000)]
        frames: u64,
        /// Envs (1: single thread; more: one thread per env on all cores).
        #[arg(long, default_value_t = 1)]
        envs: usize,
        /// Run ale-py on the same work in the same run and print the ratio.
        #[arg(long)]
        vs_ale_py: bool,
        /// Rounds, each ours then ale-py's; medians are reported (not with --preprocess).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Step the envs through the engine with the full Atari preprocessing (sticky 0.25,
        /// frame skip 4 + max-pool, 84x84 grayscale, stack 4) on all cores; `--frames`
        /// then counts agent steps.
        #[arg(long)]
        preprocess: bool,
        /// With --preprocess: run EnvPool configured the same in the same run.
        #[arg(long)]
        vs_envpool: bool,
    },
    /// STEM scene env steps/s (state and image observations), single thread.
    Stem {
        /// Env steps for the state benchmark (the image one runs a twentieth).
        #[arg(long, default_value_t = 1_000_000)]
        steps: u64,
    },
    /// Meta-World env steps/s per task with random actions, single thread.
    Metaworld {
        /// Env steps per task.
        #[arg(long, default_value_t = 5_000)]
        steps: u64,
        /// Run Metaworld 3 on MuJoCo (`pip install metaworld`) on the same tasks in the same
        /// run and print the ratios.
        #[arg(long)]
        vs_metaworld: bool,
    },
    /// ECS runner against a plain Rust loop over a trivial env.
    Engine {
        /// Env counts to measure.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        envs: Vec<usize>,
        /// Env steps per measurement.
        #[arg(long, default_value_t = 2_000_000)]
        steps: u64,
    },
}

fn run(cli: Cli) -> Result<ExitCode, CommandError> {
    match cli.command {
        Command::Train {
            experiment,
            out,
            seed,
            steps,
            resume,
        } => {
            let options = TrainOptions {
                out,
                seed,
                steps,
                resume,
                progress: std::io::stderr().is_terminal(),
            };
            let summary = commands::train::train(&experiment, &options)?;
            Ok(match summary.status {
                RunStatus::Interrupted => ExitCode::from(130),
                _ => ExitCode::SUCCESS,
            })
        }
        Command::Check { experiment } => {
            println!("{}", commands::train::check(&experiment)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Trace(args) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            commands::ale::trace(&args, &mut out)?;
            out.flush().map_err(CommandError::failure)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Roms(RomsCommand::Import { dir, ale_py }) => {
            println!("{}", commands::ale::import(dir.as_deref(), ale_py)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Roms(RomsCommand::List) => {
            println!("{}", commands::ale::list()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Ale {
            rom,
            frames,
            envs,
            vs_ale_py,
            rounds,
            preprocess,
            vs_envpool,
        }) => {
            let table = if preprocess {
                commands::ale::bench_preprocessed(&rom, frames, envs, vs_envpool)?
            } else {
                commands::ale::bench(&rom, frames, envs, rounds, vs_ale_py)?
            };
            print!("{table}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Stem { steps }) => {
            print!("{}", commands::bench::stem(steps)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Metaworld {
            steps,
            vs_metaworld,
        }) => {
            print!("{}", commands::bench::metaworld(steps, vs_metaworld));
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(args) => {
            arcadia_report::run_report(&args).map_err(CommandError::input)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Engine { envs, steps }) => {
            print!("{}", commands::bench::engine(&envs, steps));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.code as u8)
        }
    }
}
