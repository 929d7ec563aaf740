//! Soft Actor-Critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and
//! Applications", arXiv:1812.05905), readable top to bottom: the config, the learner's
//! networks, and the one update function.
//!
//! Equations (numbers from arXiv:1812.05905):
//! - critic target (eq. 3 with the twin-critic minimum of section 5):
//!   `y = r + gamma (1 - terminated) (min_j Q'_j(s', a') - alpha log pi(a'|s'))`,
//!   `a' ~ pi(.|s')`; loss `sum_j mean (Q_j(s, a) - y)^2` (eq. 5).
//! - actor (eq. 7 with the reparameterisation of eq. 11):
//!   `J_pi = mean (alpha log pi(a~|s) - min_j Q_j(s, a~))`, `a~ = tanh(mu + sigma eps)`.
//! - temperature (eq. 18): `J(alpha) = mean (-alpha (log pi(a~|s) + H_target))`, written
//!   over `log alpha` as in the reference code, `H_target = -|A|` (section 5).
//! - targets: Polyak averaging `theta' <- tau theta + (1 - tau) theta'` after every update.
//!
//! Multi-task SAC (McLean et al. 2025) is this update with `heads = tasks`: the actor and
//! both critics pick their output head by the one-hot task id, each task has its own
//! temperature `alpha_k`, and the one-hot can be appended to the network input.
//!
//! Pixel observations (`encoder: NatureCnn(projection: 512)`, the CALE configuration of
//! Dopamine): one Nature-CNN shared by the actor and the critics ([`crate::encoder`]); the
//! critic loss trains the convolutions, the actor reads them through a stop-gradient; the
//! target critics carry their own Polyak-averaged copy of the convolutions and the critics'
//! projection. Images stay `u8` in the replay and become `f32 / 255` once per batch.

use std::path::Path;

use arcadia_engine::config::check;
use arcadia_engine::space::Space;
use arcadia_nn::adam::{Adam, AdamConfig};
use arcadia_nn::clip::clip_grad_norm;
use arcadia_nn::init::Init;
use arcadia_nn::params::ParamStore;
use candle_core::{DType, Device, Tensor};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::dormant::dormant_ratio;
use crate::encoder::{
    ActorProjection, EncoderConfig, PixelShape, SacEncoder, concat_features, images_to_tensor,
};
use crate::error::{ActorCriticError, Result};
use crate::replay::TransitionReplay;
use crate::squashed_gaussian::{bounded_log_std, sample};
use crate::task_heads::{TaskHeadMlp, one_hot};

/// He-uniform initialisation (`variance_scaling(2, fan_in, uniform)`), as McLean et al.'s
/// networks use.
pub const HE_UNIFORM: Init = Init::VarianceScalingFanInUniform { scale: 2.0 };

/// SAC's hyperparameters. The defaults are the published Meta-World configuration of
/// McLean et al. 2025 (rainx0r/mtrl: Adam 3e-4, eps 1e-5, gradient clip 1.0, He-uniform,
/// ReLU, depth 3, tau 0.005, initial temperature 1, target entropy -|A|) with one task and
/// 400-wide layers (Yu et al. 2019's Meta-World SAC width); batch 256 and 5000 random steps
/// are the usual single-task values (not from a published Meta-World config).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SacConfig {
    /// Hidden widths of the actor's torso.
    pub actor_hidden: Vec<usize>,
    /// Hidden widths of each critic's torso.
    pub critic_hidden: Vec<usize>,
    /// Kernel initialisation of every layer.
    pub init: Init,
    /// Discount per step.
    #[serde(deserialize_with = "check::probability")]
    pub gamma: f64,
    /// Polyak coefficient of the target critics.
    #[serde(deserialize_with = "check::probability")]
    pub tau: f64,
    /// Transitions per gradient update.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub batch_size: usize,
    /// Transitions the replay keeps.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub replay_capacity: usize,
    /// Transitions (all envs together) taken with uniform random actions before learning.
    pub learning_starts: u64,
    /// Transitions between rounds of updates.
    #[serde(deserialize_with = "check::at_least_one")]
    pub update_every: u64,
    /// Gradient updates per round.
    #[serde(deserialize_with = "check::at_least_one")]
    pub gradient_steps: u64,
    /// Adam step size of the actor.
    #[serde(deserialize_with = "check::positive")]
    pub actor_learning_rate: f64,
    /// Adam step size of the critics.
    #[serde(deserialize_with = "check::positive")]
    pub critic_learning_rate: f64,
    /// Adam step size of the temperatures.
    #[serde(deserialize_with = "check::positive")]
    pub temperature_learning_rate: f64,
    /// Adam's epsilon.
    #[serde(deserialize_with = "check::positive")]
    pub adam_eps: f64,
    /// Global gradient-norm clip of each network (`None`: no clipping).
    pub max_grad_norm: Option<f64>,
    /// Initial temperature `alpha` of every task.
    #[serde(deserialize_with = "check::positive")]
    pub initial_temperature: f64,
    /// Target entropy per task (`None`: `-|A|`).
    pub target_entropy: Option<f64>,
    /// Lower bound of the policy's log standard deviation.
    pub log_std_min: f64,
    /// Upper bound of the policy's log standard deviation.
    pub log_std_max: f64,
    /// Rewards are multiplied by this before storage.
    #[serde(deserialize_with = "check::positive")]
    pub reward_scale: f64,
    /// Per-element factors applied to observations before the networks (empty: none).
    pub observation_scale: Vec<f32>,
    /// One output head per task (multi-task SAC); else one head.
    pub task_heads: bool,
    /// Append the one-hot task id to the network input.
    pub task_one_hot_input: bool,
    /// Log the critics' tau-dormant ratio every this many updates (0: never).
    pub dormant_every: u64,
    /// ReDo's tau for the dormant ratio.
    #[serde(deserialize_with = "check::non_negative")]
    pub dormant_tau: f64,
    /// Log losses, temperature and entropy every this many updates.
    #[serde(deserialize_with = "check::at_least_one")]
    pub log_every: u64,
    /// How observations reach the networks: `None` (vectors) or a pixel encoder.
    pub encoder: EncoderConfig,
}

