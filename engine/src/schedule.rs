//! The order of one `App::update`: one step of every environment.

use bevy::prelude::*;

/// The system sets of one update, run in this order in `Update`.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArcadiaSet {
    /// Each env entity reads its `Action`, advances its simulator, writes `Observation`,
    /// `Reward`, `Terminated` and `Truncated`.
    SceneStep,
    /// Finished envs keep their `FinalObservation`, reset, and report `EpisodeEnd`.
    SceneReset,
    /// Agents store transitions (replay or rollout buffers).
    AgentObserve,
    /// Agents update their networks on their own cadence.
    AgentLearn,
    /// Agents write the next `Action` of every env (one batched pass).
    AgentAct,
    /// Episode statistics, metrics files, counters.
    Record,
}

/// Configures the sets in their order; added by [`crate::ArcadiaPlugin`].
pub(crate) fn configure(app: &mut App) {
    app.configure_sets(
        Update,
        (
            ArcadiaSet::SceneStep,
            ArcadiaSet::SceneReset,
            ArcadiaSet::AgentObserve,
            ArcadiaSet::AgentLearn,
            ArcadiaSet::AgentAct,
            ArcadiaSet::Record,
        )
            .chain(),
    );
}
