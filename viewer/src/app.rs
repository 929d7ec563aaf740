//! The window: Bevy with winit (X11), the renderer and bevy_egui; the run is stepped in
//! the egui pass, and `--screenshot` captures the window with Bevy's screenshot API.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arcadia::experiment::{Experiment, SceneConfig};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::WindowResolution;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass};

use crate::blank::ColourStats;
use crate::cli::{Args, DEFAULT_EXPERIMENT, StopAfter};
use crate::human::Stick;
use crate::sim::Session;
use crate::ui::{self, UiState};

/// Exit status for bad input (options, experiment file) and for a missing display.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when the screenshot is blank.
pub const EXIT_BLANK: u8 = 3;
/// Exit status when the screenshot could not be taken or saved.
pub const EXIT_SCREENSHOT: u8 = 4;

/// The message printed when there is no display to open a window on.
pub fn no_display_message() -> String {
    "arcadia-viewer: no X11 display (DISPLAY is not set), so no window can open.\n\
     The viewer is built for X11 (under Wayland it runs through XWayland, which sets DISPLAY).\n\
     To train without a window, run the same experiment headless:\n\
     \n    cargo run --release -- train assets/experiments/stem-greedy.ron\n\
     \n(or `arcadia train CONFIG` with your experiment file). To get a screenshot on a machine\n\
     without a display, run the viewer under Xvfb: `xvfb-run -a cargo run --example scene -- \
     --screenshot shot.png`, or see viewer/ci.sh."
        .to_string()
}

/// Whether a display is reachable through the environment (X11 only: this build has no
/// Wayland backend).
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
}

/// Loads the experiment to open: `--config` or the embedded STEM greedy run.
pub fn load_experiment(config: Option<&Path>) -> Result<Experiment, String> {
    match config {
        Some(path) => Experiment::load(path).map_err(|e| e.to_string()),
        None => arcadia_engine::config::parse_ron(
            DEFAULT_EXPERIMENT,
            Path::new("assets/experiments/stem-greedy.ron"),
        )
        .map_err(|e| e.to_string()),
    }
}

/// The window's state besides the UI: the run, if one is built.
struct Viewer {
    session: Option<Session>,
    ui: UiState,
    /// Human play: fractional agent steps owed to real time.
    human_due: f64,
}

/// Where the self-stopping modes stand.
#[derive(Resource)]
struct Control {
    stop_after: StopAfter,
    screenshot: Option<PathBuf>,
    frames: u64,
    started: Option<Instant>,
    phase: Phase,
    outcome: Arc<Mutex<Option<u8>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Running,
    Capturing { since_frame: u64 },
}

/// Opens the window and runs until it is closed (or the screenshot is taken); returns the
/// process's exit status.
pub fn run(args: Args) -> ExitCode {
    if let Err(e) = args.validate() {
        eprintln!("arcadia-viewer: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    if !display_available() {
        eprintln!("{}", no_display_message());
        return ExitCode::from(EXIT_USAGE);
    }
    let experiment = match load_experiment(args.config.as_deref()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("arcadia-viewer: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let session = match Session::new(experiment, args.human) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("arcadia-viewer: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    install_panic_hint();
    let grid = args.grid.min(session.scene_info().num_envs.max(1));
    let mut resolution = WindowResolution::new(args.width, args.height);
    if args.screenshot.is_some() {
        resolution = resolution.with_scale_factor_override(1.0);
    }
    let mut app = App::new();
    app.insert_resource(ClearColor(Color::srgb(0.07, 0.07, 0.09)))
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "Arcadia viewer".into(),
                resolution,
                ..default()
            }),
            ..default()
        }))
        .add_plugins(EguiPlugin::default())
        .insert_non_send(Viewer {
            session: Some(session),
            ui: UiState::new(!args.paused, args.speed, grid),
            human_due: 0.0,
        })
        .insert_resource(Control {
            stop_after: args.stop_after(),
            screenshot: args.screenshot.clone(),
            frames: 0,
            started: None,
            phase: Phase::Running,
            outcome: Arc::new(Mutex::new(None)),
        })
        .add_systems(Startup, spawn_camera)
        .add_systems(Update, stop_control)
        .add_systems(EguiPrimaryContextPass, frame);
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    }
}