impl Default for SacConfig {
    fn default() -> Self {
        SacConfig {
            actor_hidden: vec![400, 400, 400],
            critic_hidden: vec![400, 400, 400],
            init: HE_UNIFORM,
            gamma: 0.99,
            tau: 0.005,
            batch_size: 256,
            replay_capacity: 1_000_000,
            learning_starts: 5000,
            update_every: 1,
            gradient_steps: 1,
            actor_learning_rate: 3e-4,
            critic_learning_rate: 3e-4,
            temperature_learning_rate: 3e-4,
            adam_eps: 1e-5,
            max_grad_norm: Some(1.0),
            initial_temperature: 1.0,
            target_entropy: None,
            log_std_min: -5.0,
            log_std_max: 2.0,
            reward_scale: 1.0,
            observation_scale: Vec::new(),
            task_heads: false,
            task_one_hot_input: false,
            dormant_every: 0,
            dormant_tau: 0.1,
            log_every: 1000,
            encoder: EncoderConfig::None,
        }
    }
}

impl SacConfig {
    /// Checks that the values fit together.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.log_std_min >= self.log_std_max {
            return Err(format!(
                "log_std_min {} must be below log_std_max {}",
                self.log_std_min, self.log_std_max
            ));
        }
        if self.actor_hidden.contains(&0) || self.critic_hidden.contains(&0) {
            return Err("hidden widths must be >= 1".into());
        }
        if let Some(c) = self.max_grad_norm
            && !(c.is_finite() && c > 0.0)
        {
            return Err(format!("max_grad_norm must be > 0, found {c}"));
        }
        if self.batch_size > self.replay_capacity {
            return Err(format!(
                "batch_size {} exceeds replay_capacity {}",
                self.batch_size, self.replay_capacity
            ));
        }
        if self.dormant_every > 0 && self.critic_hidden.is_empty() {
            return Err("dormant_every needs at least one critic hidden layer".into());
        }
        self.encoder.validate()
    }
}

/// Counters, running sums for the log, and the learner's random stream.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SacState {
    /// Transitions stored (all envs).
    pub transitions: u64,
    /// Transitions not yet paid for with updates.
    pub pending: u64,
    /// Gradient updates taken.
    pub gradient_updates: u64,
    /// Sums since the last log: critic loss, actor loss, entropy estimate `-log pi`.
    pub sums: [f64; 3],
    /// Updates in `sums`.
    pub count: u64,
    /// Replay sampling and policy noise of the updates.
    pub rng: ChaCha8Rng,
}

/// What one update measured.
#[derive(Clone, Debug, PartialEq)]
pub struct SacStats {
    /// Critic loss `sum_j mean (Q_j - y)^2`.
    pub critic_loss: f64,
    /// Actor loss `J_pi`.
    pub actor_loss: f64,
    /// Mean `-log pi(a~|s)` over the batch.
    pub entropy: f64,
}

/// The networks, optimizers and replay of SAC / MT-SAC.
pub struct SacLearner {
    /// The configuration.
    pub config: SacConfig,
    /// Observation `f32` values per env (an image's auxiliary values with a pixel encoder).
    pub obs_dim: usize,
    /// Image bytes per env (0 without a pixel encoder).
    pub pixel_dim: usize,
    /// Action values per env.
    pub act_dim: usize,
    /// Tasks (heads and temperatures).
    pub tasks: usize,
    pixels: Option<PixelShape>,
    encoder: Option<SacEncoder>,
    target_encoder: Option<SacEncoder>,
    actor_projection: Option<ActorProjection>,
    heads: usize,
    scale: Vec<f32>,
    offset: Vec<f32>,
    target_entropy: f64,
    device: Device,
    actor_store: ParamStore,
    actor: TaskHeadMlp,
    critic_store: ParamStore,
    q: [TaskHeadMlp; 2],
    target_store: ParamStore,
    q_target: [TaskHeadMlp; 2],
    temperature_store: ParamStore,
    log_alpha: Tensor,
    actor_adam: Adam,
    critic_adam: Adam,
    temperature_adam: Adam,
    /// The replay.
    pub replay: TransitionReplay,
    /// Counters and random stream.
    pub state: SacState,
}

fn critics(
    store: &mut ParamStore,
    inputs: usize,
    config: &SacConfig,
    heads: usize,
    rng: &mut ChaCha8Rng,
) -> Result<[TaskHeadMlp; 2]> {
    let make = |name: &str, store: &mut ParamStore, rng: &mut ChaCha8Rng| {
        TaskHeadMlp::new(
            store,
            name,
            inputs,
            &config.critic_hidden,
            1,
            heads,
            config.init,
            config.init,
            rng,
        )
    };
    Ok([make("q1", store, rng)?, make("q2", store, rng)?])
}

