//! Differential test of the emulator against ale-py 0.12 (`shared/reference/ale_trace.py`).
//!
//! For each ROM, a deterministic random action file is replayed by ale-py and by `arcadia-ale`
//! running on this crate's `Console` (ALE's reset sequence, game settings and per-frame event
//! handling live there); every record's RAM and screen md5 (and reward, lives, ...) must match.
//!
//! Frames per game: `STELLA_DIFF_FRAMES` (default 2000). Games: `STELLA_DIFF_GAMES`
//! (comma-separated ROM names; default the priority list below). Tests print SKIP and pass when
//! python3/ale-py or the script is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use arcadia_ale::roms::Rom;
use arcadia_ale::trace::{TraceOptions, python_float32, write_trace};

/// 2K/4K, F8, F6, E0 and FE games, in the order of the brief, then one game per remaining
/// feature: DPC, F8SC, F6SC, PAL, swapped ports, paddles with swapped paddles already in pong.
const PRIORITY: &[&str] = &[
    "pong",
    "breakout",
    "space_invaders",
    "freeway",
    "seaquest",
    "ms_pacman",
    "asterix",
    "beam_rider",
    "road_runner",
    "montezuma_revenge",
    "robotank",
    "pitfall2",
    "elevator_action",
    "darkchambers",
    "adventure",
    "wizard_of_wor",
];

/// Skips (prints SKIP) when the reference is missing, unless `ARCADIA_REQUIRE_REFERENCE` is set (CI).
fn skip(why: &str) {
    if std::env::var_os("ARCADIA_REQUIRE_REFERENCE").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("reference required but missing: {why}");
    }
    println!("SKIP: {why}");
}

fn script() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ARCADIA_ALE_TRACE") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/ale_trace.py");
    p.is_file().then_some(p)
}

fn rom_path(script: &Path, name: &str) -> Option<PathBuf> {
    let out = Command::new("python3")
        .arg(script)
        .args(["--rom-path", name])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.is_file().then_some(p)
}

/// Actions held for a random number of frames (a 64-bit LCG, fixed seed).
fn random_actions(frames: usize, n_legal: usize, paddles: bool, seed: u64) -> Vec<(u8, f32)> {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    };
    let mut cur = 0u8;
    let mut strength = 1.0f32;
    (0..frames)
        .map(|_| {
            if next() % 4 == 0 {
                cur = (next() % n_legal as u32) as u8;
                if paddles {
                    strength = (next() % 9) as f32 / 4.0 - 1.0;
                }
            }
            (cur, strength)
        })
        .collect()
}

fn first_difference(expected: &str, actual: &str) -> Option<String> {
    let exp: Vec<&str> = expected.lines().collect();
    let act: Vec<&str> = actual.lines().collect();
    for (i, (e, a)) in exp.iter().zip(&act).enumerate() {
        if e == a {
            continue;
        }
        let ev: serde_json::Value = serde_json::from_str(e).ok()?;
        let av: serde_json::Value = serde_json::from_str(a).ok()?;
        let (Some(eo), Some(ao)) = (ev.as_object(), av.as_object()) else {
            return Some(format!("line {}: not JSON objects", i + 1));
        };
        for (k, evk) in eo {
            let avk = ao.get(k).unwrap_or(&serde_json::Value::Null);
            if evk != avk {
                let mut msg = format!(
                    "record t={}: `{k}` differs: ale-py {evk}, stella {avk}",
                    eo["t"]
                );
                if k == "ram" {
                    let (x, y) = (evk.as_str().unwrap_or(""), avk.as_str().unwrap_or(""));
                    let diffs: Vec<String> = (0..x.len().min(y.len()) / 2)
                        .filter(|j| x[2 * j..2 * j + 2] != y[2 * j..2 * j + 2])
                        .take(8)
                        .map(|j| {
                            format!(
                                "${:02X}: {} vs {}",
                                0x80 + j,
                                &x[2 * j..2 * j + 2],
                                &y[2 * j..2 * j + 2]
                            )
                        })
                        .collect();
                    msg.push_str(&format!(" ({})", diffs.join(", ")));
                }
                return Some(msg);
            }
        }
        return Some(format!("line {}: same values, different text", i + 1));
    }
    (exp.len() != act.len())
        .then(|| format!("ale-py printed {} records, stella {}", exp.len(), act.len()))
}

fn diff_game(script: &Path, game: &str, frames: usize) -> Result<(), String> {
    let Some(path) = rom_path(script, game) else {
        skip(&format!(
            "{game}: python3 with ale-py 0.12 is not available"
        ));
        return Ok(());
    };
    let rom = Rom::from_path(&path).map_err(|e| e.to_string())?;
    let probe = arcadia_ale::Ale::new(&rom.bytes, Default::default()).map_err(|e| e.to_string())?;
    let n_legal = probe.legal_actions().len();
    let props = stella::Properties::for_rom(&rom.bytes);
    let paddles = props.left_controller == stella::ControllerKind::Paddles;
    let actions = random_actions(frames, n_legal, paddles, 0x5EED ^ frames as u64);

    let file = std::env::temp_dir().join(format!("stella-diff-{}-{game}.txt", std::process::id()));
    let text: String = actions
        .iter()
        .map(|(a, s)| format!("{a} {}\n", python_float32(*s)))
        .collect();
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .arg(script)
        .args(["--rom", game, "--actions"])
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&file);
    if !out.status.success() {
        return Err(format!(
            "ale_trace.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let expected = String::from_utf8_lossy(&out.stdout).into_owned();

    let mut opts = TraceOptions::new(rom, actions);
    opts.sticky = 0.0;
    let mut buf = Vec::new();
    write_trace(&opts, &mut buf).map_err(|e| e.to_string())?;
    let actual = String::from_utf8_lossy(&buf).into_owned();
    match first_difference(&expected, &actual) {
        None => {
            println!("{game}: {} records identical", expected.lines().count());
            Ok(())
        }
        Some(d) => Err(d),
    }
}

#[test]
fn emulator_matches_ale_py() {
    let Some(script) = script() else {
        skip("ale_trace.py not found (set ARCADIA_ALE_TRACE)");
        return;
    };
    let frames: usize = std::env::var("STELLA_DIFF_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let games: Vec<String> = match std::env::var("STELLA_DIFF_GAMES") {
        Ok(list) if !list.is_empty() => list.split(',').map(|s| s.trim().to_string()).collect(),
        _ => PRIORITY.iter().map(|s| s.to_string()).collect(),
    };
    let mut failures = Vec::new();
    for game in &games {
        if let Err(e) = diff_game(&script, game, frames) {
            println!("FAIL {game}: {e}");
            failures.push(format!("{game}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} game(s) differ from ale-py:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
