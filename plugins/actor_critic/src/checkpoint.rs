//! Compact (postcard) files for the agent's checkpoint part.

use std::path::Path;

use serde::{Serialize, de::DeserializeOwned};

use crate::error::{ActorCriticError, Result};

/// Serializes `value` into `path` (atomically, through the engine's writer).
pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    arcadia_engine::checkpoint::save_value(path, value)
        .map_err(|e| ActorCriticError::Checkpoint(e.to_string()))
}

/// Reads a value written by [`save`].
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T> {
    arcadia_engine::checkpoint::load_value(path)
        .map_err(|e| ActorCriticError::Checkpoint(e.to_string()))
}
