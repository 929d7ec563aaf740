//! Malformed experiment files are rejected with `path:line:column` and what was expected;
//! never a panic. Every shipped experiment in `assets/experiments/` passes `check`.

use std::path::Path;
use std::process::Command;

use arcadia::commands::train::check;

/// (file, line, column, a fragment the message must contain)
const CASES: &[(&str, usize, usize, &str)] = &[
    ("syntax_unclosed", 6, 5, "Expected"),
    ("syntax_bad_number", 3, 17, "Expected comma"),
    ("unknown_top_field", 3, 5, "Unexpected field named `stepz`"),
    (
        "unknown_scene_field",
        4,
        9,
        "Unexpected field named `max_steps`",
    ),
    ("wrong_type_steps", 2, 11, "Expected integer"),
    ("wrong_type_envs", 3, 12, "Expected comma"),
    ("wrong_type_seed", 2, 12, "out of bounds"),
    ("missing_steps", 4, 1, "missing field named `steps`"),
    ("missing_scene", 4, 1, "missing field named `scene`"),
    ("unknown_scene", 3, 12, "Unexpected variant named `Pinball`"),
    ("unknown_agent", 4, 12, "Unexpected variant named `Dqnn`"),
    ("zero_envs", 3, 11, "expected an integer >= 1, found 0"),
    ("zero_steps", 2, 12, "expected an integer >= 1, found 0"),
    (
        "negative_timestep",
        4,
        19,
        "expected a finite number > 0, found -0.0025",
    ),
];

fn bad(name: &str) -> String {
    format!("tests/configs/bad/{name}.ron")
}

#[test]
fn every_malformed_file_is_rejected_at_its_line_and_column() {
    assert!(CASES.len() >= 10);
    for &(name, line, column, fragment) in CASES {
        let path = bad(name);
        let error = check(Path::new(&path)).expect_err(&path);
        let message = error.to_string();
        let location = format!("{path}:{line}:{column}: ");
        assert!(
            message.starts_with(&location),
            "{name}: expected {location}, got {message}"
        );
        assert!(
            message.contains(fragment),
            "{name}: expected '{fragment}' in {message}"
        );
        assert!(
            message.contains(" | "),
            "{name}: message shows the offending line"
        );
        assert_eq!(error.code, 2, "bad input exits with code 2");
    }
}

#[test]
fn the_binary_reports_bad_configs_without_panicking() {
    for &(name, ..) in CASES {
        let out = Command::new(env!("CARGO_BIN_EXE_arcadia"))
            .args(["check", &bad(name)])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.starts_with("error: tests/configs/bad/"),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn a_missing_file_is_named() {
    let error = check(Path::new("tests/configs/nope.ron")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("tests/configs/nope.ron: cannot read")
    );
}

#[test]
fn inconsistent_values_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slash.ron");
    std::fs::write(&path, "(name: \"a/b\", steps: 10, scene: MetaWorld())").unwrap();
    let message = check(&path).unwrap_err().to_string();
    assert!(message.contains("name \"a/b\""), "{message}");
}

#[test]
fn shipped_experiments_are_valid() {
    let mut checked = 0;
    for entry in std::fs::read_dir("assets/experiments").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            check(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            checked += 1;
        }
    }
    assert!(checked > 0, "assets/experiments holds experiments");
}