/// Adds a hint to the panic Bevy's renderer raises when no GPU adapter exists.
fn install_panic_hint() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        eprintln!(
            "arcadia-viewer: the window or the renderer failed to start. A Vulkan driver is \
             needed: on Debian/Ubuntu without a GPU, `apt-get install mesa-vulkan-drivers \
             libvulkan1` gives a software one (lavapipe). Headless training needs none: \
             `arcadia train CONFIG`."
        );
    }));
}

fn spawn_camera(mut commands: Commands) {
    commands.spawn(Camera2d);
}

/// Frames per second Atari runs at; human play steps `60 / frame_skip` agent steps a second.
const ATARI_HZ: f64 = 60.0;

/// One window frame: keys, stepping, then the panels.
fn frame(
    mut contexts: EguiContexts,
    mut viewer: NonSendMut<Viewer>,
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let viewer = &mut *viewer;
    let typing = ctx.egui_wants_keyboard_input();
    let human = viewer.session.as_ref().is_some_and(|s| s.human);
    let mut restart = false;
    if !typing {
        let state = &mut viewer.ui;
        let pause_key =
            keys.just_pressed(KeyCode::KeyP) || (!human && keys.just_pressed(KeyCode::Space));
        if pause_key {
            state.running = !state.running;
        }
        if keys.just_pressed(KeyCode::KeyN) && !state.running {
            state.step_once = true;
        }
        if keys.just_pressed(KeyCode::Equal) || keys.just_pressed(KeyCode::NumpadAdd) {
            state.speed = (state.speed * 2).min(4096);
        }
        if keys.just_pressed(KeyCode::Minus) || keys.just_pressed(KeyCode::NumpadSubtract) {
            state.speed = (state.speed / 2).max(1);
        }
        if keys.just_pressed(KeyCode::BracketLeft) {
            state.grid = state.grid.saturating_sub(1).max(1);
        }
        if keys.just_pressed(KeyCode::BracketRight) {
            state.grid += 1;
        }
        restart = keys.just_pressed(KeyCode::KeyR);
    }
    let stick = (human && !typing).then(|| {
        let any = |codes: &[KeyCode]| codes.iter().any(|&k| keys.pressed(k));
        Stick::from_keys(
            any(&[KeyCode::ArrowLeft, KeyCode::KeyA]),
            any(&[KeyCode::ArrowRight, KeyCode::KeyD]),
            any(&[KeyCode::ArrowUp, KeyCode::KeyW]),
            any(&[KeyCode::ArrowDown, KeyCode::KeyS]),
            any(&[
                KeyCode::Space,
                KeyCode::KeyZ,
                KeyCode::ControlLeft,
                KeyCode::ControlRight,
            ]),
        )
    });
    if let Some(session) = viewer.session.as_mut() {
        let state = &mut viewer.ui;
        let deadline = Instant::now() + Duration::from_millis(30);
        if human {
            if state.running {
                let frame_skip = match &session.experiment.scene {
                    SceneConfig::Ale(c) => c.preprocessing.frame_skip.max(1) as f64,
                    _ => 1.0,
                };
                viewer.human_due += time.delta_secs_f64() * ATARI_HZ / frame_skip;
                let due = (viewer.human_due.floor() as usize).min(4);
                viewer.human_due -= viewer.human_due.floor();
                session.step(due, stick, deadline);
            } else if std::mem::take(&mut state.step_once) {
                session.step(1, stick, deadline);
            }
        } else if state.running {
            session.step(state.speed, None, deadline);
        } else if std::mem::take(&mut state.step_once) {
            session.step(1, None, deadline);
        }
        session.sample_rate();
    }
    let requests = ui::draw(ctx, &mut viewer.ui, viewer.session.as_mut());
    let rebuild = match requests.start {
        Some(choice) => Some(choice),
        None if requests.restart || restart => viewer
            .session
            .as_ref()
            .map(|s| (s.experiment.clone(), s.human)),
        None => None,
    };
    if let Some((experiment, human)) = rebuild {
        match Session::new(experiment, human) {
            Ok(session) => {
                viewer.ui.grid = viewer.ui.grid.min(session.scene_info().num_envs.max(1));
                viewer.session = Some(session);
                viewer.ui.message = None;
                viewer.human_due = 0.0;
            }
            Err(e) => viewer.ui.message = Some(e.to_string()),
        }
    }
    Ok(())
}

