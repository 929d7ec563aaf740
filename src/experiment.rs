//! The experiment config: one RON file names the scene, the agent, the seed and the budget.
//!
//! ```ron
//! (
//!     name: "stem-greedy",
//!     seed: 0,
//!     steps: 20000,
//!     envs: 8,
//!     scene: Stem(goal_distance_a: (0.1, 50.0)),
//!     agent: Scripted,
//! )
//! ```

use std::path::Path;

use arcadia_actor_critic::ActorCriticConfig;
use arcadia_agents::prelude::*;
use arcadia_engine::config::{ConfigError, check, load_ron, to_ron};
use arcadia_engine::eval::EvalSchedule;
use arcadia_engine::scene::EnvPlugin;
use arcadia_value_agents::ValueConfig;
use arcadia_value_agents::config::preset_defaults;
use bevy::prelude::App;
use serde::{Deserialize, Serialize};

/// A whole experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Name of the experiment (the default run directory is `runs/NAME/seed-SEED`).
    #[serde(default = "default_name")]
    pub name: String,
    /// Experiment seed: every random stream derives from it.
    #[serde(default)]
    pub seed: u64,
    /// Budget in env steps, all envs together.
    #[serde(deserialize_with = "check::at_least_one")]
    pub steps: u64,
    /// Number of env entities stepped in parallel.
    #[serde(default = "one", deserialize_with = "check::at_least_one_usize")]
    pub envs: usize,
    /// Env steps between checkpoints (default: a tenth of the budget; 0 = only at the end).
    #[serde(default)]
    pub checkpoint_every: Option<u64>,
    /// The scene and its settings.
    pub scene: SceneConfig,
    /// The agent and its settings.
    #[serde(default)]
    pub agent: AgentConfig,
    /// Evaluation phases, e.g. `eval: (every: 50000, episodes: 10)`: training pauses, the
    /// agent acts with its evaluation policy, episodes go to `eval_episodes.csv` and the
    /// `eval` rounds of `summary.json` (none by default).
    #[serde(default)]
    pub eval: Option<EvalSchedule>,
}

fn default_name() -> String {
    "experiment".into()
}

fn one() -> usize {
    1
}

/// The scenes an experiment can run.
// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SceneConfig {
    /// A silicon dopant in graphene moved by a STEM beam (`arcadia-stem`).
    Stem(arcadia_stem::StemConfig),
    /// Atari 2600 games through ALE's semantics on the stella emulator (`arcadia-ale`).
    Ale(arcadia_ale::scene::AleSceneConfig),
    /// Meta-World-like manipulation on rapier3d (`arcadia-metaworld`): MT10 by default.
    MetaWorld(arcadia_metaworld::config::MetaWorldConfig),
}

/// The agents an experiment can run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum AgentConfig {
    /// Uniform random actions.
    #[default]
    Random,
    /// The scene's scripted controller.
    Scripted,
    /// DQN (Mnih et al. 2015); fields left out take Dopamine's DQN values.
    #[serde(deserialize_with = "preset_defaults::dqn")]
    Dqn(ValueConfig),
    /// C51 (Bellemare et al. 2017); fields left out: `assets/agents/c51.ron`.
    #[serde(deserialize_with = "preset_defaults::c51")]
    C51(ValueConfig),
    /// Rainbow (Hessel et al. 2018); fields left out: `assets/agents/rainbow.ron`.
    #[serde(deserialize_with = "preset_defaults::rainbow")]
    Rainbow(ValueConfig),
    /// Data-efficient Rainbow (van Hasselt et al. 2019); fields left out:
    /// `assets/agents/der.ron`.
    #[serde(deserialize_with = "preset_defaults::der")]
    Der(ValueConfig),
    /// DrQ(eps) (Kostrikov et al. 2021); fields left out: `assets/agents/drq_eps.ron`.
    #[serde(deserialize_with = "preset_defaults::drq_eps")]
    DrqEps(ValueConfig),
    /// Soft Actor-Critic (Haarnoja et al. 2018); start from `assets/agents/sac_*.ron`.
    Sac(arcadia_actor_critic::SacConfig),
    /// Multi-task SAC (McLean et al. 2025); start from `assets/agents/mt_sac_mt10.ron`.
    MtSac(arcadia_actor_critic::MtSacConfig),
    /// PPO (Schulman et al. 2017); start from `assets/agents/ppo_stem.ron`.
    Ppo(arcadia_actor_critic::PpoConfig),
}

impl AgentConfig {
    /// The agent's name in run directories and reports.
    pub fn name(&self) -> &'static str {
        if let Some(agent) = self.actor_critic() {
            return agent.name();
        }
        match self.value_agent() {
            Some(agent) => agent.name(),
            None if matches!(self, AgentConfig::Scripted) => "scripted",
            None => "random",
        }
    }

    /// The actor-critic agent this config names, if it is one.
    pub fn actor_critic(&self) -> Option<ActorCriticConfig> {
        Some(match self {
            AgentConfig::Sac(c) => ActorCriticConfig::Sac(c.clone()),
            AgentConfig::MtSac(c) => ActorCriticConfig::MtSac(c.clone()),
            AgentConfig::Ppo(c) => ActorCriticConfig::Ppo(c.clone()),
            _ => return None,
        })
    }

    /// The value-based agent this config names, if it is one.
    pub fn value_agent(&self) -> Option<arcadia_value_agents::ValueAgentConfig> {
        use arcadia_value_agents::ValueAgentConfig as V;
        Some(match self {
            AgentConfig::Random
            | AgentConfig::Scripted
            | AgentConfig::Sac(_)
            | AgentConfig::MtSac(_)
            | AgentConfig::Ppo(_) => return None,
            AgentConfig::Dqn(c) => V::Dqn(c.clone()),
            AgentConfig::C51(c) => V::C51(c.clone()),
            AgentConfig::Rainbow(c) => V::Rainbow(c.clone()),
            AgentConfig::Der(c) => V::Der(c.clone()),
            AgentConfig::DrqEps(c) => V::DrqEps(c.clone()),
        })
    }
}

