//! The value agents' configuration: one struct whose defaults are Dopamine's DQN, and the
//! published configurations of C51, Rainbow, DER and DrQ(eps) as presets (also shipped as RON
//! files under `presets/`).

use arcadia_engine::config::check;
use arcadia_nn::q_network::Torso;
use serde::{Deserialize, Deserializer, Serialize};

/// The regression loss of scalar Q-learning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    /// Huber loss with threshold 1 (Mnih et al. 2015).
    #[default]
    Huber,
    /// `0.5 td^2`.
    Mse,
}

/// Everything a value agent needs. Fields left out take the values of the agent's preset
/// when the config is read as a [`ValueAgentConfig`] variant (`Der(learning_rate: 3e-4)`
/// is DER with another step size), and Dopamine's DQN values when read on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default = "preset_defaults::current")]
pub struct ValueConfig {
    /// The feature extractor: `NatureCnn` for images, `Mlp(hidden: [...])` for vectors.
    pub torso: Torso,
    /// Width of the dense layer after the torso (Nature DQN: 512); `None` for none.
    pub hidden: Option<usize>,
    /// Dueling head (Wang et al. 2016).
    pub dueling: bool,
    /// Noisy dense layers (Fortunato et al. 2018).
    pub noisy: bool,
    /// Atoms of the return distribution; 1 = scalar Q-learning, 51 = C51.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub num_atoms: usize,
    /// The support is `[-v_max, v_max]` (distributional agents only).
    #[serde(deserialize_with = "check::positive")]
    pub v_max: f64,
    /// Double Q-learning (van Hasselt et al. 2016): the online network picks the bootstrap
    /// action, the target network values it.
    pub double_dqn: bool,
    /// Discount per step.
    #[serde(deserialize_with = "check::probability")]
    pub gamma: f64,
    /// Steps of the n-step return.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub update_horizon: usize,
    /// Transitions stored before learning (and before epsilon starts to decay).
    pub min_replay_history: u64,
    /// Env steps (over all envs) per gradient update.
    #[serde(deserialize_with = "check::at_least_one")]
    pub update_period: u64,
    /// Env steps between target-network copies (1: every step).
    #[serde(deserialize_with = "check::at_least_one")]
    pub target_update_period: u64,
    /// Final exploration rate during training.
    #[serde(deserialize_with = "check::probability")]
    pub epsilon_train: f64,
    /// Exploration rate during the experiment's evaluation phases (`eval` in the experiment).
    #[serde(deserialize_with = "check::probability")]
    pub epsilon_eval: f64,
    /// Env steps over which epsilon decays from 1 to `epsilon_train` after the warm-up.
    pub epsilon_decay_period: u64,
    /// Adam step size.
    #[serde(deserialize_with = "check::positive")]
    pub learning_rate: f64,
    /// Adam's epsilon.
    #[serde(deserialize_with = "check::positive")]
    pub adam_epsilon: f64,
    /// Clip gradients to this global norm (`None`: no clipping, as Dopamine).
    #[serde(deserialize_with = "optional_positive")]
    pub max_gradient_norm: Option<f64>,
    /// Regression loss of scalar agents.
    pub loss: Loss,
    /// Transitions kept in the replay (over all envs).
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub replay_capacity: usize,
    /// Transitions per gradient update.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub batch_size: usize,
    /// Prioritized replay.
    pub prioritized: bool,
    /// Priority exponent alpha (Dopamine: 0.5).
    #[serde(deserialize_with = "check::non_negative")]
    pub priority_exponent: f64,
    /// Importance-sampling exponent beta (Dopamine: 0.5, fixed).
    #[serde(deserialize_with = "check::non_negative")]
    pub importance_exponent: f64,
    /// Rewards are clipped to `[-c, c]` before storage (`None`: not clipped).
    #[serde(deserialize_with = "optional_positive")]
    pub reward_clip: Option<f64>,
    /// A lost life ends the n-step returns as a terminal state while the game goes on
    /// (Dopamine's Atari-100k protocol; scenes report lives through `LifeLost`). Episodes,
    /// returns and evaluation still run to game over.
    pub terminal_on_life_loss: bool,
    /// Frames stacked in an image observation (storage stores each frame once); 1 for
    /// vector observations.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub frame_stack: usize,
    /// Random-shift augmentation of image batches (DrQ), padding in pixels (0: off).
    pub augmentation_pad: usize,
    /// Gradient updates between logged loss values.
    #[serde(deserialize_with = "check::at_least_one")]
    pub log_every: u64,
}

