//! The viewer: `cargo run --example scene [-- ARGS]` opens a window on Arcadia's scenes and
//! agents (envs live, curves, agent diagnostics, human play for Atari games).
//!
//! The viewer is its own cargo workspace in `viewer/` so that Bevy's rendering stack never
//! reaches the headless crates' builds and tests; this example only launches it:
//! `cargo run --manifest-path viewer/Cargo.toml --bin arcadia-viewer -- ARGS`, with
//! `CARGO_TARGET_DIR` defaulting to `~/.cache/arcadia-target-viewer`. Options: `-- --help`;
//! keys, panels and the screenshot mode: `viewer/README.md`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = root.join("viewer").join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .arg("run")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--bin")
        .arg("arcadia-viewer");
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    command.arg("--").args(std::env::args_os().skip(1));
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        let home = std::env::var_os("HOME").map_or_else(|| root.join("target"), PathBuf::from);
        command.env(
            "CARGO_TARGET_DIR",
            home.join(".cache").join("arcadia-target-viewer"),
        );
    }
    eprintln!(
        "scene: launching the viewer ({}); the first build of Bevy's rendering stack takes a \
         long time (about 40 minutes on 2 cores), later runs start in seconds.",
        manifest.display()
    );
    match command.status() {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(code.clamp(0, 255) as u8),
            None => {
                eprintln!("scene: the viewer was stopped by a signal");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!(
                "scene: could not run {}: {e}",
                PathBuf::from(cargo).display()
            );
            ExitCode::FAILURE
        }
    }
}
