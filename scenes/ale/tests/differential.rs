//! Differential tests against ale-py 0.12 through `shared/reference/ale_trace.py`.
//!
//! Each test generates a random action file (fixed seed), runs the reference script and
//! `arcadia_ale::trace::write_trace` with the same options, and compares the JSON lines
//! field by field, reporting the first difference. Tests print a message and pass
//! when python3/ale-py or the script is missing.
//!
//! Set `ARCADIA_ALE_TRACE` to the script's path if it is not at
//! `../../../shared/reference/ale_trace.py` from this crate.

use std::path::{Path, PathBuf};
use std::process::Command;

use arcadia_ale::Mt19937;
use arcadia_ale::roms::Rom;
use arcadia_ale::trace::{TraceOptions, write_trace};

fn script() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ARCADIA_ALE_TRACE") {
        return Some(PathBuf::from(p));
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

/// One configuration of a differential run.
struct Case {
    steps: usize,
    frameskip: u32,
    sticky: f32,
    seed: u32,
    max_frames: u64,
    mode: Option<u32>,
    difficulty: Option<u32>,
    action_seed: u32,
    rgb: bool,
}

fn random_actions(case: &Case, n_legal: usize, paddles: bool) -> Vec<(u8, f32)> {
    let mut mt = Mt19937::new(case.action_seed);
    let mut out = Vec::with_capacity(case.steps);
    let mut current = 0u8;
    for _ in 0..case.steps {
        // Hold actions for a few steps so games get somewhere.
        if mt.next_u32().is_multiple_of(4) {
            current = (mt.next_u32() % n_legal as u32) as u8;
        }
        let strength = if paddles {
            // Quarter steps in [-1, 1]: exact in binary, printed identically.
            (mt.next_u32() % 9) as f32 / 4.0 - 1.0
        } else {
            1.0
        };
        out.push((current, strength));
    }
    out
}

fn first_difference(expected: &str, actual: &str) -> Option<String> {
    let exp: Vec<&str> = expected.lines().collect();
    let act: Vec<&str> = actual.lines().collect();
    for (i, (e, a)) in exp.iter().zip(&act).enumerate() {
        if e == a {
            continue;
        }
        let ev: serde_json::Value = serde_json::from_str(e).ok()?;
        let av: serde_json::Value = match serde_json::from_str(a) {
            Ok(v) => v,
            Err(err) => return Some(format!("line {}: unparsable output ({err}): {a}", i + 1)),
        };
        if let (Some(eo), Some(ao)) = (ev.as_object(), av.as_object()) {
            for (k, evk) in eo {
                let avk = ao.get(k).unwrap_or(&serde_json::Value::Null);
                if evk != avk {
                    return Some(format!(
                        "line {} (t={}): field `{k}`: ale-py {evk}, arcadia {avk}",
                        i + 1,
                        eo.get("t").map(|t| t.to_string()).unwrap_or_default()
                    ));
                }
            }
        }
        return Some(format!(
            "line {}: same values, different text:\n  ale-py:  {e}\n  arcadia: {a}",
            i + 1
        ));
    }
    if exp.len() != act.len() {
        return Some(format!(
            "ale-py printed {} lines, arcadia {}",
            exp.len(),
            act.len()
        ));
    }
    None
}

