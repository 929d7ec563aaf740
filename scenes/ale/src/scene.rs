//! The Bevy scene: env entities running ALE games through gymnasium-style preprocessing.
//!
//! Each env is an [`AtariPreprocessing`] over an [`Ale`] with sticky actions: NOOP starts,
//! frame skip with max-pooling of the last two frames, grayscale, 84x84 area resize and a
//! frame stack (Machado et al. 2018 / Dopamine's settings by default). Observations are
//! `u8` images of `frame_stack * channels` planes; actions index the minimal action set.

use std::sync::Arc;

use arcadia_engine::config::check;
use arcadia_engine::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::preprocess::{AtariPreprocessing, PreprocessConfig};
use crate::{Ale, AleConfig, AleError, Rom};

/// The scene's name in run directories.
pub const SCENE_NAME: &str = "ale";

/// Settings of the ALE scene, as embedded in an experiment (`scene: Ale(game: "pong")`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AleSceneConfig {
    /// ROM name (`"pong"`), MD5 or file path; names are looked up in the ROM registry, then
    /// among an installed ale-py's bundled ROMs.
    pub game: String,
    /// Game mode (`None`: the game's default).
    #[serde(default)]
    pub mode: Option<u32>,
    /// Difficulty (`None`: 0).
    #[serde(default)]
    pub difficulty: Option<u32>,
    /// Probability that the previous action repeats at each frame (sticky actions).
    #[serde(default = "default_sticky", deserialize_with = "check::probability")]
    pub repeat_action_probability: f64,
    /// Frame budget per episode before truncation (108,000 = 30 minutes at 60 Hz; 0: none).
    #[serde(default = "default_max_frames")]
    pub max_episode_frames: u64,
    /// gymnasium `AtariPreprocessing` + frame stacking (its `seed` is replaced per env).
    #[serde(default)]
    pub preprocessing: PreprocessConfig,
    /// CALE (Farebrother & Castro 2024): continuous actions `(r, theta, fire)` in
    /// `[0, 1] x [-pi, pi] x [0, 1]` over the full action set instead of discrete ones.
    #[serde(default)]
    pub continuous: bool,
    /// CALE's threshold on the joystick components and the fire value.
    #[serde(default = "default_threshold", deserialize_with = "check::probability")]
    pub continuous_action_threshold: f64,
}

fn default_threshold() -> f64 {
    0.5
}

fn default_sticky() -> f64 {
    0.25
}

fn default_max_frames() -> u64 {
    108_000
}

impl AleSceneConfig {
    /// A config for `game` with the defaults.
    pub fn new(game: impl Into<String>) -> Self {
        AleSceneConfig {
            game: game.into(),
            mode: None,
            difficulty: None,
            repeat_action_probability: default_sticky(),
            max_episode_frames: default_max_frames(),
            preprocessing: PreprocessConfig::default(),
            continuous: false,
            continuous_action_threshold: default_threshold(),
        }
    }

    /// Cross-field checks.
    pub fn validate(&self) -> Result<(), String> {
        let p = &self.preprocessing;
        if p.frame_skip == 0 || p.frame_stack == 0 || p.screen_size == 0 {
            return Err(
                "preprocessing: frame_skip, frame_stack and screen_size must be >= 1".into(),
            );
        }
        if self.game.trim().is_empty() {
            return Err("game: expected a ROM name such as \"pong\"".into());
        }
        Ok(())
    }

    fn ale_config(&self, random_seed: u32) -> AleConfig {
        AleConfig {
            random_seed,
            repeat_action_probability: self.repeat_action_probability as f32,
            frame_skip: 1,
            max_num_frames_per_episode: self.max_episode_frames,
            mode: self.mode,
            difficulty: self.difficulty,
            truncate_on_loss_of_life: false,
        }
    }

    /// Builds one env with its own seeds.
    pub fn build_env(&self, rom: &[u8], ale_seed: u32, noop_seed: u32) -> Result<AleEnv, AleError> {
        let ale = Ale::new(rom, self.ale_config(ale_seed))?;
        let preprocessing = PreprocessConfig {
            seed: noop_seed,
            full_action_space: self.preprocessing.full_action_space || self.continuous,
            ..self.preprocessing.clone()
        };
        Ok(AleEnv {
            env: AtariPreprocessing::new(ale, preprocessing)?,
            reset_error: None,
            continuous: self
                .continuous
                .then_some(self.continuous_action_threshold as f32),
        })
    }
}

