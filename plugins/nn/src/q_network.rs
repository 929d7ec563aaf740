//! The Q-network every value agent uses: a torso (MLP or Nature CNN), an optional hidden
//! dense layer, and a head that is plain or dueling, scalar or distributional, deterministic
//! or noisy (Dopamine's `FullRainbowNetwork` generalises all of DQN, C51, Rainbow and DER the
//! same way).
//!
//! Input `[batch, features]` (vector observations) or `[batch, c, h, w]` (images scaled to
//! `[0, 1]`), plus optional auxiliary features `[batch, aux]` concatenated after the torso.
//! Output: logits `[batch, actions, atoms]` (`atoms = 1`: the Q-values themselves).

use candle_core::Tensor;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::dueling::dueling_aggregate;
use crate::error::{NnError, Result};
use crate::impala::Impala;
use crate::init::Init;
use crate::linear::Linear;
use crate::mlp::Mlp;
use crate::nature_cnn::NatureCnn;
use crate::noisy_linear::NoisyLinear;
use crate::params::ParamStore;

/// The feature extractor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Torso {
    /// Dense layers with ReLU over a vector observation.
    Mlp {
        /// Widths of the hidden layers.
        hidden: Vec<usize>,
    },
    /// The Nature DQN convolutions over `[c, h, w]` images.
    NatureCnn,
    /// The Impala ResNet over `[c, h, w]` images, stage widths `(16, 32, 32) x width_scale`.
    Impala {
        /// Channel multiplier (BBF: 4).
        width_scale: usize,
    },
}

/// The shape of a Q-network.
#[derive(Clone, Debug, PartialEq)]
pub struct QNetworkConfig {
    /// The feature extractor.
    pub torso: Torso,
    /// Observation shape: `[features]` or `[c, h, w]`.
    pub observation_shape: Vec<usize>,
    /// Auxiliary features beside an image (0: none).
    pub aux: usize,
    /// Width of the dense layer after the torso (Nature DQN: 512); `None`: none.
    pub hidden: Option<usize>,
    /// Number of discrete actions.
    pub actions: usize,
    /// Atoms of the return distribution (1: scalar Q-values).
    pub atoms: usize,
    /// Dueling head.
    pub dueling: bool,
    /// Noisy dense layers (hidden and head).
    pub noisy: bool,
    /// Kernel initialisation of the deterministic layers.
    pub init: Init,
}

/// A dense layer that is deterministic or noisy.
#[derive(Clone, Debug)]
pub enum Dense {
    /// `y = x W^T + b`.
    Plain(Linear),
    /// Factorised noisy layer.
    Noisy(NoisyLinear),
}

impl Dense {
    fn new(
        store: &mut ParamStore,
        name: &str,
        (inputs, outputs): (usize, usize),
        noisy: bool,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        Ok(if noisy {
            Dense::Noisy(NoisyLinear::new(store, name, inputs, outputs, rng)?)
        } else {
            Dense::Plain(Linear::new(store, name, inputs, outputs, init, rng)?)
        })
    }

    /// `[batch, in] -> [batch, out]`; noisy layers draw noise from `rng` when given.
    pub fn forward(&self, x: &Tensor, rng: Option<&mut ChaCha8Rng>) -> Result<Tensor> {
        match self {
            Dense::Plain(l) => l.forward(x),
            Dense::Noisy(l) => l.forward(x, rng),
        }
    }

    /// `relu(forward(x))` (fused for deterministic layers on the CPU).
    pub fn forward_relu(&self, x: &Tensor, rng: Option<&mut ChaCha8Rng>) -> Result<Tensor> {
        match self {
            Dense::Plain(l) => l.forward_relu(x),
            Dense::Noisy(l) => Ok(l.forward(x, rng)?.relu()?),
        }
    }
}

#[derive(Clone, Debug)]
enum TorsoNet {
    Mlp(Mlp),
    Cnn(Box<NatureCnn>),
    Impala(Box<Impala>),
}

/// A Q-network (see the module docs for shapes).
#[derive(Clone, Debug)]
pub struct QNetwork {
    torso: TorsoNet,
    hidden: Option<Dense>,
    value: Option<Dense>,
    advantage: Dense,
    actions: usize,
    atoms: usize,
}

