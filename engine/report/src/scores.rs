//! Score tables: one score per (algorithm, task, run), read from and
//! written to CSV with the columns `algorithm,task,run,score`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::ReportError;
use crate::normalize::Benchmark;
use crate::stats::ScoreSet;

/// One score of one run on one task.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// Algorithm (agent) name.
    pub algorithm: String,
    /// Task name.
    pub task: String,
    /// Run identifier (a seed, a run name).
    pub run: String,
    /// Raw score.
    pub score: f64,
}

/// Scores of several algorithms, grouped per algorithm into [`ScoreSet`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreTable {
    /// `(algorithm, scores)` in order of first appearance.
    pub algorithms: Vec<(String, ScoreSet)>,
    /// The benchmark whose references normalized the scores, if any.
    pub normalization: Option<Benchmark>,
}

/// Orders run identifiers numerically when both are numbers.
fn run_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        _ => a.cmp(b),
    }
}

impl ScoreTable {
    /// Groups rows into score sets (tasks sorted by name, runs by
    /// identifier), normalizing each score with `normalization` if given.
    pub fn from_rows(
        rows: &[ScoreRow],
        normalization: Option<Benchmark>,
    ) -> Result<Self, ReportError> {
        let mut order: Vec<String> = Vec::new();
        // algorithm -> task -> [(run, score)]
        type Runs<'a> = Vec<(&'a str, f64)>;
        let mut grouped: BTreeMap<&str, BTreeMap<&str, Runs>> = BTreeMap::new();
        for row in rows {
            if !order.contains(&row.algorithm) {
                order.push(row.algorithm.clone());
            }
            let score = match normalization {
                Some(b) => b.normalize(&row.task, row.score)?,
                None => row.score,
            };
            let runs = grouped
                .entry(&row.algorithm)
                .or_default()
                .entry(&row.task)
                .or_default();
            if runs.iter().any(|(r, _)| *r == row.run) {
                return Err(ReportError::Usage(format!(
                    "duplicate score for algorithm `{}`, task `{}`, run `{}`",
                    row.algorithm, row.task, row.run
                )));
            }
            runs.push((&row.run, score));
        }
        let mut algorithms = Vec::with_capacity(order.len());
        for name in order {
            let tasks = &grouped[name.as_str()];
            let columns = tasks
                .iter()
                .map(|(task, runs)| {
                    let mut runs = runs.clone();
                    runs.sort_by(|a, b| run_order(a.0, b.0));
                    (task.to_string(), runs.into_iter().map(|(_, s)| s).collect())
                })
                .collect();
            let set = ScoreSet::new(columns).map_err(|source| ReportError::Scores {
                algorithm: name.clone(),
                source,
            })?;
            algorithms.push((name, set));
        }
        if algorithms.is_empty() {
            return Err(ReportError::Usage("no scores to report".into()));
        }
        Ok(Self {
            algorithms,
            normalization,
        })
    }

    /// Warnings about tables that are valid but easy to misread: algorithms
    /// evaluated on different tasks, tasks with different numbers of runs.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((first, first_set)) = self.algorithms.first() {
            for (name, set) in &self.algorithms[1..] {
                if set.tasks() != first_set.tasks() {
                    out.push(format!(
                        "`{name}` and `{first}` are scored on different tasks; aggregates are over each one's own tasks, probability of improvement over the shared ones"
                    ));
                }
            }
        }
        for (name, set) in &self.algorithms {
            if !set.is_rectangular() {
                out.push(format!(
                    "`{name}` has different numbers of runs per task; each task's runs are resampled on their own"
                ));
            }
        }
        out
    }
}

/// Reads a scores CSV: a header naming at least the columns `algorithm`,
/// `task`, `run` and `score` (in any order; other columns are ignored), then
/// one row per score.
pub fn read_scores_csv(path: &Path) -> Result<Vec<ScoreRow>, ReportError> {
    let file = std::fs::File::open(path).map_err(|e| ReportError::io(path, e))?;
    parse_scores_csv(file, path)
}

