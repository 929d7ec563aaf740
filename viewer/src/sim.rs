//! The run the viewer shows: an inner headless App built from an [`Experiment`] exactly as
//! `arcadia train` builds it (the same scene and agent plugins), stepped a few updates per
//! frame, with what the window draws collected on the way: episode ends, agent scalars,
//! steps per second, and env pictures.
//!
//! The inner App has no renderer and writes no run directory; the window App owns it.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use arcadia::experiment::{Experiment, SceneConfig};
use arcadia_ale::scene::AleEnv;
use arcadia_engine::prelude::*;
use arcadia_engine::record::record;
use arcadia_engine::run::use_single_threaded_executors;
use arcadia_engine::scene::EnvInstance;
use arcadia_metaworld::MetaWorldEnv;
use arcadia_stem::StemEnv;
use arcadia_stem::imaging::Renderer;
use arcadia_value_agents::ValueAgent;
use bevy::prelude::*;

use crate::frames::{
    MetaWorldPicture, Rgba, StemPicture, ale_picture, metaworld_picture, stem_picture,
};
use crate::human::{Stick, action_index};

/// Why a session could not be built or stepped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SessionError {
    /// The scene could not be built (a missing ROM, a bad config value).
    #[error("scene {scene}: {message}")]
    Scene {
        /// The scene's name.
        scene: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The agent could not be built.
    #[error("agent {agent}: {message}")]
    Agent {
        /// The agent's name.
        agent: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Human play needs an Atari scene with discrete actions.
    #[error("human play needs an Atari (Ale) scene with discrete actions, not {0}")]
    HumanNeedsAtari(String),
    /// An env or the agent reported an error while stepping.
    #[error("env {env}: {message}")]
    Step {
        /// The env's index.
        env: usize,
        /// The error.
        message: String,
    },
}

/// Which scene a session runs (decides how envs are drawn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SceneKind {
    /// `arcadia-stem`.
    Stem,
    /// `arcadia-ale`.
    Ale,
    /// `arcadia-metaworld`.
    MetaWorld,
}

impl SceneKind {
    /// The kind of a scene config.
    pub fn of(config: &SceneConfig) -> Self {
        match config {
            SceneConfig::Stem(_) => SceneKind::Stem,
            SceneConfig::Ale(_) => SceneKind::Ale,
            SceneConfig::MetaWorld(_) => SceneKind::MetaWorld,
        }
    }
}

/// A curve: `[x, y]` points, thinned to at most `cap` by dropping every other point when
/// full (so long runs keep their whole shape at a bounded cost).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    points: Vec<[f64; 2]>,
    stride: usize,
    pending: usize,
}

impl Series {
    /// Most points kept.
    pub const CAP: usize = 4096;

    /// Appends a point (kept if it falls on the current stride).
    pub fn push(&mut self, x: f64, y: f64) {
        if !y.is_finite() {
            return;
        }
        self.stride = self.stride.max(1);
        self.pending += 1;
        if self.pending < self.stride {
            return;
        }
        self.pending = 0;
        self.points.push([x, y]);
        if self.points.len() >= Self::CAP {
            let kept: Vec<[f64; 2]> = self.points.iter().step_by(2).copied().collect();
            self.points = kept;
            self.stride *= 2;
        }
    }

    /// The points.
    pub fn points(&self) -> &[[f64; 2]] {
        &self.points
    }

    /// The last value.
    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|p| p[1])
    }
}

/// Everything plotted, by env step (steps per second by wall-clock seconds).
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Each episode's return.
    pub returns: Series,
    /// Mean return of the last [`History::WINDOW`] episodes.
    pub mean_return: Series,
    /// Success rate of the last [`History::WINDOW`] episodes (scenes that define success).
    pub success: Series,
    /// Env steps per second of wall time.
    pub steps_per_s: Series,
    /// Agent scalars by name (`loss`, `epsilon`, ...).
    pub scalars: BTreeMap<String, Series>,
    recent_returns: VecDeque<f64>,
    recent_success: VecDeque<bool>,
}

impl History {
    /// Episodes averaged in the running means.
    pub const WINDOW: usize = 50;