fn optional_positive<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    use serde::de::Error;
    let v = Option::<f64>::deserialize(d)?;
    match v {
        Some(x) if !(x.is_finite() && x > 0.0) => Err(D::Error::custom(format!(
            "expected a finite number > 0, found {x}"
        ))),
        _ => Ok(v),
    }
}

impl Default for ValueConfig {
    fn default() -> Self {
        ValueConfig::dqn()
    }
}

impl ValueConfig {
    /// Dopamine's DQN (`dopamine/jax/agents/dqn/configs/dqn.gin`).
    pub fn dqn() -> Self {
        ValueConfig {
            torso: Torso::NatureCnn,
            hidden: Some(512),
            dueling: false,
            noisy: false,
            num_atoms: 1,
            v_max: 10.0,
            double_dqn: false,
            gamma: 0.99,
            update_horizon: 1,
            min_replay_history: 20_000,
            update_period: 4,
            target_update_period: 8_000,
            epsilon_train: 0.01,
            epsilon_eval: 0.001,
            epsilon_decay_period: 250_000,
            learning_rate: 6.25e-5,
            adam_epsilon: 1.5e-4,
            max_gradient_norm: None,
            loss: Loss::Huber,
            replay_capacity: 1_000_000,
            batch_size: 32,
            prioritized: false,
            priority_exponent: 0.5,
            importance_exponent: 0.5,
            reward_clip: Some(1.0),
            terminal_on_life_loss: false,
            frame_stack: 4,
            augmentation_pad: 0,
            log_every: 100,
        }
    }

    /// Dopamine's C51: 51 atoms on `[-10, 10]`, uniform replay, lr 2.5e-4, eps 3.125e-4.
    pub fn c51() -> Self {
        ValueConfig {
            num_atoms: 51,
            learning_rate: 2.5e-4,
            adam_epsilon: 3.125e-4,
            ..ValueConfig::dqn()
        }
    }

    /// Dopamine's Rainbow: C51 with 3-step returns and prioritized replay, lr 6.25e-5,
    /// eps 1.5e-4 (Dopamine's Rainbow has neither dueling nor noisy nets nor double Q).
    pub fn rainbow() -> Self {
        ValueConfig {
            num_atoms: 51,
            update_horizon: 3,
            prioritized: true,
            learning_rate: 6.25e-5,
            adam_epsilon: 1.5e-4,
            ..ValueConfig::dqn()
        }
    }

    /// Data-efficient Rainbow (van Hasselt et al. 2019) as Dopamine's Atari-100k config: noisy,
    /// dueling, double, 51 atoms, 10-step returns, prioritized, update every step, target
    /// every 2000, epsilon 0.01 over 2000 steps, min replay 1600, Adam 1e-4 / 1.5e-4, a lost
    /// life terminal.
    pub fn der() -> Self {
        ValueConfig {
            noisy: true,
            dueling: true,
            double_dqn: true,
            num_atoms: 51,
            update_horizon: 10,
            prioritized: true,
            min_replay_history: 1600,
            update_period: 1,
            target_update_period: 2000,
            epsilon_decay_period: 2000,
            learning_rate: 1e-4,
            adam_epsilon: 1.5e-4,
            terminal_on_life_loss: true,
            ..ValueConfig::dqn()
        }
    }

    /// DrQ(eps) (Agarwal et al. 2021) as Dopamine's Atari-100k config: scalar DQN with
    /// 10-step returns, double Q, dueling, min replay 1600, update every step, target every
    /// step, epsilon 0.01 over 5000 steps, random shifts of 4 pixels, Adam 1e-4 / 1.5e-4, a
    /// lost life terminal.
    pub fn drq_eps() -> Self {
        ValueConfig {
            dueling: true,
            double_dqn: true,
            update_horizon: 10,
            min_replay_history: 1600,
            update_period: 1,
            target_update_period: 1,
            epsilon_decay_period: 5000,
            learning_rate: 1e-4,
            adam_epsilon: 1.5e-4,
            augmentation_pad: 4,
            terminal_on_life_loss: true,
            ..ValueConfig::dqn()
        }
    }

