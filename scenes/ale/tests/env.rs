//! Environment behaviour that needs a real ROM (ale-py's bundled ROMs; skipped with a
//! message when they are not installed) and error paths that need none.

use std::process::Command;

use arcadia_ale::roms::Rom;
use arcadia_ale::{Action, Ale, AleConfig, AleError};

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

#[test]
fn unknown_roms_and_bad_configs_are_typed_errors() {
    assert!(matches!(
        Ale::new(&[0u8; 2048], AleConfig::default()),
        Err(AleError::UnknownMd5(_))
    ));
    assert!(matches!(
        Ale::with_game_name(&[0u8; 2048], "no_such_game", AleConfig::default()),
        Err(AleError::UnknownGame(_))
    ));
    let bad = AleConfig {
        frame_skip: 0,
        ..AleConfig::default()
    };
    assert!(matches!(bad.validate(), Err(AleError::Config(_))));
    let bad = AleConfig {
        repeat_action_probability: 1.5,
        ..AleConfig::default()
    };
    assert!(matches!(bad.validate(), Err(AleError::Config(_))));
}

#[test]
fn clone_and_serde_restore_the_whole_environment() {
    let Some(rom) = bundled_rom("breakout") else {
        println!("SKIP: ale-py ROMs not available");
        return;
    };
    let mut ale = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    for i in 0..50 {
        ale.act(Action::ALL[i % 4], 1.0);
    }
    let saved = ale.clone();
    let json = serde_json::to_string(&ale).unwrap();
    let mut restored: Ale = serde_json::from_str(&json).unwrap();
    let mut from_bytes = Ale::from_snapshot(&ale.snapshot().unwrap()).unwrap();
    assert!(Ale::from_snapshot(b"garbage").is_err());
    let mut copy = saved.clone();
    // `clone_from` into an environment of the same ROM in another state (no allocation), and
    // `copy_state_from`, which keeps the target's frame buffers: the next frames' screens are
    // drawn afresh, so after two frames they agree too.
    let mut into = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    into.act(Action::Fire, 1.0);
    into.clone_from(&saved);
    assert_eq!(into.screen(), saved.screen());
    let mut state_only = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    state_only.copy_state_from(&saved);
    assert_eq!(state_only.ram(), saved.ram());
    for i in 0..200 {
        let a = Action::ALL[(i * 7) % 4];
        let r0 = ale.act(a, 0.5);
        let r1 = copy.act(a, 0.5);
        let r2 = restored.act(a, 0.5);
        let r3 = from_bytes.act(a, 0.5);
        let r4 = into.act(a, 0.5);
        let r5 = state_only.act(a, 0.5);
        assert_eq!((r0, r0, r0, r0, r0), (r1, r2, r3, r4, r5));
        assert_eq!(ale.ram(), from_bytes.ram());
        assert_eq!(ale.ram(), copy.ram());
        assert_eq!(ale.ram(), restored.ram());
        assert_eq!(ale.ram(), into.ram());
        assert_eq!(ale.ram(), state_only.ram());
        assert_eq!(ale.screen(), restored.screen());
        assert_eq!(ale.screen(), into.screen());
        if i >= 2 {
            assert_eq!(ale.screen(), state_only.screen());
        }
    }
    assert_eq!(ale.frame_number(), restored.frame_number());
    assert_eq!(ale.frame_number(), state_only.frame_number());
}

#[test]
fn modes_difficulties_and_action_sets_follow_the_game() {
    let Some(rom) = bundled_rom("space_invaders") else {
        println!("SKIP: ale-py ROMs not available");
        return;
    };
    let mut ale = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    assert_eq!(ale.rom_name(), "space_invaders");
    assert_eq!(ale.available_modes(), (0..16).collect::<Vec<_>>());
    assert_eq!(ale.available_difficulties(), vec![0, 1]);
    assert_eq!(ale.minimal_actions().len(), 6);
    assert_eq!(ale.legal_actions().len(), 18);
    assert_eq!(ale.lives(), 3);
    assert_eq!((ale.height(), ale.width()), (210, 160));
    assert_eq!(ale.screen().len(), 210 * 160);
    assert_eq!(ale.screen_rgb().len(), 210 * 160 * 3);
    assert!(matches!(
        ale.set_mode(16),
        Err(AleError::InvalidMode { mode: 16, .. })
    ));
    assert!(matches!(
        ale.set_difficulty(2),
        Err(AleError::InvalidDifficulty { difficulty: 2, .. })
    ));
    ale.set_mode(3).unwrap();
    ale.reset().unwrap();
    assert_eq!(
        ale.ram()[0xDC - 0x80],
        3,
        "mode byte after selecting mode 3"
    );
    // As in ALE, each SELECT press adds one counted frame.
    assert!(ale.episode_frame_number() > 0);
}

