//! Errors of the report crate.

use std::path::PathBuf;

use crate::normalize::UnknownTask;
use crate::stats::ScoreSetError;

/// Everything that can stop a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A CSV file is malformed.
    #[error("{path}, line {line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A JSON file is malformed.
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// A score cannot be normalized.
    #[error(transparent)]
    UnknownTask(#[from] UnknownTask),
    /// An algorithm's scores cannot form a score set.
    #[error("scores of `{algorithm}`: {source}")]
    Scores {
        /// The algorithm.
        algorithm: String,
        /// The cause.
        source: ScoreSetError,
    },
    /// No run directory could be used.
    #[error("no usable runs:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    NoRuns {
        /// One line per directory that was skipped and why.
        problems: Vec<String>,
    },
    /// The command line is inconsistent.
    #[error("{0}")]
    Usage(String),
    /// Drawing a plot failed.
    #[error("plot {path}: {message}")]
    Plot {
        /// The image file.
        path: PathBuf,
        /// The cause.
        message: String,
    },
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
