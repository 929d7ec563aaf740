//! Errors of the building blocks.

/// An error from a network, optimizer or replay operation.
#[derive(Debug, thiserror::Error)]
pub enum NnError {
    /// A tensor operation failed (shape mismatch, say).
    #[error("tensor: {0}")]
    Candle(#[from] candle_core::Error),
    /// A configuration value does not make sense; the message says what to change.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Data handed in does not fit what was configured (an observation of another size, say).
    #[error("data mismatch: {0}")]
    Mismatch(String),
    /// A saved state could not be read back.
    #[error("cannot load saved state: {0}")]
    Load(String),
    /// The replay holds no transition that can be sampled yet.
    #[error("replay has no sampleable transition yet")]
    EmptyReplay,
}

/// Result with [`NnError`].
pub type Result<T> = std::result::Result<T, NnError>;
