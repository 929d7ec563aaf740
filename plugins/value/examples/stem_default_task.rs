//! DQN and the random agent on the STEM scene's default discrete task (goals 0.1 to 50 A,
//! 600 s timeout), with the small DQN of the tests: success rate of the episodes finished in
//! the last quarter of the run.
//!
//! `cargo run -p arcadia-value-agents --example stem_default_task -- [env steps] [envs]`

use std::path::Path;
use std::sync::atomic::AtomicBool;

use arcadia_agents::random::RandomAgentPlugin;
use arcadia_engine::prelude::*;
use arcadia_nn::q_network::Torso;
use arcadia_stem::config::{ActionKind, StemConfig};
use arcadia_value_agents::prelude::*;

fn late_success(dir: &Path, from: u64) -> (f64, usize) {
    let text = std::fs::read_to_string(dir.join("episodes.csv")).expect("episodes.csv");
    let rows: Vec<bool> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse::<u64>().ok()? > from).then_some(f[6] == "true")
        })
        .collect();
    let n = rows.len();
    (
        rows.iter().filter(|s| **s).count() as f64 / n.max(1) as f64,
        n,
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let budget: u64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200_000);
    let envs: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(16);
    let scene = StemConfig {
        actions: ActionKind::Discrete,
        ..StemConfig::default()
    };
    let dqn = ValueConfig {
        torso: Torso::Mlp {
            hidden: vec![64, 64],
        },
        hidden: None,
        frame_stack: 1,
        gamma: 0.99,
        update_horizon: 3,
        min_replay_history: 2000,
        update_period: 4,
        target_update_period: 2000,
        epsilon_train: 0.02,
        epsilon_decay_period: 20_000,
        learning_rate: 5e-4,
        replay_capacity: 100_000,
        double_dqn: true,
        reward_clip: None,
        ..ValueConfig::dqn()
    };
    let tmp = std::env::temp_dir().join(format!("arcadia-stem-default-{}", std::process::id()));
    for (name, agent) in [("random", None), ("dqn", Some(&dqn))] {
        let dir = tmp.join(name);
        let spec = RunSpec {
            name: name.into(),
            agent: name.into(),
            seed: 1,
            budget,
            out_dir: dir.clone(),
            checkpoint_every: 0,
            resume: false,
            config_text: name.into(),
        };
        let start = std::time::Instant::now();
        let mut trainer = Trainer::new(spec, |app| {
            app.add_plugins(arcadia_stem::plugin(&scene, envs).expect("valid scene"));
            match agent {
                Some(c) => app.add_plugins(plugin(c)),
                None => app.add_plugins(RandomAgentPlugin),
            };
        })?;
        trainer.run(&AtomicBool::new(false), |_| {})?;
        let (rate, n) = late_success(&dir, budget * 3 / 4);
        println!(
            "{name}: success {rate:.3} over {n} episodes in the last quarter of {budget} steps ({envs} envs, {:.0} s)",
            start.elapsed().as_secs_f64()
        );
    }
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}