    /// Books one finished episode at `env_step`.
    pub fn episode(&mut self, env_step: u64, episode_return: f64, success: Option<bool>) {
        let x = env_step as f64;
        self.returns.push(x, episode_return);
        if self.recent_returns.len() == Self::WINDOW {
            self.recent_returns.pop_front();
        }
        self.recent_returns.push_back(episode_return);
        let mean = self.recent_returns.iter().sum::<f64>() / self.recent_returns.len() as f64;
        self.mean_return.push(x, mean);
        if let Some(s) = success {
            if self.recent_success.len() == Self::WINDOW {
                self.recent_success.pop_front();
            }
            self.recent_success.push_back(s);
            let rate = self.recent_success.iter().filter(|&&s| s).count() as f64
                / self.recent_success.len() as f64;
            self.success.push(x, rate);
        }
    }

    /// Books an agent scalar at `env_step`.
    pub fn scalar(&mut self, env_step: u64, name: &str, value: f64) {
        self.scalars
            .entry(name.to_string())
            .or_default()
            .push(env_step as f64, value);
    }
}

/// What the inner App's `capture` system saw this update.
#[derive(Resource, Default)]
struct Captured {
    episodes: Vec<(f64, Option<bool>)>,
    scalars: Vec<(String, f64)>,
}

/// Copies the update's episode ends and agent scalars before `record` drains the scalars.
fn capture(
    mut ends: MessageReader<EpisodeEnd>,
    mut log: ResMut<ScalarLog>,
    mut captured: ResMut<Captured>,
) {
    let mut ends: Vec<&EpisodeEnd> = ends.read().collect();
    ends.sort_by_key(|e| e.env);
    captured
        .episodes
        .extend(ends.iter().map(|e| (e.episode_return, e.success)));
    for (name, value) in log.drain() {
        captured.scalars.push((name.clone(), value));
        log.log(name, value);
    }
}

/// A picture of one env.
#[derive(Clone, Debug, PartialEq)]
pub enum Picture {
    /// A STEM frame with markers.
    Stem(StemPicture),
    /// An Atari screen.
    Atari(Rgba),
    /// Meta-World bodies.
    MetaWorld(MetaWorldPicture),
}

/// One env as the grid shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvFrame {
    /// The env's index.
    pub index: usize,
    /// Its task's name.
    pub task: String,
    /// Return of the episode so far.
    pub episode_return: f64,
    /// Steps of the episode so far.
    pub length: u64,
    /// Episodes it finished.
    pub episodes: u64,
    /// Its last reward.
    pub reward: f32,
    /// What it looks like.
    pub picture: Picture,
}

/// Measures env steps per second over half-second windows.
#[derive(Clone, Debug)]
struct RateMeter {
    started: Instant,
    last: Instant,
    last_steps: u64,
}

/// A run in the viewer.
pub struct Session {
    app: App,
    /// The experiment it runs.
    pub experiment: Experiment,
    /// Its scene.
    pub scene: SceneKind,
    /// Human play: the keyboard drives env 0 instead of an agent.
    pub human: bool,
    /// The curves.
    pub history: History,
    /// The error that stopped it, if any.
    pub error: Option<SessionError>,
    /// The last value of every agent scalar.
    pub last_scalars: BTreeMap<String, f64>,
    renderer: Renderer,
    rgb: Vec<u8>,
    rate: RateMeter,
}

/// Agent state worth showing, read from the agent's resources.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics {
    /// Name and value lines.
    pub lines: Vec<(String, String)>,
}