    /// The preset of that name (`dqn`, `c51`, `rainbow`, `der`, `drq_eps`).
    pub fn preset(name: &str) -> Option<Self> {
        Some(match name {
            "dqn" => ValueConfig::dqn(),
            "c51" => ValueConfig::c51(),
            "rainbow" => ValueConfig::rainbow(),
            "der" => ValueConfig::der(),
            "drq_eps" => ValueConfig::drq_eps(),
            _ => return None,
        })
    }

    /// Names of the presets.
    pub const PRESETS: [&'static str; 5] = ["dqn", "c51", "rainbow", "der", "drq_eps"];

    /// Cross-field checks; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.update_horizon >= self.replay_capacity {
            return Err(format!(
                "replay_capacity {} must exceed update_horizon {}",
                self.replay_capacity, self.update_horizon
            ));
        }
        if self.batch_size > self.replay_capacity {
            return Err(format!(
                "batch_size {} exceeds replay_capacity {}",
                self.batch_size, self.replay_capacity
            ));
        }
        Ok(())
    }
}

/// Reading a [`ValueConfig`] whose left-out fields take a preset's values: serde fills
/// missing fields from [`current`], which these functions point at the preset while they
/// read one config (positions in error messages are kept: the same deserializer reads it).
pub mod preset_defaults {
    use std::cell::RefCell;

    use serde::{Deserialize, Deserializer};

    use super::ValueConfig;

    thread_local! {
        static PRESET: RefCell<Option<ValueConfig>> = const { RefCell::new(None) };
    }

    /// The values of left-out fields: the preset being read, else DQN's.
    pub fn current() -> ValueConfig {
        PRESET
            .with(|p| p.borrow().clone())
            .unwrap_or_else(ValueConfig::dqn)
    }

    /// Puts the previous preset back when reading ends, even by unwinding.
    struct Restore(Option<ValueConfig>);

    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            PRESET.with(|p| *p.borrow_mut() = previous);
        }
    }

    fn read<'de, D: Deserializer<'de>>(preset: ValueConfig, d: D) -> Result<ValueConfig, D::Error> {
        let _restore = Restore(PRESET.with(|p| p.replace(Some(preset))));
        ValueConfig::deserialize(d)
    }

    /// Reads a config over [`ValueConfig::dqn`].
    pub fn dqn<'de, D: Deserializer<'de>>(d: D) -> Result<ValueConfig, D::Error> {
        read(ValueConfig::dqn(), d)
    }

    /// Reads a config over [`ValueConfig::c51`].
    pub fn c51<'de, D: Deserializer<'de>>(d: D) -> Result<ValueConfig, D::Error> {
        read(ValueConfig::c51(), d)
    }

    /// Reads a config over [`ValueConfig::rainbow`].
    pub fn rainbow<'de, D: Deserializer<'de>>(d: D) -> Result<ValueConfig, D::Error> {
        read(ValueConfig::rainbow(), d)
    }

    /// Reads a config over [`ValueConfig::der`].
    pub fn der<'de, D: Deserializer<'de>>(d: D) -> Result<ValueConfig, D::Error> {
        read(ValueConfig::der(), d)
    }

    /// Reads a config over [`ValueConfig::drq_eps`].
    pub fn drq_eps<'de, D: Deserializer<'de>>(d: D) -> Result<ValueConfig, D::Error> {
        read(ValueConfig::drq_eps(), d)
    }
}

/// The agents, as the experiment config names them: `agent: Der(...)` and so on. Fields
/// left out take the variant's preset values (`Der()` is Dopamine's DER).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ValueAgentConfig {
    /// DQN (Mnih et al. 2015).
    #[serde(deserialize_with = "preset_defaults::dqn")]
    Dqn(ValueConfig),
    /// C51 (Bellemare et al. 2017).
    #[serde(deserialize_with = "preset_defaults::c51")]
    C51(ValueConfig),
    /// Rainbow (Hessel et al. 2018), Dopamine's variant.
    #[serde(deserialize_with = "preset_defaults::rainbow")]
    Rainbow(ValueConfig),
    /// Data-efficient Rainbow (van Hasselt et al. 2019).
    #[serde(deserialize_with = "preset_defaults::der")]
    Der(ValueConfig),
    /// DrQ(eps) (Kostrikov et al. 2021; Agarwal et al. 2021).
    #[serde(deserialize_with = "preset_defaults::drq_eps")]
    DrqEps(ValueConfig),
}