/// One ALE env entity's simulator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AleEnv {
    env: AtariPreprocessing,
    /// A reset that failed (a mode that could not be selected, say), reported at the next step.
    reset_error: Option<String>,
    /// CALE's threshold when actions are continuous.
    continuous: Option<f32>,
}

impl AleEnv {
    /// The preprocessed environment.
    pub fn inner(&self) -> &AtariPreprocessing {
        &self.env
    }

    fn write(&self, obs: &mut Observation) {
        if let Some(out) = obs.as_u8_mut() {
            out.copy_from_slice(self.env.observation());
        }
    }
}

impl Environment for AleEnv {
    fn observation_space(&self) -> Space {
        let [stack, height, width, channels] = self.env.observation_shape();
        Space::Image {
            height,
            width,
            channels: stack * channels,
            aux: 0,
        }
    }

    fn action_space(&self) -> Space {
        match self.continuous {
            Some(_) => Space::Box {
                low: vec![0.0, -std::f32::consts::PI, 0.0],
                high: vec![1.0, std::f32::consts::PI, 1.0],
                shape: vec![3],
            },
            None => Space::Discrete {
                n: self.env.actions().len() as u32,
            },
        }
    }

    fn reset(&mut self, _rng: &mut EnvRng, obs: &mut Observation) {
        match self.env.reset() {
            Ok(_) => self.write(obs),
            Err(e) => self.reset_error = Some(e.to_string()),
        }
    }

    fn step(
        &mut self,
        action: &Action,
        _rng: &mut EnvRng,
        obs: &mut Observation,
    ) -> Result<StepOutcome, EnvError> {
        if let Some(error) = self.reset_error.take() {
            return Err(EnvError::Simulation(format!("reset failed: {error}")));
        }
        self.action_space().check(action)?;
        let outcome = match (action, self.continuous) {
            (Action::Continuous(a), Some(threshold)) => {
                // Clipped into the box, as CALE's environment does.
                let r = a[0].clamp(0.0, 1.0);
                let theta = a[1].clamp(-std::f32::consts::PI, std::f32::consts::PI);
                let fire = a[2].clamp(0.0, 1.0);
                self.env.step_continuous(r, theta, fire, threshold)
            }
            (Action::Discrete(index), None) => self.env.step(*index as usize),
            _ => unreachable!("the action was checked against the space"),
        }
        .map_err(|e| EnvError::Simulation(e.to_string()))?;
        self.write(obs);
        Ok(StepOutcome {
            reward: outcome.reward as f32,
            terminated: outcome.terminated,
            truncated: outcome.truncated,
            life_lost: outcome.life_lost,
            success: None,
        })
    }

    fn episode_metrics(&self) -> Vec<(String, f64)> {
        vec![(
            "episode_frames".into(),
            self.env.ale().episode_frame_number() as f64,
        )]
    }
}

/// The ALE scene with `num_envs` envs of `config` on `rom`. Each env gets its own sticky-
/// action and NOOP seeds from its env stream. Builds one env first so a bad mode or ROM is
/// an error here rather than at the first step.
pub fn plugin(
    config: &AleSceneConfig,
    rom: &Rom,
    num_envs: usize,
) -> Result<EnvPlugin<AleEnv>, AleError> {
    let prototype = config.build_env(&rom.bytes, 0, 0)?;
    let bytes: Arc<[u8]> = rom.bytes.clone().into();
    let config = config.clone();
    let game = rom.name.clone();
    Ok(EnvPlugin::new(SCENE_NAME, num_envs, move |_index, rng| {
        let (ale_seed, noop_seed) = (rng.random::<u32>() >> 1, rng.random::<u32>());
        config
            .build_env(&bytes, ale_seed, noop_seed)
            .unwrap_or_else(|_| prototype.clone())
    })
    .with_tasks(vec![game]))
}
