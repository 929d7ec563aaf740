//! Errors of the actor-critic agents.

/// An error from building, running or checkpointing an actor-critic agent.
#[derive(Debug, thiserror::Error)]
pub enum ActorCriticError {
    /// A configuration value does not make sense; the message says what to change.
    #[error("invalid actor-critic config: {0}")]
    Config(String),
    /// The scene's spaces do not fit the agent (an image observation for an MLP, say).
    #[error("the scene does not fit the agent: {0}")]
    Scene(String),
    /// A network, optimizer or replay operation failed.
    #[error(transparent)]
    Nn(#[from] arcadia_nn::error::NnError),
    /// A tensor operation failed.
    #[error("tensor: {0}")]
    Candle(#[from] candle_core::Error),
    /// A checkpoint part could not be written or read.
    #[error("agent checkpoint: {0}")]
    Checkpoint(String),
}

/// Result with [`ActorCriticError`].
pub type Result<T> = std::result::Result<T, ActorCriticError>;
