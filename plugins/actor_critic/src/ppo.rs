//! Proximal Policy Optimization (Schulman et al. 2017, "Proximal Policy Optimization
//! Algorithms", arXiv:1707.06347), readable top to bottom: the config, the networks, the
//! rollout and the one update function; the details follow Huang et al. 2022, "The 37
//! Implementation Details of PPO" (CleanRL).
//!
//! Equations (numbers from arXiv:1707.06347 unless noted):
//! - advantages: GAE (Schulman et al. 2016, eq. 16), see [`crate::gae`], normalised per
//!   minibatch when `normalize_advantages`.
//! - policy: `L^CLIP = mean min(rho A, clip(rho, 1 - eps, 1 + eps) A)`,
//!   `rho = pi(a|s) / pi_old(a|s)` (eq. 7), minimised as `-L^CLIP`.
//! - value: `(V - R)^2 / 2`, or with `clip_value_loss`
//!   `max((V - R)^2, (V_old + clip(V - V_old, -eps, eps) - R)^2) / 2` (detail 9).
//! - total: `-L^CLIP + c_v L^V - c_e H[pi]` (eq. 9), Adam with global-norm clipping,
//!   `epochs` passes over `minibatches` shuffled minibatches, step size annealed linearly
//!   to 0 over `lr_anneal_steps` env steps.
//! - policies: categorical over logits (discrete spaces), diagonal Gaussian with a
//!   state-independent log standard deviation (box spaces; actions clipped to the bounds
//!   only when sent to the env).
//! - encoder: one tanh MLP shared by the policy and value heads, or one per head
//!   (`shared_encoder`; Garcin et al. 2025 compare both). With `encoder: NatureCnn(...)`
//!   image observations first pass the Nature CNN and a ReLU projection
//!   ([`crate::encoder::PpoEncoder`]), shared or one per head by the same switch; images
//!   stay `u8` in the rollout and become `f32 / 255` once per minibatch.

use std::path::Path;

use arcadia_engine::config::check;
use arcadia_engine::space::Space;
use arcadia_nn::adam::{Adam, AdamConfig};
use arcadia_nn::clip::clip_grad_norm;
use arcadia_nn::init::Init;
use arcadia_nn::linear::Linear;
use arcadia_nn::params::ParamStore;
use candle_core::{D, DType, Device, Tensor};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::encoder::{EncoderConfig, PixelShape, PpoEncoder, concat_features, images_to_tensor};
use crate::error::{ActorCriticError, Result};
use crate::gae::gae;

/// PPO's hyperparameters. Defaults: CleanRL's `ppo_continuous_action` (Huang et al. 2022):
/// 2 x 64 tanh layers, 2048-step rollouts over all envs, 10 epochs of 32 minibatches,
/// gamma 0.99, lambda 0.95, clip 0.2, value clipping, entropy 0, value coefficient 0.5,
/// Adam 3e-4 with eps 1e-5, gradient norm 0.5.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PpoConfig {
    /// Hidden widths of the encoder(s).
    pub hidden: Vec<usize>,
    /// One encoder for policy and value (else one each).
    pub shared_encoder: bool,
    /// Steps per env in one rollout.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub rollout_steps: usize,
    /// Discount per step.
    #[serde(deserialize_with = "check::probability")]
    pub gamma: f64,
    /// GAE's lambda.
    #[serde(deserialize_with = "check::probability")]
    pub gae_lambda: f64,
    /// Passes over each rollout.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub epochs: usize,
    /// Minibatches per pass.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub minibatches: usize,
    /// The clip range `eps` of the ratio (and of the value with `clip_value_loss`).
    #[serde(deserialize_with = "check::positive")]
    pub clip: f64,
    /// Clip the value loss around the rollout's values.
    pub clip_value_loss: bool,
    /// Weight of the value loss.
    #[serde(deserialize_with = "check::non_negative")]
    pub value_coef: f64,
    /// Weight of the entropy bonus.
    #[serde(deserialize_with = "check::non_negative")]
    pub entropy_coef: f64,
    /// Normalise advantages per minibatch.
    pub normalize_advantages: bool,
    /// Adam's step size.
    #[serde(deserialize_with = "check::positive")]
    pub learning_rate: f64,
    /// Adam's epsilon.
    #[serde(deserialize_with = "check::positive")]
    pub adam_eps: f64,
    /// Env steps (all envs) over which the step size falls linearly to 0 (0: constant).
    pub lr_anneal_steps: u64,
    /// Global gradient-norm clip (`None`: none).
    pub max_grad_norm: Option<f64>,
    /// Initial log standard deviation of the Gaussian policy.
    pub initial_log_std: f64,
    /// Rewards are multiplied by this before use.
    #[serde(deserialize_with = "check::positive")]
    pub reward_scale: f64,
    /// Per-element factors applied to observations before the network (empty: none).
    pub observation_scale: Vec<f32>,
    /// How observations reach the networks: `None` (vectors) or a pixel encoder.
    pub encoder: EncoderConfig,
}

impl Default for PpoConfig {
    fn default() -> Self {
        PpoConfig {
            hidden: vec![64, 64],
            shared_encoder: false,
            rollout_steps: 2048,
            gamma: 0.99,
            gae_lambda: 0.95,
            epochs: 10,
            minibatches: 32,
            clip: 0.2,
            clip_value_loss: true,
            value_coef: 0.5,
            entropy_coef: 0.0,
            normalize_advantages: true,
            learning_rate: 3e-4,
            adam_eps: 1e-5,
            lr_anneal_steps: 0,
            max_grad_norm: Some(0.5),
            initial_log_std: 0.0,
            reward_scale: 1.0,
            observation_scale: Vec::new(),
            encoder: EncoderConfig::None,
        }
    }
}

