//! The `arcadia report` subcommand.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::Evaluation;
use crate::bootstrap::{BootstrapConfig, DEFAULT_CONFIDENCE, DEFAULT_PROFILE_REPS, DEFAULT_REPS};
use crate::error::ReportError;
use crate::normalize::Benchmark;
use crate::plot::write_plots;
use crate::runs::{bin_curves, load_runs, score_rows};
use crate::scores::{ScoreTable, read_scores_csv, write_scores_csv};

/// Arguments of `arcadia report`.
///
/// `arcadia report RUN_DIR... [--out DIR]` evaluates run directories;
/// `arcadia report --scores SCORES.csv` evaluates a score table from
/// anywhere (columns `algorithm,task,run,score`).
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct ReportArgs {
    /// Run directories, or folders holding run directories (searched two
    /// levels deep).
    #[arg(value_name = "RUN_DIR")]
    pub run_dirs: Vec<PathBuf>,
    /// A CSV of scores with the columns algorithm,task,run,score instead of
    /// run directories.
    #[arg(long, value_name = "SCORES.csv", conflicts_with = "run_dirs")]
    pub scores: Option<PathBuf>,
    /// Human-normalize scores with this benchmark's reference scores.
    #[arg(long, value_enum, value_name = "BENCHMARK")]
    pub normalize: Option<Benchmark>,
    /// Print the aggregate table as JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// Folder for tables and plots.
    #[arg(long, value_name = "DIR", default_value = "report")]
    pub out: PathBuf,
    /// Bootstrap replicates for interval estimates.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REPS)]
    pub reps: usize,
    /// Bootstrap replicates for performance profiles and learning curves.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PROFILE_REPS)]
    pub profile_reps: usize,
    /// Seed of the bootstrap.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Number of environment-step bins of the learning curves.
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub bins: usize,
}

impl Default for ReportArgs {
    fn default() -> Self {
        Self {
            run_dirs: Vec::new(),
            scores: None,
            normalize: None,
            json: false,
            out: PathBuf::from("report"),
            reps: DEFAULT_REPS,
            profile_reps: DEFAULT_PROFILE_REPS,
            seed: 0,
            bins: 40,
        }
    }
}

/// What a report produced.
#[derive(Debug, Clone)]
pub struct ReportOutput {
    /// The evaluation.
    pub evaluation: Evaluation,
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// Warnings and notes shown to the user.
    pub warnings: Vec<String>,
}

/// Runs `arcadia report`: prints the table on stdout, warnings on stderr,
/// and writes tables and plots under `--out`.
pub fn run_report(args: &ReportArgs) -> Result<(), ReportError> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    report_to(args, &mut stdout.lock(), &mut stderr.lock()).map(|_| ())
}

/// [`run_report`] writing to the given streams.
pub fn report_to(
    args: &ReportArgs,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<ReportOutput, ReportError> {
    if args.reps == 0 || args.profile_reps == 0 {
        return Err(ReportError::Usage(
            "--reps and --profile-reps must be at least 1".into(),
        ));
    }
    let config = BootstrapConfig {
        reps: args.reps,
        profile_reps: args.profile_reps,
        confidence: DEFAULT_CONFIDENCE,
        seed: args.seed,
    };
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    let evaluation = match (&args.scores, args.run_dirs.is_empty()) {
        (Some(_), false) => {
            return Err(ReportError::Usage(
                "give either run directories or --scores, not both".into(),
            ));
        }
        (None, true) => {
            return Err(ReportError::Usage(
                "nothing to report: give run directories (arcadia report RUN_DIR...) or a score table (--scores SCORES.csv)".into(),
            ));
        }
        (Some(path), true) => {
            let rows = read_scores_csv(path)?;
            let table = ScoreTable::from_rows(&rows, args.normalize)?;
            warnings.extend(table.warnings());
            Evaluation::from_scores(&table, config)
        }
        (None, false) => {
            let loaded = load_runs(&args.run_dirs);
            if loaded.runs.is_empty() {
                return Err(ReportError::NoRuns {
                    problems: loaded.problems,
                });
            }
            warnings.extend(loaded.problems.iter().map(|p| format!("skipped {p}")));
            warnings.extend(loaded.notes.iter().cloned());
            let rows = score_rows(&loaded.runs);
            let table = ScoreTable::from_rows(&rows, args.normalize)?;
            warnings.extend(table.warnings());
            create_dir(&args.out)?;
            let scores_path = args.out.join("scores.csv");
            write_scores_csv(&scores_path, &rows, args.normalize)?;
            files.push(scores_path);
            let binned = bin_curves(&loaded.runs, args.bins, args.normalize)?;
            Evaluation::from_scores(&table, config).with_curves(&binned)
        }
    };
    for w in &warnings {
        let _ = writeln!(log, "warning: {w}");
    }
    create_dir(&args.out)?;
    files.extend(write_tables(&evaluation, &args.out)?);
    files.extend(write_plots(&evaluation, &args.out)?);
    let printed = if args.json {
        serde_json::to_string_pretty(&evaluation.to_json()).unwrap_or_default()
    } else {
        evaluation.to_markdown()
    };
    writeln!(out, "{printed}").map_err(|e| ReportError::io("<stdout>", e))?;
    let _ = writeln!(log, "wrote {} files to {}", files.len(), args.out.display());
    Ok(ReportOutput {
        evaluation,
        files,
        warnings,
    })
}

fn create_dir(dir: &Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))
}

/// Writes `table.md`, `table.csv`, `probability_of_improvement.csv` and
/// `report.json` into `dir`.
pub fn write_tables(eval: &Evaluation, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let json = serde_json::to_string_pretty(&eval.to_json()).unwrap_or_default();
    let outputs = [
        ("table.md", eval.to_markdown()),
        ("table.csv", eval.to_csv()),
        ("probability_of_improvement.csv", eval.improvements_csv()),
        ("report.json", json),
    ];
    let mut files = Vec::new();
    for (name, text) in outputs {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| ReportError::io(&path, e))?;
        files.push(path);
    }
    Ok(files)
}
