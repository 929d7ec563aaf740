#![doc = include_str!("../README.md")]

pub mod analysis;
pub mod bootstrap;
pub mod cli;
pub mod error;
pub mod normalize;
pub mod plot;
pub mod runs;
pub mod scores;
pub mod stats;

pub use cli::{ReportArgs, report_to, run_report};
pub use error::ReportError;

/// Everything needed to evaluate scores in one `use`.
pub mod prelude {
    pub use crate::analysis::Evaluation;
    pub use crate::bootstrap::{
        AggregateIntervals, BootstrapConfig, Interval, aggregate_intervals, improvement_interval,
        profile_intervals,
    };
    pub use crate::cli::{ReportArgs, run_report};
    pub use crate::error::ReportError;
    pub use crate::normalize::Benchmark;
    pub use crate::scores::{ScoreRow, ScoreTable};
    pub use crate::stats::{Aggregates, Metric, ScoreSet};
}
