//! The egui panels: run controls and a new-run chooser on the left, live curves on the
//! right, the env grid in the middle.

use std::path::Path;

use arcadia::experiment::{AgentConfig, Experiment, SceneConfig};
use arcadia_stem::config::ActionKind;
use arcadia_value_agents::ValueConfig;
use bevy_egui::egui::{
    self, Align2, Color32, ColorImage, FontId, Pos2, Rect, Sense, Stroke, TextureHandle,
    TextureOptions, pos2, vec2,
};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use crate::frames::{BodyKind, Mark, MarkKind, MetaWorldPicture, Rgba, StemPicture, convex_hull};
use crate::sim::{EnvFrame, Picture, Series, Session};

/// The scenes the chooser offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SceneChoice {
    /// STEM with continuous beam placement (the paper's setting).
    StemContinuous,
    /// STEM with discrete beam placements (for value agents).
    StemDiscrete,
    /// An Atari game.
    Atari,
    /// Meta-World MT10.
    MetaWorld,
}

impl SceneChoice {
    const ALL: [SceneChoice; 4] = [
        SceneChoice::StemContinuous,
        SceneChoice::StemDiscrete,
        SceneChoice::Atari,
        SceneChoice::MetaWorld,
    ];

    fn label(self) -> &'static str {
        match self {
            SceneChoice::StemContinuous => "STEM (continuous beam)",
            SceneChoice::StemDiscrete => "STEM (discrete beam)",
            SceneChoice::Atari => "Atari (ALE)",
            SceneChoice::MetaWorld => "Meta-World MT10",
        }
    }

    fn config(self, game: &str) -> SceneConfig {
        match self {
            SceneChoice::StemContinuous => SceneConfig::Stem(arcadia_stem::StemConfig::default()),
            SceneChoice::StemDiscrete => SceneConfig::Stem(arcadia_stem::StemConfig {
                actions: ActionKind::Discrete,
                ..Default::default()
            }),
            SceneChoice::Atari => {
                SceneConfig::Ale(arcadia_ale::scene::AleSceneConfig::new(game.trim()))
            }
            SceneChoice::MetaWorld => SceneConfig::MetaWorld(Default::default()),
        }
    }

    fn images(self) -> bool {
        self == SceneChoice::Atari
    }
}

/// The agents the chooser offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentChoice {
    /// Uniform random actions.
    Random,
    /// The scene's scripted controller.
    Scripted,
    /// A value-agent preset by name (`dqn`, `c51`, `rainbow`, `der`, `drq_eps`).
    Value(&'static str),
    /// The keyboard (Atari scenes).
    Human,
}

impl AgentChoice {
    const ALL: [AgentChoice; 8] = [
        AgentChoice::Random,
        AgentChoice::Scripted,
        AgentChoice::Value("dqn"),
        AgentChoice::Value("c51"),
        AgentChoice::Value("rainbow"),
        AgentChoice::Value("der"),
        AgentChoice::Value("drq_eps"),
        AgentChoice::Human,
    ];

    fn label(self) -> &'static str {
        match self {
            AgentChoice::Random => "Random",
            AgentChoice::Scripted => "Scripted controller",
            AgentChoice::Value("dqn") => "DQN",
            AgentChoice::Value("c51") => "C51",
            AgentChoice::Value("rainbow") => "Rainbow",
            AgentChoice::Value("der") => "DER",
            AgentChoice::Value(_) => "DrQ(eps)",
            AgentChoice::Human => "Human (keyboard)",
        }
    }

    /// The agent config; value presets get a small MLP torso and no frame stack on vector
    /// observations (their published settings are for Atari images).
    fn config(self, images: bool) -> Result<AgentConfig, String> {
        Ok(match self {
            AgentChoice::Random | AgentChoice::Human => AgentConfig::Random,
            AgentChoice::Scripted => AgentConfig::Scripted,
            AgentChoice::Value(name) => {
                let mut c = ValueConfig::preset(name)
                    .ok_or_else(|| format!("no value-agent preset named {name}"))?;
                if !images {
                    c.torso = arcadia_nn::q_network::Torso::Mlp {
                        hidden: vec![64, 64],
                    };
                    c.hidden = None;
                    c.frame_stack = 1;
                    c.augmentation_pad = 0;
                }
                match name {
                    "dqn" => AgentConfig::Dqn(c),
                    "c51" => AgentConfig::C51(c),
                    "rainbow" => AgentConfig::Rainbow(c),
                    "der" => AgentConfig::Der(c),
                    _ => AgentConfig::DrqEps(c),
                }
            }
        })
    }
}

