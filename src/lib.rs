//! Arcadia: an embedded ECS simulation engine for reinforcement-learning research.
//!
//! This facade crate re-exports the engine and the agents, defines the experiment config
//! (`experiment`), and implements the `arcadia` command line (`commands`).

pub mod commands;
pub mod experiment;

pub use arcadia_agents as agents;
pub use arcadia_engine as engine;

/// Everything a user of the facade needs in one `use`.
pub mod prelude {
    pub use crate::experiment::{AgentConfig, Experiment, SceneConfig};
    pub use arcadia_agents::prelude::*;
    pub use arcadia_engine::prelude::*;
}