impl PpoConfig {
    /// Checks that the values fit together.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.hidden.contains(&0) {
            return Err("hidden widths must be >= 1".into());
        }
        if let Some(c) = self.max_grad_norm
            && !(c.is_finite() && c > 0.0)
        {
            return Err(format!("max_grad_norm must be > 0, found {c}"));
        }
        if !self.initial_log_std.is_finite() {
            return Err("initial_log_std must be finite".into());
        }
        self.encoder.validate()
    }
}

/// The action distribution's family.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyKind {
    /// Categorical over `n` actions.
    Categorical {
        /// Number of actions.
        n: usize,
    },
    /// Diagonal Gaussian, actions clipped to `[low, high]` when sent to the env.
    Gaussian {
        /// Lower bounds.
        low: Vec<f32>,
        /// Upper bounds.
        high: Vec<f32>,
    },
}

impl PolicyKind {
    /// Values per stored action (1 for a categorical).
    pub fn action_len(&self) -> usize {
        match self {
            PolicyKind::Categorical { .. } => 1,
            PolicyKind::Gaussian { low, .. } => low.len(),
        }
    }
}

fn tanh_mlp(
    store: &mut ParamStore,
    name: &str,
    inputs: usize,
    hidden: &[usize],
    rng: &mut ChaCha8Rng,
) -> Result<Vec<Linear>> {
    let mut layers = Vec::new();
    let mut fan_in = inputs;
    for (i, &h) in hidden.iter().enumerate() {
        // Orthogonal(sqrt 2) in CleanRL; here the uniform law of the same variance.
        let init = Init::VarianceScalingFanInUniform { scale: 2.0 };
        layers.push(Linear::new(
            store,
            &format!("{name}.{i}"),
            fan_in,
            h,
            init,
            rng,
        )?);
        fan_in = h;
    }
    Ok(layers)
}

fn run_mlp(layers: &[Linear], x: &Tensor) -> Result<Tensor> {
    let mut h = x.clone();
    for layer in layers {
        h = layer.forward(&h)?.tanh()?;
    }
    Ok(h)
}

/// One step of every env in the rollout.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RolloutStep {
    /// Observations `[envs, obs_dim]` (an image's auxiliary values with a pixel encoder).
    pub obs: Vec<f32>,
    /// Images `[envs, pixel_dim]` (empty without a pixel encoder).
    pub pixels: Vec<u8>,
    /// Actions `[envs, action_len]` (unclipped Gaussian samples, or indices as `f32`).
    pub actions: Vec<f32>,
    /// `log pi_old(a|s)`, `[envs]`.
    pub log_probs: Vec<f32>,
    /// `V_old(s)`, `[envs]`.
    pub values: Vec<f32>,
    /// Rewards (with `gamma V(final)` added on truncation), `[envs]`.
    pub rewards: Vec<f32>,
    /// Episode ended at this step, `[envs]`.
    pub dones: Vec<bool>,
}

/// Counters, the rollout and the learner's random stream.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PpoState {
    /// Env steps stored (all envs).
    pub env_steps: u64,
    /// Rollouts learned from.
    pub rollouts: u64,
    /// Completed steps of the current rollout.
    pub rollout: Vec<RolloutStep>,
    /// The step whose actions were chosen but whose rewards are not in yet.
    pub pending: Option<RolloutStep>,
    /// Minibatch shuffling.
    pub rng: ChaCha8Rng,
}

/// What one rollout's update measured (means over minibatches).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PpoStats {
    /// `-L^CLIP`.
    pub policy_loss: f64,
    /// Value loss.
    pub value_loss: f64,
    /// Policy entropy.
    pub entropy: f64,
    /// Fraction of samples whose ratio was clipped.
    pub clip_fraction: f64,
    /// Approximate KL `mean((rho - 1) - log rho)` (Schulman's k3 estimator).
    pub approx_kl: f64,
    /// The step size used.
    pub learning_rate: f64,
}

/// What [`PpoLearner::act`] chose: `(actions for the env, stored actions, log-probs,
/// values)`.
pub type Chosen = (Vec<Vec<f32>>, Vec<f32>, Vec<f32>, Vec<f32>);

/// The networks, optimizer and rollout of PPO.
pub struct PpoLearner {
    /// The configuration.
    pub config: PpoConfig,
    /// Observation `f32` values per env (an image's auxiliary values with a pixel encoder).
    pub obs_dim: usize,
    /// Image bytes per env (0 without a pixel encoder).
    pub pixel_dim: usize,
    /// The action distribution.
    pub kind: PolicyKind,
    /// Number of envs.
    pub envs: usize,
    device: Device,
    store: ParamStore,
    pixels: Option<PixelShape>,
    policy_pixels: Option<PpoEncoder>,
    value_pixels: Option<PpoEncoder>,
    policy_encoder: Vec<Linear>,
    value_encoder: Vec<Linear>,
    policy_head: Linear,
    value_head: Linear,
    log_std: Option<Tensor>,
    adam: Adam,
    /// Counters, rollout and random stream.
    pub state: PpoState,
}

