//! The uniform random agent: every env draws its action from its own `AgentRng`.

use arcadia_engine::prelude::*;
use bevy::prelude::*;

/// Chooses a uniformly random action from the scene's action space for every env, every
/// step. Needs no network; deterministic for a seed (each env has its own stream).
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomAgentPlugin;

impl Plugin for RandomAgentPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, random_act.in_set(ArcadiaSet::AgentAct));
    }
}

/// Writes a random action into every env's `Action`.
pub fn random_act(scene: Res<SceneInfo>, mut envs: Query<(&mut AgentRng, &mut Action)>) {
    let space = &scene.action_space;
    envs.par_iter_mut().for_each(|(mut rng, mut action)| {
        *action = space.sample(&mut *rng);
    });
}