#[test]
fn truncation_stops_emulation_until_reset() {
    let Some(rom) = bundled_rom("pong") else {
        println!("SKIP: ale-py ROMs not available");
        return;
    };
    let config = AleConfig {
        max_num_frames_per_episode: 10,
        frame_skip: 4,
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let mut ale = Ale::new(&rom.bytes, config).unwrap();
    ale.act(Action::Fire, 1.0);
    ale.act(Action::Fire, 1.0);
    assert!(!ale.truncated());
    ale.act(Action::Fire, 1.0);
    assert!(ale.truncated() && ale.game_over(true) && !ale.game_over(false));
    assert_eq!(
        ale.episode_frame_number(),
        10,
        "emulation stops at the budget"
    );
    let ram = ale.ram().to_vec();
    assert_eq!(ale.act(Action::Fire, 1.0), 0);
    assert_eq!(ale.ram(), &ram[..]);
    ale.reset().unwrap();
    assert_eq!(ale.episode_frame_number(), 0);
    assert_eq!(ale.frame_number(), 10);
    assert!(!ale.truncated());
}

#[test]
fn losing_a_life_truncates_when_configured() {
    let Some(rom) = bundled_rom("breakout") else {
        println!("SKIP: ale-py ROMs not available");
        return;
    };
    let config = AleConfig {
        truncate_on_loss_of_life: true,
        repeat_action_probability: 0.0,
        ..AleConfig::default()
    };
    let mut ale = Ale::new(&rom.bytes, config).unwrap();
    let start_lives = ale.lives();
    assert_eq!(start_lives, 5);
    let mut steps = 0;
    // Serve and never move: the ball is lost.
    while !ale.game_over(true) && steps < 5_000 {
        ale.act(Action::Fire, 1.0);
        steps += 1;
    }
    assert!(ale.truncated(), "truncated after {steps} steps");
    assert!(!ale.game_over(false));
    assert_eq!(ale.lives(), start_lives - 1);
    ale.reset().unwrap();
    assert!(!ale.truncated());
    assert_eq!(ale.lives(), start_lives);
}

#[test]
fn roms_without_ale_settings_are_rejected() {
    let Some(rom) = bundled_rom("warlords") else {
        println!("SKIP: ale-py ROMs not available");
        return;
    };
    assert!(matches!(
        Ale::new(&rom.bytes, AleConfig::default()),
        Err(AleError::UnsupportedRom(name)) if name == "warlords"
    ));
}

#[test]
fn preprocessing_shapes_scaling_and_errors() {
    use arcadia_ale::preprocess::{AtariPreprocessing, PreprocessConfig};
    let Some(rom) = bundled_rom("pong") else {
        println!("SKIP: ale-py ROMs not available");
        return;
    };
    let ale = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    let skipping = Ale::new(
        &rom.bytes,
        AleConfig {
            frame_skip: 4,
            ..AleConfig::default()
        },
    )
    .unwrap();
    assert!(AtariPreprocessing::new(skipping, PreprocessConfig::default()).is_err());
    let mut env = AtariPreprocessing::new(ale, PreprocessConfig::default()).unwrap();
    assert_eq!(env.observation_shape(), [4, 84, 84, 1]);
    assert_eq!(env.actions().len(), 6);
    env.reset().unwrap();
    let first = env.observation().to_vec();
    assert_eq!(first.len(), 4 * 84 * 84);
    // The reset frame fills the whole stack.
    assert!(first.chunks(84 * 84).all(|f| f == &first[..84 * 84]));
    env.step(1).unwrap();
    let obs = env.observation();
    assert_eq!(
        &obs[..3 * 84 * 84],
        &first[84 * 84..],
        "stack shifts by one frame"
    );
    let mut scaled = vec![0.0f32; obs.len()];
    env.observation_f32_into(&mut scaled).unwrap();
    assert!(
        scaled
            .iter()
            .zip(obs)
            .all(|(s, &v)| *s == f32::from(v) / 255.0)
    );
    assert!(env.observation_f32_into(&mut [0.0; 3]).is_err());
    assert!(matches!(env.step(6), Err(AleError::InvalidAction(6))));
}

#[test]
fn garbage_roms_give_errors_or_run_but_never_panic() {
    use arcadia_ale::Mt19937;
    let mut mt = Mt19937::new(99);
    for (size, game) in [
        (2048, "pong"),
        (4096, "seaquest"),
        (8192, "ms_pacman"),
        (3000, "pong"),
    ] {
        let rom: Vec<u8> = (0..size).map(|_| mt.next_u32() as u8).collect();
        match Ale::with_game_name(&rom, game, AleConfig::default()) {
            Ok(mut ale) => {
                for a in Action::ALL {
                    ale.act(a, 1.0);
                }
                let _ = ale.reset();
            }
            Err(e) => {
                println!("{game} ({size} bytes): {e}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

/// `AtariPreprocessing` skips drawing the frames no observation uses (and replays a step from a
/// snapshot when that left an observed screen stale): everything must be identical to drawing
/// every frame, through truncations at odd frame counts (episodes that end on an undrawn
/// frame), lives lost, PAL, flicker, DPC, RGB and other frame skips.
#[test]
fn undrawn_frames_change_no_observation() {
    use arcadia_ale::preprocess::{AtariPreprocessing, PreprocessConfig};
    use arcadia_ale::rng::Mt19937;
    let cases: &[(&str, u32, bool, bool)] = &[
        // game, frame skip, grayscale, terminal on life loss
        ("pong", 4, true, false),
        ("breakout", 4, true, true),
        ("ms_pacman", 4, true, false),
        ("asteroids", 4, true, false),
        ("pitfall2", 4, true, false),
        ("keystone_kapers", 4, true, false),
        ("seaquest", 5, false, false),
        ("space_invaders", 3, true, true),
        ("montezuma_revenge", 4, false, false),
    ];
    for &(game, frame_skip, grayscale, life_loss) in cases {
        let Some(rom) = bundled_rom(game) else {
            println!("SKIP: ale-py's {game} ROM not available");
            return;
        };
        let make = |draw_all_frames: bool| {
            let config = AleConfig {
                random_seed: 3,
                max_num_frames_per_episode: 1_001,
                ..AleConfig::default()
            };
            let ale = Ale::new(&rom.bytes, config).unwrap();
            let pre = PreprocessConfig {
                frame_skip,
                grayscale,
                terminal_on_life_loss: life_loss,
                draw_all_frames,
                seed: 5,
                ..PreprocessConfig::default()
            };
            AtariPreprocessing::new(ale, pre).unwrap()
        };
        let (mut lazy, mut full) = (make(false), make(true));
        assert_eq!(lazy.reset().unwrap(), full.reset().unwrap(), "{game}");
        let mut mt = Mt19937::new(17);
        let mut episodes = 0;
        for step in 0..700 {
            let a = (mt.next_u32() as usize) % lazy.actions().len();
            let (x, y) = (lazy.step(a).unwrap(), full.step(a).unwrap());
            assert_eq!(x, y, "{game} step {step}");
            assert_eq!(lazy.observation(), full.observation(), "{game} step {step}");
            assert_eq!(
                lazy.ale().screen(),
                full.ale().screen(),
                "{game} step {step}"
            );
            assert!(lazy.ale().screen_exact(), "{game} step {step}");
            assert_eq!(lazy.ale().ram(), full.ale().ram(), "{game} step {step}");
            if x.terminated || x.truncated {
                episodes += 1;
                assert_eq!(lazy.reset().unwrap(), full.reset().unwrap(), "{game}");
            }
        }
        assert!(episodes >= 2, "{game}: {episodes} episodes");
    }
}
