#![doc = include_str!("../README.md")]

pub mod config;
pub mod error;
pub mod learner;
pub mod plugin;

pub use config::{Loss, ValueAgentConfig, ValueConfig};
pub use error::ValueError;
pub use learner::Learner;
pub use plugin::{ValueAgent, ValueAgentPlugin, plugin};

/// The value agents in one `use`.
pub mod prelude {
    pub use crate::config::{Loss, ValueAgentConfig, ValueConfig};
    pub use crate::plugin::{ValueAgent, ValueAgentPlugin, plugin};
}
