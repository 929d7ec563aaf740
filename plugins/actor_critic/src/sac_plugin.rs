//! The Bevy side of SAC and MT-SAC: observe, learn and act systems over every env entity in
//! [`EnvOrder`] order, and the agent's checkpoint part.
//!
//! - `AgentObserve` (training only): the transition `(s, a, r, terminated, s')` of every
//!   stepped env, `s` being the observation the action was chosen from and `s'` the final
//!   observation when the env auto-reset; truncation bootstraps, termination does not.
//! - `AgentLearn`: the updates the new transitions pay for; losses, temperatures, entropy
//!   and (MT-SAC) the critics' dormant ratio to the scalar log.
//! - `AgentAct`: one batched forward pass; uniform random actions before
//!   `learning_starts`, `tanh(mu + sigma eps)` with each env's own noise while training,
//!   `tanh(mu)` in an evaluation phase.

use arcadia_engine::prelude::*;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ActorCriticError;
use crate::sac::{SacConfig, SacLearner};

/// The SAC agent's state as a resource.
#[derive(Resource)]
pub struct SacAgent {
    /// The learner.
    pub learner: SacLearner,
    /// What the Bevy side keeps between updates (checkpointed with the learner).
    pub envs: SacEnvState,
    /// The name used in the scalar log (`sac`, `mt_sac`).
    pub name: &'static str,
}

/// Per-env bookkeeping: the observation each env's current action was chosen from.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SacEnvState {
    /// `s` of the pending transition of each env (`None`: no transition to store).
    pub last_obs: Vec<Option<Vec<f32>>>,
    /// The image of `s` of each env (pixel encoder only).
    pub last_pixels: Vec<Option<Vec<u8>>>,
    /// Transitions stored this update, handed to the learner in `AgentLearn`.
    pub new_transitions: u64,
    /// The phase seen at the last act (a change drops the pending transitions).
    pub last_phase_eval: bool,
}

/// SAC or MT-SAC as a plugin (the config decides which).
pub struct SacPlugin {
    config: SacConfig,
    name: &'static str,
}

impl SacPlugin {
    /// The plugin for `config`, logging under `name`.
    pub fn new(config: &SacConfig, name: &'static str) -> Self {
        SacPlugin {
            config: config.clone(),
            name,
        }
    }
}

/// Reports an agent error through the engine's step errors, so the runner stops with it.
fn report(errors: &StepErrors, error: ActorCriticError) {
    errors.push(0, EnvError::Simulation(error.to_string()));
}

