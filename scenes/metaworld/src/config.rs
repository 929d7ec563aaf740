//! The scene's configuration, as embedded in an experiment RON file.

use serde::{Deserialize, Serialize};

use crate::tasks::{MT10, Task};

/// Settings of the Meta-World scene. The defaults are Meta-World's MT10 defaults.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MetaWorldConfig {
    /// The tasks; env `i` runs task `i % tasks.len()` (default: the ten MT10 tasks).
    pub tasks: Vec<Task>,
    /// Steps per episode before truncation.
    #[serde(deserialize_with = "arcadia_engine::config::check::at_least_one")]
    pub max_episode_steps: u64,
    /// Physics substeps per env step (Meta-World's `frame_skip`).
    #[serde(deserialize_with = "arcadia_engine::config::check::at_least_one_usize")]
    pub substeps: usize,
    /// Length of one physics substep, seconds.
    #[serde(deserialize_with = "arcadia_engine::config::check::positive")]
    pub timestep: f64,
    /// Solver iterations per substep (rapier's `num_solver_iterations`).
    #[serde(deserialize_with = "arcadia_engine::config::check::at_least_one_usize")]
    pub solver_iterations: usize,
    /// Hide the goal (zeros in the last three observation values), as the ML benchmarks do.
    pub partially_observable: bool,
    /// Seed of the fixed task variations (the `rand_vec`s).
    pub variation_seed: u64,
    /// Fixed variations per task, one drawn at each reset.
    #[serde(deserialize_with = "arcadia_engine::config::check::at_least_one_usize")]
    pub num_variations: usize,
}

impl Default for MetaWorldConfig {
    fn default() -> Self {
        MetaWorldConfig {
            tasks: MT10.to_vec(),
            max_episode_steps: 500,
            substeps: 5,
            timestep: 0.0025,
            solver_iterations: 4,
            partially_observable: false,
            variation_seed: 0,
            num_variations: 50,
        }
    }
}

impl MetaWorldConfig {
    /// Checks what parsing cannot: at least one task, a sane timestep.
    pub fn validate(&self) -> Result<(), String> {
        if self.tasks.is_empty() {
            return Err("tasks: expected at least one task, e.g. [\"reach\"]".into());
        }
        if self.timestep > 0.05 {
            return Err(format!(
                "timestep: {} s is too long for stable contacts; use at most 0.05",
                self.timestep
            ));
        }
        Ok(())
    }

    /// The task names, in the order of `tasks`.
    pub fn task_names(&self) -> Vec<String> {
        self.tasks.iter().map(|t| t.name().to_string()).collect()
    }
}
