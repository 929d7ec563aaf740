//! Reading RON configs with errors a person can act on: `path:line:column: what was expected`.

use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::{Deserialize, Deserializer, de::DeserializeOwned};

/// A config that could not be read, parsed or validated.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not a valid config: bad syntax, unknown or missing field, wrong type, or a
    /// value out of range (checked while parsing, so it has a position).
    #[error("{path}:{line}:{column}: {message}\n{snippet}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What went wrong and what was expected.
        message: String,
        /// The offending line with a caret under the column.
        snippet: String,
    },
    /// The config parses but its values do not fit together.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// The RON options every Arcadia config is read with: `Scene(field: ...)` may be written
/// without the inner parentheses, and `Some(x)` may be written `x`.
pub fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME)
}

/// Parses `text` (read from `path`, used in messages) as a `T`.
pub fn parse_ron<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ConfigError> {
    ron_options()
        .from_str(text)
        .map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
            snippet: snippet(text, e.span.start.line, e.span.start.col),
        })
}

/// The line `line` of `text` (1-based) with a caret under column `column`.
fn snippet(text: &str, line: usize, column: usize) -> String {
    let Some(source) = text.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let number = line.to_string();
    format!(
        "{number} | {source}\n{} | {}^",
        " ".repeat(number.len()),
        " ".repeat(column.saturating_sub(1))
    )
}

/// Reads and parses the RON file at `path` as a `T`.
pub fn load_ron<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_ron(&text, path)
}

/// Serializes a config back to pretty RON (the resolved config a run directory keeps).
pub fn to_ron<T: serde::Serialize>(value: &T) -> Result<String, ron::Error> {
    ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default())
}

/// Field checks that run while parsing, so an out-of-range value is reported at its line and
/// column. Use with `#[serde(deserialize_with = "...")]`.
pub mod check {
    use super::*;
    use serde::de::Error;

    /// An integer of at least 1.
    pub fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = u64::deserialize(d)?;
        if v == 0 {
            return Err(D::Error::custom("expected an integer >= 1, found 0"));
        }
        Ok(v)
    }

    /// A `usize` of at least 1.
    pub fn at_least_one_usize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
        at_least_one(d).map(|v| v as usize)
    }

    /// A finite number > 0.
    pub fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let v = f64::deserialize(d)?;
        if !(v.is_finite() && v > 0.0) {
            return Err(D::Error::custom(format!(
                "expected a finite number > 0, found {v}"
            )));
        }
        Ok(v)
    }

    /// A finite number >= 0.
    pub fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let v = f64::deserialize(d)?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(D::Error::custom(format!(
                "expected a finite number >= 0, found {v}"
            )));
        }
        Ok(v)
    }

    /// A probability in `[0, 1]`.
    pub fn probability<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let v = f64::deserialize(d)?;
        if !(0.0..=1.0).contains(&v) {
            return Err(D::Error::custom(format!(
                "expected a probability in [0, 1], found {v}"
            )));
        }
        Ok(v)
    }
}
