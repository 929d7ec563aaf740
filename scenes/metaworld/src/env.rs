//! The Meta-World environment: the 39-D observation, the 4-D action and the
//! [`Environment`] implementation.
//!
//! Observation layout (39 values): `[0..3]` hand xyz, `[3]` gripper opening (finger
//! distance / 0.1 clipped to `[0, 1]`), `[4..11]` object 1 position + quaternion,
//! `[11..18]` object 2 (zeros in MT10), `[18..36]` the same 18 values of the previous step
//! (equal to the current ones right after a reset), `[36..39]` the goal (zeros when
//! partially observable).

use arcadia_engine::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::config::MetaWorldConfig;
use crate::policies;
use crate::sim::Sim;
use crate::tasks::{Episode, Frame, Task};
use crate::variation;

/// Length of the observation.
pub const OBS_DIM: usize = 39;
/// Length of one frame (hand, gripper, two object slots).
pub const FRAME_DIM: usize = 18;
/// Length of the action.
pub const ACTION_DIM: usize = 4;
/// Metres the mocap moves per unit of action (Meta-World's `action_scale`).
pub const ACTION_SCALE: f32 = 0.01;
/// Lower clip of the observed hand position.
pub const HAND_SPACE_LOW: [f32; 3] = [-0.525, 0.348, -0.0525];
/// Upper clip of the observed hand position.
pub const HAND_SPACE_HIGH: [f32; 3] = [0.525, 1.025, 0.7];
/// Bound used for the (unbounded in Meta-World) object slots in the observation space.
pub const OBJECT_BOUND: f32 = 10.0;

/// The per-env settings taken from the config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvSettings {
    /// Steps before truncation.
    pub max_episode_steps: u64,
    /// Physics substeps per step.
    pub substeps: usize,
    /// Substep length, seconds.
    pub timestep: f32,
    /// Collision-detection passes per step.
    pub contact_updates: usize,
    /// Goal hidden.
    pub partially_observable: bool,
}

impl From<&MetaWorldConfig> for EnvSettings {
    fn from(c: &MetaWorldConfig) -> Self {
        EnvSettings {
            max_episode_steps: c.max_episode_steps,
            substeps: c.substeps,
            timestep: c.timestep as f32,
            contact_updates: c.contact_updates,
            partially_observable: c.partially_observable,
        }
    }
}

/// One Meta-World env: a task, its fixed variations and its physics.
#[derive(Serialize, Deserialize)]
pub struct MetaWorldEnv {
    task: Task,
    task_index: usize,
    settings: EnvSettings,
    variations: Vec<Vec<f32>>,
    variation: usize,
    sim: Sim,
    episode: Episode,
    steps: u64,
    prev: [f32; FRAME_DIM],
    last_obs: Vec<f32>,
}

impl MetaWorldEnv {
    /// An env of `task` (index `task_index` among the scene's task names) with the config's
    /// fixed variations; call `reset` before stepping.
    pub fn new(task: Task, task_index: usize, config: &MetaWorldConfig) -> Self {
        let settings = EnvSettings::from(config);
        let variations = variation::variations(task, config.variation_seed, config.num_variations);
        let (sim, episode) = Sim::build(
            task,
            &variations[0],
            settings.substeps,
            settings.timestep,
            settings.contact_updates,
        );
        let mut env = MetaWorldEnv {
            task,
            task_index,
            settings,
            variations,
            variation: 0,
            sim,
            episode,
            steps: 0,
            prev: [0.0; FRAME_DIM],
            last_obs: vec![0.0; OBS_DIM],
        };
        env.prev = env.frame();
        env
    }

    /// The task.
    pub fn task_kind(&self) -> Task {
        self.task
    }

    /// The episode's fixed values (goal, initial positions).
    pub fn episode(&self) -> &Episode {
        &self.episode
    }

    /// The physics.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Which variation the current episode uses.
    pub fn variation(&self) -> usize {
        self.variation
    }

