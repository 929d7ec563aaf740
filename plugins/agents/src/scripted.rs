//! The scripted agent: the scene's own controller (its `Environment::scripted_action`).

use arcadia_engine::prelude::*;
use bevy::prelude::*;

/// Hands every env's action to the scene's scripted policy (a greedy or waypoint
/// controller that reads the simulator's state). Scenes without one report a clear error on
/// the first step.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptedAgentPlugin;

impl Plugin for ScriptedAgentPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ScriptedControl);
    }
}