impl ValueAgentConfig {
    /// The agent's name in run directories.
    pub fn name(&self) -> &'static str {
        match self {
            ValueAgentConfig::Dqn(_) => "dqn",
            ValueAgentConfig::C51(_) => "c51",
            ValueAgentConfig::Rainbow(_) => "rainbow",
            ValueAgentConfig::Der(_) => "der",
            ValueAgentConfig::DrqEps(_) => "drq_eps",
        }
    }

    /// The agent's plugin.
    pub fn plugin(&self) -> crate::plugin::ValueAgentPlugin {
        crate::plugin::plugin(self.config())
    }

    /// The configuration.
    pub fn config(&self) -> &ValueConfig {
        match self {
            ValueAgentConfig::Dqn(c)
            | ValueAgentConfig::C51(c)
            | ValueAgentConfig::Rainbow(c)
            | ValueAgentConfig::Der(c)
            | ValueAgentConfig::DrqEps(c) => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arcadia_engine::config::parse_ron;
    use std::path::Path;

    /// Both copies of each preset (the crate's `presets/` and the workspace's
    /// `assets/agents/`, where experiments point users) must equal the code's values.
    #[test]
    fn preset_files_equal_the_published_configs_in_code() {
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [
            crate_dir.join("presets"),
            crate_dir.join("../../assets/agents"),
        ] {
            for name in ValueConfig::PRESETS {
                let path = dir.join(format!("{name}.ron"));
                let text = std::fs::read_to_string(&path).unwrap();
                let parsed: ValueConfig = parse_ron(&text, &path).unwrap();
                assert_eq!(
                    parsed,
                    ValueConfig::preset(name).unwrap(),
                    "{}",
                    path.display()
                );
                parsed.validate().unwrap();
            }
        }
    }

    #[test]
    fn out_of_range_and_unknown_fields_are_reported_with_a_position() {
        let p = Path::new("agent.ron");
        let e = parse_ron::<ValueConfig>("(gamma: 1.5)", p).unwrap_err();
        assert!(e.to_string().contains("probability"), "{e}");
        let e = parse_ron::<ValueConfig>("(batch_sise: 32)", p).unwrap_err();
        assert!(e.to_string().contains("batch_sise"), "{e}");
        let e = parse_ron::<ValueConfig>("(learning_rate: -1.0)", p).unwrap_err();
        assert!(e.to_string().contains("agent.ron:1:"), "{e}");
    }

    #[test]
    fn partial_config_takes_its_presets_values_and_enum_names_the_agent() {
        let p = Path::new("x.ron");
        let c: ValueAgentConfig = parse_ron("Der(learning_rate: 3e-4)", p).unwrap();
        assert_eq!(c.name(), "der");
        assert_eq!(
            c.config(),
            &ValueConfig {
                learning_rate: 3e-4,
                ..ValueConfig::der()
            }
        );
        for name in ValueConfig::PRESETS {
            let variant = match name {
                "drq_eps" => "DrqEps".to_string(),
                "c51" => "C51".to_string(),
                _ => name[..1].to_uppercase() + &name[1..],
            };
            let c: ValueAgentConfig = parse_ron(&format!("{variant}()"), p).unwrap();
            assert_eq!(c.config(), &ValueConfig::preset(name).unwrap(), "{variant}");
        }
        // On its own a config takes DQN's values, also right after reading a preset.
        let c: ValueConfig = parse_ron("(noisy: true)", p).unwrap();
        assert_eq!(c.update_period, ValueConfig::dqn().update_period);
        // Errors inside a variant keep their position.
        let e = parse_ron::<ValueAgentConfig>("Der(\n  gamma: 2.0)", p).unwrap_err();
        assert!(e.to_string().contains("x.ron:2:"), "{e}");
    }
}