impl PpoLearner {
    /// Builds the learner for a vector observation space (or an image space with a pixel
    /// encoder).
    pub fn new(
        config: &PpoConfig,
        observation_space: &Space,
        action_space: &Space,
        envs: usize,
        mut rng: ChaCha8Rng,
    ) -> Result<Self> {
        config.validate().map_err(ActorCriticError::Config)?;
        let (obs_dim, pixels): (usize, Option<PixelShape>) = match (
            &config.encoder,
            observation_space,
        ) {
            (EncoderConfig::None, Space::Box { shape, .. }) => (shape.iter().product(), None),
            (EncoderConfig::None, Space::Discrete { .. }) => (1, None),
            (EncoderConfig::None, Space::Image { .. }) => {
                return Err(ActorCriticError::Scene(
                        "PPO needs vector observations without an encoder; set `encoder: NatureCnn(projection: 512)` for images"
                            .into(),
                    ));
            }
            (EncoderConfig::NatureCnn { .. }, space) => {
                let shape = PixelShape::of(space, "PPO")?;
                (shape.aux, Some(shape))
            }
        };
        if !config.observation_scale.is_empty() && config.observation_scale.len() != obs_dim {
            return Err(ActorCriticError::Config(format!(
                "observation_scale has {} values, the observation {obs_dim}",
                config.observation_scale.len()
            )));
        }
        let kind = match action_space {
            Space::Discrete { n } => PolicyKind::Categorical { n: *n as usize },
            Space::Box { low, high, .. } => PolicyKind::Gaussian {
                low: low.clone(),
                high: high.clone(),
            },
            Space::Image { .. } => {
                return Err(ActorCriticError::Scene("an image action space".into()));
            }
        };
        let policy_outputs = match &kind {
            PolicyKind::Categorical { n } => *n,
            PolicyKind::Gaussian { low, .. } => low.len(),
        };
        let device = Device::Cpu;
        let mut store = ParamStore::new(device.clone());
        let (policy_pixels, value_pixels, inputs) = match (&config.encoder, pixels) {
            (EncoderConfig::NatureCnn { projection }, Some(shape)) => {
                let policy =
                    PpoEncoder::new(&mut store, "pixel_encoder", shape, *projection, &mut rng)?;
                let value = if config.shared_encoder {
                    policy.clone()
                } else {
                    PpoEncoder::new(
                        &mut store,
                        "value_pixel_encoder",
                        shape,
                        *projection,
                        &mut rng,
                    )?
                };
                (Some(policy), Some(value), projection + obs_dim)
            }
            _ => (None, None, obs_dim),
        };
        let policy_encoder = tanh_mlp(&mut store, "encoder", inputs, &config.hidden, &mut rng)?;
        let value_encoder = if config.shared_encoder {
            policy_encoder.clone()
        } else {
            tanh_mlp(
                &mut store,
                "value_encoder",
                inputs,
                &config.hidden,
                &mut rng,
            )?
        };
        let width = config.hidden.last().copied().unwrap_or(inputs);
        // CleanRL: orthogonal gain 0.01 for the policy head, 1 for the value head.
        let policy_head = Linear::new(
            &mut store,
            "policy_head",
            width,
            policy_outputs,
            Init::VarianceScalingFanInUniform { scale: 1e-4 },
            &mut rng,
        )?;
        let value_head = Linear::new(
            &mut store,
            "value_head",
            width,
            1,
            Init::VarianceScalingFanInUniform { scale: 1.0 },
            &mut rng,
        )?;
        let log_std = match &kind {
            PolicyKind::Gaussian { low, .. } => Some(store.var(
                "log_std",
                &[1, low.len()],
                Init::Constant(config.initial_log_std),
                &mut rng,
            )?),
            PolicyKind::Categorical { .. } => None,
        };
        let adam = Adam::new(
            AdamConfig {
                learning_rate: config.learning_rate,
                beta1: 0.9,
                beta2: 0.999,
                eps: config.adam_eps,
                weight_decay: 0.0,
            },
            &store,
        )?;
        Ok(PpoLearner {
            config: config.clone(),
            obs_dim,
            pixel_dim: pixels.map_or(0, |p| p.bytes()),
            kind,
            envs,
            device,
            store,
            pixels,
            policy_pixels,
            value_pixels,
            policy_encoder,
            value_encoder,
            policy_head,
            value_head,
            log_std,
            adam,
            state: PpoState {
                env_steps: 0,
                rollouts: 0,
                rollout: Vec::new(),
                pending: None,
                rng,
            },
        })
    }

    /// The parameters.
    pub fn params(&self) -> &ParamStore {
        &self.store
    }

    /// Observations as the network's input: the values `[n, obs_dim]` (scaled per
    /// element) and, with a pixel encoder, the images `[n, c, h, w]` in `[0, 1]`.
    fn input(&self, pixels: &[u8], obs: Vec<f32>, n: usize) -> Result<Input> {
        if obs.len() != n * self.obs_dim {
            return Err(ActorCriticError::Scene(format!(
                "{} observation values for {n} envs of {}",
                obs.len(),
                self.obs_dim
            )));
        }
        let images = match self.pixels {
            Some(shape) => Some(images_to_tensor(pixels, n, shape, &self.device)?),
            None => None,
        };
        let x = Tensor::from_vec(obs, (n, self.obs_dim), &self.device)?;
        if self.config.observation_scale.is_empty() {
            return Ok(Input { x, images });
        }
        let scale = Tensor::from_slice(
            &self.config.observation_scale,
            (1, self.obs_dim),
            &self.device,
        )?;
        Ok(Input {
            x: x.broadcast_mul(&scale)?,
            images,
        })
    }

