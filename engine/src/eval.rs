//! Evaluation phases: training pauses, every env starts a fresh episode, agents act with
//! their evaluation policy and learn nothing, and the episodes are recorded apart from
//! training episodes.
//!
//! Agents read [`Phase`]: in [`Phase::Eval`] they act with their evaluation policy
//! (greedy, `epsilon_eval`, the mean action) and neither store transitions nor update.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether the run is training or evaluating.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Agents explore, store transitions and learn; steps count toward the budget.
    #[default]
    Train,
    /// Agents act with their evaluation policy and learn nothing; steps are not counted.
    Eval,
}

impl Phase {
    /// True during an evaluation phase.
    pub fn is_eval(self) -> bool {
        self == Phase::Eval
    }
}
