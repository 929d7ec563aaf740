//! The `arcadia` subcommands, as library functions the binary dispatches to.

pub mod ale;
pub mod bench;
pub mod train;

use std::fmt;

/// An error a command reports to a person, with the exit code it maps to.
#[derive(Debug)]
pub struct CommandError {
    /// The message, already naming the file, line or value at fault.
    pub message: String,
    /// Process exit code (2: bad input, 1: failure while running).
    pub code: i32,
}

impl CommandError {
    /// A bad-input error (exit code 2).
    pub fn input(message: impl fmt::Display) -> Self {
        CommandError {
            message: message.to_string(),
            code: 2,
        }
    }

    /// A failure while running (exit code 1).
    pub fn failure(message: impl fmt::Display) -> Self {
        CommandError {
            message: message.to_string(),
            code: 1,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
