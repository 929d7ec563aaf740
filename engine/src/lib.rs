#![doc = include_str!("../README.md")]

pub mod bench;
pub mod checkpoint;
pub mod components;
pub mod config;
pub mod env;
pub mod eval;
pub mod record;
pub mod rng;
pub mod run;
pub mod scene;
pub mod schedule;
pub mod space;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use checkpoint::{CheckpointRegistry, load_value, save_value};
use record::{EpisodeEnd, RunStats, ScalarLog};
use run::MetricsLengths;
use scene::StepErrors;

/// Everything a scene or agent author needs in one `use`.
pub mod prelude {
    pub use crate::checkpoint::{CheckpointError, CheckpointRegistry};
    pub use crate::components::{
        Action, EnvIndex, EpisodeMetrics, EpisodeStats, FinalObservation, LifeLost, ObsData,
        Observation, Reward, Stepped, TaskId, Terminated, Truncated, is_done,
    };
    pub use crate::env::{EnvError, Environment, StepOutcome};
    pub use crate::eval::{EnvRestart, EvalSchedule, Phase};
    pub use crate::record::{EpisodeEnd, RunStats, ScalarLog};
    pub use crate::rng::{AgentRng, EnvRng, StreamKind, stream};
    pub use crate::run::{Progress, RunSpec, Summary, Trainer, headless_app};
    pub use crate::scene::{EnvOrder, EnvPlugin, SceneInfo, ScriptedControl, StepErrors};
    pub use crate::schedule::ArcadiaSet;
    pub use crate::space::{ActionError, Space};
    pub use crate::{ArcadiaPlugin, ExperimentSeed};
}

/// The experiment seed every random stream derives from.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExperimentSeed(pub u64);

/// Seconds of wall time the run has spent, summed over resumed pieces (never in metrics).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WallClock(pub f64);

/// The Arcadia core: the system sets in their order, episode messages, run counters,
/// metrics recording and the checkpoint registry. Add it before scene and agent plugins.
pub struct ArcadiaPlugin {
    /// The experiment seed.
    pub seed: u64,
}

#[derive(Serialize, Deserialize)]
struct EngineState {
    stats: RunStats,
    metrics_lengths: MetricsLengths,
    wall_clock: WallClock,
    phase: eval::Phase,
    eval: eval::EvalState,
    restart: eval::EnvRestart,
}

impl Plugin for ArcadiaPlugin {
    fn build(&self, app: &mut App) {
        schedule::configure(app);
        app.insert_resource(ExperimentSeed(self.seed))
            .add_message::<EpisodeEnd>()
            .init_resource::<StepErrors>()
            .init_resource::<eval::Phase>()
            .init_resource::<eval::EvalState>()
            .init_resource::<eval::EnvRestart>()
            .init_resource::<ScalarLog>()
            .init_resource::<RunStats>()
            .init_resource::<MetricsLengths>()
            .init_resource::<WallClock>()
            .add_systems(
                Update,
                (record::record, eval::track)
                    .chain()
                    .in_set(schedule::ArcadiaSet::Record),
            );
        let mut registry = app
            .world_mut()
            .get_resource_or_insert_with(CheckpointRegistry::default);
        registry.register(
            "engine",
            Box::new(|world, dir| {
                let state = EngineState {
                    stats: world.resource::<RunStats>().clone(),
                    metrics_lengths: *world.resource::<MetricsLengths>(),
                    wall_clock: *world.resource::<WallClock>(),
                    phase: *world.resource::<eval::Phase>(),
                    eval: world.resource::<eval::EvalState>().clone(),
                    restart: *world.resource::<eval::EnvRestart>(),
                };
                save_value(&dir.join("engine.bin"), &state)
            }),
            Box::new(|world, dir| {
                let state: EngineState = load_value(&dir.join("engine.bin"))?;
                world.insert_resource(state.stats);
                world.insert_resource(state.metrics_lengths);
                world.insert_resource(state.wall_clock);
                world.insert_resource(state.phase);
                world.insert_resource(state.eval);
                world.insert_resource(state.restart);
                Ok(())
            }),
        );
    }
}