impl SacLearner {
    /// Builds the learner for a box action space and a vector observation space (or an
    /// image space with a pixel encoder).
    pub fn new(
        config: &SacConfig,
        observation_space: &Space,
        action_space: &Space,
        tasks: usize,
        mut rng: ChaCha8Rng,
    ) -> Result<Self> {
        config.validate().map_err(ActorCriticError::Config)?;
        let (obs_dim, pixels) = match (&config.encoder, observation_space) {
            (EncoderConfig::None, Space::Box { shape, .. }) => (shape.iter().product(), None),
            (EncoderConfig::None, other) => {
                return Err(ActorCriticError::Scene(format!(
                    "SAC needs a vector (box) observation space, the scene has a {} space (set `encoder: NatureCnn(projection: 512)` for images)",
                    other.kind()
                )));
            }
            (EncoderConfig::NatureCnn { .. }, space) => {
                let shape = PixelShape::of(space, "SAC")?;
                (shape.aux, Some(shape))
            }
        };
        if !config.observation_scale.is_empty() && config.observation_scale.len() != obs_dim {
            return Err(ActorCriticError::Config(format!(
                "observation_scale has {} values, the observation {obs_dim}",
                config.observation_scale.len()
            )));
        }
        let Space::Box { low, high, .. } = action_space else {
            return Err(ActorCriticError::Scene(format!(
                "SAC needs a continuous (box) action space, the scene has a {} space",
                action_space.kind()
            )));
        };
        if low.iter().chain(high).any(|v| !v.is_finite()) {
            return Err(ActorCriticError::Scene(
                "SAC needs finite action bounds".into(),
            ));
        }
        let act_dim = low.len();
        let scale: Vec<f32> = low.iter().zip(high).map(|(l, h)| 0.5 * (h - l)).collect();
        let offset: Vec<f32> = low.iter().zip(high).map(|(l, h)| 0.5 * (h + l)).collect();
        let tasks = tasks.max(1);
        let heads = if config.task_heads { tasks } else { 1 };
        let values = obs_dim + if config.task_one_hot_input { tasks } else { 0 };
        let device = Device::Cpu;

        // The encoder's parameters come first in each store (the target's mirror the
        // critic's, name for name).
        let mut actor_store = ParamStore::new(device.clone());
        let mut critic_store = ParamStore::new(device.clone());
        let mut target_store = ParamStore::new(device.clone());
        let (encoder, target_encoder, actor_projection, inputs) = match (&config.encoder, pixels) {
            (EncoderConfig::NatureCnn { projection }, Some(shape)) => {
                let encoder = SacEncoder::new(&mut critic_store, shape, *projection, &mut rng)?;
                let target = SacEncoder::new(&mut target_store, shape, *projection, &mut rng)?;
                let actor_projection = ActorProjection::new(
                    &mut actor_store,
                    encoder.conv_dim(),
                    *projection,
                    &mut rng,
                )?;
                (
                    Some(encoder),
                    Some(target),
                    Some(actor_projection),
                    projection + values,
                )
            }
            _ => (None, None, None, values),
        };
        let actor = TaskHeadMlp::new(
            &mut actor_store,
            "actor",
            inputs,
            &config.actor_hidden,
            2 * act_dim,
            heads,
            config.init,
            config.init,
            &mut rng,
        )?;
        let q = critics(&mut critic_store, inputs + act_dim, config, heads, &mut rng)?;
        let q_target = critics(&mut target_store, inputs + act_dim, config, heads, &mut rng)?;
        target_store.copy_from(&critic_store)?;
        let mut temperature_store = ParamStore::new(device.clone());
        let log_alpha = temperature_store.var(
            "log_alpha",
            &[tasks],
            Init::Constant(config.initial_temperature.ln()),
            &mut rng,
        )?;
        let adam = |lr: f64, store: &ParamStore| {
            Adam::new(
                AdamConfig {
                    learning_rate: lr,
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: config.adam_eps,
                    weight_decay: 0.0,
                },
                store,
            )
        };
        Ok(SacLearner {
            obs_dim,
            pixel_dim: pixels.map_or(0, |p| p.bytes()),
            act_dim,
            tasks,
            pixels,
            encoder,
            target_encoder,
            actor_projection,
            heads,
            scale,
            offset,
            target_entropy: config.target_entropy.unwrap_or(-(act_dim as f64)),
            actor_adam: adam(config.actor_learning_rate, &actor_store)?,
            critic_adam: adam(config.critic_learning_rate, &critic_store)?,
            temperature_adam: adam(config.temperature_learning_rate, &temperature_store)?,
            // One plane per channel (a frame stack's frames), each stored once.
            replay: TransitionReplay::with_image(
                config.replay_capacity,
                pixels.map_or(0, |p| p.chw.0),
                pixels.map_or(0, |p| p.chw.1 * p.chw.2),
                obs_dim,
                act_dim,
            )?,
            state: SacState {
                transitions: 0,
                pending: 0,
                gradient_updates: 0,
                sums: [0.0; 3],
                count: 0,
                rng,
            },
            config: config.clone(),
            device,
            actor_store,
            actor,
            critic_store,
            q,
            target_store,
            q_target,
            temperature_store,
            log_alpha,
        })
    }