/// What the user asked for this frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Requests {
    /// Start a new run of this experiment (with human play if true).
    pub start: Option<(Experiment, bool)>,
    /// Rebuild the current run from scratch.
    pub restart: bool,
}

/// The viewer's UI state.
pub struct UiState {
    /// Stepping or paused.
    pub running: bool,
    /// Updates per frame.
    pub speed: usize,
    /// Envs shown.
    pub grid: usize,
    /// Run one update at the next frame.
    pub step_once: bool,
    /// The last error or notice.
    pub message: Option<String>,
    scene: SceneChoice,
    game: String,
    agent: AgentChoice,
    envs: usize,
    seed: u64,
    budget: u64,
    config_path: String,
    textures: Vec<Option<Slot>>,
}

/// Two textures per grid cell: the one drawn and the one written. bevy_egui shows a
/// texture updated this frame only from the next, so a picture rewritten every frame in
/// place would never appear; writing the other texture and drawing it a frame later does.
struct Slot {
    textures: [TextureHandle; 2],
    front: usize,
    last: Vec<u8>,
    /// STEM markers of the picture in each texture (drawn with it, so they agree).
    marks: [Vec<Mark>; 2],
}

impl UiState {
    /// The initial state.
    pub fn new(running: bool, speed: usize, grid: usize) -> Self {
        UiState {
            running,
            speed,
            grid,
            step_once: false,
            message: None,
            scene: SceneChoice::StemContinuous,
            game: "pong".into(),
            agent: AgentChoice::Scripted,
            envs: 8,
            seed: 0,
            budget: 1_000_000,
            config_path: "assets/experiments/stem-greedy.ron".into(),
            textures: Vec::new(),
        }
    }

    fn chosen_experiment(&self) -> Result<(Experiment, bool), String> {
        let scene = self.scene.config(&self.game);
        let agent = self.agent.config(self.scene.images())?;
        Ok((
            Experiment {
                name: "viewer".into(),
                seed: self.seed,
                steps: self.budget.max(1),
                envs: self.envs.max(1),
                checkpoint_every: None,
                eval: None,
                scene,
                agent,
            },
            self.agent == AgentChoice::Human,
        ))
    }
}

/// The key bindings, as the help text and README list them.
pub const KEYS: &[(&str, &str)] = &[
    ("Space / P", "run or pause (P only in human play)"),
    ("N", "one update (while paused)"),
    ("+ / -", "double or halve the speed"),
    ("R", "restart the run"),
    ("[ / ]", "fewer or more envs in the grid"),
    ("Arrows / WASD", "joystick (human play)"),
    ("Space / Z / Ctrl", "fire (human play)"),
];

/// Draws every panel; returns what the user asked for.
pub fn draw(ctx: &egui::Context, state: &mut UiState, session: Option<&mut Session>) -> Requests {
    let mut requests = Requests::default();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "viewer-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let mut session = session;
    egui::Panel::left("controls")
        .default_size(300.0)
        .resizable(true)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                controls(ui, state, session.as_deref_mut(), &mut requests);
            });
        });
    if let Some(session) = session.as_deref_mut() {
        egui::Panel::right("curves")
            .default_size(440.0)
            .resizable(true)
            .show(&mut root, |ui| curves(ui, session));
    }
    egui::CentralPanel::default().show(&mut root, |ui| match session {
        Some(session) => {
            let frames = session.frames(state.grid);
            grid(ui, state, &frames);
        }
        None => {
            ui.centered_and_justified(|ui| {
                ui.heading("No run: choose a scene and an agent, then Start.");
            });
        }
    });
    requests
}

