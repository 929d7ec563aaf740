//! The simulator side of the scene contract: a plain-Rust environment, no Bevy types.

use serde::{Serialize, de::DeserializeOwned};

use crate::components::{Action, Observation};
use crate::rng::EnvRng;
use crate::space::{ActionError, Space};

/// What one step of an environment produced (besides the observation it wrote).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepOutcome {
    /// The reward of this step.
    pub reward: f32,
    /// The episode ended in a terminal state.
    pub terminated: bool,
    /// The episode ended by a time limit.
    pub truncated: bool,
    /// Task success at this step, for scenes that define it (`None` otherwise). An episode
    /// counts as a success if any of its steps reports `Some(true)`.
    pub success: Option<bool>,
    /// The step cost a life while the episode goes on (Atari games). Agents that follow
    /// Dopamine's Atari protocol (`terminal_on_life_loss`) treat it as terminal for their
    /// returns; the episode, its return and its records continue.
    pub life_lost: bool,
}

/// An error an environment reports instead of panicking (a NaN action, say).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EnvError {
    /// The action does not belong to the action space.
    #[error("invalid action: {0}")]
    InvalidAction(#[from] ActionError),
    /// Anything else the simulator cannot go on from.
    #[error("{0}")]
    Simulation(String),
}

/// One environment instance: the core of a scene, stepped once per `App::update`.
///
/// Implementations are plain Rust (no Bevy), own their simulator state, and draw all their
/// randomness from the `EnvRng` they are given, so that a seed fixes everything. They are
/// serializable so that checkpoints capture them whole.
pub trait Environment: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The observation space (the same for every env of a scene).
    fn observation_space(&self) -> Space;
    /// The action space (the same for every env of a scene).
    fn action_space(&self) -> Space;
    /// The task this env runs, an index into the scene's task names.
    fn task(&self) -> usize {
        0
    }
    /// Starts a new episode and writes its first observation.
    fn reset(&mut self, rng: &mut EnvRng, obs: &mut Observation);
    /// Applies `action`, advances the simulation and writes the next observation.
    fn step(
        &mut self,
        action: &Action,
        rng: &mut EnvRng,
        obs: &mut Observation,
    ) -> Result<StepOutcome, EnvError>;
    /// Scene-specific measurements of the episode that just ended (seconds to goal, say),
    /// asked once per episode before the reset. They are written to `episode_metrics.csv`
    /// and summarised per task (mean and median) in `summary.json`.
    fn episode_metrics(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
    /// The scene's scripted policy (a controller that knows the simulator's state), if it
    /// has one: used by the `Scripted` reference agent.
    fn scripted_action(&self, _obs: &Observation, _rng: &mut EnvRng) -> Option<Action> {
        None
    }
}