    /// The actor's parameters.
    pub fn actor_params(&self) -> &ParamStore {
        &self.actor_store
    }

    /// Both critics' parameters.
    pub fn critic_params(&self) -> &ParamStore {
        &self.critic_store
    }

    /// The temperature `alpha_k` of every task.
    pub fn temperatures(&self) -> Result<Vec<f32>> {
        Ok(self.log_alpha.exp()?.to_vec1()?)
    }

    /// The network's `f32` input `[n, values]` (observations, then the one-hot task id when
    /// configured; beside the image features with a pixel encoder) and the one-hot
    /// `[n, heads]` that selects the heads.
    fn inputs(&self, obs: &[f32], tasks: &[u32]) -> Result<(Tensor, Tensor)> {
        let n = tasks.len();
        if obs.len() != n * self.obs_dim {
            return Err(ActorCriticError::Scene(format!(
                "{} observation values for {n} envs of {}",
                obs.len(),
                self.obs_dim
            )));
        }
        let mut x = Tensor::from_slice(obs, (n, self.obs_dim), &self.device)?;
        if !self.config.observation_scale.is_empty() {
            let scale = Tensor::from_slice(
                &self.config.observation_scale,
                (1, self.obs_dim),
                &self.device,
            )?;
            x = x.broadcast_mul(&scale)?;
        }
        let x = if self.config.task_one_hot_input {
            concat_features(&[&x, &one_hot(tasks, self.tasks, &self.device)?])?
        } else {
            x
        };
        Ok((x, one_hot(tasks, self.heads, &self.device)?))
    }

    /// The convolution features `[n, conv_dim]` of `n` images through `encoder` (`None`
    /// without a pixel encoder).
    fn convolve(
        &self,
        encoder: Option<&SacEncoder>,
        pixels: &[u8],
        n: usize,
    ) -> Result<Option<Tensor>> {
        match (encoder, self.pixels) {
            (Some(encoder), Some(shape)) => {
                let images = images_to_tensor(pixels, n, shape, &self.device)?;
                Ok(Some(encoder.convolve(&images)?))
            }
            _ => Ok(None),
        }
    }

    /// The actor's input: its projection of the (gradient-stopped) convolution features,
    /// then `x`; `x` alone without a pixel encoder.
    fn actor_input(&self, conv: Option<&Tensor>, x: &Tensor) -> Result<Tensor> {
        match (conv, &self.actor_projection) {
            (Some(conv), Some(projection)) => concat_features(&[&projection.forward(conv)?, x]),
            _ => Ok(x.clone()),
        }
    }

    /// The critics' input: `encoder`'s critic projection of the convolution features, then
    /// `x`; `x` alone without a pixel encoder.
    fn critic_input(
        encoder: Option<&SacEncoder>,
        conv: Option<&Tensor>,
        x: &Tensor,
    ) -> Result<Tensor> {
        match (encoder, conv) {
            (Some(encoder), Some(conv)) => concat_features(&[&encoder.critic_features(conv)?, x]),
            _ => Ok(x.clone()),
        }
    }

    /// The policy's mean and log standard deviation, `[n, A]` each.
    fn policy(&self, x: &Tensor, heads: &Tensor) -> Result<(Tensor, Tensor)> {
        let out = self.actor.forward(x, heads)?;
        let mean = out.narrow(1, 0, self.act_dim)?;
        let raw = out.narrow(1, self.act_dim, self.act_dim)?;
        let c = &self.config;
        Ok((mean, bounded_log_std(&raw, c.log_std_min, c.log_std_max)?))
    }

    /// `min_j Q_j(x, a)` of `critics`, `[n]`.
    fn min_q(critics: &[TaskHeadMlp; 2], x: &Tensor, a: &Tensor, heads: &Tensor) -> Result<Tensor> {
        let xa = Tensor::cat(&[x, a], 1)?;
        let q1 = critics[0].forward(&xa, heads)?;
        let q2 = critics[1].forward(&xa, heads)?;
        Ok(q1.minimum(&q2)?.squeeze(1)?)
    }

    /// Actions in the env's bounds for `n` observations: `tanh(mu)` when `noise` is `None`
    /// (evaluation), else `tanh(mu + sigma noise)` with `noise` `[n * A]`.
    pub fn act(&self, obs: &[f32], tasks: &[u32], noise: Option<&[f32]>) -> Result<Vec<f32>> {
        self.act_with_pixels(&[], obs, tasks, noise)
    }

    /// [`SacLearner::act`] for observations with images: `pixels` `[n * pixel_dim]`, `obs`
    /// the auxiliary values `[n * obs_dim]`.
    pub fn act_with_pixels(
        &self,
        pixels: &[u8],
        obs: &[f32],
        tasks: &[u32],
        noise: Option<&[f32]>,
    ) -> Result<Vec<f32>> {
        let n = tasks.len();
        let (x, heads) = self.inputs(obs, tasks)?;
        let conv = self.convolve(self.encoder.as_ref(), pixels, n)?;
        let x = self.actor_input(conv.as_ref(), &x)?;
        let (mean, log_std) = self.policy(&x, &heads)?;
        let squashed = match noise {
            None => mean.tanh()?,
            Some(noise) => {
                let noise = Tensor::from_slice(noise, (n, self.act_dim), &self.device)?;
                sample(&mean, &log_std, &noise)?.0
            }
        };
        let mut out: Vec<f32> = squashed.flatten_all()?.to_vec1()?;
        for (k, v) in out.iter_mut().enumerate() {
            let d = k % self.act_dim;
            *v = *v * self.scale[d] + self.offset[d];
        }
        Ok(out)
    }

