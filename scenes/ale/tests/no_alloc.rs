//! `AtariPreprocessing::step` (and the `Ale::act` under it, emulator included) and `Ale::clone_from`
//! must not allocate. Uses ale-py's bundled Breakout ROM; prints a message and passes without it.

use std::alloc::System;
use std::process::Command;
use std::sync::Mutex;

use arcadia_ale::preprocess::{AtariPreprocessing, PreprocessConfig};
use arcadia_ale::roms::Rom;
use arcadia_ale::{Action, Ale, AleConfig};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Held by each test: the allocation counts are the whole process's, so the tests of this
/// file run one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// ale-py's Breakout ROM, or `None` (a message printed) without ale-py.
fn breakout() -> Option<Rom> {
    let Ok(out) = Command::new("python3")
        .args([
            "-c",
            "from ale_py import roms; print(roms.get_rom_path('breakout'))",
        ])
        .output()
    else {
        println!("SKIP: python3 not available");
        return None;
    };
    if !out.status.success() {
        println!("SKIP: ale-py not available");
        return None;
    }
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Some(Rom::from_path(std::path::Path::new(&path)).unwrap())
}

#[test]
fn preprocessed_steps_do_not_allocate() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(rom) = breakout() else { return };
    let ale = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    let mut env = AtariPreprocessing::new(ale, PreprocessConfig::default()).unwrap();
    env.reset().unwrap();
    for i in 0..20 {
        env.step(i % 4).unwrap();
    }
    let region = Region::new(GLOBAL);
    let mut steps = 0;
    for i in 0..500 {
        steps += 1;
        let out = env.step(i % 4).unwrap();
        if out.terminated || out.truncated {
            break;
        }
    }
    let stats = region.change();
    assert!(steps > 10);
    assert_eq!(
        (stats.allocations, stats.reallocations),
        (0, 0),
        "allocations during {steps} steps"
    );
}

/// Restoring a saved environment into one of the same ROM (`clone_from`, as a search over
/// states does it) reuses every buffer, the emulator's included.
#[test]
fn clone_from_does_not_allocate() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(rom) = breakout() else { return };
    let mut ale = Ale::new(&rom.bytes, AleConfig::default()).unwrap();
    for i in 0..50 {
        ale.act(Action::ALL[i % 4], 1.0);
    }
    let saved = ale.clone();
    for i in 0..50 {
        ale.act(Action::ALL[i % 3], 1.0);
    }
    let region = Region::new(GLOBAL);
    ale.clone_from(&saved);
    let stats = region.change();
    assert_eq!(
        (stats.allocations, stats.reallocations),
        (0, 0),
        "allocations in clone_from"
    );
    assert_eq!(ale.console().ram(), saved.console().ram());
}
