#![doc = include_str!("../README.md")]

pub mod random;
pub mod scripted;

/// The agents in one `use`.
pub mod prelude {
    pub use crate::random::RandomAgentPlugin;
    pub use crate::scripted::ScriptedAgentPlugin;
}
