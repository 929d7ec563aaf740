#![doc = include_str!("../README.md")]

pub mod bench;
pub mod config;
pub mod env;
pub mod goal;
pub mod greedy;
pub mod imaging;
pub mod lattice;
mod noise;
pub mod rates;
pub mod scene;
pub mod stats;
pub mod transition;

/// Everything a user of the scene needs in one `use`.
pub mod prelude {
    pub use crate::config::{
        ActionKind, BeamConfig, ImageConfig, ObservationKind, RateModelConfig, StemConfig,
    };
    pub use crate::env::{StemEnv, StemError};
    pub use crate::lattice::{BOND_LENGTH, Graphene, Site, Vec2};
    pub use crate::rates::{BeamSettings, LearnedRates, RateModel};
    pub use crate::scene::plugin;
}

pub use config::StemConfig;
pub use env::{StemEnv, StemError};
pub use scene::plugin;
