//! Errors of the value agents.

use arcadia_nn::error::NnError;

/// Why a value agent cannot be built, act, learn or checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// The configuration does not fit itself or the scene; the message says what to change.
    #[error("value agent config: {0}")]
    Config(String),
    /// A network, optimizer or replay operation failed.
    #[error("value agent: {0}")]
    Nn(#[from] NnError),
    /// A checkpoint could not be written or read.
    #[error("value agent checkpoint: {0}")]
    Checkpoint(String),
}

impl From<candle_core::Error> for ValueError {
    fn from(e: candle_core::Error) -> Self {
        ValueError::Nn(NnError::Candle(e))
    }
}
