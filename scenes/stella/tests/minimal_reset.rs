//! Differential test of the emulator against ale-py 0.12 for ROMs outside the Atari-57 set, with a
//! minimal local re-implementation of ALE's reset and act (no game settings): system reset, 60 NOOP
//! frames, RESET held 4 frames two or three times (many games' `setMode` soft-resets once more;
//! the variant that reproduces ale-py's first record is used), then one frame per action. Records
//! are compared (RAM and screen md5) until the reference trace reports the first game over, since
//! terminal detection is game logic this test does not have. A game whose reset needs more (SELECT
//! presses, starting actions) is reported as unverified, not as a failure.
//!
//! Frames: `STELLA_DIFF_FRAMES` (default 2000); games: `STELLA_MINI_GAMES` (comma-separated).

use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};
use stella::{Console, ControllerKind, Properties};

/// ROMs ALE supports beyond Atari-57 whose default mode needs no SELECT presses, so the minimal
/// reset (plus their starting actions) reproduces ALE's. Not listed: games whose `setMode` presses
/// SELECT (backgammon, basic_math, crossbow, flag_capture, human_cannonball, klax, othello, pacman,
/// pooyan, space_war, ...), and ROMs ale-py cannot run (combat, joust, maze_craze, warlords, ...).
const GAMES: &[&str] = &[
    "adventure",
    "air_raid",
    "atlantis2",
    "blackjack",
    "carnival",
    "casino",
    "darkchambers",
    "donkey_kong",
    "earthworld",
    "elevator_action",
    "entombed",
    "et",
    "frogger",
    "galaxian",
    "hangman",
    "haunted_house",
    "journey_escape",
    "kaboom",
    "keystone_kapers",
    "king_kong",
    "koolaid",
    "laser_gates",
    "mario_bros",
    "miniature_golf",
    "mr_do",
    "pitfall2",
    "sir_lancelot",
    "superman",
    "tetris",
    "tic_tac_toe_3d",
    "trondead",
    "turmoil",
    "video_checkers",
    "video_chess",
    "video_cube",
    "word_zapper",
];

const PADDLE_MIN: i32 = 27_450;
const PADDLE_MAX: i32 = 790_196;
const PADDLE_DELTA: f64 = 23_000.0;

struct MiniAle {
    console: Console,
    paddles: bool,
    paddle: [i32; 2],
    paddle_max: i32,
    soft_resets: usize,
}

impl MiniAle {
    fn new(rom: &[u8], soft_resets: usize, paddle_max: i32, start: &[u8]) -> MiniAle {
        let props = Properties::for_rom(rom);
        let paddles = props.left_controller == ControllerKind::Paddles
            || props.right_controller == ControllerKind::Paddles;
        let console = Console::new(rom, props).expect("load ROM");
        let mut m = MiniAle {
            console,
            paddles,
            paddle: [0; 2],
            paddle_max,
            soft_resets,
        };
        m.reset();
        for &a in start {
            m.emulate(a, 1.0, 1);
        }
        m
    }

    fn set_paddles(&mut self) {
        let i = self.console.inputs_mut();
        i.paddles[0].resistance = self.paddle[0];
        i.paddles[1].resistance = self.paddle[1];
    }

    /// `StellaEnvironment::reset` without game settings.
    fn reset(&mut self) {
        if self.paddles {
            self.paddle = [(PADDLE_MIN + self.paddle_max) / 2; 2];
            self.set_paddles();
        }
        self.console.system_reset();
        self.emulate(0, 1.0, 60);
        for _ in 0..self.soft_resets {
            self.emulate(40, 1.0, 4);
        }
    }

    fn apply(&mut self, action: u8, strength: f32) {
        let i = self.console.inputs_mut();
        i.release_all();
        i.switches.left_difficulty_a = false;
        i.switches.right_difficulty_a = false;
        if action == 40 {
            i.switches.reset = true;
            return;
        }
        let (up, down, left, right, fire) = match action {
            0 => (false, false, false, false, false),
            1 => (false, false, false, false, true),
            2 => (true, false, false, false, false),
            3 => (false, false, false, true, false),
            4 => (false, false, true, false, false),
            5 => (false, true, false, false, false),
            6 => (true, false, false, true, false),
            7 => (true, false, true, false, false),
            8 => (false, true, false, true, false),
            9 => (false, true, true, false, false),
            10 => (true, false, false, false, true),
            11 => (false, false, false, true, true),
            12 => (false, false, true, false, true),
            13 => (false, true, false, false, true),
            14 => (true, false, false, true, true),
            15 => (true, false, true, false, true),
            16 => (false, true, false, true, true),
            _ => (false, true, true, false, true),
        };
        if self.paddles {
            let d = (PADDLE_DELTA * (strength as f64).abs()) as i32;
            let delta = if right {
                -d
            } else if left {
                d
            } else {
                0
            };
            self.paddle[0] = (self.paddle[0] + delta).clamp(PADDLE_MIN, self.paddle_max);
            let fire_now = fire;
            self.set_paddles();
            self.console.inputs_mut().paddles[0].fire = fire_now;
        } else {
            let j = &mut i.joysticks[0];
            j.up = up;
            j.down = down;
            j.left = left;
            j.right = right;
            j.fire = fire;
        }
    }

    fn emulate(&mut self, action: u8, strength: f32, frames: usize) {
        if !self.paddles {
            self.apply(action, strength);
        }
        for _ in 0..frames {
            if self.paddles {
                self.apply(action, strength);
            }
            self.console.run_frame();
        }
        for a in 0x80..0x100u16 {
            self.console.peek(a);
        }
    }

