//! Side-by-side throughput: this crate's envs against Farama Metaworld on MuJoCo, both
//! single-threaded with uniform random actions, in one run.
//!
//! `cargo run --release -p arcadia-metaworld --example bench_vs_metaworld -- [steps] [task...]`
//!
//! The Metaworld side runs `bench/metaworld_steps.py` with `$METAWORLD_PYTHON` (default
//! `python3`), which needs `pip install metaworld`; without it only this crate is measured.

use arcadia_metaworld::bench::{bench_task, metaworld_reference};
use arcadia_metaworld::{MetaWorldConfig, Task};

fn main() {
    let mut args = std::env::args().skip(1);
    let steps: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let mut tasks: Vec<Task> = args.filter_map(|n| Task::from_name(&n)).collect();
    if tasks.is_empty() {
        tasks = vec![Task::Reach, Task::PickPlace];
    }
    let python = std::env::var("METAWORLD_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut config = MetaWorldConfig::default();
    // Physics overrides for experiments: SUBSTEPS, TIMESTEP, CONTACT_UPDATES.
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    if let Some(v) = var("SUBSTEPS") {
        config.substeps = v as usize;
    }
    if let Some(v) = var("TIMESTEP") {
        config.timestep = v;
    }
    if let Some(v) = var("CONTACT_UPDATES") {
        config.contact_updates = v as usize;
    }
    println!("| task | arcadia-metaworld steps/s | Metaworld 3.x (MuJoCo) steps/s | ratio |");
    println!("|---|---|---|---|");
    for task in tasks {
        let ours = bench_task(task, &config, steps, 0).steps_per_second;
        match metaworld_reference(&python, task, (steps / 4).max(1000), 0) {
            Ok(t) => println!(
                "| {} | {ours:.0} | {t:.0} | {:.1}x |",
                task.name(),
                ours / t
            ),
            Err(e) => {
                eprintln!("{e}");
                println!("| {} | {ours:.0} | n/a | n/a |", task.name());
            }
        }
    }
}
