//! `arcadia trace` prints exactly the lines of `../shared/reference/ale_trace.py` (ale-py
//! 0.12). Skipped with a message when ale-py is missing, unless `ARCADIA_REQUIRE_REFERENCE`
//! is set (as `.ci/run` does).

use std::path::Path;
use std::process::Command;

const REFERENCE: &str = "../shared/reference/ale_trace.py";

fn reference_available() -> bool {
    let ok = Path::new(REFERENCE).exists()
        && Command::new("python3")
            .args(["-c", "import ale_py"])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("ARCADIA_REQUIRE_REFERENCE").is_none(),
            "ale-py or {REFERENCE} is missing but ARCADIA_REQUIRE_REFERENCE is set"
        );
        println!("SKIP: python3 with ale-py 0.12 or {REFERENCE} not available");
    }
    ok
}

/// A deterministic action file of `n` actions (ALE ids 0..17; paddle strengths vary).
fn actions(n: usize, seed: u64) -> String {
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    (0..n)
        .map(|_| {
            let a = next() % 18;
            let s = (next() % 201) as f32 / 100.0 - 1.0;
            format!("{a} {s}\n")
        })
        .collect()
}

fn compare(rom: &str, extra: &[&str], n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("actions.txt");
    std::fs::write(&file, actions(n, rom.len() as u64)).unwrap();
    let file = file.to_str().unwrap();
    let mut args = vec!["--rom", rom, "--actions", file];
    args.extend_from_slice(extra);
    let theirs = Command::new("python3")
        .arg(REFERENCE)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let ours = Command::new(env!("CARGO_BIN_EXE_arcadia"))
        .arg("trace")
        .args(&args)
        .output()
        .unwrap();
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let (ours, theirs) = (
        String::from_utf8(ours.stdout).unwrap(),
        String::from_utf8(theirs.stdout).unwrap(),
    );
    assert!(
        theirs.lines().count() > n,
        "{rom}: reference trace has a record per act"
    );
    for (i, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
        assert_eq!(a, b, "{rom} {extra:?}: record {i} differs");
    }
    assert_eq!(
        ours.lines().count(),
        theirs.lines().count(),
        "{rom}: trace lengths"
    );
}

#[test]
fn trace_matches_ale_py_frame_for_frame() {
    if !reference_available() {
        return;
    }
    compare("pong", &[], 3000);
    compare("breakout", &["--sticky", "0.25", "--seed", "7"], 3000);
    compare(
        "ms_pacman",
        &["--frameskip", "4", "--max-frames", "2000"],
        1500,
    );
    compare(
        "space_invaders",
        &["--mode", "1", "--difficulty", "1", "--rgb"],
        2000,
    );
}

