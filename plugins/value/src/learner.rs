//! The learner shared by DQN, C51, Rainbow, DER and DrQ(eps): networks, optimizer, replay and
//! the one update function, readable top to bottom.
//!
//! Equations (numbers from the papers):
//! - scalar targets (Mnih et al. 2015, eq. 3; n-step: Sutton & Barto eq. 7.1):
//!   `y = R_t^(n) + gamma^n Q_target(s_{t+n}, a*)`, `a* = argmax_a Q_target(s_{t+n}, a)`, or with
//!   double Q-learning (van Hasselt et al. 2016, eq. 4) `a* = argmax_a Q_online(s_{t+n}, a)`;
//!   loss Huber(`y - Q(s_t, a_t)`).
//! - distributional targets (Bellemare et al. 2017, Algorithm 1): the target network's
//!   distribution at `a*` (chosen by expected value) is shifted by `R` and discounted by
//!   `gamma^n`, projected on the support, and the loss is the cross-entropy
//!   `-sum_i m_i log p_i(s_t, a_t)`.
//! - prioritized replay (Schaul et al. 2016, eq. 1 and section 3.4): losses weighted by
//!   `w_i = P(i)^-beta / max w`, new priorities `|td|^alpha` (scalar) or `loss^alpha`
//!   (distributional, as Dopamine's Rainbow).

use std::path::Path;

use arcadia_engine::space::Space;
use arcadia_nn::adam::{Adam, AdamConfig};
use arcadia_nn::augment::random_shift;
use arcadia_nn::clip::clip_grad_norm;
use arcadia_nn::distributional::{Support, project_distribution};
use arcadia_nn::init::Init;
use arcadia_nn::params::ParamStore;
use arcadia_nn::q_network::{QNetwork, QNetworkConfig};
use arcadia_nn::replay::{BatchObs, Replay, ReplayConfig, importance_weights};
use arcadia_nn::schedule::linearly_decaying_epsilon;
use candle_core::{D, DType, Device, Tensor};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::config::{Loss, ValueConfig};
use crate::error::ValueError;

/// The observation layout the learner was built for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObsLayout {
    /// Tensor shape of one observation (`[d]` or `[c, h, w]`).
    pub shape: Vec<usize>,
    /// Auxiliary features beside an image.
    pub aux: usize,
    /// `u8` images (scaled by 1/255 before the network).
    pub pixels: bool,
}

impl ObsLayout {
    /// The layout of `space`.
    pub fn of(space: &Space) -> Result<Self, ValueError> {
        match space {
            Space::Box { shape, .. } => Ok(ObsLayout {
                shape: shape.clone(),
                aux: 0,
                pixels: false,
            }),
            Space::Image {
                height,
                width,
                channels,
                aux,
            } => Ok(ObsLayout {
                shape: vec![*channels, *height, *width],
                aux: *aux,
                pixels: true,
            }),
            Space::Discrete { .. } => Ok(ObsLayout {
                shape: vec![1],
                aux: 0,
                pixels: false,
            }),
        }
    }

    /// Elements of one observation.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for an empty observation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Counters and the learner's random stream: everything besides tensors and replay that a
/// checkpoint must restore.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LearnerState {
    /// Transitions stored (over all envs): Dopamine's `training_steps`.
    pub env_steps: u64,
    /// Gradient updates taken.
    pub gradient_updates: u64,
    /// Target-network copies taken.
    pub target_updates: u64,
    /// Sum of losses since the last log.
    pub loss_sum: f64,
    /// Updates since the last log.
    pub loss_count: u64,
    /// Replay sampling, noise and augmentation.
    pub rng: ChaCha8Rng,
}

