//! The `arcadia` command line: train, check, bench.

use std::io::IsTerminal;
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
    /// Aggregate results with reliable statistics (IQM, bootstrap CIs, profiles) and plot them.
    Report(arcadia_report::ReportArgs),
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
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