    /// The MLP input of one head: its pixel encoder's features, then the values.
    fn head_input(encoder: Option<&PpoEncoder>, input: &Input) -> Result<Tensor> {
        match (encoder, &input.images) {
            (Some(encoder), Some(images)) => {
                concat_features(&[&encoder.forward(images)?, &input.x])
            }
            _ => Ok(input.x.clone()),
        }
    }

    /// Policy outputs (logits or means) `[n, k]` and values `[n]`.
    fn forward(&self, input: &Input) -> Result<(Tensor, Tensor)> {
        let h = run_mlp(
            &self.policy_encoder,
            &Self::head_input(self.policy_pixels.as_ref(), input)?,
        )?;
        let out = self.policy_head.forward(&h)?;
        let hv = if self.config.shared_encoder {
            h
        } else {
            run_mlp(
                &self.value_encoder,
                &Self::head_input(self.value_pixels.as_ref(), input)?,
            )?
        };
        let value = self.value_head.forward(&hv)?.squeeze(1)?;
        Ok((out, value))
    }

    /// `log pi(a|s)` `[n]` and the entropy `[n]` of actions `[n, action_len]`.
    fn log_prob_entropy(&self, out: &Tensor, actions: &Tensor) -> Result<(Tensor, Tensor)> {
        match (&self.kind, &self.log_std) {
            (PolicyKind::Gaussian { .. }, Some(log_std)) => {
                let log_std = log_std.broadcast_as(out.shape())?;
                let z = ((actions - out)? / log_std.exp()?)?;
                let half_log_two_pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
                let log_prob = ((z.sqr()? * -0.5)? - &log_std)?
                    .affine(1.0, -half_log_two_pi)?
                    .sum(1)?;
                let entropy = log_std.affine(1.0, 0.5 + half_log_two_pi)?.sum(1)?;
                Ok((log_prob, entropy))
            }
            _ => {
                let log_p = log_softmax(out)?;
                let index = actions.to_dtype(DType::U32)?;
                let log_prob = log_p.gather(&index, 1)?.squeeze(1)?;
                let entropy = (log_p.exp()? * &log_p)?.sum(1)?.neg()?;
                Ok((log_prob, entropy))
            }
        }
    }

    /// Chooses actions for `n` observations: `(actions for the env, stored actions,
    /// log-probs, values)`. `noise` draws come from each env's generator through `draw`;
    /// with `deterministic` the mean (Gaussian) or the mode (categorical) is taken.
    pub fn act(
        &self,
        obs: &[f32],
        n: usize,
        deterministic: bool,
        draw: impl FnMut(usize) -> Vec<f32>,
    ) -> Result<Chosen> {
        self.act_with_pixels(&[], obs, n, deterministic, draw)
    }

    /// [`PpoLearner::act`] for observations with images (`pixels` `[n * pixel_dim]`, `obs`
    /// the auxiliary values).
    pub fn act_with_pixels(
        &self,
        pixels: &[u8],
        obs: &[f32],
        n: usize,
        deterministic: bool,
        mut draw: impl FnMut(usize) -> Vec<f32>,
    ) -> Result<Chosen> {
        let x = self.input(pixels, obs.to_vec(), n)?;
        let (out, value) = self.forward(&x)?;
        let out_v: Vec<Vec<f32>> = out.to_vec2()?;
        let mut stored = Vec::new();
        let mut env_actions = Vec::with_capacity(n);
        match &self.kind {
            PolicyKind::Gaussian { low, high } => {
                let std: Vec<f32> = self
                    .log_std
                    .as_ref()
                    .map(|t| t.exp()?.flatten_all()?.to_vec1())
                    .transpose()?
                    .unwrap_or_default();
                for (i, mean) in out_v.iter().enumerate() {
                    let a: Vec<f32> = if deterministic {
                        mean.clone()
                    } else {
                        let noise = draw(i);
                        mean.iter()
                            .zip(&std)
                            .zip(&noise)
                            .map(|((m, s), e)| m + s * e)
                            .collect()
                    };
                    stored.extend_from_slice(&a);
                    env_actions.push(
                        a.iter()
                            .zip(low.iter().zip(high))
                            .map(|(v, (l, h))| v.clamp(*l, *h))
                            .collect(),
                    );
                }
            }
            PolicyKind::Categorical { .. } => {
                for (i, logits) in out_v.iter().enumerate() {
                    let index = if deterministic {
                        argmax(logits)
                    } else {
                        // Inverse-CDF sampling with one uniform draw from the env's stream.
                        let u = draw(i).first().copied().unwrap_or(0.5);
                        sample_categorical(logits, u)
                    };
                    stored.push(index as f32);
                    env_actions.push(vec![index as f32]);
                }
            }
        }
        let actions = Tensor::from_slice(&stored, (n, self.kind.action_len()), &self.device)?;
        let (log_prob, _) = self.log_prob_entropy(&out, &actions)?;
        Ok((env_actions, stored, log_prob.to_vec1()?, value.to_vec1()?))
    }

    /// `V(s)` of `n` observations.
    pub fn values(&self, obs: &[f32], n: usize) -> Result<Vec<f32>> {
        self.values_with_pixels(&[], obs, n)
    }