impl SceneConfig {
    /// The scene's name.
    pub fn name(&self) -> &'static str {
        match self {
            SceneConfig::Stem(_) => "stem",
            SceneConfig::Ale(_) => "ale",
            SceneConfig::MetaWorld(_) => "metaworld",
        }
    }

    /// Checks values that must fit together (ranges are checked while parsing).
    pub fn validate(&self) -> Result<(), String> {
        match self {
            SceneConfig::Stem(c) => c.validate(),
            SceneConfig::Ale(c) => c.validate(),
            SceneConfig::MetaWorld(c) => c.validate(),
        }
    }

    /// Builds the scene plugin for `envs` env entities (loading what it needs: model
    /// weights, ROMs), so that failures are reported before a run starts.
    pub fn build(&self, envs: usize) -> Result<ScenePlugin, String> {
        Ok(match self {
            SceneConfig::Stem(c) => {
                ScenePlugin::Stem(arcadia_stem::plugin(c, envs).map_err(|e| e.to_string())?)
            }
            SceneConfig::Ale(c) => {
                let rom = arcadia_ale::RomRegistry::open_default()
                    .resolve_or_ale_py(&c.game)
                    .map_err(|e| e.to_string())?;
                ScenePlugin::Ale(
                    arcadia_ale::scene::plugin(c, &rom, envs).map_err(|e| e.to_string())?,
                )
            }
            SceneConfig::MetaWorld(c) => {
                ScenePlugin::MetaWorld(arcadia_metaworld::scene::plugin(c, envs))
            }
        })
    }
}

/// A scene plugin built from its config, ready to add to an App.
pub enum ScenePlugin {
    /// The STEM scene.
    Stem(EnvPlugin<arcadia_stem::StemEnv>),
    /// The ALE scene.
    Ale(EnvPlugin<arcadia_ale::scene::AleEnv>),
    /// The Meta-World scene.
    MetaWorld(EnvPlugin<arcadia_metaworld::env::MetaWorldEnv>),
}

impl ScenePlugin {
    /// Adds the scene to `app`.
    pub fn add_to(self, app: &mut App) {
        match self {
            ScenePlugin::Stem(p) => app.add_plugins(p),
            ScenePlugin::Ale(p) => app.add_plugins(p),
            ScenePlugin::MetaWorld(p) => app.add_plugins(p),
        };
    }
}

impl Experiment {
    /// Reads and validates an experiment file.
    pub fn load(path: &Path) -> Result<Experiment, ConfigError> {
        let experiment: Experiment = load_ron(path)?;
        experiment.validate(path)?;
        Ok(experiment)
    }

    /// Checks values that must fit together.
    pub fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        self.scene
            .validate()
            .and_then(|()| self.scene.build(1).map(drop))
            .map_err(|m| invalid(format!("scene {}: {m}", self.scene.name())))?;
        if let Some(agent) = self.agent.value_agent() {
            agent
                .config()
                .validate()
                .map_err(|m| invalid(format!("agent {}: {m}", agent.name())))?;
        }
        if let Some(agent) = self.agent.actor_critic() {
            agent
                .validate()
                .map_err(|m| invalid(format!("agent {}: {m}", agent.name())))?;
        }
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            return Err(invalid(format!(
                "name {:?} must be non-empty and contain no path separator",
                self.name
            )));
        }
        Ok(())
    }

    /// The config as the run directory keeps it (pretty RON, overrides applied).
    pub fn resolved(&self) -> String {
        to_ron(self).expect("experiment configs serialize")
    }

    /// Env steps between checkpoints.
    pub fn checkpoint_every(&self) -> u64 {
        self.checkpoint_every
            .unwrap_or_else(|| (self.steps / 10).max(self.envs as u64))
    }

    /// Builds the scene plugin; see [`SceneConfig::build`].
    pub fn build_scene(&self) -> Result<ScenePlugin, String> {
        self.scene.build(self.envs)
    }

    /// Adds the scene and agent plugins to a headless App.
    pub fn install(&self, app: &mut App, scene: ScenePlugin) {
        scene.add_to(app);
        if let Some(eval) = &self.eval {
            app.insert_resource(eval.clone());
        }
        if let Some(agent) = self.agent.actor_critic() {
            agent.add_to(app);
            return;
        }
        match (&self.agent, self.agent.value_agent()) {
            (_, Some(agent)) => app.add_plugins(agent.plugin()),
            (AgentConfig::Scripted, None) => app.add_plugins(ScriptedAgentPlugin),
            _ => app.add_plugins(RandomAgentPlugin),
        };
    }
}
