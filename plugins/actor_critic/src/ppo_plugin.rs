//! The Bevy side of PPO: the rollout is filled in env-index order, learned from when it
//! holds `rollout_steps` steps of every env, and checkpointed with the weights.
//!
//! - `AgentAct`: one batched forward pass chooses every env's action (each env's own noise
//!   while training; the mean or mode in an evaluation phase) and records `(s, a,
//!   log pi_old, V_old)` as the pending step.
//! - `AgentObserve` (training only): completes the pending step with rewards and episode
//!   ends; a truncated episode gets `gamma V(final observation)` added to its last reward,
//!   so truncation bootstraps and termination does not.
//! - `AgentLearn`: when the rollout is full, `V(s_T)` of the current observations closes
//!   GAE and the PPO update runs; its losses, entropy, KL and clip fraction go to the log.

use arcadia_engine::prelude::*;
use bevy::prelude::*;

use crate::error::ActorCriticError;
use crate::ppo::{PpoConfig, PpoLearner, RolloutStep};

/// The PPO agent's state as a resource.
#[derive(Resource)]
pub struct PpoAgent {
    /// The learner.
    pub learner: PpoLearner,
    last_phase_eval: bool,
}

/// PPO as a plugin.
pub struct PpoPlugin {
    config: PpoConfig,
}

impl PpoPlugin {
    /// The plugin for `config`.
    pub fn new(config: &PpoConfig) -> Self {
        PpoPlugin {
            config: config.clone(),
        }
    }
}

fn report(errors: &StepErrors, error: ActorCriticError) {
    errors.push(0, EnvError::Simulation(error.to_string()));
}

impl Plugin for PpoPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            Update,
            (
                observe.in_set(ArcadiaSet::AgentObserve),
                learn.in_set(ArcadiaSet::AgentLearn),
                act.in_set(ArcadiaSet::AgentAct),
            ),
        );
    }

    fn finish(&self, app: &mut App) {
        let world = app.world_mut();
        let built = (|| {
            let scene = world.get_resource::<SceneInfo>().ok_or_else(|| {
                ActorCriticError::Config("add the scene plugin before the PPO agent".into())
            })?;
            let seed = world.resource::<ExperimentSeed>().0;
            PpoLearner::new(
                &self.config,
                &scene.observation_space,
                &scene.action_space,
                scene.num_envs,
                stream(seed, StreamKind::Learner, 0),
            )
        })();
        match built {
            Ok(learner) => {
                world.insert_resource(PpoAgent {
                    learner,
                    last_phase_eval: false,
                });
                let mut registry = world.get_resource_or_insert_with(CheckpointRegistry::default);
                registry.register(
                    "agent",
                    Box::new(|world, dir| {
                        world
                            .resource::<PpoAgent>()
                            .learner
                            .save(dir)
                            .map_err(|e| CheckpointError::Mismatch(e.to_string()))
                    }),
                    Box::new(|world, dir| {
                        world
                            .resource_mut::<PpoAgent>()
                            .learner
                            .load(dir)
                            .map_err(|e| CheckpointError::Mismatch(e.to_string()))
                    }),
                );
            }
            Err(e) => {
                world.init_resource::<StepErrors>();
                report(world.resource::<StepErrors>(), e);
            }
        }
    }
}

/// Appends one observation: its values to `values`, and with `pixels` its image to
/// `images` and its auxiliary values to `values`.
fn push_obs(
    o: &Observation,
    pixels: bool,
    images: &mut Vec<u8>,
    values: &mut Vec<f32>,
) -> Result<(), ActorCriticError> {
    match (&o.data, pixels) {
        (ObsData::F32(v), false) => values.extend_from_slice(v),
        (ObsData::U8(v), true) => {
            images.extend_from_slice(v);
            values.extend_from_slice(&o.aux);
        }
        (ObsData::U8(_), false) => {
            return Err(ActorCriticError::Scene(
                "PPO needs vector observations (or `encoder: NatureCnn(...)` for images)".into(),
            ));
        }
        (ObsData::F32(_), true) => {
            return Err(ActorCriticError::Scene(
                "PPO's pixel encoder needs image observations".into(),
            ));
        }
    }
    Ok(())
}

/// The observations of every env in order: `(images, f32 values)`.
fn gather_obs<'a>(
    order: &EnvOrder,
    pixels: bool,
    obs: impl Fn(Entity) -> Option<&'a Observation>,
) -> Result<(Vec<u8>, Vec<f32>), ActorCriticError> {
    let (mut images, mut values) = (Vec::new(), Vec::new());
    for &entity in &order.0 {
        let o = obs(entity)
            .ok_or_else(|| ActorCriticError::Scene("an env entity is missing".into()))?;
        push_obs(o, pixels, &mut images, &mut values)?;
    }
    Ok((images, values))
}

type EnvView<'a> = (
    &'a FinalObservation,
    &'a Reward,
    &'a Terminated,
    &'a Truncated,
    &'a Stepped,
);

