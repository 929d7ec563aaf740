//! End-to-end reports on fake run directories written in a tempdir.

use std::path::{Path, PathBuf};

use arcadia_report::normalize::Benchmark;
use arcadia_report::{ReportArgs, ReportError, report_to};
use clap::Parser;

/// Writes a run directory: `episodes` rows of (env_step, task, return,
/// success) and, unless `running`, a summary.
fn write_run(
    dir: &Path,
    agent: &str,
    seed: u64,
    tasks: &[&str],
    episodes: &[(u64, &str, f64, Option<bool>)],
    running: bool,
) {
    std::fs::create_dir_all(dir).unwrap();
    let status = if running { "running" } else { "complete" };
    let tasks_json: Vec<String> = tasks.iter().map(|t| format!("\"{t}\"")).collect();
    std::fs::write(
        dir.join("run.json"),
        format!(
            r#"{{"name": "experiment", "scene": "test", "agent": "{agent}", "seed": {seed}, "num_envs": 2, "budget": 10000, "tasks": [{}], "status": "{status}"}}"#,
            tasks_json.join(", ")
        ),
    )
    .unwrap();
    let mut csv = String::from("env_step,env,task,episode,return,length,success\n");
    for (k, (step, task, ret, success)) in episodes.iter().enumerate() {
        let s = success.map_or(String::new(), |b| b.to_string());
        csv.push_str(&format!("{step},{},{task},{k},{ret},100,{s}\n", k % 2));
    }
    std::fs::write(dir.join("episodes.csv"), csv).unwrap();
    if !running {
        std::fs::write(
            dir.join("summary.json"),
            r#"{"status": "complete", "env_steps": 10000, "wall_time_s": 1.5, "tasks": []}"#,
        )
        .unwrap();
    }
}

/// Returns rising with training: `skill x step / 10000` plus seed noise.
fn learning_episodes(
    tasks: &[&'static str],
    skill: f64,
    seed: u64,
) -> Vec<(u64, &'static str, f64, Option<bool>)> {
    let mut out = Vec::new();
    for i in 1..=100u64 {
        for (t, task) in tasks.iter().enumerate() {
            let step = i * 100;
            let noise = (((i * 31 + seed * 17 + t as u64 * 7) % 13) as f64 - 6.0) / 30.0;
            out.push((step, *task, skill * step as f64 / 10_000.0 + noise, None));
        }
    }
    out
}

fn args(dirs: Vec<PathBuf>, out: &Path) -> ReportArgs {
    ReportArgs {
        run_dirs: dirs,
        out: out.to_path_buf(),
        reps: 300,
        profile_reps: 100,
        bins: 10,
        ..ReportArgs::default()
    }
}

fn report(
    a: &ReportArgs,
) -> (
    Result<arcadia_report::cli::ReportOutput, ReportError>,
    String,
    String,
) {
    let mut out = Vec::new();
    let mut log = Vec::new();
    let r = report_to(a, &mut out, &mut log);
    (
        r,
        String::from_utf8(out).unwrap(),
        String::from_utf8(log).unwrap(),
    )
}

/// Decodes a PNG and checks its size and that it is not blank: enough
/// non-white pixels and several distinct colours.
fn check_png(path: &Path, min_w: u32, min_h: u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(
        info.width >= min_w && info.height >= min_h,
        "{}: {}x{}",
        path.display(),
        info.width,
        info.height
    );
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "{}: colour type {:?}",
        path.display(),
        info.color_type
    );
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let non_white = pixels.iter().filter(|p| p[..3] != [255, 255, 255]).count();
    let fraction = non_white as f64 / pixels.len() as f64;
    assert!(
        fraction > 0.01,
        "{}: only {:.2}% of pixels drawn",
        path.display(),
        100.0 * fraction
    );
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() >= 8,
        "{}: only {} distinct colours",
        path.display(),
        colours.len()
    );
}