    /// `V(s)` of `n` observations with images.
    pub fn values_with_pixels(&self, pixels: &[u8], obs: &[f32], n: usize) -> Result<Vec<f32>> {
        let x = self.input(pixels, obs.to_vec(), n)?;
        Ok(self.forward(&x)?.1.to_vec1()?)
    }

    /// Ends every env's episode at the last stored step as a truncation: `gamma V(next)` is
    /// added to its rewards (`next_obs`: the observations after that step) and it is marked
    /// done. Used when the envs are restarted under the rollout (an evaluation phase).
    pub fn truncate_rollout(&mut self, next_obs: &[f32]) -> Result<()> {
        self.truncate_rollout_with_pixels(&[], next_obs)
    }

    /// [`PpoLearner::truncate_rollout`] for observations with images.
    pub fn truncate_rollout_with_pixels(&mut self, pixels: &[u8], next_obs: &[f32]) -> Result<()> {
        let n = self.envs;
        if self.state.rollout.is_empty()
            || next_obs.len() != n * self.obs_dim
            || pixels.len() != n * self.pixel_dim
        {
            return Ok(());
        }
        let values = self.values_with_pixels(pixels, next_obs, n)?;
        let gamma = self.config.gamma as f32;
        if let Some(last) = self.state.rollout.last_mut() {
            for ((done, reward), value) in last.dones.iter_mut().zip(&mut last.rewards).zip(&values)
            {
                if !*done {
                    *reward += gamma * value;
                    *done = true;
                }
            }
        }
        Ok(())
    }

    /// Whether the rollout holds `rollout_steps` steps.
    pub fn rollout_full(&self) -> bool {
        self.state.rollout.len() >= self.config.rollout_steps
    }

    /// The step size after `env_steps`: linear annealing to 0.
    pub fn learning_rate(&self) -> f64 {
        let c = &self.config;
        if c.lr_anneal_steps == 0 {
            return c.learning_rate;
        }
        let frac = 1.0 - (self.state.env_steps as f64 / c.lr_anneal_steps as f64).min(1.0);
        c.learning_rate * frac.max(0.0)
    }

    /// Learns from the full rollout (`last_values` = `V(s_T)` of every env) and clears it.
    pub fn update(&mut self, last_values: &[f32]) -> Result<PpoStats> {
        let c = self.config.clone();
        let steps = std::mem::take(&mut self.state.rollout);
        let (t_max, n) = (steps.len(), self.envs);
        let a_len = self.kind.action_len();
        // GAE per env, then flatten the rollout into [T * n] samples (step-major).
        let mut advantages = vec![0f32; t_max * n];
        for env in 0..n {
            let rewards: Vec<f32> = steps.iter().map(|s| s.rewards[env]).collect();
            let values: Vec<f32> = steps.iter().map(|s| s.values[env]).collect();
            let dones: Vec<bool> = steps.iter().map(|s| s.dones[env]).collect();
            let a = gae(
                &rewards,
                &values,
                &dones,
                last_values[env],
                c.gamma as f32,
                c.gae_lambda as f32,
            );
            for t in 0..t_max {
                advantages[t * n + env] = a[t];
            }
        }
        let obs: Vec<f32> = steps.iter().flat_map(|s| s.obs.iter().copied()).collect();
        let pixels: Vec<u8> = steps
            .iter()
            .flat_map(|s| s.pixels.iter().copied())
            .collect();
        let actions: Vec<f32> = steps
            .iter()
            .flat_map(|s| s.actions.iter().copied())
            .collect();
        let old_log_probs: Vec<f32> = steps
            .iter()
            .flat_map(|s| s.log_probs.iter().copied())
            .collect();
        let old_values: Vec<f32> = steps
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .collect();
        let returns: Vec<f32> = advantages
            .iter()
            .zip(&old_values)
            .map(|(a, v)| a + v)
            .collect();

        let total = t_max * n;
        let minibatch = total.div_ceil(c.minibatches).max(1);
        let lr_frac = self.learning_rate() / c.learning_rate;
        let mut stats = PpoStats {
            learning_rate: self.learning_rate(),
            ..PpoStats::default()
        };
        let mut count = 0usize;
        let mut order: Vec<usize> = (0..total).collect();
        for _ in 0..c.epochs {
            order.shuffle(&mut self.state.rng);
            for chunk in order.chunks(minibatch) {
                let m = chunk.len();
                let pick = |src: &[f32], width: usize| -> Vec<f32> {
                    chunk
                        .iter()
                        .flat_map(|&i| src[i * width..(i + 1) * width].iter().copied())
                        .collect()
                };
                let p = self.pixel_dim;
                let minibatch_pixels: Vec<u8> = chunk
                    .iter()
                    .flat_map(|&i| pixels[i * p..(i + 1) * p].iter().copied())
                    .collect();
                let x = self.input(&minibatch_pixels, pick(&obs, self.obs_dim), m)?;
                let a = Tensor::from_vec(pick(&actions, a_len), (m, a_len), &self.device)?;
                let old_lp = Tensor::from_vec(pick(&old_log_probs, 1), m, &self.device)?;
                let old_v = Tensor::from_vec(pick(&old_values, 1), m, &self.device)?;
                let ret = Tensor::from_vec(pick(&returns, 1), m, &self.device)?;
                let mut adv_v = pick(&advantages, 1);
                if c.normalize_advantages && m > 1 {
                    let mean = adv_v.iter().sum::<f32>() / m as f32;
                    let var =
                        adv_v.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / (m - 1) as f32;
                    let std = var.sqrt() + 1e-8;
                    adv_v.iter_mut().for_each(|v| *v = (*v - mean) / std);
                }
                let adv = Tensor::from_vec(adv_v, m, &self.device)?;

                let (out, value) = self.forward(&x)?;
                let (log_prob, entropy) = self.log_prob_entropy(&out, &a)?;
                // Clipped surrogate (eq. 7).
                let log_ratio = (log_prob - old_lp)?;
                let ratio = log_ratio.exp()?;
                let unclipped = (&ratio * &adv)?;
                let clipped = (ratio.clamp(1.0 - c.clip, 1.0 + c.clip)? * &adv)?;
                let policy_loss = unclipped.minimum(&clipped)?.mean_all()?.neg()?;
                // Value loss, optionally clipped around the rollout's values.
                let value_loss = if c.clip_value_loss {
                    let v_clipped = (&old_v + (&value - &old_v)?.clamp(-c.clip, c.clip)?)?;
                    let a = (&value - &ret)?.sqr()?;
                    let b = (v_clipped - &ret)?.sqr()?;
                    (a.maximum(&b)?.mean_all()? * 0.5)?
                } else {
                    ((&value - &ret)?.sqr()?.mean_all()? * 0.5)?
                };
                let entropy_mean = entropy.mean_all()?;
                // Eq. 9.
                let loss = ((&policy_loss + (&value_loss * c.value_coef)?)?
                    - (&entropy_mean * c.entropy_coef)?)?;
                let mut grads = loss.backward()?;
                if let Some(max) = c.max_grad_norm {
                    clip_grad_norm(&self.store, &mut grads, max)?;
                }
                self.adam_step(&grads, lr_frac)?;

                let lr_v: Vec<f32> = log_ratio.to_vec1()?;
                let kl = lr_v.iter().map(|l| (l.exp() - 1.0) - l).sum::<f32>() / m as f32;
                let clipped_n = lr_v
                    .iter()
                    .filter(|l| (l.exp() - 1.0).abs() > c.clip as f32)
                    .count();
                stats.policy_loss += policy_loss.to_scalar::<f32>()? as f64;
                stats.value_loss += value_loss.to_scalar::<f32>()? as f64;
                stats.entropy += entropy_mean.to_scalar::<f32>()? as f64;
                stats.approx_kl += kl as f64;
                stats.clip_fraction += clipped_n as f64 / m as f64;
                count += 1;
            }
        }
        let k = count.max(1) as f64;
        stats.policy_loss /= k;
        stats.value_loss /= k;
        stats.entropy /= k;
        stats.approx_kl /= k;
        stats.clip_fraction /= k;
        self.state.rollouts += 1;
        Ok(stats)
    }

