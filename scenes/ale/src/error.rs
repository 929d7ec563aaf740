//! Typed errors of the ALE layer.

use thiserror::Error;

/// Everything that can go wrong in `arcadia-ale`.
#[derive(Debug, Error)]
pub enum AleError {
    /// No game settings exist for this ROM name.
    #[error(
        "unknown game `{0}`: not one of the ALE-supported ROM names (see `arcadia_ale::roms::ROM_TABLE`)"
    )]
    UnknownGame(String),
    /// The ROM's MD5 is not in ALE's table and no game name was given.
    #[error(
        "ROM md5 {0} is unknown: not an ALE-supported ROM (rename it to the game's snake-case name or use a supported dump)"
    )]
    UnknownMd5(String),
    /// The ROM is known to ALE but ALE has no game settings for it (e.g. multiplayer-only ROMs).
    #[error("ROM `{0}` is known but ALE 0.12 defines no game settings for it")]
    UnsupportedRom(String),
    /// The requested mode does not exist for this game.
    #[error("mode {mode} is not available for {game}; available modes: {available:?}")]
    InvalidMode {
        /// ROM name.
        game: &'static str,
        /// Requested mode.
        mode: u32,
        /// Modes the game supports.
        available: Vec<u32>,
    },
    /// The requested difficulty does not exist for this game.
    #[error(
        "difficulty {difficulty} is not available for {game}; available difficulties: {available:?}"
    )]
    InvalidDifficulty {
        /// ROM name.
        game: &'static str,
        /// Requested difficulty.
        difficulty: u32,
        /// Difficulties the game supports.
        available: Vec<u32>,
    },
    /// Selecting a mode by pressing SELECT never reached the requested mode.
    #[error(
        "{game}: mode {mode} was not reached after {presses} SELECT presses (wrong ROM for this game, or an emulator mismatch)"
    )]
    ModeNotReached {
        /// ROM name.
        game: &'static str,
        /// Requested mode.
        mode: u32,
        /// Presses tried.
        presses: usize,
    },
    /// An action id outside 0..=17.
    #[error("action {0} is out of range: ALE actions are 0..=17")]
    InvalidAction(i64),
    /// The emulator refused the ROM.
    #[error("emulator could not load the ROM: {0}")]
    Emulator(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An action file line could not be parsed.
    #[error("{path}:{line}: {message}")]
    ActionFile {
        /// The action file (or `<input>`).
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Result alias for this crate.
pub type Result<T, E = AleError> = std::result::Result<T, E>;