#[test]
fn report_on_run_dirs_writes_tables_and_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    for seed in 0..3 {
        write_run(
            &runs.join(format!("good-{seed}")),
            "good",
            seed,
            &["a", "b"],
            &learning_episodes(&["a", "b"], 2.0, seed),
            false,
        );
        write_run(
            &runs.join(format!("bad-{seed}")),
            "bad",
            seed,
            &["a", "b"],
            &learning_episodes(&["a", "b"], 0.5, seed),
            false,
        );
    }
    let out = tmp.path().join("report");
    // The parent folder is searched for run directories.
    let (r, stdout, log) = report(&args(vec![runs], &out));
    let r = r.unwrap_or_else(|e| panic!("{e}"));
    assert!(stdout.contains("| good | 3 | 2 |"), "{stdout}");
    assert!(log.contains("wrote"), "{log}");
    for f in [
        "table.md",
        "table.csv",
        "scores.csv",
        "report.json",
        "probability_of_improvement.csv",
        "aggregates.png",
        "aggregates.svg",
        "performance_profile.png",
        "performance_profile.svg",
        "probability_of_improvement.png",
        "probability_of_improvement.svg",
        "learning_curves.png",
        "learning_curves.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    for (f, w, h) in [
        ("aggregates.png", 1000, 150),
        ("performance_profile.png", 600, 400),
        ("probability_of_improvement.png", 600, 150),
        ("learning_curves.png", 600, 400),
    ] {
        check_png(&out.join(f), w, h);
    }
    let svg = std::fs::read_to_string(out.join("aggregates.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("IQM"));
    // Scores: mean return of the final 10 episodes of each task.
    let names: Vec<&str> = r
        .evaluation
        .algorithms
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["bad", "good"],
        "agents in the order their runs were found"
    );
    let good = &r.evaluation.algorithms[1];
    assert!(
        good.aggregates.iqm.estimate > 1.5 && good.aggregates.iqm.estimate < 2.1,
        "{good:?}"
    );
    let p = &r.evaluation.improvements[1];
    assert_eq!(
        (p.x.as_str(), p.y.as_str(), p.interval.estimate),
        ("good", "bad", 1.0)
    );
    // Learning curves rise.
    let curve = &r.evaluation.curves[1].points;
    assert_eq!(curve.len(), 10);
    assert!(curve[9].1.estimate > curve[0].1.estimate + 1.0, "{curve:?}");
    // The scores CSV round-trips through --scores.
    let again = ReportArgs {
        run_dirs: vec![],
        scores: Some(out.join("scores.csv")),
        ..args(vec![], &tmp.path().join("again"))
    };
    let (r2, _, _) = report(&again);
    assert_eq!(r2.unwrap().evaluation.algorithms, r.evaluation.algorithms);
}

#[test]
fn empty_directory_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (r, _, _) = report(&args(
        vec![tmp.path().to_path_buf()],
        &tmp.path().join("out"),
    ));
    let msg = r.unwrap_err().to_string();
    assert!(
        msg.contains("no usable runs") && msg.contains("no run.json"),
        "{msg}"
    );
}

#[test]
fn missing_directory_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (r, _, _) = report(&args(
        vec![tmp.path().join("nope")],
        &tmp.path().join("out"),
    ));
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("no such directory"), "{msg}");
}

#[test]
fn partial_run_is_reported_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let done = tmp.path().join("done");
    let going = tmp.path().join("going");
    write_run(
        &done,
        "dqn",
        0,
        &["pong"],
        &learning_episodes(&["pong"], 1.0, 0),
        false,
    );
    write_run(
        &going,
        "dqn",
        1,
        &["pong"],
        &learning_episodes(&["pong"], 1.0, 1)[..40],
        true,
    );
    // A row being written when the report reads the file.
    let mut f = std::fs::read_to_string(going.join("episodes.csv")).unwrap();
    f.push_str("4100,0,po");
    std::fs::write(going.join("episodes.csv"), f).unwrap();
    let (r, stdout, log) = report(&args(vec![done, going], &tmp.path().join("out")));
    r.unwrap_or_else(|e| panic!("{e}"));
    assert!(log.contains("still running (40 episodes so far)"), "{log}");
    assert!(log.contains("incomplete last row"), "{log}");
    assert!(stdout.contains("| dqn | 2 | 1 |"), "{stdout}");
}