    fn record(&self) -> (String, String) {
        let ram: String = self
            .console
            .ram()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let md5: String = Md5::digest(self.console.screen())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (ram, md5)
    }
}

/// ALE's `getStartingActions` for the games of this test (action ids; 40 = RESET).
fn starting_actions(game: &str) -> Vec<u8> {
    const NOOP: u8 = 0;
    const FIRE: u8 = 1;
    let mut v = Vec::new();
    match game {
        "air_raid" | "kaboom" | "mr_do" | "turmoil" | "journey_escape" => v.push(FIRE),
        "darkchambers" => v.resize(486, NOOP),
        "elevator_action" => v.resize(16, FIRE),
        "entombed" => v.extend([FIRE, NOOP, NOOP, NOOP, NOOP, NOOP]),
        "klax" => v.extend([FIRE, NOOP]),
        "mario_bros" => {
            v.resize(10, NOOP);
            v.resize(17, FIRE);
        }
        "pitfall2" => v.push(2),
        "sir_lancelot" => v.extend([40, 4]),
        "video_cube" => {
            v.resize(61, NOOP);
            v.extend([FIRE, NOOP, NOOP]);
        }
        "word_zapper" => {
            v.resize(486, NOOP);
            v.extend([FIRE, NOOP, NOOP]);
        }
        "casino" => {
            v.resize(60, NOOP);
            v.extend([FIRE, FIRE]);
        }
        _ => {}
    }
    v
}

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

fn diff_game(script: &Path, game: &str, frames: usize) -> Result<Option<usize>, String> {
    let out = Command::new("python3")
        .arg(script)
        .args(["--rom-path", game])
        .output()
        .map_err(|e| e.to_string())?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !out.status.success() || !path.is_file() {
        return Err("no ROM path".into());
    }
    let rom = std::fs::read(&path).map_err(|e| e.to_string())?;
    let mut s = 0x5EEDu64 ^ frames as u64;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    };
    let mut cur = 0u8;
    let actions: Vec<u8> = (0..frames)
        .map(|_| {
            if next() % 4 == 0 {
                cur = (next() % 18) as u8;
            }
            cur
        })
        .collect();
    let file = std::env::temp_dir().join(format!("stella-mini-{}-{game}.txt", std::process::id()));
    std::fs::write(
        &file,
        actions.iter().map(|a| format!("{a}\n")).collect::<String>(),
    )
    .map_err(|e| e.to_string())?;
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
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let first = records.first().ok_or("empty trace")?;
    let mut ale = None;
    for soft_resets in 2..=3 {
        // Some games' settings change ALE's paddle range (`modifyEnvironmentSettings`).
        let paddle_max = match game {
            "blackjack" => 795_000,
            "backgammon" => 1_000_000,
            _ => PADDLE_MAX,
        };
        let candidate = MiniAle::new(&rom, soft_resets, paddle_max, &starting_actions(game));
        let (ram, md5) = candidate.record();
        if ram == first["ram"].as_str().unwrap_or("")
            && md5 == first["screen"].as_str().unwrap_or("")
        {
            ale = Some(candidate);
            break;
        }
    }
    let Some(mut ale) = ale else {
        return Ok(None);
    };
    let mut compared = 0;
    for (k, v) in records.iter().enumerate() {
        if v.get("reset").is_some() {
            break;
        }
        if k > 0 {
            ale.emulate(v["action"].as_u64().unwrap_or(0) as u8, 1.0, 1);
        }
        let (ram, md5) = ale.record();
        if ram != v["ram"].as_str().unwrap_or("") {
            let exp = v["ram"].as_str().unwrap_or("");
            let diffs: Vec<String> = (0..128)
                .filter(|j| exp.get(2 * j..2 * j + 2) != ram.get(2 * j..2 * j + 2))
                .take(8)
                .map(|j| {
                    format!(
                        "${:02X}: {} vs {}",
                        0x80 + j,
                        &exp[2 * j..2 * j + 2],
                        &ram[2 * j..2 * j + 2]
                    )
                })
                .collect();
            let recent: Vec<String> = records[k.saturating_sub(6)..=k]
                .iter()
                .map(|r| r["action"].to_string())
                .collect();
            return Err(format!(
                "t={}: RAM differs ({}); last actions {}",
                v["t"],
                diffs.join(", "),
                recent.join(" ")
            ));
        }
        if md5 != v["screen"].as_str().unwrap_or("") {
            return Err(format!("t={}: screen differs", v["t"]));
        }
        compared += 1;
        if v["game_over"].as_bool() == Some(true) {
            break;
        }
    }
    Ok(Some(compared))
}

#[test]
fn emulator_matches_ale_py_beyond_atari57() {
    let Some(script) = script() else {
        skip("ale_trace.py not found (set ARCADIA_ALE_TRACE)");
        return;
    };
    if Command::new("python3")
        .args(["-c", "import ale_py"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        skip("python3 with ale-py 0.12 is not available");
        return;
    }
    let frames: usize = std::env::var("STELLA_DIFF_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let games: Vec<String> = match std::env::var("STELLA_MINI_GAMES") {
        Ok(list) if !list.is_empty() => list.split(',').map(|s| s.trim().to_string()).collect(),
        _ => GAMES.iter().map(|s| s.to_string()).collect(),
    };
    let mut failures = Vec::new();
    for game in &games {
        match diff_game(&script, game, frames) {
            Ok(Some(n)) => println!("{game}: {n} records identical"),
            Ok(None) => println!(
                "UNVERIFIED {game}: the minimal reset does not reproduce ALE's first record"
            ),
            Err(e) => {
                println!("FAIL {game}: {e}");
                failures.push(format!("{game}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} game(s) differ from ale-py:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
