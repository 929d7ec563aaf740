//! Frames per second of `Ale::act` next to ale-py's on the same ROM and action stream.
//!
//! `cargo run --release -p arcadia-ale --example bench -- [GAME] [FRAMES]`
//! (defaults: breakout, 20000). Needs python3 with ale-py for the reference side and
//! its bundled ROMs, which it imports into the ROM registry (`$ARCADIA_ROMS`) if missing.

use std::process::Command;
use std::time::Instant;

use arcadia_ale::{Action, Ale, AleConfig, Mt19937, RomRegistry};

const REFERENCE: &str = r#"
import sys, time
from ale_py import ALEInterface, LoggerMode, roms
ALEInterface.setLoggerMode(LoggerMode.Error)
game, frames = sys.argv[1], int(sys.argv[2])
actions = [int(a) for a in sys.argv[3].split(",")]
ale = ALEInterface()
ale.setFloat("repeat_action_probability", 0.0)
ale.loadROM(roms.get_rom_path(game))
legal = ale.getLegalActionSet()
t = time.perf_counter()
for i in range(frames):
    ale.act(legal[actions[i % len(actions)]])
    if ale.game_over():
        ale.reset_game()
print(frames / (time.perf_counter() - t))
"#;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let game = args.first().map(String::as_str).unwrap_or("breakout");
    let frames: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let registry = RomRegistry::open_default();
    let rom = match registry.resolve(game) {
        Ok(rom) => rom,
        Err(_) => {
            registry.import_ale_py()?;
            registry.resolve(game)?
        }
    };
    let config = AleConfig {
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let mut ale = Ale::new(&rom.bytes, config)?;
    let legal = ale.legal_actions();
    let mut mt = Mt19937::new(1);
    let actions: Vec<usize> = (0..1000)
        .map(|_| (mt.next_u32() as usize) % legal.len())
        .collect();
    let start = Instant::now();
    for i in 0..frames {
        let a: Action = legal[actions[i % actions.len()]];
        ale.act(a, 1.0);
        if ale.game_over(true) {
            ale.reset()?;
        }
    }
    let ours = frames as f64 / start.elapsed().as_secs_f64();
    println!("arcadia-ale: {ours:.0} frames/s ({game}, {frames} frames)");
    let list = actions
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let out = Command::new("python3")
        .args(["-c", REFERENCE, game, &frames.to_string(), &list])
        .output()?;
    if !out.status.success() {
        println!(
            "ale-py: unavailable ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return Ok(());
    }
    let theirs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse()?;
    println!("ale-py:      {theirs:.0} frames/s");
    println!("ratio arcadia/ale-py: {:.2}", ours / theirs);
    Ok(())
}