#[test]
fn run_without_episodes_is_skipped_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh");
    write_run(&fresh, "dqn", 0, &["pong"], &[], true);
    let (r, _, _) = report(&args(vec![fresh.clone()], &tmp.path().join("out")));
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("no finished episode yet"), "{msg}");
    // With a usable run beside it, the report goes on and says what it skipped.
    let ok = tmp.path().join("ok");
    write_run(
        &ok,
        "dqn",
        1,
        &["pong"],
        &learning_episodes(&["pong"], 1.0, 1),
        false,
    );
    let (r, _, log) = report(&args(vec![fresh, ok], &tmp.path().join("out")));
    assert!(r.is_ok());
    assert!(
        log.contains("skipped") && log.contains("no finished episode yet"),
        "{log}"
    );
}

#[test]
fn malformed_run_files_are_reported_with_their_location() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_json = tmp.path().join("bad_json");
    std::fs::create_dir_all(&bad_json).unwrap();
    std::fs::write(
        bad_json.join("run.json"),
        "{\"agent\": \"dqn\",\n \"status\": }",
    )
    .unwrap();
    let bad_csv = tmp.path().join("bad_csv");
    write_run(
        &bad_csv,
        "dqn",
        0,
        &["pong"],
        &learning_episodes(&["pong"], 1.0, 0),
        false,
    );
    std::fs::write(
        bad_csv.join("episodes.csv"),
        "env_step,env,task,episode,return,length,success\n1,0,pong,0,1.0,5,\n2,0,pong,1,NaN?,5,\n3,0,pong,2,1,5,\n",
    )
    .unwrap();
    let bad_header = tmp.path().join("bad_header");
    write_run(&bad_header, "dqn", 0, &["pong"], &[], false);
    std::fs::write(bad_header.join("episodes.csv"), "step,reward\n1,2\n").unwrap();
    let bad_status = tmp.path().join("bad_status");
    std::fs::create_dir_all(&bad_status).unwrap();
    std::fs::write(
        bad_status.join("run.json"),
        r#"{"agent": "dqn", "status": "exploded"}"#,
    )
    .unwrap();
    let (r, _, _) = report(&args(
        vec![bad_json, bad_csv, bad_header, bad_status],
        &tmp.path().join("out"),
    ));
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("run.json") && msg.contains("line 2"), "{msg}");
    assert!(
        msg.contains("episodes.csv, line 3") && msg.contains("NaN?"),
        "{msg}"
    );
    assert!(msg.contains("missing column `env_step`"), "{msg}");
    assert!(msg.contains("exploded"), "{msg}");
}

#[test]
fn scores_file_report_prints_json() {
    let tmp = tempfile::tempdir().unwrap();
    let scores = tmp.path().join("scores.csv");
    let mut text = String::from("algorithm,task,run,score\n");
    for (alg, base) in [("bbf", 8000.0), ("der", 1500.0)] {
        for (task, scale) in [("alien", 1.0), ("pong", 0.001)] {
            for run in 0..5 {
                text.push_str(&format!(
                    "{alg},{task},{run},{}\n",
                    base * scale + run as f64 * 10.0 * scale
                ));
            }
        }
    }
    std::fs::write(&scores, text).unwrap();
    let a = ReportArgs {
        scores: Some(scores),
        normalize: Some(Benchmark::Atari100k),
        json: true,
        ..args(vec![], &tmp.path().join("out"))
    };
    let (r, stdout, _) = report(&a);
    r.unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["normalization"], "atari100k");
    let bbf = &v["algorithms"][0];
    assert_eq!(bbf["name"], "bbf");
    for k in ["iqm", "median", "mean", "optimality_gap"] {
        let m = &bbf[k];
        assert!(
            m["lower"].as_f64().unwrap() <= m["estimate"].as_f64().unwrap(),
            "{k}: {m}"
        );
        assert!(
            m["estimate"].as_f64().unwrap() <= m["upper"].as_f64().unwrap(),
            "{k}: {m}"
        );
    }
    // Alien 8000 normalizes to (8000 - 227.8) / (7127.7 - 227.8) > 1.
    assert!(bbf["mean"]["estimate"].as_f64().unwrap() > 0.5);
    assert!(tmp.path().join("out/aggregates.png").is_file());
}

