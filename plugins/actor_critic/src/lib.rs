#![doc = include_str!("../README.md")]

pub mod checkpoint;
pub mod dormant;
pub mod encoder;
pub mod error;
pub mod gae;
pub mod mt_sac;
pub mod ppo;
pub mod ppo_plugin;
pub mod replay;
pub mod sac;
pub mod sac_plugin;
pub mod squashed_gaussian;
pub mod task_heads;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

pub use error::ActorCriticError;
pub use mt_sac::MtSacConfig;
pub use ppo::PpoConfig;
pub use sac::SacConfig;

/// The agents and their configs in one `use`.
pub mod prelude {
    pub use crate::ActorCriticConfig;
    pub use crate::error::ActorCriticError;
    pub use crate::mt_sac::MtSacConfig;
    pub use crate::ppo::{PpoConfig, PpoLearner};
    pub use crate::ppo_plugin::{PpoAgent, PpoPlugin};
    pub use crate::sac::{SacConfig, SacLearner};
    pub use crate::sac_plugin::{SacAgent, SacPlugin};
}

/// An actor-critic agent as an experiment names it: `agent: Sac(...)`, `agent: MtSac(...)`,
/// `agent: Ppo(...)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum ActorCriticConfig {
    /// Soft Actor-Critic.
    Sac(SacConfig),
    /// Multi-task SAC with per-task heads and temperatures.
    MtSac(MtSacConfig),
    /// Proximal Policy Optimization.
    Ppo(PpoConfig),
}

impl ActorCriticConfig {
    /// The agent's name for `run.json` and logs.
    pub fn name(&self) -> &'static str {
        match self {
            ActorCriticConfig::Sac(_) => "sac",
            ActorCriticConfig::MtSac(_) => "mt_sac",
            ActorCriticConfig::Ppo(_) => "ppo",
        }
    }

    /// Checks that the values fit together; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            ActorCriticConfig::Sac(c) => c.validate(),
            ActorCriticConfig::MtSac(c) => c.validate(),
            ActorCriticConfig::Ppo(c) => c.validate(),
        }
    }

    /// Adds the agent's plugin to `app` (after the scene's plugin).
    pub fn add_to(&self, app: &mut App) {
        match self {
            ActorCriticConfig::Sac(c) => app.add_plugins(sac_plugin::SacPlugin::new(c, "sac")),
            ActorCriticConfig::MtSac(c) => {
                app.add_plugins(sac_plugin::SacPlugin::new(&c.sac(), "mt_sac"))
            }
            ActorCriticConfig::Ppo(c) => app.add_plugins(ppo_plugin::PpoPlugin::new(c)),
        };
    }
}
