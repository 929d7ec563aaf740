//! The Bevy side: a thin [`EnvPlugin`] over [`StemEnv`].

use std::sync::Arc;

use arcadia_engine::prelude::*;

use crate::config::StemConfig;
use crate::env::{StemEnv, StemError, build_rate_model};

/// The scene's name in run directories and on the command line.
pub const SCENE_NAME: &str = "stem";

/// The STEM scene with `num_envs` envs. Validates `config` and loads a learned rate model
/// once (shared by every env), so a bad config is an error here rather than a panic later.
pub fn plugin(config: &StemConfig, num_envs: usize) -> Result<EnvPlugin<StemEnv>, StemError> {
    let model = build_rate_model(config)?;
    let config = Arc::new(config.clone());
    Ok(EnvPlugin::new(SCENE_NAME, num_envs, move |_index, _rng| {
        StemEnv::from_model(Arc::clone(&config), model.clone())
    }))
}
