//! `arcadia bench`: throughput measurements printed as Markdown tables.

use arcadia_engine::bench::measure_overhead;

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