impl Session {
    /// Builds the run of `experiment` (with `human`, the scene alone, one env, driven by the
    /// keyboard).
    pub fn new(mut experiment: Experiment, human: bool) -> Result<Self, SessionError> {
        let scene = SceneKind::of(&experiment.scene);
        if human {
            experiment.envs = 1;
        }
        let scene_name = experiment.scene.name();
        let plugin = experiment
            .scene
            .validate()
            .and_then(|()| experiment.build_scene())
            .map_err(|message| SessionError::Scene {
                scene: scene_name,
                message,
            })?;
        if let Some(agent) = experiment.agent.value_agent() {
            agent
                .config()
                .validate()
                .map_err(|message| SessionError::Agent {
                    agent: agent.name(),
                    message,
                })?;
        }
        let mut app = headless_app(experiment.seed);
        if human {
            plugin.add_to(&mut app);
        } else {
            experiment.install(&mut app, plugin);
        }
        app.init_resource::<Captured>()
            .add_systems(Update, capture.in_set(ArcadiaSet::Record).before(record));
        app.finish();
        app.cleanup();
        use_single_threaded_executors(&mut app);
        if let Some((_, error)) = app
            .world()
            .resource::<StepErrors>()
            .take()
            .into_iter()
            .next()
        {
            return Err(SessionError::Agent {
                agent: experiment.agent.name(),
                message: error.to_string(),
            });
        }
        if human {
            let info = app.world().resource::<SceneInfo>();
            if scene != SceneKind::Ale || !matches!(info.action_space, Space::Discrete { .. }) {
                return Err(SessionError::HumanNeedsAtari(format!(
                    "{} with {:?} actions",
                    info.name, info.action_space
                )));
            }
        }
        let now = Instant::now();
        Ok(Session {
            app,
            experiment,
            scene,
            human,
            history: History::default(),
            error: None,
            last_scalars: BTreeMap::new(),
            renderer: Renderer::new(),
            rgb: Vec::new(),
            rate: RateMeter {
                started: now,
                last: now,
                last_steps: 0,
            },
        })
    }

    /// The run's counters.
    pub fn stats(&self) -> &RunStats {
        self.app.world().resource::<RunStats>()
    }

    /// The scene's description.
    pub fn scene_info(&self) -> &SceneInfo {
        self.app.world().resource::<SceneInfo>()
    }

    /// True once the experiment's env-step budget is spent.
    pub fn finished(&self) -> bool {
        self.stats().env_steps >= self.experiment.steps
    }

    /// Runs up to `updates` updates (each steps every env once), stopping early at the
    /// budget, on an error, or when `deadline` passes. With `stick`, env 0 plays that stick
    /// position (human play). Returns the updates run.
    pub fn step(&mut self, updates: usize, stick: Option<Stick>, deadline: Instant) -> usize {
        let mut done = 0;
        while done < updates && self.error.is_none() && !self.finished() {
            if let Some(stick) = stick.filter(|_| self.human) {
                self.play(stick);
            }
            self.app.update();
            done += 1;
            self.collect();
            if Instant::now() >= deadline {
                break;
            }
        }
        done
    }

    /// Writes env 0's action from the stick (human play).
    fn play(&mut self, stick: Stick) {
        let world = self.app.world_mut();
        let Some(&entity) = world.resource::<EnvOrder>().0.first() else {
            return;
        };
        let index = world
            .get::<EnvInstance<AleEnv>>(entity)
            .map(|env| action_index(env.0.inner().actions(), stick));
        if let (Some(index), Some(mut action)) = (index, world.get_mut::<Action>(entity)) {
            *action = Action::Discrete(index as u32);
        }
    }

    /// Moves this update's episodes, scalars and errors into the history.
    fn collect(&mut self) {
        let world = self.app.world_mut();
        let errors = world.resource::<StepErrors>().take();
        if let Some((env, error)) = errors.into_iter().next() {
            self.error = Some(SessionError::Step {
                env,
                message: error.to_string(),
            });
        }
        let captured = std::mem::take(&mut *world.resource_mut::<Captured>());
        let step = world.resource::<RunStats>().env_steps;
        for (episode_return, success) in captured.episodes {
            self.history.episode(step, episode_return, success);
        }
        for (name, value) in captured.scalars {
            self.history.scalar(step, &name, value);
            self.last_scalars.insert(name, value);
        }
    }