/// The learner: online and target networks, Adam, replay, counters.
pub struct Learner {
    /// The configuration.
    pub config: ValueConfig,
    /// Observation layout.
    pub layout: ObsLayout,
    /// Number of actions.
    pub actions: usize,
    device: Device,
    online_store: ParamStore,
    online: QNetwork,
    target_store: ParamStore,
    target: QNetwork,
    adam: Adam,
    /// The replay.
    pub replay: Replay,
    support: Option<Support>,
    /// Counters and random stream.
    pub state: LearnerState,
}

/// What one gradient update measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpdateStats {
    /// Mean (weighted) loss of the batch.
    pub loss: f64,
}

impl Learner {
    /// Builds networks (initialised from `rng`), optimizer and replay for `num_envs` envs.
    pub fn new(
        config: &ValueConfig,
        observation_space: &Space,
        action_space: &Space,
        num_envs: usize,
        mut rng: ChaCha8Rng,
    ) -> Result<Self, ValueError> {
        config.validate().map_err(ValueError::Config)?;
        let Space::Discrete { n } = action_space else {
            return Err(ValueError::Config(format!(
                "value agents need a discrete action space, the scene has {action_space:?}"
            )));
        };
        let actions = *n as usize;
        let layout = ObsLayout::of(observation_space)?;
        if !layout.pixels && config.frame_stack != 1 {
            return Err(ValueError::Config(format!(
                "frame_stack {} needs image observations; set frame_stack: 1 for vector observations",
                config.frame_stack
            )));
        }
        if config.augmentation_pad > 0 && !layout.pixels {
            return Err(ValueError::Config(
                "augmentation_pad needs image observations; set it to 0".into(),
            ));
        }
        let device = Device::Cpu;
        let net_config = QNetworkConfig {
            torso: config.torso.clone(),
            observation_shape: layout.shape.clone(),
            aux: layout.aux,
            hidden: config.hidden,
            actions,
            atoms: config.num_atoms,
            dueling: config.dueling,
            noisy: config.noisy,
            init: Init::DOPAMINE,
        };
        let mut online_store = ParamStore::new(device.clone());
        let online = QNetwork::new(&net_config, &mut online_store, &mut rng)?;
        let mut target_store = ParamStore::new(device.clone());
        let target = QNetwork::new(&net_config, &mut target_store, &mut rng)?;
        target_store.copy_from(&online_store)?;
        let adam = Adam::new(
            AdamConfig {
                learning_rate: config.learning_rate,
                eps: config.adam_epsilon,
                ..AdamConfig::default()
            },
            &online_store,
        )?;
        let replay = Replay::new(ReplayConfig {
            capacity: config.replay_capacity,
            num_envs,
            observation_len: layout.len(),
            stack: config.frame_stack,
            aux: layout.aux,
            pixels: layout.pixels,
            gamma: config.gamma,
            n_step: config.update_horizon,
            prioritized: config.prioritized,
        })?;
        let support = if config.num_atoms > 1 {
            Some(Support::new(
                -config.v_max as f32,
                config.v_max as f32,
                config.num_atoms,
            )?)
        } else {
            None
        };
        Ok(Learner {
            config: config.clone(),
            layout,
            actions,
            device,
            online_store,
            online,
            target_store,
            target,
            adam,
            replay,
            support,
            state: LearnerState {
                env_steps: 0,
                gradient_updates: 0,
                target_updates: 0,
                loss_sum: 0.0,
                loss_count: 0,
                rng,
            },
        })
    }

    /// The online network's parameters.
    pub fn online_params(&self) -> &ParamStore {
        &self.online_store
    }

    /// The target network's parameters.
    pub fn target_params(&self) -> &ParamStore {
        &self.target_store
    }

    /// The exploration rate now (Dopamine's linear decay after the warm-up).
    pub fn epsilon(&self) -> f64 {
        linearly_decaying_epsilon(
            self.config.epsilon_decay_period,
            self.state.env_steps,
            self.config.min_replay_history,
            self.config.epsilon_train,
        )
    }