impl Plugin for SacPlugin {
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
                ActorCriticError::Config("add the scene plugin before the SAC agent".into())
            })?;
            let seed = world.resource::<ExperimentSeed>().0;
            let learner = SacLearner::new(
                &self.config,
                &scene.observation_space,
                &scene.action_space,
                scene.tasks.len(),
                stream(seed, StreamKind::Learner, 0),
            )?;
            Ok::<_, ActorCriticError>((learner, scene.num_envs))
        })();
        match built {
            Ok((learner, num_envs)) => {
                world.insert_resource(SacAgent {
                    learner,
                    envs: SacEnvState {
                        last_obs: vec![None; num_envs],
                        last_pixels: vec![None; num_envs],
                        ..SacEnvState::default()
                    },
                    name: self.name,
                });
                let mut registry = world.get_resource_or_insert_with(CheckpointRegistry::default);
                registry.register(
                    "agent",
                    Box::new(|world, dir| {
                        let agent = world.resource::<SacAgent>();
                        agent
                            .learner
                            .save(dir)
                            .and_then(|_| {
                                crate::checkpoint::save(&dir.join("envs.bin"), &agent.envs)
                            })
                            .map_err(|e| CheckpointError::Mismatch(e.to_string()))
                    }),
                    Box::new(|world, dir| {
                        let mut agent = world.resource_mut::<SacAgent>();
                        agent
                            .learner
                            .load(dir)
                            .and_then(|_| {
                                agent.envs = crate::checkpoint::load(&dir.join("envs.bin"))?;
                                Ok(())
                            })
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

type EnvView<'a> = (
    &'a Observation,
    &'a FinalObservation,
    &'a Action,
    &'a Reward,
    &'a Terminated,
    &'a Truncated,
    &'a Stepped,
    Option<&'a TaskId>,
);

/// Stores every stepped env's transition in env-index order (training only).
pub fn observe(
    agent: Option<ResMut<SacAgent>>,
    phase: Res<Phase>,
    order: Res<EnvOrder>,
    envs: Query<EnvView>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    if phase.is_eval() {
        return;
    }
    let agent = &mut *agent;
    let scale = agent.learner.config.reward_scale as f32;
    let pixels = agent.learner.pixel_dim > 0;
    let result = (|| -> Result<(), ActorCriticError> {
        for (index, &entity) in order.0.iter().enumerate() {
            let Ok((obs, last, action, reward, term, trunc, stepped, task)) = envs.get(entity)
            else {
                continue;
            };
            let Some(slot) = agent.envs.last_obs.get_mut(index) else {
                continue;
            };
            let Some(s) = slot.take() else { continue };
            let s_pixels = agent
                .envs
                .last_pixels
                .get_mut(index)
                .and_then(Option::take)
                .unwrap_or_default();
            let Action::Continuous(a) = action else {
                continue;
            };
            if !stepped.0 {
                continue;
            }
            let done = term.0 || trunc.0;
            let next = if done { &last.0 } else { obs };
            let (next_pixels, next_values) = split_observation(next, pixels)?;
            let a = agent.learner.normalise_action(a);
            agent.learner.replay.push_with_pixels(
                index,
                (&s_pixels, &s),
                &a,
                reward.0 * scale,
                term.0,
                (next_pixels, next_values),
                task.map_or(0, |t| t.0 as u32),
            )?;
            agent.envs.new_transitions += 1;
        }
        Ok(())
    })();
    if let Err(e) = result {
        report(&errors, e);
    }
}

/// An observation as `(image bytes, f32 values)`: `([], vector)` without a pixel encoder,
/// `(image, auxiliary values)` with one.
fn split_observation(obs: &Observation, pixels: bool) -> Result<(&[u8], &[f32]), ActorCriticError> {
    if pixels {
        let image = obs.as_u8().ok_or_else(|| {
            ActorCriticError::Scene("SAC's pixel encoder needs image observations".into())
        })?;
        Ok((image, &obs.aux))
    } else {
        let values = obs.as_f32().ok_or_else(|| {
            ActorCriticError::Scene(
                "SAC needs vector observations (or `encoder: NatureCnn(...)` for images)".into(),
            )
        })?;
        Ok((&[], values))
    }
}

/// Runs the updates due for this update's transitions and logs their means.
pub fn learn(
    agent: Option<ResMut<SacAgent>>,
    phase: Res<Phase>,
    mut log: ResMut<ScalarLog>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    if phase.is_eval() {
        return;
    }
    let agent = &mut *agent;
    let count = std::mem::take(&mut agent.envs.new_transitions);
    let before = agent.learner.state.gradient_updates;
    if let Err(e) = agent.learner.advance(count) {
        return report(&errors, e);
    }
    let after = agent.learner.state.gradient_updates;
    let config = &agent.learner.config;
    let (log_every, dormant_every) = (config.log_every, config.dormant_every);
    if after / log_every > before / log_every
        && let Some([critic, actor, entropy]) = agent.learner.take_means()
    {
        log.log("critic_loss", critic);
        log.log("actor_loss", actor);
        log.log("entropy", entropy);
        if let Ok(alphas) = agent.learner.temperatures() {
            let mean = alphas.iter().map(|&a| a as f64).sum::<f64>() / alphas.len() as f64;
            log.log("alpha", mean);
        }
        log.log("gradient_updates", after as f64);
    }
    if dormant_every > 0 && after / dormant_every > before / dormant_every {
        match agent.learner.critic_dormant_ratio() {
            Ok(Some(ratio)) => log.log("critic_dormant_ratio", ratio),
            Ok(None) => {}
            Err(e) => report(&errors, e),
        }
    }
}

/// Chooses every env's action in one batched forward pass.
pub fn act(
    agent: Option<ResMut<SacAgent>>,
    phase: Res<Phase>,
    order: Res<EnvOrder>,
    scene: Res<SceneInfo>,
    mut envs: Query<(&Observation, Option<&TaskId>, &mut AgentRng, &mut Action)>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    let agent = &mut *agent;
    let eval = phase.is_eval();
    if eval != agent.envs.last_phase_eval {
        // The engine restarts the envs at a phase change: no transition spans it.
        agent.envs.last_obs.iter_mut().for_each(|s| *s = None);
        agent.envs.last_pixels.iter_mut().for_each(|s| *s = None);
        agent.envs.last_phase_eval = eval;
    }
    let learner = &agent.learner;
    let random = !eval && learner.state.transitions < learner.config.learning_starts;
    let n = order.0.len();
    let with_pixels = learner.pixel_dim > 0;
    let mut pixels = Vec::with_capacity(n * learner.pixel_dim);
    let mut obs = Vec::with_capacity(n * learner.obs_dim);
    let mut tasks = Vec::with_capacity(n);
    let mut noise = Vec::with_capacity(n * learner.act_dim);
    for &entity in &order.0 {
        let Ok((o, task, mut rng, _)) = envs.get_mut(entity) else {
            return report(
                &errors,
                ActorCriticError::Scene("an env entity is missing".into()),
            );
        };
        let (image, values) = match split_observation(o, with_pixels) {
            Ok(parts) => parts,
            Err(e) => return report(&errors, e),
        };
        pixels.extend_from_slice(image);
        obs.extend_from_slice(values);
        tasks.push(task.map_or(0, |t| t.0 as u32));
        if !eval && !random {
            noise.extend(learner.action_noise(&mut rng.0));
        }
    }
    let actions = if random {
        None
    } else {
        match learner.act_with_pixels(&pixels, &obs, &tasks, (!eval).then_some(&noise[..])) {
            Ok(a) => Some(a),
            Err(e) => return report(&errors, e),
        }
    };
    let (obs_dim, act_dim, pixel_dim) = (learner.obs_dim, learner.act_dim, learner.pixel_dim);
    for (i, &entity) in order.0.iter().enumerate() {
        if let Ok((_, _, mut rng, mut action)) = envs.get_mut(entity) {
            *action = match &actions {
                Some(a) => Action::Continuous(a[i * act_dim..(i + 1) * act_dim].to_vec()),
                None => scene.action_space.sample(&mut rng.0),
            };
            if !eval && let Some(slot) = agent.envs.last_obs.get_mut(i) {
                *slot = Some(obs[i * obs_dim..(i + 1) * obs_dim].to_vec());
                if with_pixels && let Some(slot) = agent.envs.last_pixels.get_mut(i) {
                    *slot = Some(pixels[i * pixel_dim..(i + 1) * pixel_dim].to_vec());
                }
            }
        }
    }
}
