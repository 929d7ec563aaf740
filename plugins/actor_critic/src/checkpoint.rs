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

/// Serializes `value` into `path` as a stream (a large replay is not built in memory
/// first): a temporary file beside it, synced, then renamed.
pub fn save_streamed<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    use std::io::Write;
    let err = |e: &dyn std::fmt::Display| {
        ActorCriticError::Checkpoint(format!("writing {}: {e}", path.display()))
    };
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| err(&e))?;
    let mut writer = postcard::to_io(value, std::io::BufWriter::new(file)).map_err(|e| err(&e))?;
    writer.flush().map_err(|e| err(&e))?;
    let file = writer.into_inner().map_err(|e| err(&e))?;
    file.sync_all().map_err(|e| err(&e))?;
    std::fs::rename(&tmp, path).map_err(|e| err(&e))
}

/// Reads a value written by [`save_streamed`] (or [`save`]) from the file as a stream,
/// with a scratch buffer of `scratch` bytes that must hold its largest byte string.
pub fn load_streamed<T: DeserializeOwned>(path: &Path, scratch: usize) -> Result<T> {
    let err = |e: &dyn std::fmt::Display| {
        ActorCriticError::Checkpoint(format!("reading {}: {e}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(|e| err(&e))?;
    let mut buffer = vec![0u8; scratch];
    let (value, _) =
        postcard::from_io((std::io::BufReader::new(file), &mut buffer)).map_err(|e| err(&e))?;
    Ok(value)
}