fn controls(
    ui: &mut egui::Ui,
    state: &mut UiState,
    session: Option<&mut Session>,
    requests: &mut Requests,
) {
    ui.heading("Arcadia viewer");
    if let Some(session) = session {
        let e = &session.experiment;
        egui::Grid::new("experiment").num_columns(2).show(ui, |ui| {
            ui.label("experiment");
            ui.label(&e.name);
            ui.end_row();
            ui.label("scene");
            ui.label(scene_text(&e.scene));
            ui.end_row();
            ui.label("agent");
            ui.label(if session.human {
                "human (keyboard)"
            } else {
                e.agent.name()
            });
            ui.end_row();
            ui.label("envs / seed");
            ui.label(format!("{} / {}", e.envs, e.seed));
            ui.end_row();
        });
        ui.separator();
        ui.horizontal(|ui| {
            let label = if state.running { "Pause" } else { "Run" };
            if ui.button(label).clicked() {
                state.running = !state.running;
            }
            if ui
                .add_enabled(!state.running, egui::Button::new("Step"))
                .clicked()
            {
                state.step_once = true;
            }
            if ui.button("Restart").clicked() {
                requests.restart = true;
            }
        });
        ui.add(
            egui::Slider::new(&mut state.speed, 1..=4096)
                .logarithmic(true)
                .text("updates / frame"),
        );
        let max_grid = session.scene_info().num_envs.clamp(1, 64);
        ui.add(egui::Slider::new(&mut state.grid, 1..=max_grid).text("envs shown"));
        state.grid = state.grid.clamp(1, max_grid);
        ui.separator();
        let stats = session.stats().clone();
        let budget = session.experiment.steps;
        ui.add(
            egui::ProgressBar::new((stats.env_steps as f32 / budget as f32).min(1.0))
                .text(format!("{} / {} env steps", stats.env_steps, budget)),
        );
        egui::Grid::new("progress").num_columns(2).show(ui, |ui| {
            ui.label("episodes");
            ui.label(stats.episodes.to_string());
            ui.end_row();
            ui.label("mean return (last 100)");
            ui.label(
                stats
                    .recent_mean_return()
                    .map_or("-".into(), |r| format!("{r:.4}")),
            );
            ui.end_row();
            let success: (u64, u64) = stats
                .tasks
                .iter()
                .filter(|t| t.success_defined)
                .fold((0, 0), |(s, n), t| (s + t.successes, n + t.episodes));
            ui.label("success (all episodes)");
            ui.label(if success.1 > 0 {
                format!("{:.1}%", 100.0 * success.0 as f64 / success.1 as f64)
            } else {
                "-".into()
            });
            ui.end_row();
            ui.label("env steps / s");
            ui.label(
                session
                    .history
                    .steps_per_s
                    .last()
                    .map_or("-".into(), |r| format!("{r:.0}")),
            );
            ui.end_row();
        });
        if session.finished() {
            ui.colored_label(Color32::LIGHT_GREEN, "budget reached");
        }
        if let Some(error) = &session.error {
            ui.colored_label(Color32::LIGHT_RED, format!("stopped: {error}"));
        }
        egui::CollapsingHeader::new("Agent diagnostics")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("diagnostics")
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (name, value) in session.diagnostics().lines {
                            ui.label(name);
                            ui.label(value);
                            ui.end_row();
                        }
                    });
            });
    }
    ui.separator();
    egui::CollapsingHeader::new("New run")
        .default_open(false)
        .show(ui, |ui| new_run(ui, state, requests));
    egui::CollapsingHeader::new("Keys")
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new("keys").num_columns(2).show(ui, |ui| {
                for (key, what) in KEYS {
                    ui.monospace(*key);
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
    if let Some(message) = &state.message {
        ui.separator();
        ui.colored_label(Color32::LIGHT_RED, message);
    }
}

fn scene_text(scene: &SceneConfig) -> String {
    match scene {
        SceneConfig::Stem(c) => format!("stem ({:?} actions)", c.actions).to_lowercase(),
        SceneConfig::Ale(c) => format!("ale: {}", c.game),
        SceneConfig::MetaWorld(c) => format!("metaworld: {} tasks", c.tasks.len()),
    }
}

fn new_run(ui: &mut egui::Ui, state: &mut UiState, requests: &mut Requests) {
    egui::ComboBox::from_label("scene")
        .selected_text(state.scene.label())
        .show_ui(ui, |ui| {
            for choice in SceneChoice::ALL {
                ui.selectable_value(&mut state.scene, choice, choice.label());
            }
        });
    if state.scene == SceneChoice::Atari {
        ui.horizontal(|ui| {
            ui.label("game");
            ui.text_edit_singleline(&mut state.game);
        });
    }
    egui::ComboBox::from_label("agent")
        .selected_text(state.agent.label())
        .show_ui(ui, |ui| {
            for choice in AgentChoice::ALL {
                ui.selectable_value(&mut state.agent, choice, choice.label());
            }
        });
    ui.horizontal(|ui| {
        ui.label("envs");
        ui.add(egui::DragValue::new(&mut state.envs).range(1..=256));
        ui.label("seed");
        ui.add(egui::DragValue::new(&mut state.seed));
    });
    ui.horizontal(|ui| {
        ui.label("budget");
        ui.add(
            egui::DragValue::new(&mut state.budget)
                .range(1..=u64::MAX / 2)
                .speed(1000.0),
        );
        ui.label("env steps");
    });
    if ui.button("Start").clicked() {
        match state.chosen_experiment() {
            Ok(choice) => requests.start = Some(choice),
            Err(e) => state.message = Some(e),
        }
    }
    ui.separator();
    ui.label("or open an experiment file (RON):");
    ui.text_edit_singleline(&mut state.config_path);
    if ui.button("Load").clicked() {
        match Experiment::load(Path::new(state.config_path.trim())) {
            Ok(e) => requests.start = Some((e, false)),
            Err(e) => state.message = Some(e.to_string()),
        }
    }
}

fn plot_height(ui: &egui::Ui, plots: usize) -> f32 {
    ((ui.available_height() - 30.0 * plots as f32) / plots as f32).max(60.0)
}

fn line(name: &str, s: &Series) -> Line<'static> {
    Line::new(name.to_string(), PlotPoints::from(s.points().to_vec()))
}

fn curves(ui: &mut egui::Ui, session: &Session) {
    let h = &session.history;
    let mut plots: Vec<(&str, Vec<Line<'static>>, Option<Points<'static>>)> = vec![(
        "episode return",
        vec![line("mean of 50", &h.mean_return)],
        Some(
            Points::new(
                "episodes".to_string(),
                PlotPoints::from(h.returns.points().to_vec()),
            )
            .radius(1.5),
        ),
    )];
    if !h.success.points().is_empty() {
        plots.push((
            "success rate (last 50)",
            vec![line("success", &h.success)],
            None,
        ));
    }
    if let Some(loss) = h.scalars.get("loss") {
        plots.push(("loss", vec![line("loss", loss)], None));
    }
    if let Some(eps) = h.scalars.get("epsilon") {
        plots.push(("epsilon", vec![line("epsilon", eps)], None));
    }
    plots.push(("env steps / s", vec![line("steps/s", &h.steps_per_s)], None));
    let height = plot_height(ui, plots.len());
    for (title, lines, points) in plots {
        ui.label(egui::RichText::new(title).strong());
        let mut plot = Plot::new(title);
        if title.starts_with("success") {
            plot = plot.include_y(0.0).include_y(1.0);
        }
        plot.height(height)
            .legend(Legend::default())
            .allow_scroll(false)
            .show(ui, |plot| {
                for l in lines {
                    plot.line(l);
                }
                if let Some(p) = points {
                    plot.points(p);
                }
            });
    }
}

fn grid(ui: &mut egui::Ui, state: &mut UiState, frames: &[EnvFrame]) {
    let n = frames.len().max(1);
    let area = ui.available_rect_before_wrap();
    let (cols, rows) = grid_shape(n, area.width(), area.height());
    let cell = vec2(area.width() / cols as f32, area.height() / rows as f32);
    if state.textures.len() < frames.len() {
        state.textures.resize_with(frames.len(), || None);
    }
    ui.allocate_rect(area, Sense::hover());
    let painter = ui.painter_at(area);
    for (k, frame) in frames.iter().enumerate() {
        let (c, r) = (k % cols, k / cols);
        let rect = Rect::from_min_size(area.min + vec2(c as f32 * cell.x, r as f32 * cell.y), cell)
            .shrink(4.0);
        painter.rect_filled(rect, 4.0, Color32::from_gray(24));
        let caption = format!(
            "env {} · {} · return {:.3} · step {} · episodes {}",
            frame.index, frame.task, frame.episode_return, frame.length, frame.episodes
        );
        painter.text(
            rect.min + vec2(4.0, 2.0),
            Align2::LEFT_TOP,
            caption,
            FontId::proportional(12.0),
            Color32::from_gray(210),
        );
        let body = Rect::from_min_max(rect.min + vec2(2.0, 18.0), rect.max - vec2(2.0, 2.0));
        match &frame.picture {
            Picture::Stem(p) => {
                let (tex, marks) = texture(ui.ctx(), &mut state.textures[k], k, &p.image, &p.marks);
                stem_cell(&painter, body, tex, p, &marks);
            }
            Picture::Atari(img) => {
                let (tex, _) = texture(ui.ctx(), &mut state.textures[k], k, img, &[]);
                // Atari pixels are about twice as wide as tall.
                let r = fit(body, 2.0 * img.width as f32 / img.height as f32);
                painter.image(tex, r, unit_uv(), Color32::WHITE);
            }
            Picture::MetaWorld(p) => metaworld_cell(&painter, body, p),
        }
    }
}

/// Columns and rows for `n` cells in a `w x h` area (cells as square as possible).
pub fn grid_shape(n: usize, w: f32, h: f32) -> (usize, usize) {
    let n = n.max(1);
    let mut best = (1, n, f32::MIN);
    for cols in 1..=n {
        let rows = n.div_ceil(cols);
        let side = (w / cols as f32).min(h / rows as f32);
        if side > best.2 {
            best = (cols, rows, side);
        }
    }
    (best.0, best.1)
}

fn unit_uv() -> Rect {
    Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0))
}

