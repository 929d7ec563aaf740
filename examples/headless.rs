//! Drive a scene headless from Rust instead of the CLI: build an App with the Arcadia core,
//! the STEM scene and the scene's greedy controller, step it, and read the counters.
//!
//! Run with `cargo run --release --example headless`.

use arcadia::prelude::*;
use arcadia_engine::run::use_single_threaded_executors;

fn main() {
    let config = arcadia_stem::StemConfig::default();
    let mut app = headless_app(7);
    app.add_plugins(arcadia_stem::plugin(&config, 16).expect("the default STEM config is valid"))
        .add_plugins(ScriptedAgentPlugin);
    app.finish();
    app.cleanup();
    use_single_threaded_executors(&mut app);

    for _ in 0..2_000 {
        app.update();
    }

    let stats = app.world().resource::<RunStats>();
    let task = &stats.tasks[0];
    println!(
        "{} env steps, {} episodes, success {:.1}%, mean return {:.3}",
        stats.env_steps,
        task.episodes,
        100.0 * task.successes as f64 / task.episodes.max(1) as f64,
        task.return_sum / task.episodes.max(1) as f64
    );
}