pub(crate) fn parse_scores_csv(
    reader: impl std::io::Read,
    path: &Path,
) -> Result<Vec<ScoreRow>, ReportError> {
    let err = |line: u64, message: String| ReportError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| err(1, format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                err(
                    1,
                    format!(
                        "missing column `{name}`: the header must name the columns algorithm,task,run,score (found: {})",
                        headers.iter().collect::<Vec<_>>().join(",")
                    ),
                )
            })
    };
    let (ia, it, ir, is) = (col("algorithm")?, col("task")?, col("run")?, col("score")?);
    let mut rows = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: usize, name: &str| {
            record
                .get(i)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err(line, format!("missing value for `{name}`")))
        };
        let score_text = field(is, "score")?;
        let score: f64 = score_text
            .parse()
            .map_err(|_| err(line, format!("score `{score_text}` is not a number")))?;
        if !score.is_finite() {
            return Err(err(line, format!("score `{score_text}` is not finite")));
        }
        rows.push(ScoreRow {
            algorithm: field(ia, "algorithm")?.to_string(),
            task: field(it, "task")?.to_string(),
            run: field(ir, "run")?.to_string(),
            score,
        });
    }
    if rows.is_empty() {
        return Err(err(
            1,
            "no scores: the file has a header but no rows".into(),
        ));
    }
    Ok(rows)
}

/// Writes rows as a scores CSV (`algorithm,task,run,score`, plus
/// `normalized_score` when a benchmark is given), readable by
/// [`read_scores_csv`].
pub fn write_scores_csv(
    path: &Path,
    rows: &[ScoreRow],
    normalization: Option<Benchmark>,
) -> Result<(), ReportError> {
    let mut out = String::from("algorithm,task,run,score");
    if normalization.is_some() {
        out.push_str(",normalized_score");
    }
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{}",
            csv_field(&r.algorithm),
            csv_field(&r.task),
            csv_field(&r.run),
            r.score
        ));
        if let Some(b) = normalization {
            match b.normalize(&r.task, r.score) {
                Ok(v) => out.push_str(&format!(",{v}")),
                Err(_) => out.push(','),
            }
        }
        out.push('\n');
    }
    std::fs::write(path, out).map_err(|e| ReportError::io(path, e))
}

/// Quotes a CSV field when it needs it.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<ScoreRow>, ReportError> {
        parse_scores_csv(text.as_bytes(), Path::new("scores.csv"))
    }

    #[test]
    fn reads_columns_in_any_order() {
        let rows =
            parse("score,run,task,algorithm,extra\n1.5,0,pong,dqn,x\n2,1,pong,dqn,y\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].score, 2.0);
        assert_eq!(rows[0].algorithm, "dqn");
    }

    #[test]
    fn accepts_a_byte_order_mark() {
        let rows = parse("\u{feff}algorithm,task,run,score\ndqn,pong,0,1\n").unwrap();
        assert_eq!(rows[0].algorithm, "dqn");
    }

    #[test]
    fn reports_line_of_a_bad_score() {
        let e = parse("algorithm,task,run,score\ndqn,pong,0,1\ndqn,pong,1,abc\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("line 3") && msg.contains("abc"), "{msg}");
    }

    #[test]
    fn reports_a_missing_column() {
        let e = parse("algorithm,task,score\ndqn,pong,1\n").unwrap_err();
        assert!(e.to_string().contains("missing column `run`"), "{e}");
    }

    #[test]
    fn rejects_an_empty_file() {
        assert!(parse("algorithm,task,run,score\n").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn groups_and_orders_runs_numerically() {
        let rows = parse("algorithm,task,run,score\nb,t,10,3\nb,t,2,1\na,t,0,5\n").unwrap();
        let table = ScoreTable::from_rows(&rows, None).unwrap();
        assert_eq!(table.algorithms[0].0, "b");
        assert_eq!(table.algorithms[0].1.task("t").unwrap(), &[1.0, 3.0]);
    }

    #[test]
    fn rejects_duplicate_runs() {
        let rows = parse("algorithm,task,run,score\na,t,0,1\na,t,0,2\n").unwrap();
        assert!(ScoreTable::from_rows(&rows, None).is_err());
    }

    #[test]
    fn round_trips_through_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let rows = vec![ScoreRow {
            algorithm: "a,b".into(),
            task: "pong".into(),
            run: "0".into(),
            score: 0.1 + 0.2,
        }];
        write_scores_csv(&path, &rows, Some(Benchmark::Atari100k)).unwrap();
        assert_eq!(read_scores_csv(&path).unwrap(), rows);
    }
}
