//! The scene contract in Bevy: env entities built from an [`Environment`], stepped in
//! parallel, auto-reset, with their episode ends reported as [`EpisodeEnd`] messages.

use std::path::Path;
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ExperimentSeed;
use crate::checkpoint::{CheckpointError, CheckpointRegistry, load_value, save_value};
use crate::components::*;
use crate::env::{EnvError, Environment};
use crate::eval::EnvRestart;
use crate::record::EpisodeEnd;
use crate::rng::{AgentRng, EnvRng, StreamKind, stream};
use crate::schedule::ArcadiaSet;
use crate::space::Space;

/// What the running scene is: its name, tasks and spaces. Inserted by the scene plugin.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct SceneInfo {
    /// The scene's name (`stem`, `ale`, ...).
    pub name: String,
    /// Task names, indexed by [`TaskId`].
    pub tasks: Vec<String>,
    /// Number of env entities.
    pub num_envs: usize,
    /// The observation space shared by all envs.
    pub observation_space: Space,
    /// The action space shared by all envs.
    pub action_space: Space,
}

/// Env entities in [`EnvIndex`] order: agents iterate this to build deterministic batches.
#[derive(Resource, Clone, Debug, Default)]
pub struct EnvOrder(pub Vec<Entity>);

/// Errors the envs reported this update; the runner stops with them.
#[derive(Resource, Debug, Default)]
pub struct StepErrors(pub Mutex<Vec<(usize, EnvError)>>);

impl StepErrors {
    /// Records an error of env `index`.
    pub fn push(&self, index: usize, error: EnvError) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((index, error));
    }

    /// Takes the errors recorded so far, in env order.
    pub fn take(&self) -> Vec<(usize, EnvError)> {
        let mut errors = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        errors.sort_by_key(|(i, _)| *i);
        errors
    }
}

/// Marker resource: the scene's scripted policy chooses every env's action.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct ScriptedControl;

/// The simulator of one env entity.
#[derive(Component)]
pub struct EnvInstance<E: Environment>(pub E);

type EnvFactory<E> = Arc<dyn Fn(EnvIndex, &mut EnvRng) -> E + Send + Sync>;

/// Turns an [`Environment`] into a scene: spawns `num_envs` env entities (each with its own
/// random streams from the experiment seed and its index), steps them in parallel in
/// [`ArcadiaSet::SceneStep`], auto-resets finished ones in [`ArcadiaSet::SceneReset`], and
/// checkpoints them. Add it after [`crate::ArcadiaPlugin`].
pub struct EnvPlugin<E: Environment> {
    name: String,
    tasks: Vec<String>,
    num_envs: usize,
    factory: EnvFactory<E>,
}

impl<E: Environment> EnvPlugin<E> {
    /// A scene named `name` of `num_envs` envs built by `factory` (given the env's index and
    /// its env stream, for per-env variation).
    pub fn new(
        name: impl Into<String>,
        num_envs: usize,
        factory: impl Fn(EnvIndex, &mut EnvRng) -> E + Send + Sync + 'static,
    ) -> Self {
        EnvPlugin {
            name: name.into(),
            tasks: vec!["default".to_string()],
            num_envs,
            factory: Arc::new(factory),
        }
    }

    /// Sets the names of the scene's tasks (indexed by [`Environment::task`]).
    pub fn with_tasks(mut self, tasks: Vec<String>) -> Self {
        self.tasks = tasks;
        self
    }
}

impl<E: Environment> Plugin for EnvPlugin<E> {
    fn build(&self, app: &mut App) {
        let seed = app
            .world()
            .get_resource::<ExperimentSeed>()
            .expect("add ArcadiaPlugin before a scene plugin")
            .0;
        let mut order = Vec::with_capacity(self.num_envs);
        let mut spaces = None;
        for i in 0..self.num_envs {
            let index = EnvIndex(i);
            let mut rng = EnvRng(stream(seed, StreamKind::Env, i as u64));
            let mut env = (self.factory)(index, &mut rng);
            let obs_space = env.observation_space();
            let mut obs = Observation::zeros(&obs_space);
            env.reset(&mut rng, &mut obs);
            let task = TaskId(env.task());
            spaces.get_or_insert_with(|| (obs_space, env.action_space()));
            let entity = app
                .world_mut()
                .spawn((
                    EnvInstance(env),
                    index,
                    task,
                    rng,
                    AgentRng(stream(seed, StreamKind::Agent, i as u64)),
                    FinalObservation(obs.clone()),
                    obs,
                    Action::Unset,
                    Reward::default(),
                    Terminated::default(),
                    Truncated::default(),
                    LifeLost::default(),
                    Stepped::default(),
                    EpisodeStats::default(),
                    EpisodeMetrics::default(),
                ))
                .id();
            order.push(entity);
        }
        let (observation_space, action_space) =
            spaces.unwrap_or((Space::Discrete { n: 0 }, Space::Discrete { n: 0 }));
        app.insert_resource(SceneInfo {
            name: self.name.clone(),
            tasks: self.tasks.clone(),
            num_envs: self.num_envs,
            observation_space,
            action_space,
        })
        .insert_resource(EnvOrder(order))
        .add_systems(
            Update,
            (
                restart_envs::<E>.run_if(|restart: Res<EnvRestart>| restart.0),
                step_envs::<E>,
            )
                .chain()
                .in_set(ArcadiaSet::SceneStep),
        )
        .add_systems(
            Update,
            (reset_envs::<E>, report_episode_ends)
                .chain()
                .in_set(ArcadiaSet::SceneReset),
        )
        .add_systems(
            Update,
            scripted_act::<E>
                .run_if(resource_exists::<ScriptedControl>)
                .in_set(ArcadiaSet::AgentAct),
        );
        let mut registry = app
            .world_mut()
            .get_resource_or_insert_with(CheckpointRegistry::default);
        registry.register(
            "scene",
            Box::new(|world, dir| save_envs::<E>(world, dir)),
            Box::new(|world, dir| load_envs::<E>(world, dir)),
        );
    }
}

