//! The components every env entity carries.

use bevy::prelude::Component;
use serde::{Deserialize, Serialize};

use crate::space::Space;

/// The values of an observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ObsData {
    /// A vector or tensor of `f32`.
    F32(Vec<f32>),
    /// An image (or stack of images) of `u8`.
    U8(Vec<u8>),
}

/// What an env shows its agent after a step: a contiguous buffer and its shape.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Tensor shape of `data` (`[dim]` for vectors, `[channels, height, width]` for images).
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub data: ObsData,
    /// Extra `f32` features beside an image (empty for vector observations).
    pub aux: Vec<f32>,
}

impl Observation {
    /// A zeroed observation laid out for `space`.
    pub fn zeros(space: &Space) -> Self {
        match space {
            Space::Discrete { .. } => Observation {
                shape: vec![1],
                data: ObsData::F32(vec![0.0]),
                aux: Vec::new(),
            },
            Space::Box { low, shape, .. } => Observation {
                shape: shape.clone(),
                data: ObsData::F32(vec![0.0; low.len()]),
                aux: Vec::new(),
            },
            Space::Image {
                height,
                width,
                channels,
                aux,
            } => Observation {
                shape: vec![*channels, *height, *width],
                data: ObsData::U8(vec![0; height * width * channels]),
                aux: vec![0.0; *aux],
            },
        }
    }

    /// The `f32` values, or `None` for an image.
    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            ObsData::F32(v) => Some(v),
            ObsData::U8(_) => None,
        }
    }

    /// The `f32` values for writing, or `None` for an image.
    pub fn as_f32_mut(&mut self) -> Option<&mut [f32]> {
        match &mut self.data {
            ObsData::F32(v) => Some(v),
            ObsData::U8(_) => None,
        }
    }

    /// The image bytes, or `None` for a vector.
    pub fn as_u8(&self) -> Option<&[u8]> {
        match &self.data {
            ObsData::U8(v) => Some(v),
            ObsData::F32(_) => None,
        }
    }

    /// The image bytes for writing, or `None` for a vector.
    pub fn as_u8_mut(&mut self) -> Option<&mut [u8]> {
        match &mut self.data {
            ObsData::U8(v) => Some(v),
            ObsData::F32(_) => None,
        }
    }

    /// Number of elements in `data`.
    pub fn len(&self) -> usize {
        match &self.data {
            ObsData::F32(v) => v.len(),
            ObsData::U8(v) => v.len(),
        }
    }

    /// True when `data` holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the values as `f32` to `out` (images as raw 0..=255 values, then `aux`).
    pub fn extend_f32(&self, out: &mut Vec<f32>) {
        match &self.data {
            ObsData::F32(v) => out.extend_from_slice(v),
            ObsData::U8(v) => out.extend(v.iter().map(|&b| b as f32)),
        }
        out.extend_from_slice(&self.aux);
    }
}

/// The observation an env ended its episode on, kept when the env auto-resets (so a
/// learner can bootstrap from it on truncation). Valid when the env is `done()` this step.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinalObservation(pub Observation);

/// The action an agent chose for an env; the scene applies it at the next step.
#[derive(Component, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// No action yet: the env is not stepped.
    #[default]
    Unset,
    /// An index into a discrete action set.
    Discrete(u32),
    /// A continuous action vector.
    Continuous(Vec<f32>),
}

impl Action {
    /// A short name of the action's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Unset => "unset",
            Action::Discrete(_) => "discrete",
            Action::Continuous(_) => "continuous",
        }
    }
}

/// The reward of the last step.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reward(pub f32);

/// The last step ended the episode in a terminal state (no bootstrapping).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Terminated(pub bool);

/// The last step ended the episode by a time limit (bootstrap from the final observation).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Truncated(pub bool);

/// The last step cost a life while the episode goes on (see `StepOutcome::life_lost`).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LifeLost(pub bool);

/// Whether the env was stepped in this update (false before its first action).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stepped(pub bool);

/// The index of an env within its scene, `0..num_envs`; the key of its random streams.
#[derive(
    Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct EnvIndex(pub usize);

/// The task an env runs, an index into the scene's task names (0 for single-task scenes).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaskId(pub usize);

/// Running statistics of an env's current episode, and how many it has finished.
#[derive(Component, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpisodeStats {
    /// Sum of rewards so far in this episode.
    pub episode_return: f64,
    /// Steps so far in this episode.
    pub length: u64,
    /// Whether the scene reported success at any step of this episode (`None`: undefined).
    pub success: Option<bool>,
    /// Episodes this env has finished.
    pub episodes: u64,
}

/// Scene-specific measurements of the env's last finished episode (see
/// `Environment::episode_metrics`); filled when the env resets.
#[derive(Component, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpisodeMetrics(pub Vec<(String, f64)>);

/// True when the env's last step ended its episode.
pub fn is_done(terminated: &Terminated, truncated: &Truncated) -> bool {
    terminated.0 || truncated.0
}
