//! `AtariPreprocessing` + frame stacking and CALE's continuous actions against
//! gymnasium 1.x / ale-py 0.12 (`AtariEnv`, `AtariPreprocessing(noop_max=0)`,
//! `FrameStackObservation(4)`). Prints a message and passes when python3 with
//! gymnasium, ale-py and cv2 is not available.

use std::process::Command;

use arcadia_ale::preprocess::{AtariPreprocessing, PreprocessConfig};
use arcadia_ale::roms::{Rom, md5_hex};
use arcadia_ale::{Ale, AleConfig, Mt19937};

const PREPROCESS: &str = r#"
import sys, hashlib, numpy as np, gymnasium as gym
from ale_py.env import AtariEnv
from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation
game, life_loss = sys.argv[1], sys.argv[2] == "1"
actions = [int(a) for a in sys.argv[3].split(",")]
env = AtariEnv(game=game, frameskip=1, repeat_action_probability=0.0)
env = AtariPreprocessing(env, noop_max=0, frame_skip=4, screen_size=84,
                         terminal_on_life_loss=life_loss)
env = FrameStackObservation(env, 4)
obs, _ = env.reset(seed=0)
print(hashlib.md5(np.ascontiguousarray(obs).tobytes()).hexdigest())
for a in actions:
    obs, r, term, trunc, _ = env.step(a)
    print(hashlib.md5(np.ascontiguousarray(obs).tobytes()).hexdigest(), int(r), int(term), int(trunc))
    if term or trunc:
        break
"#;

const CONTINUOUS: &str = r#"
import sys, hashlib, numpy as np
from ale_py.env import AtariEnv
game = sys.argv[1]
vals = [float(v) for v in sys.argv[2].split(",")]
env = AtariEnv(game=game, frameskip=1, repeat_action_probability=0.0, continuous=True)
env.reset(seed=0)
for i in range(0, len(vals), 3):
    a = np.array(vals[i:i + 3], dtype=np.float32)
    _, r, term, trunc, _ = env.step(a)
    print(bytes(env.unwrapped.ale.getRAM()).hex(), int(r))
    if term or trunc:
        break
"#;

fn python(script: &str, args: &[String]) -> Option<String> {
    let probe = Command::new("python3")
        .args(["-c", "import gymnasium, ale_py, cv2"])
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn bundled_rom(game: &str) -> Option<Rom> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; from ale_py import roms; print(roms.get_rom_path(sys.argv[1]))",
            game,
        ])
        .output()
        .ok()?;
    out.status.success().then_some(())?;
    Rom::from_path(std::path::Path::new(
        String::from_utf8_lossy(&out.stdout).trim(),
    ))
    .ok()
}

fn preprocess_case(game: &str, life_loss: bool, steps: usize) {
    let Some(rom) = bundled_rom(game) else {
        println!("SKIP {game}: ale-py not available");
        return;
    };
    let config = AleConfig {
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let ale = Ale::new(&rom.bytes, config).unwrap();
    let mut env = AtariPreprocessing::new(
        ale,
        PreprocessConfig {
            noop_max: 0,
            terminal_on_life_loss: life_loss,
            ..PreprocessConfig::default()
        },
    )
    .unwrap();
    let n = env.actions().len() as u32;
    let mut mt = Mt19937::new(11);
    let actions: Vec<usize> = (0..steps).map(|_| (mt.next_u32() % n) as usize).collect();
    let list = actions
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let Some(expected) = python(
        PREPROCESS,
        &[game.to_string(), (life_loss as u8).to_string(), list],
    ) else {
        println!("SKIP {game}: python3 with gymnasium, ale-py and cv2 not available");
        return;
    };
    let mut lines = expected.lines();
    let first = md5_hex(env.reset().unwrap());
    assert_eq!(
        Some(first.as_str()),
        lines.next(),
        "{game}: reset observation"
    );
    for (i, &a) in actions.iter().enumerate() {
        let Some(want) = lines.next() else { break };
        let out = env.step(a).unwrap();
        let got = format!(
            "{} {} {} {}",
            md5_hex(env.observation()),
            out.reward,
            out.terminated as u8,
            out.truncated as u8
        );
        assert_eq!(got, want, "{game}: step {}", i + 1);
    }
}

#[test]
fn preprocessing_matches_gymnasium_on_breakout_with_life_loss() {
    preprocess_case("breakout", true, 300);
}

#[test]
fn preprocessing_matches_gymnasium_on_seaquest() {
    preprocess_case("seaquest", false, 300);
}

#[test]
fn cale_continuous_actions_match_ale_py() {
    let game = "breakout";
    let Some(rom) = bundled_rom(game) else {
        println!("SKIP: ale-py not available");
        return;
    };
    let mut mt = Mt19937::new(5);
    // Values on a coarse grid (exact in f32) so both sides see the same numbers.
    let mut vals = Vec::new();
    for _ in 0..300 {
        vals.push((mt.next_u32() % 5) as f32 / 4.0); // r in [0, 1]
        vals.push((mt.next_u32() % 16) as f32 * 0.5 - 4.0); // theta
        vals.push((mt.next_u32() % 4) as f32 / 3.0); // fire value
    }
    let list = vals
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(",");
    let Some(expected) = python(CONTINUOUS, &[game.to_string(), list]) else {
        println!("SKIP: python3 with gymnasium, ale-py and cv2 not available");
        return;
    };
    let config = AleConfig {
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let mut ale = Ale::new(&rom.bytes, config).unwrap();
    ale.reset().unwrap();
    for (i, (want, v)) in expected.lines().zip(vals.chunks(3)).enumerate() {
        let r = ale.act_continuous(v[0], v[1], v[2], 0.5);
        let ram: String = ale.ram().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(format!("{ram} {r}"), want, "step {}: action {v:?}", i + 1);
    }
}
