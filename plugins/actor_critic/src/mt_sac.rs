//! Multi-task SAC (McLean et al. 2025, "Multi-Task Reinforcement Learning Enables Parameter
//! Scaling"): the SAC update of [`crate::sac`] with a shared torso and one output head per
//! task in the actor and both critics (selected by the one-hot task id, which is also
//! appended to the input), one learnable temperature per task, actor and critic widths and
//! depths set independently, and the critics' tau-dormant ratio (ReDo) in the scalar log.
//!
//! Defaults: the published MT10 configuration (rainx0r/mtrl, see METAWORLD-FACTS): width
//! 1024 for both networks, depth 3, batch 1280, buffer 1e6, Adam 3e-4 with eps 1e-5,
//! gradient clip 1.0, He-uniform init, tau 0.005, initial temperature 1, target entropy
//! -|A| per task.

use arcadia_engine::config::check;
use serde::{Deserialize, Serialize};

use crate::sac::{HE_UNIFORM, SacConfig};

/// MT-SAC's hyperparameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MtSacConfig {
    /// Width of every actor hidden layer.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub actor_width: usize,
    /// Actor hidden layers.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub actor_depth: usize,
    /// Width of every critic hidden layer.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub critic_width: usize,
    /// Critic hidden layers.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub critic_depth: usize,
    /// Discount per step.
    #[serde(deserialize_with = "check::probability")]
    pub gamma: f64,
    /// Polyak coefficient of the target critics.
    #[serde(deserialize_with = "check::probability")]
    pub tau: f64,
    /// Transitions per gradient update (over all tasks).
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub batch_size: usize,
    /// Transitions the replay keeps.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub replay_capacity: usize,
    /// Transitions taken with uniform random actions before learning.
    pub learning_starts: u64,
    /// Transitions between rounds of updates.
    #[serde(deserialize_with = "check::at_least_one")]
    pub update_every: u64,
    /// Gradient updates per round.
    #[serde(deserialize_with = "check::at_least_one")]
    pub gradient_steps: u64,
    /// Adam step size of actor, critics and temperatures.
    #[serde(deserialize_with = "check::positive")]
    pub learning_rate: f64,
    /// Adam's epsilon.
    #[serde(deserialize_with = "check::positive")]
    pub adam_eps: f64,
    /// Global gradient-norm clip of each network.
    pub max_grad_norm: Option<f64>,
    /// Initial temperature of every task.
    #[serde(deserialize_with = "check::positive")]
    pub initial_temperature: f64,
    /// Log the critics' dormant ratio every this many updates (0: never).
    pub dormant_every: u64,
    /// ReDo's tau.
    #[serde(deserialize_with = "check::non_negative")]
    pub dormant_tau: f64,
    /// Log losses and temperatures every this many updates.
    #[serde(deserialize_with = "check::at_least_one")]
    pub log_every: u64,
}

impl Default for MtSacConfig {
    fn default() -> Self {
        MtSacConfig {
            actor_width: 1024,
            actor_depth: 3,
            critic_width: 1024,
            critic_depth: 3,
            gamma: 0.99,
            tau: 0.005,
            batch_size: 1280,
            replay_capacity: 1_000_000,
            learning_starts: 4000,
            update_every: 1,
            gradient_steps: 1,
            learning_rate: 3e-4,
            adam_eps: 1e-5,
            max_grad_norm: Some(1.0),
            initial_temperature: 1.0,
            dormant_every: 1000,
            dormant_tau: 0.1,
            log_every: 1000,
        }
    }
}

impl MtSacConfig {
    /// The SAC configuration this multi-task configuration runs.
    pub fn sac(&self) -> SacConfig {
        SacConfig {
            actor_hidden: vec![self.actor_width; self.actor_depth],
            critic_hidden: vec![self.critic_width; self.critic_depth],
            init: HE_UNIFORM,
            gamma: self.gamma,
            tau: self.tau,
            batch_size: self.batch_size,
            replay_capacity: self.replay_capacity,
            learning_starts: self.learning_starts,
            update_every: self.update_every,
            gradient_steps: self.gradient_steps,
            actor_learning_rate: self.learning_rate,
            critic_learning_rate: self.learning_rate,
            temperature_learning_rate: self.learning_rate,
            adam_eps: self.adam_eps,
            max_grad_norm: self.max_grad_norm,
            initial_temperature: self.initial_temperature,
            target_entropy: None,
            task_heads: true,
            task_one_hot_input: true,
            dormant_every: self.dormant_every,
            dormant_tau: self.dormant_tau,
            log_every: self.log_every,
            ..SacConfig::default()
        }
    }

    /// Checks that the values fit together.
    pub fn validate(&self) -> Result<(), String> {
        self.sac().validate()
    }
}
