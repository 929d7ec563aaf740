//! Checkpoints: every part of a run that has state registers a save and a load function;
//! a checkpoint is a directory written under a temporary name and renamed into place, so a
//! crash (even `kill -9`) leaves either the old or the new checkpoint, never half of one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Serialize, de::DeserializeOwned};

/// An error while writing or reading a checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A checkpoint file does not decode (corrupt, or written by another version).
    #[error("{path}: cannot decode checkpoint data: {message}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },
    /// The checkpoint does not fit the run being resumed (another config, say).
    #[error("checkpoint does not match this run: {0}")]
    Mismatch(String),
}

/// A function that saves (or loads) one part of the world into (or from) a directory.
pub type CheckpointFn =
    Box<dyn Fn(&mut World, &Path) -> Result<(), CheckpointError> + Send + Sync + 'static>;

struct Entry {
    name: String,
    save: CheckpointFn,
    load: CheckpointFn,
}

/// The parts of the world a checkpoint holds, registered by the engine, the scene and the agent.
#[derive(Resource, Default)]
pub struct CheckpointRegistry {
    entries: Vec<Entry>,
}

impl CheckpointRegistry {
    /// Registers a part under `name` (unique); `save` writes files into the directory it is
    /// given, `load` reads them back.
    pub fn register(&mut self, name: impl Into<String>, save: CheckpointFn, load: CheckpointFn) {
        let name = name.into();
        self.entries.retain(|e| e.name != name);
        self.entries.push(Entry { name, save, load });
    }

    /// Names of the registered parts, in registration order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CheckpointError> {
    let tmp = path.with_extension("tmp");
    let mut file = fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Serializes `value` compactly (postcard) into `path`, atomically.
pub fn save_value<T: Serialize>(path: &Path, value: &T) -> Result<(), CheckpointError> {
    let bytes = postcard::to_stdvec(value).map_err(|e| CheckpointError::Decode {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_atomic(path, &bytes)
}

/// Reads a value written by [`save_value`].
pub fn load_value<T: DeserializeOwned>(path: &Path) -> Result<T, CheckpointError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    postcard::from_bytes(&bytes).map_err(|e| CheckpointError::Decode {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

const LATEST: &str = "LATEST";

/// Writes a checkpoint named `step-{env_steps}` under `dir` (the run's `checkpoints/`),
/// points `LATEST` at it, and removes older checkpoints. Returns its path.
pub fn save_checkpoint(
    world: &mut World,
    dir: &Path,
    env_steps: u64,
) -> Result<PathBuf, CheckpointError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let name = format!("step-{env_steps:012}");
    let tmp = dir.join(format!(".{name}.partial"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
    }
    fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
    world.resource_scope(|world, registry: Mut<CheckpointRegistry>| {
        registry.entries.iter().try_for_each(|entry| {
            let part = tmp.join(&entry.name);
            fs::create_dir_all(&part).map_err(io_err(&part))?;
            (entry.save)(world, &part)
        })
    })?;
    sync_dir(&tmp);
    let target = dir.join(&name);
    if target.exists() {
        fs::remove_dir_all(&target).map_err(io_err(&target))?;
    }
    fs::rename(&tmp, &target).map_err(io_err(&target))?;
    sync_dir(dir);
    write_atomic(&dir.join(LATEST), name.as_bytes())?;
    // Older checkpoints are no longer needed once LATEST points at the new one.
    if let Ok(read) = fs::read_dir(dir) {
        for entry in read.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if file_name != name && file_name.starts_with("step-") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    Ok(target)
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// The directory `LATEST` points at under `dir`, if a checkpoint was ever completed.
pub fn latest_checkpoint(dir: &Path) -> Result<Option<PathBuf>, CheckpointError> {
    let pointer = dir.join(LATEST);
    if !pointer.exists() {
        return Ok(None);
    }
    let name = fs::read_to_string(&pointer).map_err(io_err(&pointer))?;
    let path = dir.join(name.trim());
    if !path.is_dir() {
        return Err(CheckpointError::Mismatch(format!(
            "{} names {}, which does not exist",
            pointer.display(),
            path.display()
        )));
    }
    Ok(Some(path))
}

/// Loads every registered part from checkpoint directory `path`.
pub fn load_checkpoint(world: &mut World, path: &Path) -> Result<(), CheckpointError> {
    world.resource_scope(|world, registry: Mut<CheckpointRegistry>| {
        registry.entries.iter().try_for_each(|entry| {
            let part = path.join(&entry.name);
            if !part.is_dir() {
                return Err(CheckpointError::Mismatch(format!(
                    "{} has no part '{}' (was it written by another scene or agent?)",
                    path.display(),
                    entry.name
                )));
            }
            (entry.load)(world, &part)
        })
    })
}
