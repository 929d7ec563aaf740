//! Differential test of the reward building blocks against Farama Metaworld's own
//! `reward_utils.py`, run by `bench/reward_utils_reference.py`.
//!
//! Needs a Python with `pip install metaworld`: `$METAWORLD_PYTHON` (required to work when
//! set) or else `python3` (the test is skipped, saying so, when it has no `metaworld`).

use std::io::Write;
use std::process::{Command, Stdio};

use arcadia_metaworld::reward::{Sigmoid, hamacher_product, rect_prism_tolerance, tolerance};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/bench/reward_utils_reference.py"
);

fn reference(cases: &str) -> Option<Vec<f64>> {
    let (python, required) = match std::env::var("METAWORLD_PYTHON") {
        Ok(p) => (p, true),
        Err(_) => ("python3".to_string(), false),
    };
    let child = Command::new(&python)
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if !required => {
            eprintln!("skipped: cannot run {python}: {e}");
            return None;
        }
        Err(e) => panic!("cannot run METAWORLD_PYTHON={python}: {e}"),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(cases.as_bytes())
        .expect("write cases");
    let out = child.wait_with_output().expect("reference output");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if required {
            panic!("the Metaworld reference failed: {err}");
        }
        eprintln!("skipped: {}", err.trim());
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().parse().expect("a number"))
            .collect(),
    )
}

#[test]
fn reward_building_blocks_match_metaworld() {
    let mut cases = String::new();
    let mut ours = Vec::new();
    let xs = [
        -0.3f32, -0.01, 0.0, 0.02, 0.05, 0.051, 0.1, 0.2, 0.35, 0.7, 2.0,
    ];
    let bounds = [(0.0f32, 0.05f32), (0.015, 0.05), (0.0, 0.0), (0.0, 0.5)];
    let margins = [0.0f32, 0.05, 0.3, std::f32::consts::FRAC_PI_3];
    for &x in &xs {
        for &(lo, hi) in &bounds {
            for &m in &margins {
                for (sigmoid, name) in [
                    (Sigmoid::LongTail, "long_tail"),
                    (Sigmoid::Gaussian, "gaussian"),
                ] {
                    cases.push_str(&format!("tolerance {x} {lo} {hi} {m} {name}\n"));
                    ours.push(tolerance(x, (lo, hi), m, sigmoid) as f64);
                }
            }
        }
    }
    for &a in &[0.0f32, 0.1, 0.5, 0.97, 1.0] {
        for &b in &[0.0f32, 0.2, 0.5, 1.0] {
            cases.push_str(&format!("hamacher {a} {b}\n"));
            ours.push(hamacher_product(a, b) as f64);
        }
    }
    let zero = [0.11f32, 0.1, 0.01];
    let one = [0.15f32, -0.1, 0.096];
    for curr in [
        [0.12f32, 0.0, 0.05],
        [0.2, 0.0, 0.05],
        [0.14, -0.05, 0.09],
        [0.11, 0.1, 0.01],
    ] {
        cases.push_str(&format!(
            "prism {} {} {} {} {} {} {} {} {}\n",
            curr[0], curr[1], curr[2], zero[0], zero[1], zero[2], one[0], one[1], one[2]
        ));
        ours.push(rect_prism_tolerance(curr, zero, one) as f64);
    }
    let Some(theirs) = reference(&cases) else {
        return;
    };
    assert_eq!(theirs.len(), ours.len());
    for ((line, a), b) in cases.lines().zip(&ours).zip(&theirs) {
        assert!(
            (a - b).abs() <= 1e-5 * b.abs().max(1.0),
            "{line}: ours {a}, Metaworld {b}"
        );
    }
}