    /// Samples steps per second (call once per frame; a sample every half second).
    pub fn sample_rate(&mut self) {
        let now = Instant::now();
        let dt = now - self.rate.last;
        if dt < Duration::from_millis(500) {
            return;
        }
        let steps = self.stats().env_steps;
        let rate = (steps - self.rate.last_steps) as f64 / dt.as_secs_f64();
        let t = (now - self.rate.started).as_secs_f64();
        self.history.steps_per_s.push(t, rate);
        self.rate.last = now;
        self.rate.last_steps = steps;
    }

    /// Pictures of the first `n` envs, in env order.
    pub fn frames(&mut self, n: usize) -> Vec<EnvFrame> {
        let Session {
            app,
            renderer,
            rgb,
            scene,
            ..
        } = self;
        let world = app.world();
        let order = &world.resource::<EnvOrder>().0;
        let tasks = &world.resource::<SceneInfo>().tasks;
        let mut frames = Vec::with_capacity(n.min(order.len()));
        for (index, &entity) in order.iter().take(n).enumerate() {
            let Ok(env) = world.get_entity(entity) else {
                continue;
            };
            let (Some(stats), Some(task), Some(obs), Some(reward)) = (
                env.get::<EpisodeStats>(),
                env.get::<TaskId>(),
                env.get::<Observation>(),
                env.get::<Reward>(),
            ) else {
                continue;
            };
            let picture = match scene {
                SceneKind::Stem => env
                    .get::<EnvInstance<StemEnv>>()
                    .map(|e| Picture::Stem(stem_picture(&e.0, obs, renderer))),
                SceneKind::Ale => env
                    .get::<EnvInstance<AleEnv>>()
                    .map(|e| Picture::Atari(ale_picture(&e.0, rgb))),
                SceneKind::MetaWorld => env
                    .get::<EnvInstance<MetaWorldEnv>>()
                    .map(|e| Picture::MetaWorld(metaworld_picture(&e.0))),
            };
            let Some(picture) = picture else { continue };
            frames.push(EnvFrame {
                index,
                task: tasks
                    .get(task.0)
                    .cloned()
                    .unwrap_or_else(|| task.0.to_string()),
                episode_return: stats.episode_return,
                length: stats.length,
                episodes: stats.episodes,
                reward: reward.0,
                picture,
            });
        }
        frames
    }

    /// The value agent's Q-values for env 0's current observation (mean weights for noisy
    /// nets), or `None` when there is no env or the forward pass fails.
    fn first_env_action_values(&self, learner: &arcadia_value_agents::Learner) -> Option<Vec<f32>> {
        let world = self.app.world();
        let entity = *world.get_resource::<EnvOrder>()?.0.first()?;
        let obs = world.get::<Observation>(entity)?;
        let batch = match &obs.data {
            ObsData::F32(v) => arcadia_nn::replay::BatchObs::F32(v.clone()),
            ObsData::U8(v) => arcadia_nn::replay::BatchObs::U8(v.clone()),
        };
        let values = learner.action_values(batch, obs.aux.clone(), 1).ok()?;
        values.into_iter().next()
    }

    /// The agent's state: epsilon, replay fill, gradient updates (value agents), and the
    /// last value of each scalar it logged.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut lines = Vec::new();
        let agent = if self.human {
            "human (keyboard)"
        } else {
            self.experiment.agent.name()
        };
        lines.push(("agent".to_string(), agent.to_string()));
        if let Some(agent) = self.app.world().get_resource::<ValueAgent>() {
            let learner = &agent.learner;
            lines.push(("epsilon".into(), format!("{:.4}", learner.epsilon())));
            lines.push((
                "replay".into(),
                format!(
                    "{} sampleable / {} added",
                    learner.replay.sampleable(),
                    learner.replay.added()
                ),
            ));
            lines.push((
                "gradient updates".into(),
                learner.state.gradient_updates.to_string(),
            ));
            lines.push((
                "target updates".into(),
                learner.state.target_updates.to_string(),
            ));
            if let Some(values) = self.first_env_action_values(learner) {
                let text: Vec<String> = values.iter().map(|q| format!("{q:.3}")).collect();
                lines.push(("Q(env 0)".into(), text.join(" ")));
            }
        }
        for (name, value) in &self.last_scalars {
            lines.push((format!("last {name}"), format!("{value:.5}")));
        }
        Diagnostics { lines }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arcadia::experiment::AgentConfig;

