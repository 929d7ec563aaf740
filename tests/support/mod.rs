//! A tiny test scene for the engine contract; lives only under `tests/`.

#![allow(dead_code)]

use arcadia_engine::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// A corridor of `length` cells: action 1 moves right, 0 moves left; reaching the right end
/// terminates with reward 1 (success), every step costs 0.01, and `max_steps` truncates.
/// Env `index` runs task `index % tasks`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Corridor {
    pub length: u32,
    pub max_steps: u32,
    pub position: u32,
    pub t: u32,
    pub task: usize,
}

impl Corridor {
    pub fn new(index: usize, tasks: usize) -> Self {
        Corridor {
            length: 8,
            max_steps: 20,
            position: 0,
            t: 0,
            task: index % tasks.max(1),
        }
    }
}

impl Environment for Corridor {
    fn observation_space(&self) -> Space {
        Space::uniform_box(0.0, 1.0, 2)
    }
    fn action_space(&self) -> Space {
        Space::Discrete { n: 2 }
    }
    fn task(&self) -> usize {
        self.task
    }
    fn reset(&mut self, rng: &mut EnvRng, obs: &mut Observation) {
        self.position = rng.random_range(0..self.length / 2);
        self.t = 0;
        self.write(obs);
    }
    fn step(
        &mut self,
        action: &Action,
        _rng: &mut EnvRng,
        obs: &mut Observation,
    ) -> Result<StepOutcome, EnvError> {
        self.action_space().check(action)?;
        self.t += 1;
        match action {
            Action::Discrete(1) => self.position += 1,
            _ => self.position = self.position.saturating_sub(1),
        }
        self.write(obs);
        let reached = self.position + 1 >= self.length;
        Ok(StepOutcome {
            reward: if reached { 1.0 } else { -0.01 },
            terminated: reached,
            truncated: !reached && self.t >= self.max_steps,
            success: Some(reached),
            ..Default::default()
        })
    }
    fn episode_metrics(&self) -> Vec<(String, f64)> {
        vec![("final_position".into(), self.position as f64)]
    }
    fn scripted_action(&self, _obs: &Observation, _rng: &mut EnvRng) -> Option<Action> {
        Some(Action::Discrete(1))
    }
}

impl Corridor {
    fn write(&self, obs: &mut Observation) {
        let o = obs.as_f32_mut().expect("vector observation");
        o[0] = self.position as f32 / self.length as f32;
        o[1] = self.t as f32 / self.max_steps as f32;
    }
}

/// The corridor scene with `envs` envs over `tasks` tasks.
pub fn corridor_scene(envs: usize, tasks: usize) -> EnvPlugin<Corridor> {
    EnvPlugin::new("corridor", envs, move |index, _| {
        Corridor::new(index.0, tasks)
    })
    .with_tasks((0..tasks).map(|t| format!("corridor-{t}")).collect())
}

/// The rows of a CSV file of a run directory, header skipped, fields split on commas.
pub fn csv_rows(dir: &std::path::Path, file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join(file))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// A run spec for a corridor run in `dir`.
pub fn spec(dir: &std::path::Path, seed: u64, budget: u64, checkpoint_every: u64) -> RunSpec {
    RunSpec {
        name: "corridor".into(),
        agent: "random".into(),
        seed,
        budget,
        out_dir: dir.to_path_buf(),
        checkpoint_every,
        resume: false,
        config_text: format!("(seed: {seed}, steps: {budget})"),
    }
}