/// Steps every env that has an action, in parallel.
#[allow(clippy::type_complexity)]
pub fn step_envs<E: Environment>(
    mut envs: Query<(
        &mut EnvInstance<E>,
        &EnvIndex,
        &Action,
        &mut EnvRng,
        &mut Observation,
        &mut Reward,
        &mut Terminated,
        &mut Truncated,
        &mut LifeLost,
        &mut Stepped,
        &mut EpisodeStats,
    )>,
    errors: Res<StepErrors>,
) {
    envs.par_iter_mut().for_each(
        |(
            mut env,
            index,
            action,
            mut rng,
            mut obs,
            mut reward,
            mut term,
            mut trunc,
            mut life_lost,
            mut stepped,
            mut stats,
        )| {
            if matches!(action, Action::Unset) {
                stepped.0 = false;
                return;
            }
            match env.0.step(action, &mut rng, &mut obs) {
                Ok(outcome) => {
                    stepped.0 = true;
                    reward.0 = outcome.reward;
                    term.0 = outcome.terminated;
                    trunc.0 = outcome.truncated;
                    life_lost.0 = outcome.life_lost;
                    stats.episode_return += outcome.reward as f64;
                    stats.length += 1;
                    if let Some(success) = outcome.success {
                        stats.success = Some(stats.success.unwrap_or(false) || success);
                    }
                }
                Err(error) => {
                    stepped.0 = false;
                    errors.push(index.0, error);
                }
            }
        },
    );
}

/// Starts a fresh episode in every env (when the phase changes, see [`crate::eval`]): the
/// episodes in progress are dropped unrecorded, and no env steps in this update.
#[allow(clippy::type_complexity)]
pub fn restart_envs<E: Environment>(
    mut envs: Query<(
        &mut EnvInstance<E>,
        &mut EnvRng,
        &mut Observation,
        &mut Action,
        &mut Reward,
        &mut Terminated,
        &mut Truncated,
        &mut EpisodeStats,
        &mut EpisodeMetrics,
    )>,
) {
    envs.par_iter_mut().for_each(
        |(
            mut env,
            mut rng,
            mut obs,
            mut action,
            mut reward,
            mut term,
            mut trunc,
            mut stats,
            mut metrics,
        )| {
            env.0.reset(&mut rng, &mut obs);
            *action = Action::Unset;
            *reward = Reward::default();
            *term = Terminated::default();
            *trunc = Truncated::default();
            *stats = EpisodeStats {
                episodes: stats.episodes,
                ..Default::default()
            };
            metrics.0.clear();
        },
    );
}

/// Resets finished envs in parallel, keeping their last observation as [`FinalObservation`].
#[allow(clippy::type_complexity)]
pub fn reset_envs<E: Environment>(
    mut envs: Query<(
        &mut EnvInstance<E>,
        &mut EnvRng,
        &mut Observation,
        &mut FinalObservation,
        &mut EpisodeMetrics,
        &Stepped,
        &Terminated,
        &Truncated,
    )>,
) {
    envs.par_iter_mut().for_each(
        |(mut env, mut rng, mut obs, mut last, mut metrics, stepped, term, trunc)| {
            if stepped.0 && is_done(term, trunc) {
                metrics.0 = env.0.episode_metrics();
                std::mem::swap(&mut *obs, &mut last.0);
                env.0.reset(&mut rng, &mut obs);
            }
        },
    );
}