    /// The current 18-value frame (clipped as Meta-World clips its observation).
    fn frame(&self) -> [f32; FRAME_DIM] {
        let mut f = [0.0; FRAME_DIM];
        let world = &self.sim.world;
        let hand = self.sim.robot.hand_pos(world);
        for (i, v) in [hand.x, hand.y, hand.z].into_iter().enumerate() {
            f[i] = v.clamp(HAND_SPACE_LOW[i], HAND_SPACE_HIGH[i]);
        }
        f[3] = self.sim.robot.opening(world).clamp(-1.0, 1.0);
        let (pos, quat) = self.task.object_obs(world, &self.sim.objects);
        f[4..7].copy_from_slice(&pos);
        f[7..11].copy_from_slice(&quat);
        for v in &mut f[4..18] {
            *v = v.clamp(-OBJECT_BOUND, OBJECT_BOUND);
        }
        f
    }

    /// Writes `current, previous, goal` into `out` (39 values).
    fn write_obs(&self, current: &[f32; FRAME_DIM], out: &mut [f32]) {
        out[..FRAME_DIM].copy_from_slice(current);
        out[FRAME_DIM..2 * FRAME_DIM].copy_from_slice(&self.prev);
        if self.settings.partially_observable {
            out[36..39].fill(0.0);
        } else {
            out[36..39].copy_from_slice(&self.episode.target);
        }
    }

    /// Starts an episode on variation `variation` (modulo the number of variations).
    pub fn reset_to(&mut self, variation: usize, obs: &mut [f32]) {
        self.variation = variation % self.variations.len();
        let (sim, episode) = Sim::build(
            self.task,
            &self.variations[self.variation],
            self.settings.substeps,
            self.settings.timestep,
            self.settings.contact_updates,
        );
        self.sim = sim;
        self.episode = episode;
        self.steps = 0;
        let current = self.frame();
        self.prev = current;
        let mut buf = std::mem::take(&mut self.last_obs);
        self.write_obs(&current, &mut buf);
        obs.copy_from_slice(&buf);
        self.last_obs = buf;
    }

    /// Starts an episode on an explicit `rand_vec` (as Meta-World's task objects carry it),
    /// for comparisons with Meta-World. The vector must have the task's reset-space length.
    pub fn reset_with_rand_vec(&mut self, v: &[f32], obs: &mut [f32]) -> Result<(), EnvError> {
        let (low, _) = self.task.reset_space();
        if v.len() != low.len() || v.iter().any(|x| !x.is_finite()) {
            return Err(EnvError::Simulation(format!(
                "{}: rand_vec must hold {} finite values, got {:?}",
                self.task.name(),
                low.len(),
                v
            )));
        }
        self.variations.push(v.to_vec());
        let index = self.variations.len() - 1;
        self.reset_to(index, obs);
        self.variations.pop();
        Ok(())
    }

    /// Starts an episode on a random one of the fixed variations.
    pub fn reset_with<R: Rng + ?Sized>(&mut self, rng: &mut R, obs: &mut [f32]) {
        let v = variation::pick(rng, self.variations.len());
        self.reset_to(v, obs);
    }