/// The largest rect of `aspect` (width / height) centred in `area`.
fn fit(area: Rect, aspect: f32) -> Rect {
    let (w, h) = (area.width(), area.height());
    let size = if w / h > aspect {
        vec2(h * aspect, h)
    } else {
        vec2(w, w / aspect)
    };
    Rect::from_center_size(area.center(), size)
}

fn texture(
    ctx: &egui::Context,
    slot: &mut Option<Slot>,
    k: usize,
    image: &Rgba,
    marks: &[Mark],
) -> (egui::TextureId, Vec<Mark>) {
    let color = || ColorImage::from_rgba_unmultiplied([image.width, image.height], &image.data);
    match slot {
        Some(s) if s.last != image.data => {
            // Write the back texture now, draw the front one (last frame's picture).
            let back = 1 - s.front;
            s.textures[back].set(color(), TextureOptions::NEAREST);
            s.marks[back] = marks.to_vec();
            s.last.clone_from(&image.data);
            let shown = (s.textures[s.front].id(), s.marks[s.front].clone());
            s.front = back;
            shown
        }
        Some(s) => (s.textures[s.front].id(), s.marks[s.front].clone()),
        None => {
            let new = |i: usize| {
                ctx.load_texture(format!("env-{k}-{i}"), color(), TextureOptions::NEAREST)
            };
            let s = Slot {
                textures: [new(0), new(1)],
                front: 0,
                last: image.data.clone(),
                marks: [marks.to_vec(), marks.to_vec()],
            };
            let shown = (s.textures[0].id(), s.marks[0].clone());
            *slot = Some(s);
            shown
        }
    }
}