    /// A `[batch, ...]` input tensor from observations (images scaled to `[0, 1]`).
    fn input(&self, obs: BatchObs, batch: usize) -> Result<Tensor, ValueError> {
        let mut shape = vec![batch];
        shape.extend_from_slice(&self.layout.shape);
        Ok(match obs {
            BatchObs::F32(v) => Tensor::from_vec(v, shape, &self.device)?,
            BatchObs::U8(v) => Tensor::from_vec(v, shape, &self.device)?
                .to_dtype(DType::F32)?
                .affine(1.0 / 255.0, 0.0)?,
        })
    }

    fn aux(&self, aux: Vec<f32>, batch: usize) -> Result<Option<Tensor>, ValueError> {
        Ok(if self.layout.aux > 0 {
            Some(Tensor::from_vec(
                aux,
                (batch, self.layout.aux),
                &self.device,
            )?)
        } else {
            None
        })
    }

    /// Expected Q-values `[batch, actions]` from logits `[batch, actions, atoms]`.
    fn q_values(&self, logits: &Tensor) -> Result<Tensor, ValueError> {
        Ok(match &self.support {
            None => logits.squeeze(D::Minus1)?,
            Some(support) => {
                let probs = candle_core_softmax(logits)?;
                probs
                    .broadcast_mul(&support.tensor(&self.device)?)?
                    .sum(D::Minus1)?
            }
        })
    }

    /// Expected Q-values (`[batch][actions]`) of a batch of observations, for display and
    /// diagnostics: noisy layers use their mean weights, and no state changes.
    pub fn action_values(
        &self,
        obs: BatchObs,
        aux: Vec<f32>,
        batch: usize,
    ) -> Result<Vec<Vec<f32>>, ValueError> {
        let x = self.input(obs, batch)?;
        let aux = self.aux(aux, batch)?;
        let logits = self.online.forward(&x, aux.as_ref(), None)?;
        Ok(self.q_values(&logits)?.to_vec2::<f32>()?)
    }

    /// Greedy actions for a batch of observations (one forward pass; noisy nets draw noise).
    pub fn greedy(
        &mut self,
        obs: BatchObs,
        aux: Vec<f32>,
        batch: usize,
    ) -> Result<Vec<u32>, ValueError> {
        let x = self.input(obs, batch)?;
        let aux = self.aux(aux, batch)?;
        let logits = self
            .online
            .forward(&x, aux.as_ref(), Some(&mut self.state.rng))?;
        Ok(self
            .q_values(&logits)?
            .argmax(D::Minus1)?
            .to_vec1::<u32>()?)
    }

    /// Accounts for `count` new transitions: runs the gradient updates and target copies
    /// that Dopamine's schedule puts at those steps (`update_period`, `target_update_period`,
    /// after `min_replay_history`). Returns the losses of the updates taken.
    pub fn advance(&mut self, count: u64) -> Result<Vec<f64>, ValueError> {
        let mut losses = Vec::new();
        for _ in 0..count {
            self.state.env_steps += 1;
            let step = self.state.env_steps;
            if step <= self.config.min_replay_history || self.replay.sampleable() == 0 {
                continue;
            }
            if step.is_multiple_of(self.config.update_period) {
                let stats = self.update()?;
                losses.push(stats.loss);
            }
            if step.is_multiple_of(self.config.target_update_period) {
                self.target_store.copy_from(&self.online_store)?;
                self.state.target_updates += 1;
            }
        }
        Ok(losses)
    }

