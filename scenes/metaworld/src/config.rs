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
    /// Physics substeps per env step (Meta-World's `frame_skip`): rapier solver substeps.
    #[serde(deserialize_with = "arcadia_engine::config::check::at_least_one_usize")]
    pub substeps: usize,
    /// Length of one physics substep, seconds.
    #[serde(deserialize_with = "arcadia_engine::config::check::positive")]
    pub timestep: f64,
    /// Collision-detection passes per env step; must divide `substeps`. Each pass is one
    /// rapier pipeline step running `substeps / contact_updates` solver substeps (rapier's
    /// `num_solver_iterations` are substeps). 1 (the default) detects contacts once per
    /// 12.5 ms control period; 5 detects them every 2.5 ms substep, as MuJoCo does, at about
    /// a third of the speed.
    #[serde(deserialize_with = "arcadia_engine::config::check::at_least_one_usize")]
    pub contact_updates: usize,
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
            contact_updates: 1,
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
        if !self.substeps.is_multiple_of(self.contact_updates) {
            return Err(format!(
                "contact_updates: {} does not divide substeps ({})",
                self.contact_updates, self.substeps
            ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use arcadia_engine::config::{ConfigError, parse_ron};
    use std::path::Path;

    #[test]
    fn defaults_are_meta_worlds() {
        let c = MetaWorldConfig::default();
        assert_eq!(c.tasks.len(), 10);
        assert_eq!(c.max_episode_steps, 500);
        assert_eq!(c.substeps, 5);
        assert_eq!(c.timestep, 0.0025);
        assert_eq!(c.num_variations, 50);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn ron_with_task_names_parses() {
        let c: MetaWorldConfig = parse_ron(
            r#"(tasks: ["reach", "pick-place"], max_episode_steps: 200)"#,
            Path::new("x.ron"),
        )
        .unwrap();
        assert_eq!(c.tasks, vec![Task::Reach, Task::PickPlace]);
        assert_eq!(c.max_episode_steps, 200);
        assert_eq!(c.substeps, 5);
    }

    #[test]
    fn bad_values_are_reported_with_their_position() {
        let err =
            parse_ron::<MetaWorldConfig>("(\n  substeps: 0,\n)", Path::new("exp.ron")).unwrap_err();
        match err {
            ConfigError::Parse { line, message, .. } => {
                assert_eq!(line, 2);
                assert!(message.contains(">= 1"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse_ron::<MetaWorldConfig>("(timestep: -1.0)", Path::new("e.ron")).is_err());
        assert!(parse_ron::<MetaWorldConfig>("(tasks: [\"fly\"])", Path::new("e.ron")).is_err());
        assert!(parse_ron::<MetaWorldConfig>("(speed: 3)", Path::new("e.ron")).is_err());
    }

    #[test]
    fn the_readme_experiment_scene_parses() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("    scene: MetaWorld(\n")
            .expect("README has an experiment")
            + 20;
        let end = start + readme[start..].find("    ),").expect("closing paren") + 5;
        let c: MetaWorldConfig = parse_ron(&readme[start..end], Path::new("README.md")).unwrap();
        assert_eq!(c, MetaWorldConfig::default());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn validate_rejects_an_empty_task_list() {
        let c = MetaWorldConfig {
            tasks: vec![],
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().contains("at least one task"));
        let c = MetaWorldConfig {
            contact_updates: 2,
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().contains("does not divide"));
    }
}
