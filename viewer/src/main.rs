//! `arcadia-viewer`: the window on Arcadia's scenes and agents (see the crate README).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    arcadia_viewer::app::run(arcadia_viewer::cli::Args::parse())
}