    fn stem(agent: AgentConfig, envs: usize, steps: u64) -> Experiment {
        Experiment {
            name: "viewer-test".into(),
            seed: 0,
            steps,
            envs,
            checkpoint_every: None,
            eval: None,
            scene: SceneConfig::Stem(arcadia_stem::StemConfig::default()),
            agent,
        }
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(3600)
    }

    #[test]
    fn series_thins_but_keeps_its_span() {
        let mut s = Series::default();
        for i in 0..3 * Series::CAP {
            s.push(i as f64, 1.0);
        }
        assert!(s.points().len() < Series::CAP);
        assert_eq!(s.points()[0][0], 0.0);
        assert!(s.points().last().unwrap()[0] > (2 * Series::CAP) as f64);
        s.push(1e9, f64::NAN);
        assert!(s.last().unwrap().is_finite());
    }

    #[test]
    fn history_means_and_success_rates() {
        let mut h = History::default();
        h.episode(10, 1.0, Some(true));
        h.episode(20, 3.0, Some(false));
        assert_eq!(h.mean_return.last(), Some(2.0));
        assert_eq!(h.success.last(), Some(0.5));
        h.episode(30, 0.0, None);
        assert_eq!(h.success.points().len(), 2);
    }

    #[test]
    fn stepping_the_greedy_stem_run_records_episodes() {
        let mut session = Session::new(stem(AgentConfig::Scripted, 4, 1_000_000), false)
            .expect("the default STEM run builds");
        assert_eq!(session.scene, SceneKind::Stem);
        let mut updates = 0;
        while session.history.returns.points().is_empty() && updates < 2000 {
            updates += session.step(50, None, far());
        }
        assert!(session.error.is_none(), "{:?}", session.error);
        assert!(
            !session.history.returns.points().is_empty(),
            "no episode ended"
        );
        // The first update only chooses actions: envs step from the second on.
        assert_eq!(session.stats().env_steps, 4 * (updates as u64 - 1));
        let frames = session.frames(3);
        assert_eq!(frames.len(), 3);
        assert!(matches!(frames[0].picture, Picture::Stem(_)));
        assert_eq!(frames[2].index, 2);
    }

    #[test]
    fn the_budget_stops_stepping() {
        let mut session = Session::new(stem(AgentConfig::Random, 2, 10), false).unwrap();
        let done = session.step(100, None, far());
        assert_eq!(
            done, 6,
            "one update to choose actions, five to spend 10 steps"
        );
        assert_eq!(session.stats().env_steps, 10);
        assert!(session.finished());
        assert_eq!(session.step(100, None, far()), 0);
    }

    #[test]
    fn human_play_needs_an_atari_scene() {
        let err = Session::new(stem(AgentConfig::Random, 2, 10), true)
            .err()
            .expect("STEM has no human play");
        assert!(matches!(err, SessionError::HumanNeedsAtari(_)), "{err}");
    }

    #[test]
    fn value_agent_scalars_reach_the_history() {
        let text = r#"(steps: 100000, envs: 2, scene: Stem(actions: Discrete),
            agent: Dqn(torso: Mlp(hidden: [16]), frame_stack: 1, min_replay_history: 20, update_period: 1,
            target_update_period: 50, batch_size: 8, log_every: 5, replay_capacity: 1000))"#;
        let experiment: Experiment =
            arcadia_engine::config::parse_ron(text, std::path::Path::new("test.ron"))
                .expect("test experiment parses");
        let mut session = Session::new(experiment, false).expect("DQN on STEM builds");
        session.step(200, None, far());
        assert!(session.error.is_none(), "{:?}", session.error);
        assert!(
            session.history.scalars.contains_key("loss"),
            "scalars: {:?}",
            session.history.scalars.keys().collect::<Vec<_>>()
        );
        let diagnostics = session.diagnostics();
        assert!(diagnostics.lines.iter().any(|(k, _)| k == "epsilon"));
        assert!(diagnostics.lines.iter().any(|(k, _)| k == "Q(env 0)"));
    }
}
