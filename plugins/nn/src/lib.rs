#![doc = include_str!("../README.md")]

pub mod adam;
pub mod augment;
pub mod clip;
pub mod distributional;
pub mod dueling;
pub mod error;
mod fused;
pub mod gather;
mod heap;
pub mod impala;
pub mod init;
pub mod linear;
mod matmul;
pub mod mlp;
pub mod nature_cnn;
pub mod noisy_linear;
pub mod params;
pub mod q_network;
pub mod replay;
pub mod schedule;
pub mod sum_tree;
pub mod threads;
mod vector;

/// The building blocks in one `use`.
pub mod prelude {
    pub use crate::adam::{Adam, AdamConfig};
    pub use crate::augment::random_shift;
    pub use crate::clip::clip_grad_norm;
    pub use crate::distributional::{Support, project_distribution};
    pub use crate::dueling::dueling_aggregate;
    pub use crate::error::NnError;
    pub use crate::impala::Impala;
    pub use crate::init::Init;
    pub use crate::linear::Linear;
    pub use crate::mlp::Mlp;
    pub use crate::nature_cnn::NatureCnn;
    pub use crate::noisy_linear::NoisyLinear;
    pub use crate::params::ParamStore;
    pub use crate::q_network::{Dense, QNetwork, QNetworkConfig, Torso};
    pub use crate::replay::{Replay, ReplayConfig, SampledBatch};
    pub use crate::schedule::linearly_decaying_epsilon;
    pub use crate::sum_tree::SumTree;
}