    /// An Adam step at `frac` times the configured step size: Adam's update is linear in the
    /// step size, so the step is taken at the full size and the change scaled by `frac`
    /// (`arcadia-nn`'s Adam has no step-size setter).
    fn adam_step(&mut self, grads: &candle_core::backprop::GradStore, frac: f64) -> Result<()> {
        if frac >= 1.0 {
            self.adam.step(&self.store, grads)?;
            return Ok(());
        }
        let before: Vec<Tensor> = self
            .store
            .vars()
            .iter()
            .map(|(_, v)| v.as_detached_tensor().copy())
            .collect::<candle_core::Result<_>>()?;
        self.adam.step(&self.store, grads)?;
        for ((_, var), old) in self.store.vars().iter().zip(before) {
            let new = var.as_detached_tensor();
            let blended = (&old + ((new - &old)? * frac)?)?;
            var.set(&blended)?;
        }
        Ok(())
    }

    /// Writes weights, optimizer moments, rollout and counters into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        self.store.save(&dir.join("ppo.safetensors"))?;
        self.adam.save(&self.store, &dir.join("adam.safetensors"))?;
        crate::checkpoint::save(&dir.join("state.bin"), &self.state)
    }

    /// Reads what [`PpoLearner::save`] wrote.
    pub fn load(&mut self, dir: &Path) -> Result<()> {
        self.store.load(&dir.join("ppo.safetensors"))?;
        self.adam.load(&self.store, &dir.join("adam.safetensors"))?;
        self.state = crate::checkpoint::load(&dir.join("state.bin"))?;
        Ok(())
    }

    /// One standard-normal draw per action value from `rng` (Gaussian) or one uniform
    /// (categorical).
    pub fn draw(&self, rng: &mut impl Rng) -> Vec<f32> {
        match &self.kind {
            PolicyKind::Gaussian { low, .. } => {
                (0..low.len()).map(|_| StandardNormal.sample(rng)).collect()
            }
            PolicyKind::Categorical { .. } => vec![rng.random::<f32>()],
        }
    }
}

/// A batch as the networks take it.
struct Input {
    /// Observation values `[n, obs_dim]`, scaled.
    x: Tensor,
    /// Images `[n, c, h, w]` in `[0, 1]` (pixel encoder only).
    images: Option<Tensor>,
}

fn log_softmax(x: &Tensor) -> candle_core::Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?;
    let shifted = x.broadcast_sub(&max)?;
    let lse = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    shifted.broadcast_sub(&lse)
}

fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