    /// One gradient update on a sampled batch.
    pub fn update(&mut self) -> Result<UpdateStats, ValueError> {
        let c = &self.config;
        let b = c.batch_size;
        let mut batch = self.replay.sample(b, &mut self.state.rng)?;
        // DrQ: each image of both the current and the bootstrap batch gets its own shift.
        if c.augmentation_pad > 0 {
            let [ch, h, w] = self.layout.shape[..] else {
                return Err(ValueError::Config(
                    "augmentation needs [c, h, w] images".into(),
                ));
            };
            for obs in [&mut batch.obs, &mut batch.next_obs] {
                if let BatchObs::U8(v) = obs {
                    random_shift(v, (ch, h, w), c.augmentation_pad, &mut self.state.rng);
                }
            }
        }
        let obs = self.input(batch.obs, b)?;
        let next_obs = self.input(batch.next_obs, b)?;
        let aux = self.aux(batch.aux, b)?;
        let next_aux = self.aux(batch.next_aux, b)?;
        let actions = Tensor::from_vec(batch.actions.clone(), (b, 1), &self.device)?;
        let returns = Tensor::from_vec(batch.returns.clone(), b, &self.device)?;
        let discounts = Tensor::from_vec(batch.discounts.clone(), b, &self.device)?;

        // Online logits at s_t (with gradient) and the bootstrap action a* at s_{t+n}.
        let logits = self
            .online
            .forward(&obs, aux.as_ref(), Some(&mut self.state.rng))?;
        let target_logits = self
            .target
            .forward(&next_obs, next_aux.as_ref(), Some(&mut self.state.rng))?
            .detach();
        let next_q_target = self.q_values(&target_logits)?;
        let next_action = if self.config.double_dqn {
            let online_next = self
                .online
                .forward(&next_obs, next_aux.as_ref(), Some(&mut self.state.rng))?
                .detach();
            self.q_values(&online_next)?.argmax_keepdim(D::Minus1)?
        } else {
            next_q_target.argmax_keepdim(D::Minus1)?
        };

        let per_sample: Tensor;
        let priorities: Vec<f64>;
        match &self.support {
            None => {
                // y = R + gamma^n Q_target(s', a*)   (eq. 3 / double: eq. 4)
                let q_sa = logits.squeeze(D::Minus1)?.gather(&actions, 1)?.squeeze(1)?;
                let q_next = next_q_target.gather(&next_action, 1)?.squeeze(1)?;
                let y = (returns + (discounts * q_next)?)?.detach();
                let td = (y - &q_sa)?;
                per_sample = match self.config.loss {
                    Loss::Huber => huber(&td)?,
                    Loss::Mse => (td.sqr()? * 0.5)?,
                };
                let abs: Vec<f32> = td.abs()?.to_vec1()?;
                priorities = abs
                    .iter()
                    .map(|&d| (d as f64 + 1e-10).powf(self.config.priority_exponent))
                    .collect();
            }
            Some(support) => {
                // Target distribution at a*, projected (Algorithm 1).
                let atoms = support.atoms;
                let index = next_action.unsqueeze(2)?.repeat((1, 1, atoms))?;
                let next_probs = candle_core_softmax(&target_logits)?
                    .gather(&index, 1)?
                    .squeeze(1)?;
                let m = project_distribution(
                    support,
                    &next_probs.flatten_all()?.to_vec1()?,
                    &batch.returns,
                    &batch.discounts,
                )?;
                let m = Tensor::from_vec(m, (b, atoms), &self.device)?;
                // Cross-entropy with the online distribution at a_t.
                let index = actions.unsqueeze(2)?.repeat((1, 1, atoms))?;
                let chosen = logits.gather(&index, 1)?.squeeze(1)?;
                let log_p = log_softmax(&chosen)?;
                per_sample = (m * log_p)?.sum(1)?.neg()?;
                let loss: Vec<f32> = per_sample.to_vec1()?;
                priorities = loss
                    .iter()
                    .map(|&l| (l.max(0.0) as f64 + 1e-10).powf(self.config.priority_exponent))
                    .collect();
            }
        }

        // Importance weights (prioritized replay) and the mean loss.
        let loss = if self.config.prioritized {
            let w = importance_weights(&batch.probabilities, self.config.importance_exponent);
            let w = Tensor::from_vec(w, b, &self.device)?;
            (per_sample * w)?.mean_all()?
        } else {
            per_sample.mean_all()?
        };
        let mut grads = loss.backward()?;
        if let Some(max) = self.config.max_gradient_norm {
            clip_grad_norm(&self.online_store, &mut grads, max)?;
        }
        self.adam.step(&self.online_store, &grads)?;
        if self.config.prioritized {
            self.replay.update_priorities(&batch.slots, &priorities);
        }
        self.state.gradient_updates += 1;
        let loss = loss.to_scalar::<f32>()? as f64;
        self.state.loss_sum += loss;
        self.state.loss_count += 1;
        Ok(UpdateStats { loss })
    }

