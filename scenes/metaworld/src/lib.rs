#![doc = include_str!("../README.md")]

pub mod bench;
pub mod config;
pub mod env;
pub mod objects;
pub mod policies;
pub mod reward;
pub mod robot;
pub mod scene;
pub mod sim;
pub mod tasks;
pub mod variation;

pub use config::MetaWorldConfig;
pub use env::MetaWorldEnv;
pub use scene::plugin;
pub use tasks::{MT10, Task};
