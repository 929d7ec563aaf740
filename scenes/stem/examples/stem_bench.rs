//! Measures the scene's throughput and its baselines:
//! `cargo run -p arcadia-stem --example stem_bench [steps] [episodes] [only]`.
//!
//! `only` runs just the throughput row of that name (`"image obs 128x128, full noise"`,
//! `"... full noise, parallel"`, ...); `episodes` 0 skips the baselines.

use arcadia_stem::bench::{Controller, bench_env, bench_parallel, evaluate};
use arcadia_stem::config::{ActionKind, ObservationKind, RateModelConfig, StemConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let steps: u64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let episodes: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200);
    let only = args.next().unwrap_or_default();
    let image = StemConfig {
        observation: ObservationKind::Image,
        ..Default::default()
    };
    let clean = StemConfig {
        observation: ObservationKind::Image,
        image: arcadia_stem::config::ImageConfig {
            noise: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let discrete = StemConfig {
        actions: ActionKind::Discrete,
        ..Default::default()
    };
    let runs = [
        ("state obs, continuous", StemConfig::default(), steps),
        ("state obs, discrete", discrete.clone(), steps),
        ("image obs 128x128, full noise", image, steps / 100),
        ("image obs 128x128, clean", clean, steps / 100),
    ];
    println!("| benchmark | steps | steps/s (wall) | steps/s (thread CPU time) |");
    println!("|---|---|---|---|");
    for (name, config, n) in runs {
        if !only.is_empty() && name != only {
            continue;
        }
        let r = bench_env(name, &config, n, 1)?;
        let cpu = r
            .steps_per_cpu_second
            .map_or("-".into(), |v| format!("{v:.0}"));
        println!(
            "| {name} | {} | {:.0} | {cpu} |",
            r.steps, r.steps_per_second
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let image = StemConfig {
        observation: ObservationKind::Image,
        ..Default::default()
    };
    let name = "image obs 128x128, full noise, parallel";
    if only.is_empty() || name == only {
        let r = bench_parallel(name, &image, threads, steps / 100, 1)?;
        println!(
            "| {} | {} | {:.0} | - |",
            r.name, r.steps, r.steps_per_second
        );
    }
    if episodes == 0 {
        return Ok(());
    }
    println!();
    println!(
        "| rate model | actions | controller | episodes | success rate | median s to goal | mean s to goal | mean steps |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let models = [
        ("canonical", RateModelConfig::Canonical),
        ("human prior", RateModelConfig::HumanPrior),
        ("gaussian mixture", RateModelConfig::GaussianMixture),
    ];
    for (model_name, model) in models {
        for (actions_name, actions) in [
            ("continuous", ActionKind::Continuous),
            ("discrete", ActionKind::Discrete),
        ] {
            for (ctrl_name, ctrl) in [
                ("greedy", Controller::Greedy),
                ("random", Controller::Random),
            ] {
                let config = StemConfig {
                    rate_model: model.clone(),
                    actions,
                    ..Default::default()
                };
                let e = evaluate(&config, ctrl, episodes, 7)?;
                let f = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
                println!(
                    "| {model_name} | {actions_name} | {ctrl_name} | {} | {:.3} | {} | {} | {:.1} |",
                    e.episodes,
                    e.success_rate,
                    f(e.median_seconds_to_goal),
                    f(e.mean_seconds_to_goal),
                    e.mean_steps
                );
            }
        }
    }
    Ok(())
}