    /// Writes networks, optimizer, replay and counters into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), ValueError> {
        self.online_store.save(&dir.join("online.safetensors"))?;
        self.target_store.save(&dir.join("target.safetensors"))?;
        self.adam
            .save(&self.online_store, &dir.join("adam.safetensors"))?;
        let bytes = postcard::to_stdvec(&(&self.state, &self.replay))
            .map_err(|e| ValueError::Checkpoint(e.to_string()))?;
        std::fs::write(dir.join("learner.bin"), bytes)
            .map_err(|e| ValueError::Checkpoint(format!("{}: {e}", dir.display())))?;
        Ok(())
    }

    /// Reads what [`Learner::save`] wrote.
    pub fn load(&mut self, dir: &Path) -> Result<(), ValueError> {
        self.online_store.load(&dir.join("online.safetensors"))?;
        self.target_store.load(&dir.join("target.safetensors"))?;
        self.adam
            .load(&self.online_store, &dir.join("adam.safetensors"))?;
        let path = dir.join("learner.bin");
        let bytes = std::fs::read(&path)
            .map_err(|e| ValueError::Checkpoint(format!("{}: {e}", path.display())))?;
        let (state, replay): (LearnerState, Replay) = postcard::from_bytes(&bytes)
            .map_err(|e| ValueError::Checkpoint(format!("{}: {e}", path.display())))?;
        if replay.config() != self.replay.config() {
            return Err(ValueError::Checkpoint(
                "the checkpoint's replay was written for another configuration".into(),
            ));
        }
        self.state = state;
        self.replay = replay;
        Ok(())
    }
}

/// Huber loss with threshold 1: `0.5 x^2` for `|x| <= 1`, `|x| - 0.5` beyond.
fn huber(x: &Tensor) -> candle_core::Result<Tensor> {
    let abs = x.abs()?;
    let quadratic = abs.clamp(0f32, 1f32)?;
    let linear = (&abs - &quadratic)?;
    (quadratic.sqr()? * 0.5)? + linear
}

/// Softmax over the last dimension.
fn candle_core_softmax(x: &Tensor) -> candle_core::Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?;
    let e = x.broadcast_sub(&max)?.exp()?;
    e.broadcast_div(&e.sum_keepdim(D::Minus1)?)
}

/// Log-softmax over the last dimension.
fn log_softmax(x: &Tensor) -> candle_core::Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let shifted = x.broadcast_sub(&max)?;
    let lse = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    shifted.broadcast_sub(&lse)
}

#[cfg(test)]
mod tests {
    use super::*;

    use arcadia_engine::rng::{StreamKind, stream};
    use arcadia_nn::q_network::Torso;
    use arcadia_nn::replay::ObsRef;

    fn small_learner(config: ValueConfig) -> Learner {
        let obs = Space::Box {
            low: vec![-1.0; 3],
            high: vec![1.0; 3],
            shape: vec![3],
        };
        let mut learner = Learner::new(
            &config,
            &obs,
            &Space::Discrete { n: 2 },
            1,
            stream(5, StreamKind::Learner, 0),
        )
        .unwrap();
        learner
            .replay
            .start_episode(0, ObsRef::F32(&[0.0; 3]), &[])
            .unwrap();
        for t in 0..64u32 {
            let o = [t as f32 / 64.0, 0.5, -0.5];
            let done = t % 10 == 9;
            learner
                .replay
                .add(
                    0,
                    t % 2,
                    1.0,
                    done,
                    false,
                    (ObsRef::F32(&o), &[]),
                    done.then_some((ObsRef::F32(&[0.0; 3]), &[][..])),
                )
                .unwrap();
        }
        learner
    }

