//! Every mode and every difficulty of every ALE game against ale-py: after
//! `setMode`/`setDifficulty` + `reset_game` and 30 frames of play, RAM, screen and
//! frame counters must match. Slow (hundreds of resets), so `#[ignore]`d:
//! `cargo test -p arcadia-ale --test mode_sweep -- --ignored` (set
//! `ARCADIA_SWEEP_GAMES=pong,breakout` to sweep only some games).

use std::process::Command;

use arcadia_ale::roms::{Rom, md5_hex};
use arcadia_ale::{Action, Ale, AleConfig, Game, GameSettings};

const SCRIPT: &str = r#"
import sys, hashlib
from ale_py import ALEInterface, LoggerMode, roms
ALEInterface.setLoggerMode(LoggerMode.Error)
game = sys.argv[1]
ale = ALEInterface()
ale.setInt("random_seed", 0)
ale.setFloat("repeat_action_probability", 0.0)
ale.loadROM(roms.get_rom_path(game))
legal = ale.getLegalActionSet()
def run(kind, value):
    if kind == "mode":
        ale.setMode(value)
    else:
        ale.setDifficulty(value)
    ale.reset_game()
    total = 0
    for i in range(30):
        total += ale.act(legal[(i * 7) % len(legal)])
    scr = hashlib.md5(ale.getScreen().tobytes()).hexdigest()
    print(kind, value, ale.getFrameNumber(), ale.getEpisodeFrameNumber(), total, ale.lives(),
          bytes(ale.getRAM()).hex(), scr)
for m in ale.getAvailableModes():
    run("mode", int(m))
ale.setMode(ale.getAvailableModes()[0])
for d in ale.getAvailableDifficulties():
    run("difficulty", int(d))
"#;

fn sweep(game: &str) -> Result<(), String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; from ale_py import roms; print(roms.get_rom_path(sys.argv[1]))",
            game,
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        println!("SKIP {game}: ale-py not available");
        return Ok(());
    }
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let rom = Rom::from_path(std::path::Path::new(&path)).map_err(|e| e.to_string())?;
    let expected = Command::new("python3")
        .args(["-c", SCRIPT, game])
        .output()
        .map_err(|e| e.to_string())?;
    if !expected.status.success() {
        return Err(String::from_utf8_lossy(&expected.stderr).into_owned());
    }
    let expected = String::from_utf8_lossy(&expected.stdout).into_owned();
    let config = AleConfig {
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let mut ale = Ale::new(&rom.bytes, config).map_err(|e| e.to_string())?;
    let legal = ale.legal_actions();
    let game_settings = Game::from_rom_name(game).ok_or("unknown game")?;
    let mut lines = Vec::new();
    let mut run = |ale: &mut Ale, kind: &str, value: u32| -> Result<(), String> {
        if kind == "mode" {
            ale.set_mode(value).map_err(|e| e.to_string())?;
        } else {
            ale.set_difficulty(value).map_err(|e| e.to_string())?;
        }
        ale.reset().map_err(|e| e.to_string())?;
        let mut total = 0;
        for i in 0..30 {
            let a: Action = legal[(i * 7) % legal.len()];
            total += ale.act(a, 1.0);
        }
        let ram: String = ale.ram().iter().map(|b| format!("{b:02x}")).collect();
        lines.push(format!(
            "{kind} {value} {} {} {total} {} {ram} {}",
            ale.frame_number(),
            ale.episode_frame_number(),
            ale.lives(),
            md5_hex(ale.screen())
        ));
        Ok(())
    };
    for m in game_settings.available_modes() {
        run(&mut ale, "mode", m)?;
    }
    ale.set_mode(game_settings.available_modes()[0])
        .map_err(|e| e.to_string())?;
    for d in game_settings.available_difficulties() {
        run(&mut ale, "difficulty", d)?;
    }
    for (want, got) in expected.lines().zip(&lines) {
        if want != got {
            let w: Vec<&str> = want.split(' ').collect();
            let g: Vec<&str> = got.split(' ').collect();
            let fields = [
                "kind",
                "value",
                "frame",
                "episode_frame",
                "reward",
                "lives",
                "ram",
                "screen",
            ];
            let bad: Vec<&str> = fields
                .iter()
                .zip(w.iter().zip(&g))
                .filter(|(_, (a, b))| a != b)
                .map(|(f, _)| *f)
                .collect();
            return Err(format!("{} {}: differs in {bad:?}", w[0], w[1]));
        }
    }
    if expected.lines().count() != lines.len() {
        return Err(format!(
            "ale-py ran {} cases, arcadia {}",
            expected.lines().count(),
            lines.len()
        ));
    }
    Ok(())
}

#[test]
#[ignore = "slow: every mode and difficulty of every game"]
fn every_mode_and_difficulty_matches_ale_py() {
    let mut failures = Vec::new();
    let mut passed = 0;
    let only = std::env::var("ARCADIA_SWEEP_GAMES").ok();
    for game in Game::supported() {
        if let Some(only) = &only
            && !only.split(',').any(|g| g == game)
        {
            continue;
        }
        match sweep(game) {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{game}: {e}")),
        }
    }
    println!("{passed} games match in every mode and difficulty");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
