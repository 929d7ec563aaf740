//! Engine overhead: steps/s of the ECS runner against a plain Rust loop over the same
//! trivial environment, so the cost the ECS adds per env step can be read off.

use std::time::Instant;

use bevy::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::components::{Action, Observation};
use crate::env::{EnvError, Environment, StepOutcome};
use crate::rng::{EnvRng, StreamKind, stream};
use crate::run::headless_app;
use crate::scene::EnvPlugin;
use crate::space::Space;

/// A counter that ends its episode after a random 50..150 steps: as little work per step
/// as an environment can do while still resetting and reporting episodes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TrivialEnv {
    t: u32,
    limit: u32,
}

impl Environment for TrivialEnv {
    fn observation_space(&self) -> Space {
        Space::uniform_box(0.0, 1.0, 1)
    }
    fn action_space(&self) -> Space {
        Space::Discrete { n: 2 }
    }
    fn reset(&mut self, rng: &mut EnvRng, obs: &mut Observation) {
        self.t = 0;
        self.limit = rng.random_range(50..150);
        if let Some(o) = obs.as_f32_mut() {
            o[0] = 0.0;
        }
    }
    fn step(
        &mut self,
        action: &Action,
        _rng: &mut EnvRng,
        obs: &mut Observation,
    ) -> Result<StepOutcome, EnvError> {
        self.t += 1;
        let reward = match action {
            Action::Discrete(a) => *a as f32,
            _ => 0.0,
        };
        if let Some(o) = obs.as_f32_mut() {
            o[0] = self.t as f32 / self.limit as f32;
        }
        Ok(StepOutcome {
            reward,
            terminated: self.t >= self.limit,
            truncated: false,
            success: None,
            ..Default::default()
        })
    }
}

/// One row of the engine-overhead table.
#[derive(Clone, Debug, PartialEq)]
pub struct OverheadRow {
    /// Envs stepped per update.
    pub num_envs: usize,
    /// Env steps per second of the ECS runner (headless App, `EnvPlugin`).
    pub ecs_steps_per_s: f64,
    /// Env steps per second of a plain loop doing the same work.
    pub plain_steps_per_s: f64,
}

impl OverheadRow {
    /// Microseconds the ECS adds per env step.
    pub fn overhead_us(&self) -> f64 {
        1e6 / self.ecs_steps_per_s - 1e6 / self.plain_steps_per_s
    }
}

/// Measures both runners for `num_envs` envs over at least `steps` env steps each.
pub fn measure_overhead(num_envs: usize, steps: u64) -> OverheadRow {
    let updates = steps.div_ceil(num_envs as u64).max(1);

    let mut app = headless_app(0);
    app.add_plugins(EnvPlugin::new("trivial", num_envs, |_, _| {
        TrivialEnv::default()
    }));
    app.finish();
    app.cleanup();
    crate::run::use_single_threaded_executors(&mut app);
    let mut actions = app.world_mut().query::<&mut Action>();
    for mut action in actions.iter_mut(app.world_mut()) {
        *action = Action::Discrete(1);
    }
    app.update(); // warm-up: first update builds the schedule
    let start = Instant::now();
    for _ in 0..updates {
        app.update();
    }
    let ecs = (updates * num_envs as u64) as f64 / start.elapsed().as_secs_f64();

    let space = TrivialEnv::default().observation_space();
    let mut envs: Vec<(TrivialEnv, EnvRng, Observation, f64)> = (0..num_envs)
        .map(|i| {
            let mut rng = EnvRng(stream(0, StreamKind::Env, i as u64));
            let mut env = TrivialEnv::default();
            let mut obs = Observation::zeros(&space);
            env.reset(&mut rng, &mut obs);
            (env, rng, obs, 0.0)
        })
        .collect();
    let action = Action::Discrete(1);
    let mut episodes = 0u64;
    let start = Instant::now();
    for _ in 0..updates {
        for (env, rng, obs, ret) in envs.iter_mut() {
            let outcome = env
                .step(&action, rng, obs)
                .expect("trivial env never fails");
            *ret += outcome.reward as f64;
            if outcome.terminated || outcome.truncated {
                episodes += 1;
                *ret = 0.0;
                env.reset(rng, obs);
            }
        }
    }
    let plain = (updates * num_envs as u64) as f64 / start.elapsed().as_secs_f64();
    std::hint::black_box(episodes);
    OverheadRow {
        num_envs,
        ecs_steps_per_s: ecs,
        plain_steps_per_s: plain,
    }
}