    fn config() -> ValueConfig {
        ValueConfig {
            torso: Torso::Mlp { hidden: vec![8] },
            hidden: None,
            frame_stack: 1,
            min_replay_history: 10,
            update_period: 2,
            target_update_period: 20,
            learning_rate: 1e-2,
            batch_size: 8,
            replay_capacity: 100,
            ..ValueConfig::dqn()
        }
    }

    #[test]
    fn action_values_rank_actions_as_the_greedy_policy() {
        for config in [
            config(),
            ValueConfig {
                num_atoms: 11,
                v_max: 2.0,
                dueling: true,
                ..config()
            },
        ] {
            let mut learner = small_learner(config);
            for _ in 0..40 {
                learner.advance(1).unwrap();
            }
            let obs: Vec<f32> = (0..12).map(|i| (i as f32 / 6.0) - 1.0).collect();
            let values = learner
                .action_values(BatchObs::F32(obs.clone()), Vec::new(), 4)
                .unwrap();
            let greedy = learner.greedy(BatchObs::F32(obs), Vec::new(), 4).unwrap();
            assert_eq!(values.len(), 4);
            for (q, a) in values.iter().zip(greedy) {
                assert_eq!(q.len(), 2);
                let best = if q[1] > q[0] { 1 } else { 0 };
                assert_eq!(best, a, "{q:?}");
            }
        }
    }

    #[test]
    fn target_network_is_copied_on_its_period_only() {
        let mut learner = small_learner(config());
        let initial = learner.target_params().flat_values().unwrap();
        assert_eq!(initial, learner.online_params().flat_values().unwrap());
        // Steps 1..=19: updates at 12, 14, ..., 18 change the online net, not the target.
        learner.advance(19).unwrap();
        assert_eq!(learner.state.gradient_updates, 4);
        assert_eq!(learner.target_params().flat_values().unwrap(), initial);
        assert_ne!(learner.online_params().flat_values().unwrap(), initial);
        // Step 20: an update, then the copy.
        learner.advance(1).unwrap();
        assert_eq!(learner.state.target_updates, 1);
        assert_eq!(
            learner.target_params().flat_values().unwrap(),
            learner.online_params().flat_values().unwrap()
        );
    }

    #[test]
    fn every_variant_updates_with_finite_losses() {
        for (name, variant) in [
            (
                "c51",
                ValueConfig {
                    num_atoms: 11,
                    ..config()
                },
            ),
            (
                "der",
                ValueConfig {
                    num_atoms: 11,
                    noisy: true,
                    dueling: true,
                    double_dqn: true,
                    prioritized: true,
                    update_horizon: 3,
                    max_gradient_norm: Some(1.0),
                    ..config()
                },
            ),
            (
                "mse",
                ValueConfig {
                    loss: Loss::Mse,
                    double_dqn: true,
                    ..config()
                },
            ),
        ] {
            let mut learner = small_learner(variant);
            let losses = learner.advance(40).unwrap();
            assert_eq!(losses.len(), 15, "{name}");
            assert!(
                losses.iter().all(|l| l.is_finite() && *l >= 0.0),
                "{name}: {losses:?}"
            );
        }
    }

    #[test]
    fn huber_is_quadratic_then_linear() {
        let x = Tensor::new(&[-3f32, -0.5, 0.0, 0.5, 2.0], &Device::Cpu).unwrap();
        let y: Vec<f32> = huber(&x).unwrap().to_vec1().unwrap();
        assert_eq!(y, vec![2.5, 0.125, 0.0, 0.125, 1.5]);
    }
}