/// Reports the episodes that ended this update, in env order, and clears their statistics.
pub fn report_episode_ends(
    order: Res<EnvOrder>,
    mut envs: Query<(
        &EnvIndex,
        &TaskId,
        &Stepped,
        &Terminated,
        &Truncated,
        &mut EpisodeStats,
        &EpisodeMetrics,
    )>,
    mut ends: MessageWriter<EpisodeEnd>,
) {
    for &entity in &order.0 {
        let Ok((index, task, stepped, term, trunc, mut stats, metrics)) = envs.get_mut(entity)
        else {
            continue;
        };
        if stepped.0 && is_done(term, trunc) {
            ends.write(EpisodeEnd {
                env: index.0,
                task: task.0,
                episode_return: stats.episode_return,
                length: stats.length,
                success: stats.success,
                terminated: term.0,
                metrics: metrics.0.clone(),
            });
            let episodes = stats.episodes + 1;
            *stats = EpisodeStats {
                episodes,
                ..Default::default()
            };
        }
    }
}

/// The `Scripted` reference agent: asks each env's scripted policy for its action.
pub fn scripted_act<E: Environment>(
    mut envs: Query<(
        &EnvInstance<E>,
        &EnvIndex,
        &Observation,
        &mut EnvRng,
        &mut Action,
    )>,
    errors: Res<StepErrors>,
) {
    envs.par_iter_mut()
        .for_each(|(env, index, obs, mut rng, mut action)| {
            match env.0.scripted_action(obs, &mut rng) {
                Some(a) => *action = a,
                None => errors.push(
                    index.0,
                    EnvError::Simulation(
                        "this scene has no scripted policy; choose another agent".into(),
                    ),
                ),
            }
        });
}

#[derive(Serialize, Deserialize)]
struct EnvSnapshot<E> {
    index: EnvIndex,
    env: E,
    rng: EnvRng,
    agent_rng: AgentRng,
    observation: Observation,
    final_observation: FinalObservation,
    action: Action,
    reward: Reward,
    terminated: Terminated,
    truncated: Truncated,
    life_lost: LifeLost,
    stepped: Stepped,
    stats: EpisodeStats,
}

#[allow(clippy::type_complexity)]
fn save_envs<E: Environment>(world: &mut World, dir: &Path) -> Result<(), CheckpointError> {
    let order = world.resource::<EnvOrder>().0.clone();
    let mut query = world.query::<(
        &EnvIndex,
        &EnvInstance<E>,
        &EnvRng,
        &AgentRng,
        &Observation,
        &FinalObservation,
        &Action,
        &Reward,
        &Terminated,
        &Truncated,
        &LifeLost,
        &Stepped,
        &EpisodeStats,
    )>();
    let mut snapshots = Vec::with_capacity(order.len());
    for entity in order {
        let Ok((
            index,
            env,
            rng,
            agent_rng,
            obs,
            last,
            action,
            reward,
            term,
            trunc,
            life_lost,
            stepped,
            stats,
        )) = query.get(world, entity)
        else {
            continue;
        };
        snapshots.push(EnvSnapshotRef {
            index,
            env: &env.0,
            rng,
            agent_rng,
            observation: obs,
            final_observation: last,
            action,
            reward,
            terminated: term,
            truncated: trunc,
            life_lost,
            stepped,
            stats,
        });
    }
    save_value(&dir.join("envs.bin"), &snapshots)
}

/// Borrowing twin of [`EnvSnapshot`], so saving copies nothing.
#[derive(Serialize)]
struct EnvSnapshotRef<'a, E> {
    index: &'a EnvIndex,
    env: &'a E,
    rng: &'a EnvRng,
    agent_rng: &'a AgentRng,
    observation: &'a Observation,
    final_observation: &'a FinalObservation,
    action: &'a Action,
    reward: &'a Reward,
    terminated: &'a Terminated,
    truncated: &'a Truncated,
    life_lost: &'a LifeLost,
    stepped: &'a Stepped,
    stats: &'a EpisodeStats,
}

fn load_envs<E: Environment>(world: &mut World, dir: &Path) -> Result<(), CheckpointError> {
    let snapshots: Vec<EnvSnapshot<E>> = load_value(&dir.join("envs.bin"))?;
    let order = world.resource::<EnvOrder>().0.clone();
    if snapshots.len() != order.len() {
        return Err(CheckpointError::Mismatch(format!(
            "checkpoint has {} envs, the scene has {}",
            snapshots.len(),
            order.len()
        )));
    }
    for snapshot in snapshots {
        let Some(&entity) = order.get(snapshot.index.0) else {
            return Err(CheckpointError::Mismatch(format!(
                "checkpoint names env {} of {}",
                snapshot.index.0,
                order.len()
            )));
        };
        world.entity_mut(entity).insert((
            EnvInstance(snapshot.env),
            snapshot.rng,
            snapshot.agent_rng,
            snapshot.observation,
            snapshot.final_observation,
            snapshot.action,
            snapshot.reward,
            snapshot.terminated,
            snapshot.truncated,
            snapshot.life_lost,
            snapshot.stepped,
            snapshot.stats,
        ));
    }
    Ok(())
}