/// The index whose cumulative softmax probability first exceeds `u`.
fn sample_categorical(logits: &[f32], u: f32) -> usize {
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let total: f32 = e.iter().sum();
    let mut acc = 0.0;
    for (i, p) in e.iter().enumerate() {
        acc += p / total;
        if u < acc {
            return i;
        }
    }
    e.len() - 1
}

/// The clipped surrogate `min(rho A, clip(rho, 1 - eps, 1 + eps) A)` of one sample (eq. 7),
/// as the update computes it over tensors; for tests and documentation.
pub fn clipped_surrogate(ratio: f64, advantage: f64, eps: f64) -> f64 {
    (ratio * advantage).min(ratio.clamp(1.0 - eps, 1.0 + eps) * advantage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_clip_removes_the_incentive_beyond_one_plus_or_minus_eps() {
        // Positive advantage: gains stop at 1 + eps; negative: losses stop at 1 - eps.
        assert_eq!(clipped_surrogate(1.5, 2.0, 0.2), 1.2 * 2.0);
        assert_eq!(clipped_surrogate(1.1, 2.0, 0.2), 1.1 * 2.0);
        assert_eq!(clipped_surrogate(0.5, -1.0, 0.2), -0.8);
        // Pessimistic bound: a ratio far from 1 in the harmful direction is not clipped.
        assert_eq!(clipped_surrogate(0.5, 1.0, 0.2), 0.5);
        assert_eq!(clipped_surrogate(3.0, -1.0, 0.2), -3.0);
    }

    fn learner(action_space: Space, clip: f64) -> PpoLearner {
        let config = PpoConfig {
            hidden: vec![8],
            rollout_steps: 4,
            epochs: 1,
            minibatches: 1,
            clip,
            normalize_advantages: false,
            max_grad_norm: None,
            learning_rate: 0.05,
            ..PpoConfig::default()
        };
        PpoLearner::new(
            &config,
            &Space::uniform_box(-1.0, 1.0, 2),
            &action_space,
            1,
            ChaCha8Rng::seed_from_u64(1),
        )
        .unwrap()
    }

    /// With the ratio already outside the clip range in the advantage's direction, the
    /// policy loss has no gradient: the policy head does not move (the value head may).
    #[test]
    fn clipped_samples_give_no_policy_gradient() {
        for space in [Space::Discrete { n: 3 }, Space::uniform_box(-1.0, 1.0, 2)] {
            let mut l = learner(space, 0.2);
            let obs = [0.3f32, -0.4];
            let (_, stored, log_probs, values) = l.act(&obs, 1, true, |_| vec![0.0, 0.0]).unwrap();
            // pi_old 10x smaller than pi: rho = 10 > 1.2 with a positive advantage.
            let step = RolloutStep {
                pixels: Vec::new(),
                obs: obs.to_vec(),
                actions: stored,
                log_probs: vec![log_probs[0] - 10f32.ln()],
                values: values.clone(),
                rewards: vec![5.0],
                dones: vec![true],
            };
            l.state.rollout = vec![step];
            let head_before = l
                .policy_head
                .weight()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            l.update(&[0.0]).unwrap();
            let head_after = l
                .policy_head
                .weight()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            assert_eq!(head_before, head_after, "{:?}", l.kind);
            // Unclipped (ratio 1): the policy head moves.
            let mut l = learner(Space::Discrete { n: 3 }, 0.2);
            let (_, stored, log_probs, values) = l.act(&obs, 1, true, |_| vec![0.0]).unwrap();
            l.state.rollout = vec![RolloutStep {
                pixels: Vec::new(),
                obs: obs.to_vec(),
                actions: stored,
                log_probs,
                values,
                rewards: vec![5.0],
                dones: vec![true],
            }];
            let before = l
                .policy_head
                .weight()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            l.update(&[0.0]).unwrap();
            let after = l
                .policy_head
                .weight()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            assert_ne!(before, after);
        }
    }

    #[test]
    fn a_positive_advantage_makes_the_taken_action_more_likely() {
        for space in [Space::Discrete { n: 3 }, Space::uniform_box(-1.0, 1.0, 2)] {
            let mut l = learner(space, 0.2);
            let obs = [0.3f32, -0.4];
            let (_, stored, log_probs, values) = l.act(&obs, 1, false, |_| vec![0.9, 0.9]).unwrap();
            l.state.rollout = vec![RolloutStep {
                pixels: Vec::new(),
                obs: obs.to_vec(),
                actions: stored.clone(),
                log_probs: log_probs.clone(),
                values: values.clone(),
                rewards: vec![values[0] + 1.0],
                dones: vec![true],
            }];
            l.update(&[0.0]).unwrap();
            let x = l.input(&[], obs.to_vec(), 1).unwrap();
            let (out, _) = l.forward(&x).unwrap();
            let a = Tensor::from_slice(&stored, (1, stored.len()), &Device::Cpu).unwrap();
            let after = l
                .log_prob_entropy(&out, &a)
                .unwrap()
                .0
                .to_vec1::<f32>()
                .unwrap();
            assert!(
                after[0] > log_probs[0],
                "{:?}: {} -> {}",
                l.kind,
                log_probs[0],
                after[0]
            );
        }
    }

    /// One-step bandits: reward `-(a - 0.6)^2` for a Gaussian policy, reward 1 for action 2
    /// of 3 for a categorical one; the deterministic action must find them.
    #[test]
    fn ppo_solves_one_step_bandits() {
        for space in [Space::uniform_box(-1.0, 1.0, 1), Space::Discrete { n: 3 }] {
            let config = PpoConfig {
                hidden: vec![16],
                rollout_steps: 64,
                epochs: 4,
                minibatches: 4,
                learning_rate: 1e-2,
                ..PpoConfig::default()
            };
            let mut l = PpoLearner::new(
                &config,
                &Space::uniform_box(-1.0, 1.0, 2),
                &space,
                1,
                ChaCha8Rng::seed_from_u64(2),
            )
            .unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let obs = [0.5f32, -0.5];
            for _ in 0..40 {
                for _ in 0..64 {
                    let noise = l.draw(&mut rng);
                    let (a, stored, log_probs, values) =
                        l.act(&obs, 1, false, |_| noise.clone()).unwrap();
                    let reward = match space {
                        Space::Discrete { .. } => (a[0][0] == 2.0) as u8 as f32,
                        _ => -(a[0][0] - 0.6).powi(2),
                    };
                    l.state.rollout.push(RolloutStep {
                        pixels: Vec::new(),
                        obs: obs.to_vec(),
                        actions: stored,
                        log_probs,
                        values,
                        rewards: vec![reward],
                        dones: vec![true],
                    });
                }
                l.update(&[0.0]).unwrap();
            }
            let (a, ..) = l.act(&obs, 1, true, |_| vec![]).unwrap();
            match space {
                Space::Discrete { .. } => assert_eq!(a[0][0], 2.0),
                _ => assert!((a[0][0] - 0.6).abs() < 0.1, "mean action {}", a[0][0]),
            }
        }
    }

    /// The pixel-encoder path: a contextual bandit on images (bright: action 1 pays, dark:
    /// action 0 pays), both heads on one shared convolution stack; the deterministic policy
    /// must read the image to pick the right action for both.
    #[test]
    fn ppo_pixel_encoder_learns_an_image_bandit() {
        let config = PpoConfig {
            hidden: vec![],
            shared_encoder: true,
            rollout_steps: 32,
            epochs: 4,
            minibatches: 2,
            learning_rate: 1e-3,
            entropy_coef: 0.01,
            encoder: EncoderConfig::NatureCnn { projection: 16 },
            ..PpoConfig::default()
        };
        let space = Space::Image {
            height: 36,
            width: 36,
            channels: 2,
            aux: 0,
        };
        let mut l = PpoLearner::new(
            &config,
            &space,
            &Space::Discrete { n: 2 },
            2,
            ChaCha8Rng::seed_from_u64(5),
        )
        .unwrap();
        assert_eq!((l.pixel_dim, l.obs_dim), (2 * 36 * 36, 0));
        let image = |bright: bool, rng: &mut ChaCha8Rng| -> Vec<u8> {
            let base: u8 = if bright { 150 } else { 30 };
            (0..2 * 36 * 36)
                .map(|_| base + rng.random_range(0..70u8))
                .collect()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        // Train until the deterministic policy answers both images right on five fresh
        // draws in a row (the dark image is learned more slowly: its features are weaker).
        let mut streak = 0;
        let mut updates = 0;
        while streak < 5 && updates < 100 {
            for _ in 0..32 {
                // Env 0 sees a bright image, env 1 a dark one.
                let pixels = [image(true, &mut rng), image(false, &mut rng)].concat();
                let noise = [l.draw(&mut rng), l.draw(&mut rng)];
                let (a, stored, log_probs, values) = l
                    .act_with_pixels(&pixels, &[], 2, false, |i| noise[i].clone())
                    .unwrap();
                let rewards = vec![(a[0][0] == 1.0) as u8 as f32, (a[1][0] == 0.0) as u8 as f32];
                l.state.rollout.push(RolloutStep {
                    obs: Vec::new(),
                    pixels,
                    actions: stored,
                    log_probs,
                    values,
                    rewards,
                    dones: vec![true, true],
                });
            }
            l.update(&[0.0, 0.0]).unwrap();
            updates += 1;
            let pixels = [image(true, &mut rng), image(false, &mut rng)].concat();
            let (a, ..) = l
                .act_with_pixels(&pixels, &[], 2, true, |_| vec![])
                .unwrap();
            streak = if (a[0][0], a[1][0]) == (1.0, 0.0) {
                streak + 1
            } else {
                0
            };
        }
        assert_eq!(streak, 5, "not learned after {updates} updates");
        // Images without the encoder are refused with the hint.
        let err = PpoLearner::new(
            &PpoConfig::default(),
            &space,
            &Space::Discrete { n: 2 },
            1,
            ChaCha8Rng::seed_from_u64(0),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("NatureCnn"), "{err}");
    }

    #[test]
    fn categorical_sampling_follows_the_softmax() {
        let logits = [0.0f32, (3f32).ln()];
        // p = (0.25, 0.75).
        assert_eq!(sample_categorical(&logits, 0.2), 0);
        assert_eq!(sample_categorical(&logits, 0.3), 1);
        assert_eq!(argmax(&logits), 1);
    }

    #[test]
    fn learning_rate_anneals_linearly_to_zero() {
        let mut l = learner(Space::Discrete { n: 2 }, 0.2);
        l.config.lr_anneal_steps = 100;
        l.state.env_steps = 25;
        assert!((l.learning_rate() - 0.05 * 0.75).abs() < 1e-12);
        l.state.env_steps = 500;
        assert_eq!(l.learning_rate(), 0.0);
    }
}
