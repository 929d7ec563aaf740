//! The Bevy side: observe, learn and act systems over all env entities in [`EnvOrder`], and
//! the agent's checkpoint part.

use arcadia_engine::prelude::*;
use arcadia_nn::replay::{BatchObs, ObsRef};
use bevy::prelude::*;
use rand::Rng;

use crate::config::ValueConfig;
use crate::error::ValueError;
use crate::learner::Learner;

/// The value agent's state as a resource.
#[derive(Resource)]
pub struct ValueAgent {
    /// The learner.
    pub learner: Learner,
    /// Transitions stored this update, handed to the learner in `AgentLearn`.
    new_transitions: u64,
}

/// A value agent (DQN, C51, Rainbow, DER, DrQ(eps): the configuration decides which).
pub struct ValueAgentPlugin {
    config: ValueConfig,
}

/// The plugin for `config`.
pub fn plugin(config: &ValueConfig) -> ValueAgentPlugin {
    ValueAgentPlugin {
        config: config.clone(),
    }
}

/// Reports an agent error through the engine's step errors, so the runner stops with it
/// (reported as env 0's error, since the agent acts for all of them).
fn report(world_errors: &StepErrors, error: ValueError) {
    if let Ok(mut errors) = world_errors.0.lock() {
        errors.push((0, EnvError::Simulation(error.to_string())));
    }
}

impl Plugin for ValueAgentPlugin {
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
                ValueError::Config("add the scene plugin before the value agent".into())
            })?;
            let seed = world.resource::<ExperimentSeed>().0;
            Learner::new(
                &self.config,
                &scene.observation_space,
                &scene.action_space,
                scene.num_envs,
                stream(seed, StreamKind::Learner, 0),
            )
        })();
        match built {
            Ok(learner) => {
                world.insert_resource(ValueAgent {
                    learner,
                    new_transitions: 0,
                });
                let mut registry = world.get_resource_or_insert_with(CheckpointRegistry::default);
                registry.register(
                    "agent",
                    Box::new(|world, dir| {
                        world
                            .resource::<ValueAgent>()
                            .learner
                            .save(dir)
                            .map_err(|e| CheckpointError::Mismatch(e.to_string()))
                    }),
                    Box::new(|world, dir| {
                        world
                            .resource_mut::<ValueAgent>()
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

fn obs_ref(obs: &Observation) -> ObsRef<'_> {
    match &obs.data {
        ObsData::F32(v) => ObsRef::F32(v),
        ObsData::U8(v) => ObsRef::U8(v),
    }
}

type EnvView<'a> = (
    &'a Observation,
    &'a FinalObservation,
    &'a Action,
    &'a Reward,
    &'a Terminated,
    &'a Truncated,
    &'a LifeLost,
    &'a Stepped,
);

/// Stores every env's transition in env-index order (nothing during evaluation phases).
pub fn observe(
    agent: Option<ResMut<ValueAgent>>,
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
    let clip = agent.learner.config.reward_clip;
    let terminal_on_life_loss = agent.learner.config.terminal_on_life_loss;
    let result = (|| -> Result<(), ValueError> {
        for (index, &entity) in order.0.iter().enumerate() {
            let Ok((obs, last, action, reward, term, trunc, life_lost, stepped)) = envs.get(entity)
            else {
                continue;
            };
            let replay = &mut agent.learner.replay;
            let Action::Discrete(a) = action else {
                if !stepped.0 {
                    replay.start_episode(index, obs_ref(obs), &obs.aux)?;
                }
                continue;
            };
            if !stepped.0 {
                continue;
            }
            let r = match clip {
                Some(c) => reward.0.clamp(-c as f32, c as f32),
                None => reward.0,
            };
            let done = term.0 || trunc.0;
            let next = if done { &last.0 } else { obs };
            // Dopamine's Atari protocol: a lost life ends the returns, not the episode.
            let terminal = term.0 || (life_lost.0 && terminal_on_life_loss);
            replay.add(
                index,
                *a,
                r,
                terminal,
                trunc.0,
                (obs_ref(next), &next.aux),
                done.then(|| (obs_ref(obs), &obs.aux[..])),
            )?;
            agent.new_transitions += 1;
        }
        Ok(())
    })();
    if let Err(e) = result {
        report(&errors, e);
    }
}

/// Runs the gradient updates and target copies due for this update's transitions (none
/// during evaluation phases).
pub fn learn(
    agent: Option<ResMut<ValueAgent>>,
    phase: Res<Phase>,
    mut log: ResMut<ScalarLog>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    if phase.is_eval() {
        return;
    }
    let count = std::mem::take(&mut agent.new_transitions);
    let before = agent.learner.state.gradient_updates;
    match agent.learner.advance(count) {
        Ok(_) => {}
        Err(e) => return report(&errors, e),
    }
    let every = agent.learner.config.log_every;
    let after = agent.learner.state.gradient_updates;
    if after / every > before / every {
        let state = &mut agent.learner.state;
        let mean = state.loss_sum / state.loss_count.max(1) as f64;
        state.loss_sum = 0.0;
        state.loss_count = 0;
        log.log("loss", mean);
        log.log("epsilon", agent.learner.epsilon());
        log.log("gradient_updates", after as f64);
    }
}

/// Chooses every env's action: epsilon-greedy over one batched forward pass, with
/// `epsilon_eval` for evaluation envs and during evaluation phases.
pub fn act(
    agent: Option<ResMut<ValueAgent>>,
    phase: Res<Phase>,
    order: Res<EnvOrder>,
    mut envs: Query<(&Observation, &mut AgentRng, &mut Action)>,
    errors: Res<StepErrors>,
) {
    let Some(mut agent) = agent else { return };
    let learner = &mut agent.learner;
    let n = order.0.len();
    let pixels = learner.layout.pixels;
    let mut f32s = Vec::new();
    let mut u8s = Vec::new();
    let mut aux = Vec::new();
    for &entity in &order.0 {
        if let Ok((obs, _, _)) = envs.get(entity) {
            match &obs.data {
                ObsData::F32(v) => f32s.extend_from_slice(v),
                ObsData::U8(v) => u8s.extend_from_slice(v),
            }
            aux.extend_from_slice(&obs.aux);
        }
    }
    let batch = if pixels {
        BatchObs::U8(u8s)
    } else {
        BatchObs::F32(f32s)
    };
    let greedy = match learner.greedy(batch, aux, n) {
        Ok(g) => g,
        Err(e) => return report(&errors, e),
    };
    let epsilon_train = learner.epsilon();
    let epsilon_eval = learner.config.epsilon_eval;
    let actions = learner.actions as u32;
    for (i, &entity) in order.0.iter().enumerate() {
        let epsilon = if phase.is_eval() {
            epsilon_eval
        } else {
            epsilon_train
        };
        if let Ok((_, mut rng, mut action)) = envs.get_mut(entity) {
            // Dopamine's epsilon-greedy: one uniform draw, then a uniform random action.
            let explore = rng.random::<f64>() <= epsilon;
            let a = if explore {
                rng.random_range(0..actions)
            } else {
                greedy[i]
            };
            *action = Action::Discrete(a);
        }
    }
}
