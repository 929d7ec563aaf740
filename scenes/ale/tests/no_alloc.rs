//! `AtariPreprocessing::step` (and the `Ale::act` under it, emulator included) must not
//! allocate. Uses ale-py's bundled Breakout ROM; prints a message and passes without it.

use std::alloc::System;
use std::process::Command;

use arcadia_ale::preprocess::{AtariPreprocessing, PreprocessConfig};
use arcadia_ale::roms::Rom;
use arcadia_ale::{Ale, AleConfig};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn preprocessed_steps_do_not_allocate() {
    let Ok(out) = Command::new("python3")
        .args([
            "-c",
            "from ale_py import roms; print(roms.get_rom_path('breakout'))",
        ])
        .output()
    else {
        println!("SKIP: python3 not available");
        return;
    };
    if !out.status.success() {
        println!("SKIP: ale-py not available");
        return;
    }
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let rom = Rom::from_path(std::path::Path::new(&path)).unwrap();
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