fn stem_cell(
    painter: &egui::Painter,
    body: Rect,
    tex: egui::TextureId,
    p: &StemPicture,
    marks: &[Mark],
) {
    let r = fit(body, p.image.width as f32 / p.image.height as f32);
    painter.image(tex, r, unit_uv(), Color32::WHITE);
    let at = |x: f32, y: f32| pos2(r.min.x + x * r.width(), r.min.y + y * r.height());
    let s = r.width() / 40.0;
    for m in marks {
        let c = at(m.x, m.y);
        match m.kind {
            MarkKind::Silicon => {
                painter.circle_stroke(c, 1.6 * s, Stroke::new(2.0, Color32::YELLOW));
            }
            MarkKind::Goal => {
                let color = Color32::from_rgb(60, 220, 90);
                painter.circle_stroke(c, 1.6 * s, Stroke::new(2.0, color));
                painter.line_segment(
                    [c - vec2(s, 0.0), c + vec2(s, 0.0)],
                    Stroke::new(2.0, color),
                );
                painter.line_segment(
                    [c - vec2(0.0, s), c + vec2(0.0, s)],
                    Stroke::new(2.0, color),
                );
                if !m.inside {
                    painter.text(
                        c,
                        Align2::CENTER_CENTER,
                        "goal (off view)",
                        FontId::proportional(11.0),
                        color,
                    );
                }
            }
            MarkKind::Beam => {
                let color = Color32::from_rgb(255, 70, 70);
                painter.line_segment(
                    [c - vec2(1.2 * s, 1.2 * s), c + vec2(1.2 * s, 1.2 * s)],
                    Stroke::new(2.0, color),
                );
                painter.line_segment(
                    [c - vec2(1.2 * s, -1.2 * s), c + vec2(1.2 * s, -1.2 * s)],
                    Stroke::new(2.0, color),
                );
            }
        }
    }
    painter.text(
        r.left_bottom() + vec2(4.0, -4.0),
        Align2::LEFT_BOTTOM,
        format!("goal {:.2} Å", p.goal_distance_a),
        FontId::proportional(11.0),
        Color32::from_rgb(60, 220, 90),
    );
}

