#![doc = include_str!("../README.md")]

pub mod action;
pub mod bench;
pub mod env;
pub mod error;
pub mod games;
pub mod preprocess;
pub mod rng;
pub mod roms;
pub mod scene;
pub mod trace;

pub use action::{Action, NUM_ACTIONS};
pub use env::{Ale, AleConfig};
pub use error::AleError;
pub use games::{Game, GameSettings};
pub use rng::Mt19937;
pub use roms::{Rom, RomRegistry};

/// The common imports.
pub mod prelude {
    pub use crate::{Action, Ale, AleConfig, AleError, Game, GameSettings, Rom, RomRegistry};
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn environments_can_move_across_threads() {
        assert_send_sync::<crate::Ale>();
        assert_send_sync::<crate::preprocess::AtariPreprocessing>();
        assert_send_sync::<crate::Game>();
    }
}