/// Runs one case; returns how many game-over resets the reference trace had.
fn run_case(game: &str, case: &Case) -> Result<usize, String> {
    let Some(script) = script() else {
        println!("SKIP {game}: ale_trace.py not found (set ARCADIA_ALE_TRACE)");
        return Ok(usize::MAX);
    };
    let Some(path) = rom_path(&script, game) else {
        println!("SKIP {game}: python3 with ale-py 0.12 is not available");
        return Ok(usize::MAX);
    };
    let rom = Rom::from_path(&path).map_err(|e| e.to_string())?;
    let probe = arcadia_ale::Ale::new(&rom.bytes, Default::default()).map_err(|e| e.to_string())?;
    let n_legal = probe.legal_actions().len();
    let props = stella::Properties::for_md5(&rom.md5);
    let paddles = props.left_controller == stella::ControllerKind::Paddles
        || props.right_controller == stella::ControllerKind::Paddles;
    let actions = random_actions(case, n_legal, paddles);

    let dir = std::env::temp_dir().join(format!("arcadia-ale-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let actions_file = dir.join(format!("{game}-{}.txt", case.action_seed));
    let text: String = actions
        .iter()
        .map(|(a, s)| format!("{a} {}\n", arcadia_ale::trace::python_float32(*s)))
        .collect();
    std::fs::write(&actions_file, text).map_err(|e| e.to_string())?;

    let mut cmd = Command::new("python3");
    cmd.arg(&script)
        .arg("--rom")
        .arg(game)
        .arg("--actions")
        .arg(&actions_file)
        .args(["--frameskip", &case.frameskip.to_string()])
        .args(["--sticky", &case.sticky.to_string()])
        .args(["--seed", &case.seed.to_string()])
        .args(["--max-frames", &case.max_frames.to_string()]);
    if let Some(m) = case.mode {
        cmd.args(["--mode", &m.to_string()]);
    }
    if let Some(d) = case.difficulty {
        cmd.args(["--difficulty", &d.to_string()]);
    }
    if case.rgb {
        cmd.arg("--rgb");
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&actions_file);
    if !out.status.success() {
        return Err(format!(
            "ale_trace.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let expected = String::from_utf8_lossy(&out.stdout).into_owned();

    let mut opts = TraceOptions::new(rom, actions);
    opts.frameskip = case.frameskip;
    opts.sticky = case.sticky;
    opts.seed = case.seed;
    opts.max_frames = case.max_frames;
    opts.mode = case.mode;
    opts.difficulty = case.difficulty;
    opts.rgb = case.rgb;
    let mut buf = Vec::new();
    write_trace(&opts, &mut buf).map_err(|e| e.to_string())?;
    let actual = String::from_utf8_lossy(&buf).into_owned();
    match first_difference(&expected, &actual) {
        None => Ok(expected.matches("\"reset\": true").count()),
        Some(d) => Err(d),
    }
}

/// Plain play: frame skip 1, no sticky actions.
const PLAIN: Case = Case {
    steps: 600,
    frameskip: 1,
    sticky: 0.0,
    seed: 0,
    max_frames: 0,
    mode: None,
    difficulty: None,
    action_seed: 1,
    rgb: true,
};

/// ALE's v5 setting: frame skip 4, sticky 0.25, a frame budget that forces truncation
/// and a reset mid-trace.
const STICKY: Case = Case {
    steps: 400,
    frameskip: 4,
    sticky: 0.25,
    seed: 7,
    max_frames: 900,
    mode: None,
    difficulty: None,
    action_seed: 2,
    rgb: false,
};

fn check(game: &str) {
    let mut failures = Vec::new();
    for (label, case) in [("plain", &PLAIN), ("sticky", &STICKY)] {
        if let Err(e) = run_case(game, case) {
            failures.push(format!("{game} [{label}]: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

macro_rules! differential {
    ($($game:ident),* $(,)?) => {
        $(
            #[test]
            fn $game() {
                check(stringify!($game));
            }
        )*
    };
}

mod atari57 {
    use super::check;

    differential!(
        alien,
        amidar,
        assault,
        asterix,
        asteroids,
        atlantis,
        bank_heist,
        battle_zone,
        beam_rider,
        berzerk,
        bowling,
        boxing,
        breakout,
        centipede,
        chopper_command,
        crazy_climber,
        defender,
        demon_attack,
        double_dunk,
        enduro,
        fishing_derby,
        freeway,
        frostbite,
        gopher,
        gravitar,
        hero,
        ice_hockey,
        jamesbond,
        kangaroo,
        krull,
        kung_fu_master,
        montezuma_revenge,
        ms_pacman,
        name_this_game,
        phoenix,
        pitfall,
        pong,
        private_eye,
        qbert,
        riverraid,
        road_runner,
        robotank,
        seaquest,
        skiing,
        solaris,
        space_invaders,
        star_gunner,
        surround,
        tennis,
        time_pilot,
        tutankham,
        up_n_down,
        venture,
        video_pinball,
        wizard_of_wor,
        yars_revenge,
        zaxxon,
    );
}

/// Long runs that reach real game overs (several `reset` records per trace).
mod game_over {
    use super::{Case, run_case};

    const LONG: Case = Case {
        steps: 2500,
        frameskip: 4,
        sticky: 0.25,
        seed: 3,
        max_frames: 0,
        mode: None,
        difficulty: None,
        action_seed: 4,
        rgb: false,
    };

    macro_rules! long {
        ($($game:ident),*) => {
            $(
                #[test]
                fn $game() {
                    match run_case(stringify!($game), &LONG) {
                        Err(e) => panic!("{} [long]: {e}", stringify!($game)),
                        Ok(resets) => assert!(resets > 0, "no game over was reached"),
                    }
                }
            )*
        };
    }

    long!(breakout, pong, space_invaders, ms_pacman, asteroids);
}

/// The other 47 games ALE 0.12 defines settings for.
mod others {
    use super::check;

    differential!(
        adventure,
        air_raid,
        atlantis2,
        backgammon,
        basic_math,
        blackjack,
        carnival,
        casino,
        crossbow,
        darkchambers,
        donkey_kong,
        earthworld,
        elevator_action,
        entombed,
        et,
        flag_capture,
        frogger,
        galaxian,
        hangman,
        haunted_house,
        human_cannonball,
        journey_escape,
        kaboom,
        keystone_kapers,
        king_kong,
        klax,
        koolaid,
        laser_gates,
        lost_luggage,
        mario_bros,
        miniature_golf,
        mr_do,
        othello,
        pacman,
        pooyan,
        sir_lancelot,
        space_war,
        superman,
        tetris,
        tic_tac_toe_3d,
        trondead,
        turmoil,
        video_checkers,
        video_chess,
        video_cube,
        word_zapper,
    );

    /// Pitfall II: the DPC cartridge (data fetchers, random numbers, music mode).
    #[test]
    fn pitfall2() {
        check("pitfall2");
    }
}

/// Non-default modes and difficulties exercise the SELECT-press mode routines.
mod modes {
    use super::{Case, run_case};

    fn check_mode(game: &str, mode: Option<u32>, difficulty: Option<u32>) {
        let case = Case {
            steps: 300,
            frameskip: 1,
            sticky: 0.0,
            seed: 0,
            max_frames: 0,
            mode,
            difficulty,
            action_seed: 3,
            rgb: false,
        };
        if let Err(e) = run_case(game, &case) {
            panic!("{game} mode {mode:?} difficulty {difficulty:?}: {e}");
        }
    }

    #[test]
    fn pong_mode_1_difficulty_3() {
        check_mode("pong", Some(1), Some(3));
    }

    #[test]
    fn breakout_mode_8() {
        check_mode("breakout", Some(8), None);
    }

    #[test]
    fn space_invaders_mode_5_difficulty_1() {
        check_mode("space_invaders", Some(5), Some(1));
    }

    #[test]
    fn freeway_mode_3() {
        check_mode("freeway", Some(3), None);
    }

    #[test]
    fn berzerk_mode_0x11() {
        check_mode("berzerk", Some(0x11), None);
    }

    #[test]
    fn double_dunk_mode_5() {
        check_mode("double_dunk", Some(5), None);
    }

    #[test]
    fn ms_pacman_mode_2() {
        check_mode("ms_pacman", Some(2), None);
    }

    #[test]
    fn adventure_mode_2_uses_the_environment_rng() {
        check_mode("adventure", Some(2), Some(1));
    }

    #[test]
    fn video_checkers_reverse_mode_12() {
        check_mode("video_checkers", Some(12), None);
    }

    #[test]
    fn video_cube_cube_3_variant_1() {
        check_mode("video_cube", Some(301), None);
    }

    #[test]
    fn klax_mode_1_reads_cartridge_ram() {
        check_mode("klax", Some(1), None);
    }

    #[test]
    fn pooyan_mode_0x1e() {
        check_mode("pooyan", Some(0x1E), None);
    }

    #[test]
    fn human_cannonball_mode_3() {
        check_mode("human_cannonball", Some(3), None);
    }

    #[test]
    fn pacman_mode_2() {
        check_mode("pacman", Some(2), None);
    }

    #[test]
    fn et_mode_1() {
        check_mode("et", Some(1), None);
    }
}

#[test]
fn first_difference_names_the_line_and_field() {
    let a = "{\"t\": 0, \"reward\": 0}\n{\"t\": 1, \"reward\": 1}\n";
    let b = "{\"t\": 0, \"reward\": 0}\n{\"t\": 1, \"reward\": 2}\n";
    let d = first_difference(a, b).expect("differs");
    assert!(d.contains("line 2") && d.contains("`reward`"), "{d}");
    assert!(first_difference(a, a).is_none());
    assert!(first_difference(a, "{\"t\": 0, \"reward\": 0}\n").is_some());
}
