//! SAC or PPO on the STEM scene's default continuous task, then deterministic evaluation
//! episodes; prints the success rate and the median seconds to goal (the greedy controller:
//! 100% success, median 39.5 s, `scenes/stem/README.md`).
//!
//! `cargo run -p arcadia-actor-critic --example stem_continuous -- <ppo|sac> <preset.ron> [env steps] [envs] [eval episodes] [out dir]`

mod common;

use std::path::PathBuf;

use arcadia_actor_critic::prelude::*;
use arcadia_stem::config::StemConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).cloned().unwrap_or_else(|| "ppo".into());
    let preset = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| format!("assets/agents/{kind}_stem.ron"));
    let budget: u64 = args
        .get(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let envs: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(16);
    let episodes: usize = args.get(5).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let out: PathBuf = args.get(6).map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("arcadia-stem-ac-{}", std::process::id()))
    });
    let path = std::path::Path::new(&preset);
    let agent = match kind.as_str() {
        "sac" => ActorCriticConfig::Sac(arcadia_engine::config::load_ron(path)?),
        "ppo" => ActorCriticConfig::Ppo(arcadia_engine::config::load_ron(path)?),
        other => return Err(format!("unknown agent {other}: ppo or sac").into()),
    };
    agent.validate()?;
    let scene = StemConfig::default();
    let (summary, eval) =
        common::train_and_evaluate(agent.name(), out.clone(), 1, budget, 0, episodes, |app| {
            app.add_plugins(arcadia_stem::plugin(&scene, envs).expect("valid STEM config"));
            agent.add_to(app);
        })?;
    println!(
        "{}: trained {} env steps in {:.0} s ({:.0} steps/s); training success {:?}",
        agent.name(),
        summary.env_steps,
        summary.wall_time_s,
        summary.steps_per_second,
        summary.tasks.first().and_then(|t| t.success_rate)
    );
    common::print_eval(&["stem".to_string()], &eval);
    let mut seconds: Vec<f64> = eval
        .iter()
        .flat_map(|e| e.4.iter().filter(|m| m.0 == "seconds_to_goal").map(|m| m.1))
        .collect();
    seconds.sort_by(f64::total_cmp);
    // Median over all episodes, counting failures as never reaching the goal (infinite).
    let n = eval.len();
    let median_all = if n / 2 < seconds.len() {
        seconds[n / 2]
    } else {
        f64::INFINITY
    };
    println!(
        "eval seconds to goal: median over successes {:.1}, median over all episodes {:.1} (greedy: 39.5)",
        seconds.get(seconds.len() / 2).copied().unwrap_or(f64::NAN),
        median_all
    );
    println!("run directory {}", out.display());
    Ok(())
}
