//! `arcadia bench`: throughput measurements printed as Markdown tables.

use arcadia_engine::bench::measure_overhead;

use super::CommandError;

/// `arcadia bench engine`: the ECS runner against a plain loop over a trivial env.
pub fn engine(envs: &[usize], steps: u64) -> String {
    let mut out = String::from(
        "| envs | ECS steps/s | plain loop steps/s | ECS overhead per env step |\n|---:|---:|---:|---:|\n",
    );
    for &n in envs {
        let row = measure_overhead(n, steps);
        out.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.3} us |\n",
            n,
            row.ecs_steps_per_s,
            row.plain_steps_per_s,
            row.overhead_us()
        ));
    }
    out
}

/// `arcadia bench stem`: state and image observation steps/s, single thread.
pub fn stem(steps: u64) -> Result<String, CommandError> {
    let results = arcadia_stem::bench::bench(steps, 0).map_err(CommandError::failure)?;
    let mut out = String::from(
        "| STEM benchmark | steps | steps/s (wall) | steps/s per CPU second |\n|---|---:|---:|---:|\n",
    );
    for r in results {
        out.push_str(&format!(
            "| {} | {} | {:.0} | {} |\n",
            r.name,
            r.steps,
            r.steps_per_second,
            r.steps_per_cpu_second
                .map_or("-".to_string(), |v| format!("{v:.0}"))
        ));
    }
    Ok(out)
}

/// `arcadia bench metaworld`: env steps/s of each MT10 task with random actions, beside
/// Metaworld 3 on MuJoCo (same task, steps and seed) when `vs_metaworld` is set.
pub fn metaworld(steps: u64, vs_metaworld: bool) -> String {
    let config = arcadia_metaworld::config::MetaWorldConfig::default();
    let mut out = String::from(
        "| Meta-World task | steps | arcadia steps/s | Metaworld 3 (MuJoCo) steps/s | ratio |\n|---|---:|---:|---:|---:|\n",
    );
    for r in arcadia_metaworld::bench::bench(&config, steps, 0) {
        let reference = vs_metaworld
            .then(|| arcadia_metaworld::bench::metaworld_reference("python3", r.task, steps, 0));
        let (theirs, ratio) = match reference {
            Some(Ok(rate)) => (
                format!("{rate:.0}"),
                format!("{:.1}x", r.steps_per_second / rate),
            ),
            Some(Err(e)) => (format!("unavailable: {e}"), "-".into()),
            None => ("-".into(), "-".into()),
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {theirs} | {ratio} |\n",
            r.task.name(),
            r.steps,
            r.steps_per_second
        ));
    }
    out
}