    /// Maps env actions back into `[-1, 1]` (the critic sees squashed actions).
    pub fn normalise_action(&self, action: &[f32]) -> Vec<f32> {
        action
            .iter()
            .enumerate()
            .map(|(d, &a)| {
                let d = d % self.act_dim;
                if self.scale[d] > 0.0 {
                    ((a - self.offset[d]) / self.scale[d]).clamp(-1.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }

    fn noise(&mut self, n: usize) -> Result<Tensor> {
        let v: Vec<f32> = (0..n * self.act_dim)
            .map(|_| StandardNormal.sample(&mut self.state.rng))
            .collect();
        Ok(Tensor::from_vec(v, (n, self.act_dim), &self.device)?)
    }

    /// Counts `count` new transitions and runs the updates they pay for; returns the stats
    /// of each update.
    pub fn advance(&mut self, count: u64) -> Result<Vec<SacStats>> {
        self.state.transitions += count;
        if self.state.transitions
            < self
                .config
                .learning_starts
                .max(self.config.batch_size as u64)
        {
            return Ok(Vec::new());
        }
        self.state.pending += count;
        let mut stats = Vec::new();
        while self.state.pending >= self.config.update_every {
            self.state.pending -= self.config.update_every;
            for _ in 0..self.config.gradient_steps {
                stats.push(self.update()?);
            }
        }
        Ok(stats)
    }

    /// One gradient update of the critics, the actor and the temperatures, then the soft
    /// target update.
    pub fn update(&mut self) -> Result<SacStats> {
        let c = self.config.clone();
        let b = c.batch_size;
        let batch = self.replay.sample(b, &mut self.state.rng)?;
        let (values, heads) = self.inputs(&batch.obs, &batch.tasks)?;
        let (values_next, _) = self.inputs(&batch.next_obs, &batch.tasks)?;
        // With a pixel encoder: the online convolutions of s (trained by the critic loss)
        // and of s' (for the next action), the target's of s' (for the target critics).
        let conv = self.convolve(self.encoder.as_ref(), &batch.pixels, b)?;
        let conv_next = self
            .convolve(self.encoder.as_ref(), &batch.next_pixels, b)?
            .map(|t| t.detach());
        let conv_next_target = self
            .convolve(self.target_encoder.as_ref(), &batch.next_pixels, b)?
            .map(|t| t.detach());
        let x = Self::critic_input(self.encoder.as_ref(), conv.as_ref(), &values)?;
        let x_actor = self.actor_input(conv.as_ref(), &values)?;
        let x_next_actor = self.actor_input(conv_next.as_ref(), &values_next)?.detach();
        let x_next = Self::critic_input(
            self.target_encoder.as_ref(),
            conv_next_target.as_ref(),
            &values_next,
        )?
        .detach();
        let actions = Tensor::from_slice(&batch.actions, (b, self.act_dim), &self.device)?;
        let rewards = Tensor::from_slice(&batch.rewards, b, &self.device)?;
        let not_terminated = Tensor::from_slice(&batch.not_terminated, b, &self.device)?;
        // alpha_k of each row's task, [b].
        let task_index = Tensor::from_slice(&batch.tasks, b, &self.device)?;
        let log_alpha_rows = self.log_alpha.index_select(&task_index, 0)?;
        let alpha_rows = log_alpha_rows.exp()?.detach();

        // Critic target (eq. 3): y = r + gamma (1 - d) (min Q'(s', a') - alpha log pi(a'|s')).
        let y = {
            let (mean, log_std) = self.policy(&x_next_actor, &heads)?;
            let noise = self.noise(b)?;
            let (a_next, log_pi_next) = sample(&mean, &log_std, &noise)?;
            let q_next = Self::min_q(&self.q_target, &x_next, &a_next, &heads)?;
            let soft_value = (q_next - (&alpha_rows * log_pi_next)?)?;
            (rewards + ((soft_value * not_terminated)? * c.gamma)?)?.detach()
        };
        // Critic loss (eq. 5), both critics.
        let xa = Tensor::cat(&[&x, &actions], 1)?;
        let mut critic_loss = Tensor::zeros((), DType::F32, &self.device)?;
        for q in &self.q {
            let q_sa = q.forward(&xa, &heads)?.squeeze(1)?;
            critic_loss = (critic_loss + (q_sa - &y)?.sqr()?.mean_all()?)?;
        }
        let mut grads = critic_loss.backward()?;
        if let Some(max) = c.max_grad_norm {
            clip_grad_norm(&self.critic_store, &mut grads, max)?;
        }
        self.critic_adam.step(&self.critic_store, &grads)?;

        // Actor (eq. 7): mean(alpha log pi(a~|s) - min Q(s, a~)), a~ reparameterised. With a
        // pixel encoder the critics read the features of s computed before their step.
        let (mean, log_std) = self.policy(&x_actor, &heads)?;
        let noise = self.noise(b)?;
        let (a_new, log_pi) = sample(&mean, &log_std, &noise)?;
        let q_new = Self::min_q(&self.q, &x.detach(), &a_new, &heads)?;
        let actor_loss = ((&alpha_rows * &log_pi)? - q_new)?.mean_all()?;
        let mut grads = actor_loss.backward()?;
        if let Some(max) = c.max_grad_norm {
            clip_grad_norm(&self.actor_store, &mut grads, max)?;
        }
        self.actor_adam.step(&self.actor_store, &grads)?;

        // Temperature (eq. 18) per task: mean(-log alpha_k (log pi + H_target)).
        let log_pi = log_pi.detach();
        let temperature_loss = (log_alpha_rows * (log_pi.affine(1.0, self.target_entropy)?))?
            .neg()?
            .mean_all()?;
        let grads = temperature_loss.backward()?;
        self.temperature_adam
            .step(&self.temperature_store, &grads)?;

        // Polyak averaging of the target critics.
        self.target_store
            .soft_update_from(&self.critic_store, c.tau)?;

        self.state.gradient_updates += 1;
        let stats = SacStats {
            critic_loss: critic_loss.to_scalar::<f32>()? as f64,
            actor_loss: actor_loss.to_scalar::<f32>()? as f64,
            entropy: -(log_pi.mean_all()?.to_scalar::<f32>()? as f64),
        };
        self.state.sums[0] += stats.critic_loss;
        self.state.sums[1] += stats.actor_loss;
        self.state.sums[2] += stats.entropy;
        self.state.count += 1;
        Ok(stats)
    }

    /// The critics' tau-dormant ratio (ReDo) on a replay batch; `None` before any data.
    pub fn critic_dormant_ratio(&mut self) -> Result<Option<f64>> {
        if self.replay.is_empty() {
            return Ok(None);
        }
        let b = self.config.batch_size;
        let batch = self.replay.sample(b, &mut self.state.rng)?;
        let (x, heads) = self.inputs(&batch.obs, &batch.tasks)?;
        let conv = self.convolve(self.encoder.as_ref(), &batch.pixels, b)?;
        let x = Self::critic_input(self.encoder.as_ref(), conv.as_ref(), &x)?;
        let actions = Tensor::from_slice(&batch.actions, (b, self.act_dim), &self.device)?;
        let xa = Tensor::cat(&[&x, &actions], 1)?;
        let mut acts = Vec::new();
        for q in &self.q {
            acts.extend(q.forward_with_activations(&xa, &heads, true)?.1);
        }
        Ok(Some(dormant_ratio(&acts, self.config.dormant_tau)?))
    }

    /// Takes the means logged since the last call: critic loss, actor loss, entropy.
    pub fn take_means(&mut self) -> Option<[f64; 3]> {
        if self.state.count == 0 {
            return None;
        }
        let n = self.state.count as f64;
        let means = self.state.sums.map(|s| s / n);
        self.state.sums = [0.0; 3];
        self.state.count = 0;
        Some(means)
    }

    /// Draws standard-normal noise for `n` actions from an env's generator.
    pub fn action_noise(&self, rng: &mut impl Rng) -> Vec<f32> {
        (0..self.act_dim)
            .map(|_| StandardNormal.sample(rng))
            .collect()
    }

    /// Writes weights, optimizer moments, replay and counters into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        self.actor_store.save(&dir.join("actor.safetensors"))?;
        self.critic_store.save(&dir.join("critic.safetensors"))?;
        self.target_store
            .save(&dir.join("critic_target.safetensors"))?;
        self.temperature_store
            .save(&dir.join("temperature.safetensors"))?;
        self.actor_adam
            .save(&self.actor_store, &dir.join("actor_adam.safetensors"))?;
        self.critic_adam
            .save(&self.critic_store, &dir.join("critic_adam.safetensors"))?;
        self.temperature_adam.save(
            &self.temperature_store,
            &dir.join("temperature_adam.safetensors"),
        )?;
        self.replay.save_to(dir)?;
        crate::checkpoint::save(&dir.join("state.bin"), &self.state)?;
        Ok(())
    }

    /// Reads what [`SacLearner::save`] wrote.
    pub fn load(&mut self, dir: &Path) -> Result<()> {
        self.actor_store.load(&dir.join("actor.safetensors"))?;
        self.critic_store.load(&dir.join("critic.safetensors"))?;
        self.target_store
            .load(&dir.join("critic_target.safetensors"))?;
        self.temperature_store
            .load(&dir.join("temperature.safetensors"))?;
        self.actor_adam
            .load(&self.actor_store, &dir.join("actor_adam.safetensors"))?;
        self.critic_adam
            .load(&self.critic_store, &dir.join("critic_adam.safetensors"))?;
        self.temperature_adam.load(
            &self.temperature_store,
            &dir.join("temperature_adam.safetensors"),
        )?;
        self.replay = TransitionReplay::load_from(
            dir,
            self.config.replay_capacity,
            self.pixels.map_or(0, |p| p.chw.0),
            self.pixel_dim,
            self.obs_dim,
            self.act_dim,
        )?;
        self.state = crate::checkpoint::load(&dir.join("state.bin"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn tiny(tasks: usize, task_heads: bool) -> SacLearner {
        let config = SacConfig {
            actor_hidden: vec![16, 16],
            critic_hidden: vec![16, 16],
            batch_size: 8,
            replay_capacity: 64,
            learning_starts: 8,
            task_heads,
            task_one_hot_input: task_heads,
            ..SacConfig::default()
        };
        SacLearner::new(
            &config,
            &Space::uniform_box(-1.0, 1.0, 3),
            &Space::uniform_box(-2.0, 2.0, 2),
            tasks,
            ChaCha8Rng::seed_from_u64(5),
        )
        .unwrap()
    }

    /// With a pixel encoder the replay shares frame-stack planes between transitions; a
    /// learner saved after the ring wrapped and loaded into a fresh one updates to the same
    /// weights bit for bit.
    #[test]
    fn pixel_learner_resumes_bit_exact_from_its_checkpoint() {
        let config = SacConfig {
            actor_hidden: vec![8],
            critic_hidden: vec![8],
            batch_size: 4,
            replay_capacity: 12,
            learning_starts: 0,
            encoder: EncoderConfig::NatureCnn { projection: 8 },
            ..SacConfig::default()
        };
        let space = Space::Image {
            height: 36,
            width: 36,
            channels: 3,
            aux: 1,
        };
        let make = || {
            SacLearner::new(
                &config,
                &space,
                &Space::uniform_box(-1.0, 1.0, 2),
                1,
                ChaCha8Rng::seed_from_u64(3),
            )
            .unwrap()
        };
        let mut learner = make();
        let plane = 36 * 36;
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut stacks: Vec<Vec<u8>> = (0..2)
            .map(|_| (0..3 * plane).map(|_| rng.random::<u8>()).collect())
            .collect();
        for t in 0..30 {
            for (env, stack) in stacks.iter_mut().enumerate() {
                let s = stack.clone();
                stack.copy_within(plane.., 0);
                let fresh: Vec<u8> = (0..plane).map(|_| rng.random::<u8>()).collect();
                stack[2 * plane..].copy_from_slice(&fresh);
                let a = [rng.random_range(-1.0..1.0f32), 0.5];
                learner
                    .replay
                    .push_with_pixels(env, (&s, &[0.5]), &a, 1.0, t % 9 == 8, (stack, &[0.5]), 0)
                    .unwrap();
            }
        }
        // Each step stored one plane per env (plus each env's first stack).
        assert!(learner.replay.memory().frames <= 12 + 6);
        learner.update().unwrap();
        let dir = tempfile::tempdir().unwrap();
        learner.save(dir.path()).unwrap();
        let mut resumed = make();
        resumed.load(dir.path()).unwrap();
        assert_eq!(resumed.replay, learner.replay);
        for _ in 0..3 {
            learner.update().unwrap();
            resumed.update().unwrap();
        }
        for (a, b) in [
            (learner.actor_params(), resumed.actor_params()),
            (learner.critic_params(), resumed.critic_params()),
        ] {
            assert_eq!(a.flat_values().unwrap(), b.flat_values().unwrap());
        }
    }

    fn fill(learner: &mut SacLearner, n: usize) {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for i in 0..n {
            let o: Vec<f32> = (0..3).map(|_| rng.random_range(-1.0..1.0)).collect();
            let a: Vec<f32> = (0..2).map(|_| rng.random_range(-1.0..1.0)).collect();
            let task = (i % learner.tasks) as u32;
            learner
                .replay
                .push(&o, &a, rng.random_range(0.0..1.0), i % 7 == 0, &o, task)
                .unwrap();
        }
    }

    #[test]
    fn temperature_falls_when_entropy_is_above_target_and_rises_below() {
        // Target entropy far below the policy's entropy: alpha must shrink; far above: grow.
        for (target, falls) in [(-50.0, true), (50.0, false)] {
            let mut learner = tiny(1, false);
            learner.target_entropy = target;
            fill(&mut learner, 32);
            let before = learner.temperatures().unwrap()[0];
            learner.update().unwrap();
            let after = learner.temperatures().unwrap()[0];
            assert_eq!(
                after < before,
                falls,
                "target {target}: alpha {before} -> {after}"
            );
        }
    }

    #[test]
    fn each_task_has_its_own_temperature() {
        let mut learner = tiny(3, true);
        // Only task 1 in the replay: only alpha_1 moves.
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..16 {
            let o: Vec<f32> = (0..3).map(|_| rng.random_range(-1.0..1.0)).collect();
            learner
                .replay
                .push(&o, &[0.1, -0.2], 1.0, false, &o, 1)
                .unwrap();
        }
        let before = learner.temperatures().unwrap();
        learner.update().unwrap();
        let after = learner.temperatures().unwrap();
        assert_eq!(before[0], after[0]);
        assert_eq!(before[2], after[2]);
        assert_ne!(before[1], after[1]);
    }

    #[test]
    fn updates_are_finite_and_actions_respect_bounds() {
        let mut learner = tiny(1, false);
        fill(&mut learner, 40);
        for _ in 0..5 {
            let s = learner.update().unwrap();
            assert!(s.critic_loss.is_finite() && s.actor_loss.is_finite());
        }
        let obs = [0.1f32, 0.2, 0.3, -0.1, -0.2, -0.3];
        let noise = [3.0f32, -3.0, 0.0, 0.5];
        let a = learner.act(&obs, &[0, 0], Some(&noise)).unwrap();
        assert_eq!(a.len(), 4);
        assert!(a.iter().all(|v| v.abs() <= 2.0));
        let norm = learner.normalise_action(&a);
        assert!(norm.iter().all(|v| v.abs() <= 1.0));
        let ratio = learner.critic_dormant_ratio().unwrap().unwrap();
        assert!((0.0..=1.0).contains(&ratio));
    }

    /// A one-step continuous bandit, reward `-(a - 0.6)^2` (episodes end at once): the
    /// deterministic action must move to 0.6.
    #[test]
    fn sac_solves_a_continuous_bandit() {
        let config = SacConfig {
            actor_hidden: vec![32],
            critic_hidden: vec![32],
            batch_size: 64,
            replay_capacity: 5000,
            learning_starts: 0,
            actor_learning_rate: 3e-3,
            critic_learning_rate: 3e-3,
            temperature_learning_rate: 3e-3,
            initial_temperature: 0.1,
            ..SacConfig::default()
        };
        let mut learner = SacLearner::new(
            &config,
            &Space::uniform_box(-1.0, 1.0, 1),
            &Space::uniform_box(-1.0, 1.0, 1),
            1,
            ChaCha8Rng::seed_from_u64(4),
        )
        .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let obs = [0.5f32];
        for _ in 0..600 {
            let noise = learner.action_noise(&mut rng);
            let a = learner.act(&obs, &[0], Some(&noise)).unwrap()[0];
            let r = -(a - 0.6) * (a - 0.6);
            learner.replay.push(&obs, &[a], r, true, &obs, 0).unwrap();
            learner.update().unwrap();
        }
        let a = learner.act(&obs, &[0], None).unwrap()[0];
        assert!((a - 0.6).abs() < 0.1, "deterministic action {a}");
    }

    /// The pixel-encoder path on a fixed set of transitions that all terminate (so the target
    /// is the reward, a function of the image): the critic loss falls, and the critic and
    /// actor updates reach the convolutions and the actor's projection respectively.
    #[test]
    fn pixel_encoder_critic_loss_falls_on_a_fixed_batch() {
        let config = SacConfig {
            actor_hidden: vec![16],
            critic_hidden: vec![16],
            batch_size: 16,
            replay_capacity: 16,
            learning_starts: 0,
            critic_learning_rate: 1e-3,
            actor_learning_rate: 1e-3,
            encoder: EncoderConfig::NatureCnn { projection: 32 },
            ..SacConfig::default()
        };
        let space = Space::Image {
            height: 36,
            width: 36,
            channels: 2,
            aux: 1,
        };
        let mut learner = SacLearner::new(
            &config,
            &space,
            &Space::uniform_box(-1.0, 1.0, 2),
            1,
            ChaCha8Rng::seed_from_u64(3),
        )
        .unwrap();
        assert_eq!((learner.pixel_dim, learner.obs_dim), (2 * 36 * 36, 1));
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..16 {
            // A bright or dark image; the reward says which.
            let bright = rng.random_bool(0.5);
            let pixels: Vec<u8> = (0..2 * 36 * 36)
                .map(|_| {
                    let base: u8 = if bright { 160 } else { 20 };
                    base + rng.random_range(0..60u8)
                })
                .collect();
            let a = [
                rng.random_range(-1.0..1.0f32),
                rng.random_range(-1.0..1.0f32),
            ];
            let r = if bright { 1.0 } else { -1.0 };
            learner
                .replay
                .push_with_pixels(0, (&pixels, &[0.5]), &a, r, true, (&pixels, &[0.5]), 0)
                .unwrap();
        }
        let conv_before = learner.critic_params().vars()[0]
            .1
            .as_tensor()
            .copy()
            .unwrap();
        let proj_before = learner.actor_params().vars()[0]
            .1
            .as_tensor()
            .copy()
            .unwrap();
        assert!(
            learner.critic_params().vars()[0]
                .0
                .starts_with("encoder.cnn")
        );
        assert_eq!(
            learner.actor_params().vars()[0].0,
            "encoder.actor_projection.weight"
        );
        let losses: Vec<f64> = (0..60)
            .map(|_| learner.update().unwrap().critic_loss)
            .collect();
        let first = losses[..5].iter().sum::<f64>() / 5.0;
        let last = losses[55..].iter().sum::<f64>() / 5.0;
        assert!(last < 0.25 * first, "critic loss {first} -> {last}");
        let moved = |before: &Tensor, store: &ParamStore| {
            let after = store.vars()[0].1.as_tensor();
            (after - before)
                .unwrap()
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
        };
        assert!(moved(&conv_before, learner.critic_params()) > 0.0);
        assert!(moved(&proj_before, learner.actor_params()) > 0.0);
        let noise = [0.3f32, -0.2, 1.0, 0.0];
        let batch = learner.replay.sample(2, &mut rng).unwrap();
        let a = learner
            .act_with_pixels(&batch.pixels, &[0.5, 0.5], &[0, 0], Some(&noise))
            .unwrap();
        assert!(a.len() == 4 && a.iter().all(|v| v.abs() <= 1.0));
        // A vector observation space is refused with the hint.
        let err = SacLearner::new(
            &config,
            &Space::uniform_box(-1.0, 1.0, 3),
            &Space::uniform_box(-1.0, 1.0, 2),
            1,
            ChaCha8Rng::seed_from_u64(0),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("image"), "{err}");
    }

    #[test]
    fn invalid_configs_are_rejected_with_reasons() {
        let bad = SacConfig {
            log_std_min: 3.0,
            ..SacConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("log_std_min"));
        let err = SacLearner::new(
            &SacConfig::default(),
            &Space::uniform_box(-1.0, 1.0, 3),
            &Space::Discrete { n: 3 },
            1,
            ChaCha8Rng::seed_from_u64(0),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("continuous"), "{err}");
    }
}