impl QNetwork {
    /// Creates the network's parameters in `store`, drawn from `rng`.
    pub fn new(
        config: &QNetworkConfig,
        store: &mut ParamStore,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        if config.actions == 0 || config.atoms == 0 {
            return Err(NnError::Config(
                "a Q-network needs at least one action and one atom".into(),
            ));
        }
        let (torso, features) = match (&config.torso, config.observation_shape.as_slice()) {
            (Torso::Mlp { hidden }, [d]) => {
                let mlp = Mlp::new(store, "torso", *d + config.aux, hidden, config.init, rng)?;
                let out = mlp.out_dim();
                (TorsoNet::Mlp(mlp), out)
            }
            (Torso::NatureCnn, [c, h, w]) => {
                let cnn = NatureCnn::new(store, "torso", (*c, *h, *w), config.init, rng)?;
                let out = cnn.out_dim() + config.aux;
                (TorsoNet::Cnn(Box::new(cnn)), out)
            }
            (Torso::Impala { width_scale }, [c, h, w]) => {
                let net =
                    Impala::new(store, "torso", (*c, *h, *w), *width_scale, config.init, rng)?;
                let out = net.out_dim() + config.aux;
                (TorsoNet::Impala(Box::new(net)), out)
            }
            (torso, shape) => {
                return Err(NnError::Config(format!(
                    "torso {torso:?} does not fit observations of shape {shape:?} (MLP: [features], Nature CNN and Impala: [c, h, w])"
                )));
            }
        };
        let (hidden, features) = match config.hidden {
            Some(h) => (
                Some(Dense::new(
                    store,
                    "hidden",
                    (features, h),
                    config.noisy,
                    config.init,
                    rng,
                )?),
                h,
            ),
            None => (None, features),
        };
        let value = if config.dueling {
            Some(Dense::new(
                store,
                "value",
                (features, config.atoms),
                config.noisy,
                config.init,
                rng,
            )?)
        } else {
            None
        };
        let advantage = Dense::new(
            store,
            "advantage",
            (features, config.actions * config.atoms),
            config.noisy,
            config.init,
            rng,
        )?;
        Ok(QNetwork {
            torso,
            hidden,
            value,
            advantage,
            actions: config.actions,
            atoms: config.atoms,
        })
    }

    /// Logits `[batch, actions, atoms]` for observations `x` and auxiliary features `aux`.
    /// Noisy layers draw fresh noise from `rng` when given, and use their mean weights without.
    pub fn forward(
        &self,
        x: &Tensor,
        aux: Option<&Tensor>,
        mut rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let batch = x.dim(0)?;
        let mut h = match &self.torso {
            TorsoNet::Mlp(mlp) => match aux {
                Some(a) => mlp.forward(&Tensor::cat(&[x, a], 1)?)?,
                None => mlp.forward(x)?,
            },
            TorsoNet::Cnn(_) | TorsoNet::Impala(_) => {
                let f = match &self.torso {
                    TorsoNet::Cnn(cnn) => cnn.forward(x)?,
                    TorsoNet::Impala(net) => net.forward(x)?,
                    TorsoNet::Mlp(_) => unreachable!("matched above"),
                };
                match aux {
                    Some(a) => Tensor::cat(&[&f, a], 1)?,
                    None => f,
                }
            }
        };
        if let Some(hidden) = &self.hidden {
            h = hidden.forward_relu(&h, rng.as_deref_mut())?;
        }
        let adv = self.advantage.forward(&h, rng.as_deref_mut())?.reshape((
            batch,
            self.actions,
            self.atoms,
        ))?;
        match &self.value {
            Some(v) => {
                let v = v.forward(&h, rng)?.reshape((batch, 1, self.atoms))?;
                dueling_aggregate(&v, &adv)
            }
            None => Ok(adv),
        }
    }

    /// Number of actions.
    pub fn actions(&self) -> usize {
        self.actions
    }

    /// Number of atoms.
    pub fn atoms(&self) -> usize {
        self.atoms
    }
}