    /// Applies a 4-D action (clipped to `[-1, 1]`), writes the observation and returns the
    /// outcome. Non-finite values or a wrong length are an error.
    pub fn step_raw(&mut self, action: &[f32], obs: &mut [f32]) -> Result<StepOutcome, EnvError> {
        if action.len() != ACTION_DIM {
            return Err(EnvError::InvalidAction(ActionError::WrongLength {
                expected: ACTION_DIM,
                found: action.len(),
            }));
        }
        if let Some(index) = action.iter().position(|v| !v.is_finite()) {
            return Err(EnvError::InvalidAction(ActionError::NotFinite {
                index,
                value: action[index],
            }));
        }
        let a = [
            action[0].clamp(-1.0, 1.0),
            action[1].clamp(-1.0, 1.0),
            action[2].clamp(-1.0, 1.0),
            action[3].clamp(-1.0, 1.0),
        ];
        self.sim.control_step(
            [
                a[0] * ACTION_SCALE,
                a[1] * ACTION_SCALE,
                a[2] * ACTION_SCALE,
            ],
            a[3],
        );
        self.steps += 1;
        let truncated = self.steps >= self.settings.max_episode_steps;
        if !self.sim.is_finite() {
            // Meta-World's answer to a simulator instability: the last stable observation,
            // reward 0, no success.
            obs.copy_from_slice(&self.last_obs);
            return Ok(StepOutcome {
                reward: 0.0,
                terminated: false,
                truncated,
                success: Some(false),
                ..Default::default()
            });
        }
        let current = self.frame();
        let mut buf = std::mem::take(&mut self.last_obs);
        self.write_obs(&current, &mut buf);
        self.prev = current;
        let frame = Frame {
            world: &self.sim.world,
            robot: &self.sim.robot,
            objects: &self.sim.objects,
            episode: &self.episode,
            obs: &buf,
            action: a,
        };
        let (reward, success) = self.task.evaluate(&frame);
        obs.copy_from_slice(&buf);
        self.last_obs = buf;
        Ok(StepOutcome {
            reward,
            terminated: false,
            truncated,
            success: Some(success),
            ..Default::default()
        })
    }

    /// The scripted policy's action for the observation `obs`.
    pub fn scripted(&self, obs: &[f32]) -> [f32; ACTION_DIM] {
        policies::act(self.task, obs, &self.sim, &self.episode)
    }

    /// The observation space: hand and goal inside Meta-World's hand space, gripper in
    /// `[-1, 1]`, object slots within ±[`OBJECT_BOUND`].
    pub fn space() -> Space {
        let mut low = vec![-OBJECT_BOUND; OBS_DIM];
        let mut high = vec![OBJECT_BOUND; OBS_DIM];
        for base in [0, FRAME_DIM] {
            low[base..base + 3].copy_from_slice(&HAND_SPACE_LOW);
            high[base..base + 3].copy_from_slice(&HAND_SPACE_HIGH);
            low[base + 3] = -1.0;
            high[base + 3] = 1.0;
        }
        low[36..39].copy_from_slice(&HAND_SPACE_LOW);
        high[36..39].copy_from_slice(&HAND_SPACE_HIGH);
        Space::Box {
            low,
            high,
            shape: vec![OBS_DIM],
        }
    }
}

impl Environment for MetaWorldEnv {
    fn observation_space(&self) -> Space {
        Self::space()
    }

    fn action_space(&self) -> Space {
        Space::uniform_box(-1.0, 1.0, ACTION_DIM)
    }

    fn task(&self) -> usize {
        self.task_index
    }

    fn reset(&mut self, rng: &mut EnvRng, obs: &mut Observation) {
        match obs.as_f32_mut() {
            Some(buf) if buf.len() == OBS_DIM => self.reset_with(rng, buf),
            _ => {
                *obs = Observation::zeros(&Self::space());
                if let Some(buf) = obs.as_f32_mut() {
                    self.reset_with(rng, buf);
                }
            }
        }
    }

    fn step(
        &mut self,
        action: &Action,
        _rng: &mut EnvRng,
        obs: &mut Observation,
    ) -> Result<StepOutcome, EnvError> {
        // Checked here rather than with `Space::check`, which would build the space (and
        // allocate) on every step; `step_raw` checks length and finiteness.
        let values = match action {
            Action::Continuous(values) => values,
            Action::Unset => return Err(EnvError::InvalidAction(ActionError::Unset)),
            other => {
                return Err(EnvError::InvalidAction(ActionError::WrongKind {
                    expected: "box",
                    found: other.kind(),
                }));
            }
        };
        match obs.as_f32_mut() {
            Some(buf) if buf.len() == OBS_DIM => self.step_raw(values, buf),
            _ => Err(EnvError::Simulation(format!(
                "observation buffer must hold {OBS_DIM} f32 values"
            ))),
        }
    }

    fn scripted_action(&self, obs: &Observation, _rng: &mut EnvRng) -> Option<Action> {
        let values = obs.as_f32().filter(|v| v.len() == OBS_DIM)?;
        Some(Action::Continuous(self.scripted(values).to_vec()))
    }
}