/// World bounds of the projections: x across, then y (top view) or z (front view).
const X_RANGE: (f32, f32) = (-0.6, 0.6);
const Y_RANGE: (f32, f32) = (0.25, 1.05);
const Z_RANGE: (f32, f32) = (-0.05, 0.45);

fn body_colour(kind: BodyKind) -> (Color32, Color32) {
    match kind {
        BodyKind::Fixed => (Color32::from_gray(70), Color32::from_gray(110)),
        BodyKind::Robot => (
            Color32::from_rgb(70, 110, 200),
            Color32::from_rgb(150, 180, 255),
        ),
        BodyKind::Object => (
            Color32::from_rgb(220, 140, 40),
            Color32::from_rgb(255, 200, 120),
        ),
    }
}

fn metaworld_cell(painter: &egui::Painter, body: Rect, p: &MetaWorldPicture) {
    let half = body.height() / 2.0;
    let top = Rect::from_min_size(body.min, vec2(body.width(), half - 2.0));
    let front = Rect::from_min_size(body.min + vec2(0.0, half), vec2(body.width(), half - 2.0));
    for (view, rect, label) in [(1usize, top, "top (x, y)"), (2usize, front, "front (x, z)")] {
        let range = if view == 1 { Y_RANGE } else { Z_RANGE };
        let aspect = (X_RANGE.1 - X_RANGE.0) / (range.1 - range.0);
        let r = fit(rect, aspect);
        painter.rect_filled(r, 2.0, Color32::from_gray(36));
        let to_screen = |q: [f32; 3]| -> Pos2 {
            let u = (q[0] - X_RANGE.0) / (X_RANGE.1 - X_RANGE.0);
            let v = (q[view] - range.0) / (range.1 - range.0);
            pos2(r.min.x + u * r.width(), r.max.y - v * r.height())
        };
        let clip = painter.with_clip_rect(r);
        // Far solids first: lowest z in the top view, largest y in the front view.
        let depth = |corners: &[[f32; 3]]| -> f32 {
            let mean = |i: usize| corners.iter().map(|c| c[i]).sum::<f32>() / corners.len() as f32;
            if view == 1 { mean(2) } else { -mean(1) }
        };
        let mut solids: Vec<_> = p.solids.iter().collect();
        solids.sort_by(|a, b| depth(&a.corners).total_cmp(&depth(&b.corners)));
        for solid in solids {
            let pts: Vec<[f32; 2]> = solid
                .corners
                .iter()
                .map(|&c| {
                    let s = to_screen(c);
                    [s.x, s.y]
                })
                .collect();
            let hull: Vec<Pos2> = convex_hull(&pts)
                .into_iter()
                .map(|[x, y]| pos2(x, y))
                .collect();
            if hull.len() >= 3 {
                let (fill, edge) = body_colour(solid.kind);
                clip.add(egui::Shape::convex_polygon(
                    hull,
                    fill,
                    Stroke::new(1.0, edge),
                ));
            }
        }
        let goal = to_screen(p.goal);
        clip.circle_stroke(goal, 5.0, Stroke::new(2.0, Color32::from_rgb(60, 220, 90)));
        clip.circle_filled(to_screen(p.tcp), 3.5, Color32::from_rgb(255, 70, 70));
        painter.text(
            r.min + vec2(4.0, 2.0),
            Align2::LEFT_TOP,
            label,
            FontId::proportional(11.0),
            Color32::from_gray(180),
        );
    }
    painter.text(
        body.right_top() + vec2(-4.0, 2.0),
        Align2::RIGHT_TOP,
        &p.task,
        FontId::proportional(11.0),
        Color32::from_gray(200),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy_egui::egui::Vec2;

    #[test]
    fn grid_shapes_fill_the_area() {
        assert_eq!(grid_shape(1, 800.0, 600.0), (1, 1));
        assert_eq!(grid_shape(4, 800.0, 800.0), (2, 2));
        assert_eq!(grid_shape(8, 1600.0, 800.0), (4, 2));
        let (c, r) = grid_shape(10, 900.0, 600.0);
        assert!(c * r >= 10);
    }

    #[test]
    fn fit_keeps_the_aspect() {
        let r = fit(
            Rect::from_min_size(Pos2::ZERO, Vec2::new(400.0, 100.0)),
            2.0,
        );
        assert_eq!(r.size(), vec2(200.0, 100.0));
        assert_eq!(r.center(), pos2(200.0, 50.0));
    }

    #[test]
    fn chooser_builds_valid_experiments() {
        let mut state = UiState::new(true, 1, 8);
        for scene in [
            SceneChoice::StemContinuous,
            SceneChoice::StemDiscrete,
            SceneChoice::MetaWorld,
        ] {
            state.scene = scene;
            state.agent = AgentChoice::Scripted;
            let (e, human) = state.chosen_experiment().unwrap();
            assert!(!human);
            assert!(e.scene.validate().is_ok(), "{scene:?}");
        }
        state.scene = SceneChoice::StemDiscrete;
        state.agent = AgentChoice::Value("rainbow");
        let (e, _) = state.chosen_experiment().unwrap();
        let agent = e.agent.value_agent().expect("a value agent");
        assert!(agent.config().validate().is_ok());
        assert_eq!(agent.config().frame_stack, 1);
        assert_eq!(agent.name(), "rainbow");
    }
}
