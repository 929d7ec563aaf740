//! The `arcadia report` subcommand as a standalone program, for use before
//! (or without) the `arcadia` binary:
//!
//! ```text
//! cargo run -p arcadia-report --example report -- --scores SCORES.csv --normalize atari100k
//! cargo run -p arcadia-report --example report -- runs/ --out report/
//! ```

use arcadia_report::{ReportArgs, run_report};
use clap::Parser;

/// Reliable evaluation of RL results (rliable statistics, tables, plots).
#[derive(Parser)]
#[command(name = "arcadia-report")]
struct Cli {
    #[command(flatten)]
    report: ReportArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run_report(&cli.report) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