/// Completes the pending step with rewards and episode ends (training only).
pub fn observe(
    agent: Option<ResMut<PpoAgent>>,
    phase: Res<Phase>,
    order: Res<EnvOrder>,
    envs: Query<EnvView>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    if phase.is_eval() {
        return;
    }
    let learner = &mut agent.learner;
    let Some(mut step) = learner.state.pending.take() else {
        return;
    };
    let n = order.0.len();
    let scale = learner.config.reward_scale as f32;
    let gamma = learner.config.gamma as f32;
    let result = (|| -> Result<(), ActorCriticError> {
        step.rewards = vec![0.0; n];
        step.dones = vec![false; n];
        let mut truncated = Vec::new();
        let mut finals = Vec::new();
        let mut final_images = Vec::new();
        let pixels = learner.pixel_dim > 0;
        for (i, &entity) in order.0.iter().enumerate() {
            let (last, reward, term, trunc, stepped) = envs
                .get(entity)
                .map_err(|_| ActorCriticError::Scene("an env entity is missing".into()))?;
            if !stepped.0 {
                // No transition for this env this update: the whole step is dropped.
                return Err(ActorCriticError::Scene(String::new()));
            }
            step.rewards[i] = reward.0 * scale;
            step.dones[i] = term.0 || trunc.0;
            if trunc.0 && !term.0 {
                truncated.push(i);
                push_obs(&last.0, pixels, &mut final_images, &mut finals)?;
            }
        }
        if !truncated.is_empty() {
            let values = learner.values_with_pixels(&final_images, &finals, truncated.len())?;
            for (k, &i) in truncated.iter().enumerate() {
                step.rewards[i] += gamma * values[k];
            }
        }
        learner.state.env_steps += n as u64;
        learner.state.rollout.push(step);
        Ok(())
    })();
    match result {
        Ok(()) => {}
        Err(ActorCriticError::Scene(m)) if m.is_empty() => {}
        Err(e) => report(&errors, e),
    }
}

/// Runs the PPO update when the rollout is full.
pub fn learn(
    agent: Option<ResMut<PpoAgent>>,
    phase: Res<Phase>,
    order: Res<EnvOrder>,
    obs: Query<&Observation>,
    mut log: ResMut<ScalarLog>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    if phase.is_eval() || !agent.learner.rollout_full() {
        return;
    }
    let learner = &mut agent.learner;
    let result = (|| {
        let (images, current) = gather_obs(&order, learner.pixel_dim > 0, |e| obs.get(e).ok())?;
        let last_values = learner.values_with_pixels(&images, &current, order.0.len())?;
        learner.update(&last_values)
    })();
    match result {
        Ok(stats) => {
            log.log("policy_loss", stats.policy_loss);
            log.log("value_loss", stats.value_loss);
            log.log("entropy", stats.entropy);
            log.log("approx_kl", stats.approx_kl);
            log.log("clip_fraction", stats.clip_fraction);
            log.log("learning_rate", stats.learning_rate);
        }
        Err(e) => report(&errors, e),
    }
}

/// Chooses every env's action in one batched forward pass and records the pending step.
pub fn act(
    agent: Option<ResMut<PpoAgent>>,
    phase: Res<Phase>,
    order: Res<EnvOrder>,
    mut envs: Query<(&Observation, &mut AgentRng, &mut Action)>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    let eval = phase.is_eval();
    if eval != agent.last_phase_eval {
        // The engine restarts the envs at a phase change: the unfinished step is dropped and
        // the last stored step ends its episodes as a truncation, bootstrapping from the
        // observations the dropped step was chosen from.
        if let Some(pending) = agent.learner.state.pending.take()
            && let Err(e) = agent
                .learner
                .truncate_rollout_with_pixels(&pending.pixels, &pending.obs)
        {
            return report(&errors, e);
        }
        agent.last_phase_eval = eval;
    }
    let learner = &mut agent.learner;
    let pixels = learner.pixel_dim > 0;
    let (images, obs) = match gather_obs(&order, pixels, |e| envs.get(e).ok().map(|(o, _, _)| o)) {
        Ok(o) => o,
        Err(e) => return report(&errors, e),
    };
    let n = order.0.len();
    let mut draws = Vec::with_capacity(n);
    if !eval {
        for &entity in &order.0 {
            if let Ok((_, mut rng, _)) = envs.get_mut(entity) {
                draws.push(learner.draw(&mut rng.0));
            }
        }
    }
    let chosen = learner.act_with_pixels(&images, &obs, n, eval, |i| {
        draws.get(i).cloned().unwrap_or_default()
    });
    let (env_actions, stored, log_probs, values) = match chosen {
        Ok(c) => c,
        Err(e) => return report(&errors, e),
    };
    let discrete = matches!(learner.kind, crate::ppo::PolicyKind::Categorical { .. });
    for (i, &entity) in order.0.iter().enumerate() {
        if let Ok((_, _, mut action)) = envs.get_mut(entity) {
            *action = if discrete {
                Action::Discrete(env_actions[i][0] as u32)
            } else {
                Action::Continuous(env_actions[i].clone())
            };
        }
    }
    if !eval {
        learner.state.pending = Some(RolloutStep {
            obs,
            pixels: images,
            actions: stored,
            log_probs,
            values,
            rewards: Vec::new(),
            dones: Vec::new(),
        });
    }
}
