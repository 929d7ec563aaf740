#![doc = include_str!("../README.md")]

pub mod action;
pub mod error;
pub mod games;
pub mod rng;
pub mod roms;

pub use action::{Action, NUM_ACTIONS};
pub use error::AleError;
pub use games::{Game, GameSettings};
pub use rng::Mt19937;
