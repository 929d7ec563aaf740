//! Command-line options of `arcadia-viewer` (and of `cargo run --example scene -- ...`).

use std::path::PathBuf;

use clap::Parser;

/// The experiment the viewer opens without `--config`: the STEM scene's greedy controller,
/// as in `assets/experiments/stem-greedy.ron`.
pub const DEFAULT_EXPERIMENT: &str = include_str!("../../assets/experiments/stem-greedy.ron");

/// Shows Arcadia's scenes and agents live: envs, curves and agent diagnostics.
#[derive(Parser, Clone, Debug, PartialEq)]
#[command(name = "arcadia-viewer", version)]
pub struct Args {
    /// Experiment file (RON) to open (default: the STEM greedy controller,
    /// `assets/experiments/stem-greedy.ron`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Play the Atari scene with the keyboard instead of the experiment's agent.
    #[arg(long)]
    pub human: bool,
    /// Envs shown in the grid (default: up to 8).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub grid: usize,
    /// Updates per frame (each steps every env once).
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub speed: usize,
    /// Start paused.
    #[arg(long)]
    pub paused: bool,
    /// Save a screenshot of the window to this PNG file after `--frames` frames (or
    /// `--seconds`), check that it is not blank, and exit (status 3 if it is blank).
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Frames to run before the screenshot (or before exiting).
    #[arg(long, value_name = "N", conflicts_with = "seconds")]
    pub frames: Option<u64>,
    /// Seconds to run before the screenshot (or before exiting).
    #[arg(long, value_name = "S")]
    pub seconds: Option<f64>,
    /// Window width, logical pixels.
    #[arg(long, default_value_t = 1440)]
    pub width: u32,
    /// Window height, logical pixels.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
}

/// When the viewer stops by itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopAfter {
    /// Runs until the window closes.
    Never,
    /// After this many frames.
    Frames(u64),
    /// After this many seconds.
    Seconds(f64),
}

/// Frames run before a screenshot when neither `--frames` nor `--seconds` is given.
pub const DEFAULT_SCREENSHOT_FRAMES: u64 = 120;

impl Args {
    /// When to stop (and take the screenshot, if asked).
    pub fn stop_after(&self) -> StopAfter {
        match (self.frames, self.seconds, &self.screenshot) {
            (Some(n), _, _) => StopAfter::Frames(n),
            (None, Some(s), _) => StopAfter::Seconds(s),
            (None, None, Some(_)) => StopAfter::Frames(DEFAULT_SCREENSHOT_FRAMES),
            (None, None, None) => StopAfter::Never,
        }
    }

    /// Checks values clap cannot.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(s) = self.seconds
            && !(s.is_finite() && s > 0.0)
        {
            return Err(format!("--seconds must be a positive number, found {s}"));
        }
        if self.grid == 0 || self.grid > 64 {
            return Err(format!("--grid must be in 1..=64, found {}", self.grid));
        }
        if self.speed == 0 || self.speed > 100_000 {
            return Err(format!(
                "--speed must be in 1..=100000, found {}",
                self.speed
            ));
        }
        if self.width < 320 || self.height < 240 {
            return Err("--width and --height must be at least 320 x 240".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("arcadia-viewer").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_run_until_closed() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.stop_after(), StopAfter::Never);
        assert!(args.validate().is_ok());
    }

    #[test]
    fn screenshot_modes() {
        let args = parse(&["--screenshot", "a.png"]).unwrap();
        assert_eq!(
            args.stop_after(),
            StopAfter::Frames(DEFAULT_SCREENSHOT_FRAMES)
        );
        let args = parse(&["--screenshot", "a.png", "--seconds", "2.5"]).unwrap();
        assert_eq!(args.stop_after(), StopAfter::Seconds(2.5));
        assert!(parse(&["--frames", "3", "--seconds", "1"]).is_err());
        let args = parse(&["--seconds=-1"]).unwrap();
        assert!(args.validate().is_err());
        assert!(parse(&["--grid", "0"]).unwrap().validate().is_err());
    }

    #[test]
    fn the_default_experiment_parses() {
        let e: arcadia::experiment::Experiment = arcadia_engine::config::parse_ron(
            DEFAULT_EXPERIMENT,
            std::path::Path::new("stem-greedy.ron"),
        )
        .expect("the embedded experiment parses");
        assert_eq!(e.scene.name(), "stem");
    }
}
