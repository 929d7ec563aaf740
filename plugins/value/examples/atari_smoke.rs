//! A short DER run on an Atari game through the ALE scene: checks the image path end to end
//! (4 stacked 84x84 frames stored one frame per step, Nature CNN, noisy dueling C51) and
//! prints the replay's frames per transition, the episodes and the wall time. Not a score:
//! Atari-100k needs 100k agent steps.
//!
//! `cargo run -p arcadia-value-agents --example atari_smoke -- [game] [env steps]`
//! (ROMs from `$ARCADIA_ROMS`, `~/.local/share/arcadia/roms` or an installed ale-py).

use std::sync::atomic::AtomicBool;

use arcadia_ale::RomRegistry;
use arcadia_ale::scene::AleSceneConfig;
use arcadia_engine::prelude::*;
use arcadia_value_agents::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let game = args.get(1).cloned().unwrap_or_else(|| "breakout".into());
    let budget: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let rom = RomRegistry::open_default().resolve_or_ale_py(&game)?;
    let scene = AleSceneConfig {
        repeat_action_probability: 0.0,
        ..AleSceneConfig::new(game.clone())
    };
    let config = ValueConfig {
        replay_capacity: 20_000,
        ..ValueConfig::der()
    };
    let dir = std::env::temp_dir().join(format!("arcadia-atari-smoke-{}", std::process::id()));
    let spec = RunSpec {
        name: "atari-smoke".into(),
        agent: "der".into(),
        seed: 0,
        budget,
        out_dir: dir.clone(),
        checkpoint_every: 0,
        resume: false,
        config_text: "atari-smoke".into(),
    };
    let start = std::time::Instant::now();
    let mut trainer = Trainer::new(spec, |app| {
        app.add_plugins(arcadia_ale::scene::plugin(&scene, &rom, 1).expect("ALE scene builds"));
        app.add_plugins(plugin(&config));
    })?;
    let summary = trainer.run(&AtomicBool::new(false), |_| {})?;
    let agent = trainer.app_mut().world().resource::<ValueAgent>();
    let replay = &agent.learner.replay;
    println!(
        "{game}: {} env steps, {} gradient updates, {} episodes, mean return {:?}, {:.2} frames stored per transition, {:.0} s",
        summary.env_steps,
        agent.learner.state.gradient_updates,
        summary.tasks.iter().map(|t| t.episodes).sum::<u64>(),
        summary.tasks.first().and_then(|t| t.mean_return),
        replay.frames_written() as f64 / replay.added() as f64,
        start.elapsed().as_secs_f64()
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