#[test]
fn trace_reports_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.txt");
    std::fs::write(&file, "0\n1\nseven\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_arcadia"))
        .args([
            "trace",
            "--rom",
            "no_such_game",
            "--actions",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no_such_game"), "{err}");
    if reference_available() {
        let out = Command::new(env!("CARGO_BIN_EXE_arcadia"))
            .args([
                "trace",
                "--rom",
                "pong",
                "--actions",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(":3"),
            "names the line of the bad action: {err}"
        );
    }
}

#[test]
fn bench_alternates_rounds_and_reports_medians() {
    if !reference_available() {
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_arcadia"))
        .args(["bench", "ale", "--rom", "pong", "--frames", "3000"])
        .args(["--rounds", "2", "--vs-ale-py"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for emulator in [
        "| arcadia (stella) | pong | 1 | 3000 | 2 |",
        "| ale-py 0.12 | pong | 1 | 3000 | 2 |",
    ] {
        let row = text.lines().find(|l| l.starts_with(emulator));
        let row = row.unwrap_or_else(|| panic!("no row {emulator}: {text}"));
        // Medians (wall, CPU), then both rounds' wall-time rates.
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let rates: Vec<f64> = cells[8].split(" / ").map(|r| r.parse().unwrap()).collect();
        assert_eq!(rates.len(), 2, "{row}");
        let median: f64 = cells[6].parse().unwrap();
        assert!((median - (rates[0] + rates[1]) / 2.0).abs() <= 1.0, "{row}");
        // One env: CPU time measured on both sides (Linux).
        assert!(cells[7].parse::<f64>().is_ok_and(|c| c > 0.0), "{row}");
    }
    let ratio = text
        .lines()
        .find(|l| l.starts_with("ratio arcadia / ale-py: "));
    assert!(
        ratio.is_some_and(|l| l.matches(" / ").count() == 2),
        "{text}"
    );
}

/// A headless App with `envs` envs of the ALE scene and the random agent.
fn ale_app(
    config: &arcadia_ale::scene::AleSceneConfig,
    seed: u64,
    envs: usize,
) -> bevy::prelude::App {
    use arcadia::prelude::*;
    let rom = arcadia_ale::RomRegistry::open_default()
        .resolve_or_ale_py(&config.game)
        .unwrap();
    let mut app = headless_app(seed);
    app.add_plugins(arcadia_ale::scene::plugin(config, &rom, envs).unwrap())
        .add_plugins(RandomAgentPlugin);
    app.finish();
    app.cleanup();
    app
}

/// The ALE scene through the engine: 4x84x84 stacked frames, deterministic for a seed.
#[test]
fn ale_scene_steps_deterministically_through_the_engine() {
    use arcadia::prelude::*;
    if !reference_available() {
        return;
    }
    let run = |seed: u64| -> Vec<Vec<u8>> {
        let mut app = ale_app(
            &arcadia_ale::scene::AleSceneConfig::new("breakout"),
            seed,
            3,
        );
        for _ in 0..120 {
            app.update();
        }
        let order = app.world().resource::<EnvOrder>().0.clone();
        order
            .iter()
            .map(|&e| {
                let obs = app.world().get::<Observation>(e).unwrap();
                assert_eq!(obs.shape, vec![4, 84, 84]);
                obs.as_u8().unwrap().to_vec()
            })
            .collect()
    };
    let (a, b, c) = (run(1), run(1), run(2));
    assert_eq!(a, b, "same seed, same frames");
    assert_ne!(
        a, c,
        "another seed draws other sticky actions and NOOP starts"
    );
    assert!(
        a.iter().all(|frame| frame.iter().any(|&p| p > 0)),
        "frames are not blank"
    );
    assert_ne!(a[0], a[1], "envs of one run differ");
}

/// CALE through the engine: a 3-D continuous action space; NaN actions are named errors.
#[test]
fn cale_scene_takes_continuous_actions_and_rejects_nan() {
    use arcadia::prelude::*;
    use arcadia_engine::scene::EnvInstance;
    if !reference_available() {
        return;
    }
    let mut config = arcadia_ale::scene::AleSceneConfig::new("breakout");
    config.continuous = true;
    let mut app = ale_app(&config, 3, 2);
    let space = app.world().resource::<SceneInfo>().action_space.clone();
    assert_eq!(space.flat_dim(), 3);
    assert!(space.discrete_n().is_none());
    for _ in 0..50 {
        app.update();
    }
    assert!(app.world().resource::<StepErrors>().take().is_empty());
    assert_eq!(app.world().resource::<RunStats>().env_steps, 98);
    let mut q = app
        .world_mut()
        .query::<&mut EnvInstance<arcadia_ale::scene::AleEnv>>();
    let mut rng = EnvRng(stream(0, StreamKind::Env, 0));
    let mut obs = Observation::zeros(&Space::Image {
        height: 84,
        width: 84,
        channels: 4,
        aux: 0,
    });
    let mut env = q.iter_mut(app.world_mut()).next().unwrap();
    let error = env
        .0
        .step(
            &Action::Continuous(vec![0.5, f32::NAN, 1.0]),
            &mut rng,
            &mut obs,
        )
        .unwrap_err();
    assert!(error.to_string().contains("not finite"), "{error}");
}