#[test]
fn unknown_game_under_normalization_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let scores = tmp.path().join("scores.csv");
    std::fs::write(&scores, "algorithm,task,run,score\ndqn,reach-v3,0,1\n").unwrap();
    let a = ReportArgs {
        scores: Some(scores),
        normalize: Some(Benchmark::Atari57),
        ..args(vec![], &tmp.path().join("out"))
    };
    let msg = report(&a).0.unwrap_err().to_string();
    assert!(msg.contains("`reach-v3` is not a atari57 game"), "{msg}");
}

#[test]
fn same_seed_gives_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("r");
    write_run(
        &run,
        "dqn",
        0,
        &["a", "b"],
        &learning_episodes(&["a", "b"], 1.0, 0),
        false,
    );
    let (r1, out1, _) = report(&args(vec![run.clone()], &tmp.path().join("o1")));
    let (r2, out2, _) = report(&args(vec![run], &tmp.path().join("o2")));
    assert_eq!(r1.unwrap().evaluation, r2.unwrap().evaluation);
    assert_eq!(out1, out2);
}

#[test]
fn nothing_to_report_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let msg = report(&args(vec![], tmp.path())).0.unwrap_err().to_string();
    assert!(msg.contains("give run directories"), "{msg}");
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    report: ReportArgs,
}

#[test]
fn arguments_parse_as_documented() {
    let cli = Cli::try_parse_from([
        "arcadia",
        "--scores",
        "s.csv",
        "--normalize",
        "atari100k",
        "--json",
        "--reps",
        "100",
        "--seed",
        "3",
    ])
    .unwrap();
    assert_eq!(cli.report.scores, Some(PathBuf::from("s.csv")));
    assert_eq!(cli.report.normalize, Some(Benchmark::Atari100k));
    assert!(cli.report.json);
    assert_eq!((cli.report.reps, cli.report.seed), (100, 3));
    assert_eq!(cli.report.out, PathBuf::from("report"));
    let cli = Cli::try_parse_from(["arcadia", "runs/a", "runs/b", "--out", "r"]).unwrap();
    assert_eq!(cli.report.run_dirs.len(), 2);
    assert_eq!(cli.report.reps, 50_000);
    assert_eq!(cli.report.profile_reps, 2_000);
    assert!(Cli::try_parse_from(["arcadia", "runs/a", "--scores", "s.csv"]).is_err());
    assert!(Cli::try_parse_from(["arcadia", "--normalize", "atari99"]).is_err());
}

#[test]
fn runs_with_the_same_directory_name_stay_distinct() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("sweep_a/seed0");
    let b = tmp.path().join("sweep_b/seed0");
    write_run(
        &a,
        "dqn",
        0,
        &["pong"],
        &learning_episodes(&["pong"], 1.0, 0),
        false,
    );
    write_run(
        &b,
        "dqn",
        1,
        &["pong"],
        &learning_episodes(&["pong"], 1.0, 1),
        false,
    );
    let out = tmp.path().join("out");
    let (r, stdout, _) = report(&args(vec![tmp.path().to_path_buf()], &out));
    r.unwrap_or_else(|e| panic!("{e}"));
    assert!(stdout.contains("| dqn | 2 | 1 |"), "{stdout}");
    let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    assert!(
        scores.contains("sweep_a") && scores.contains("sweep_b"),
        "{scores}"
    );
}