/// Counts frames; at the stop condition takes the screenshot (or exits), then exits with
/// the screenshot's outcome.
fn stop_control(
    mut commands: Commands,
    mut control: ResMut<Control>,
    mut exit: MessageWriter<AppExit>,
) {
    control.frames += 1;
    let started = *control.started.get_or_insert_with(Instant::now);
    let phase = control.phase;
    match phase {
        Phase::Running => {
            let due = match control.stop_after {
                StopAfter::Never => false,
                StopAfter::Frames(n) => control.frames >= n,
                StopAfter::Seconds(s) => started.elapsed().as_secs_f64() >= s,
            };
            if !due {
                return;
            }
            let Some(path) = control.screenshot.clone() else {
                exit.write(AppExit::Success);
                return;
            };
            let outcome = control.outcome.clone();
            let frames = control.frames;
            commands.spawn(Screenshot::primary_window()).observe(
                move |captured: On<ScreenshotCaptured>| {
                    let code = save_checked(&captured.image, &path, frames);
                    *outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(code);
                },
            );
            control.phase = Phase::Capturing {
                since_frame: control.frames,
            };
        }
        Phase::Capturing { since_frame } => {
            let outcome = *control.outcome.lock().unwrap_or_else(|p| p.into_inner());
            match outcome {
                Some(0) => {
                    exit.write(AppExit::Success);
                }
                Some(code) => {
                    exit.write(AppExit::from_code(code));
                }
                None if control.frames - since_frame > 600 => {
                    eprintln!("arcadia-viewer: no screenshot arrived within 600 frames");
                    exit.write(AppExit::from_code(EXIT_SCREENSHOT));
                }
                None => {}
            }
        }
    }
}

/// Saves the captured frame as PNG and checks it is not blank; returns the exit status.
fn save_checked(image: &Image, path: &Path, frames: u64) -> u8 {
    let rgb = match image.clone().try_into_dynamic() {
        Ok(dynamic) => dynamic.to_rgb8(),
        Err(e) => {
            eprintln!("arcadia-viewer: screenshot has an unsupported format: {e}");
            return EXIT_SCREENSHOT;
        }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("arcadia-viewer: {}: {e}", dir.display());
        return EXIT_SCREENSHOT;
    }
    if let Err(e) = rgb.save_with_format(path, image::ImageFormat::Png) {
        eprintln!("arcadia-viewer: {}: {e}", path.display());
        return EXIT_SCREENSHOT;
    }
    let stats = ColourStats::of(rgb.as_raw(), 3);
    eprintln!(
        "arcadia-viewer: screenshot {} ({}x{}, after {frames} frames): {} distinct colours, \
         the most common covers {:.1}%",
        path.display(),
        rgb.width(),
        rgb.height(),
        stats.distinct,
        100.0 * stats.dominant_fraction
    );
    if stats.is_blank() {
        eprintln!("arcadia-viewer: the screenshot is blank");
        EXIT_BLANK
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_experiment_loads() {
        let e = load_experiment(None).unwrap();
        assert_eq!(e.name, "stem-greedy");
    }

    #[test]
    fn a_missing_config_is_an_error_not_a_panic() {
        let err = load_experiment(Some(Path::new("/nonexistent/x.ron"))).unwrap_err();
        assert!(err.contains("/nonexistent/x.ron"), "{err}");
    }

    #[test]
    fn the_no_display_message_points_to_headless_training() {
        assert!(no_display_message().contains("train"));
    }
}
