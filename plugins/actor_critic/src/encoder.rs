//! The pixel encoder option: the Nature DQN convolutions (`arcadia-nn`'s [`NatureCnn`]) over
//! `u8` images scaled by 1/255 once per batch, then a dense projection, as in Dopamine's
//! CALE networks (Farebrother & Castro 2024, `dopamine/labs/cale/networks.py`):
//!
//! - SAC ([`SacEncoder`]): one convolution stack shared by the actor and the critics. The
//!   critics read `relu(LayerNorm(W_c h))`, the actor `relu(W_a stop_gradient(h))`, `h` the
//!   flattened convolution features: only the critic loss trains the convolutions.
//! - PPO ([`PpoEncoder`]): convolutions and a `relu(W h)` projection per encoder (shared by
//!   policy and value, or one each, the `shared_encoder` switch).
//!
//! An image's auxiliary `f32` features (the STEM goal offset, say) are appended to the
//! projection's output. Images are `[channels, height, width]` per sample (NCHW), the
//! engine's layout for image observations.

use arcadia_engine::space::Space;
use arcadia_nn::init::Init;
use arcadia_nn::linear::Linear;
use arcadia_nn::nature_cnn::NatureCnn;
use arcadia_nn::params::ParamStore;
use candle_core::{D, DType, Device, Tensor};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{ActorCriticError, Result};

/// How observations reach the networks (`encoder:` in an agent config).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum EncoderConfig {
    /// Vector observations go straight into the MLPs.
    #[default]
    None,
    /// Image observations through the Nature CNN and a dense projection of `projection`
    /// units (512 in Dopamine's CALE agents).
    NatureCnn {
        /// Width of the projection after the convolutions.
        projection: usize,
    },
}

impl EncoderConfig {
    /// Whether observations are images.
    pub fn is_pixels(&self) -> bool {
        !matches!(self, EncoderConfig::None)
    }

    /// Checks the values.
    pub fn validate(&self) -> std::result::Result<(), String> {
        match self {
            EncoderConfig::NatureCnn { projection: 0 } => {
                Err("encoder projection must be >= 1".into())
            }
            _ => Ok(()),
        }
    }
}

/// The shape of image observations: `(channels, height, width)` and the auxiliary floats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelShape {
    /// Channels (stacked frames), height, width.
    pub chw: (usize, usize, usize),
    /// Auxiliary `f32` values per observation.
    pub aux: usize,
}

impl PixelShape {
    /// The image space's shape, or an error naming what the space is.
    pub fn of(space: &Space, agent: &str) -> Result<Self> {
        match space {
            Space::Image {
                height,
                width,
                channels,
                aux,
            } => Ok(PixelShape {
                chw: (*channels, *height, *width),
                aux: *aux,
            }),
            other => Err(ActorCriticError::Scene(format!(
                "{agent} with a pixel encoder needs image observations, the scene has a {} space (set `encoder: None`)",
                other.kind()
            ))),
        }
    }

    /// Bytes per image.
    pub fn bytes(&self) -> usize {
        self.chw.0 * self.chw.1 * self.chw.2
    }
}

/// `n` images `[n, c, h, w]` as `f32` in `[0, 1]`: one conversion for the whole batch.
pub fn images_to_tensor(
    pixels: &[u8],
    n: usize,
    shape: PixelShape,
    device: &Device,
) -> Result<Tensor> {
    let (c, h, w) = shape.chw;
    if pixels.len() != n * c * h * w {
        return Err(ActorCriticError::Scene(format!(
            "{} image bytes for {n} observations of {c} x {h} x {w}",
            pixels.len()
        )));
    }
    Ok(Tensor::from_slice(pixels, (n, c, h, w), device)?
        .to_dtype(DType::F32)?
        .affine(1.0 / 255.0, 0.0)?)
}

/// Layer normalisation over the last axis with a learned gain (ones) and bias (zeros),
/// epsilon 1e-6 (Flax's `nn.LayerNorm` defaults).
#[derive(Clone, Debug)]
pub struct LayerNorm {
    gain: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    /// Creates `name.scale` and `name.bias` for `width` features.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        width: usize,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        Ok(LayerNorm {
            gain: store.var(&format!("{name}.scale"), &[width], Init::Constant(1.0), rng)?,
            bias: store.var(&format!("{name}.bias"), &[width], Init::Constant(0.0), rng)?,
        })
    }

    /// `(x - mean) / sqrt(var + 1e-6) * gain + bias` per row of `[n, width]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mean = x.mean_keepdim(D::Minus1)?;
        let centred = x.broadcast_sub(&mean)?;
        let var = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(var + 1e-6)?.sqrt()?)?;
        Ok(normed
            .broadcast_mul(&self.gain)?
            .broadcast_add(&self.bias)?)
    }
}

/// Features of a batch for the actor and for the critics, `[n, width]` each.
#[derive(Clone, Debug)]
pub struct Features {
    /// The actor's input.
    pub actor: Tensor,
    /// The critics' input.
    pub critic: Tensor,
}

/// The convolutions and the critics' projection (trained by the critic loss); the actor's
/// projection lives with the actor ([`ActorProjection`]).
#[derive(Clone, Debug)]
pub struct SacEncoder {
    cnn: NatureCnn,
    projection: Linear,
    norm: LayerNorm,
}

/// The actor's projection over the (gradient-stopped) convolution features.
#[derive(Clone, Debug)]
pub struct ActorProjection(Linear);

/// Xavier-uniform kernels, as Dopamine's CALE encoder.
const ENCODER_INIT: Init = Init::XavierUniform;

impl SacEncoder {
    /// Creates `encoder.*` in `store` (the critic's, or the target critic's).
    pub fn new(
        store: &mut ParamStore,
        shape: PixelShape,
        projection: usize,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let cnn = NatureCnn::new(store, "encoder.cnn", shape.chw, ENCODER_INIT, rng)?;
        let linear = Linear::new(
            store,
            "encoder.critic_projection",
            cnn.out_dim(),
            projection,
            ENCODER_INIT,
            rng,
        )?;
        let norm = LayerNorm::new(store, "encoder.critic_norm", projection, rng)?;
        Ok(SacEncoder {
            cnn,
            projection: linear,
            norm,
        })
    }

    /// Width of the flattened convolution features.
    pub fn conv_dim(&self) -> usize {
        self.cnn.out_dim()
    }

    /// The convolution features `[n, conv_dim]` of images `[n, c, h, w]`.
    pub fn convolve(&self, images: &Tensor) -> Result<Tensor> {
        Ok(self.cnn.forward(images)?)
    }

    /// The critics' features `relu(LayerNorm(W_c h))` of convolution features `h`.
    pub fn critic_features(&self, conv: &Tensor) -> Result<Tensor> {
        Ok(self.norm.forward(&self.projection.forward(conv)?)?.relu()?)
    }
}

impl ActorProjection {
    /// Creates `encoder.actor_projection` in the actor's store.
    pub fn new(
        store: &mut ParamStore,
        conv_dim: usize,
        projection: usize,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        Ok(ActorProjection(Linear::new(
            store,
            "encoder.actor_projection",
            conv_dim,
            projection,
            ENCODER_INIT,
            rng,
        )?))
    }

    /// `relu(W_a stop_gradient(h))`.
    pub fn forward(&self, conv: &Tensor) -> Result<Tensor> {
        Ok(self.0.forward_relu(&conv.detach())?)
    }
}

/// PPO's pixel encoder: convolutions, then `relu(W h)`.
#[derive(Clone, Debug)]
pub struct PpoEncoder {
    cnn: NatureCnn,
    projection: Linear,
}

impl PpoEncoder {
    /// Creates `name.cnn.*` and `name.projection.*` in `store`.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        shape: PixelShape,
        projection: usize,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        let cnn = NatureCnn::new(store, &format!("{name}.cnn"), shape.chw, ENCODER_INIT, rng)?;
        let projection = Linear::new(
            store,
            &format!("{name}.projection"),
            cnn.out_dim(),
            projection,
            ENCODER_INIT,
            rng,
        )?;
        Ok(PpoEncoder { cnn, projection })
    }

    /// `[n, c, h, w] -> [n, projection]`.
    pub fn forward(&self, images: &Tensor) -> Result<Tensor> {
        Ok(self.projection.forward_relu(&self.cnn.forward(images)?)?)
    }
}

/// `[a, b]` joined along the feature axis, skipping empty parts.
pub fn concat_features(parts: &[&Tensor]) -> Result<Tensor> {
    let kept: Vec<&Tensor> = parts
        .iter()
        .copied()
        .filter(|t| t.dim(1).map(|d| d > 0).unwrap_or(false))
        .collect();
    match kept.len() {
        0 => Err(ActorCriticError::Config("a network with no inputs".into())),
        1 => Ok(kept[0].clone()),
        _ => Ok(Tensor::cat(&kept, 1)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn layer_norm_centres_and_scales_rows() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut store = ParamStore::new(Device::Cpu);
        let ln = LayerNorm::new(&mut store, "ln", 4, &mut rng).unwrap();
        let x = Tensor::from_slice(
            &[1f32, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 14.0],
            (2, 4),
            &Device::Cpu,
        )
        .unwrap();
        let y: Vec<Vec<f32>> = ln.forward(&x).unwrap().to_vec2().unwrap();
        for row in &y {
            let mean = row.iter().sum::<f32>() / 4.0;
            let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 4.0;
            assert!(mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3, "{row:?}");
        }
        // Row 2: (10, 10, 10, 14) has mean 11 and std sqrt(3).
        assert!((y[1][3] - 3.0 / 3f32.sqrt()).abs() < 1e-3);
    }

    #[test]
    fn images_are_scaled_once_to_unit_range() {
        let shape = PixelShape {
            chw: (1, 2, 2),
            aux: 0,
        };
        let t = images_to_tensor(&[0, 51, 255, 102], 1, shape, &Device::Cpu).unwrap();
        let v: Vec<f32> = t.flatten_all().unwrap().to_vec1().unwrap();
        for (got, want) in v.iter().zip([0.0f32, 0.2, 1.0, 0.4]) {
            assert!((got - want).abs() < 1e-6, "{v:?}");
        }
        assert!(images_to_tensor(&[0, 1, 2], 1, shape, &Device::Cpu).is_err());
        assert!(PixelShape::of(&Space::uniform_box(0.0, 1.0, 3), "SAC").is_err());
    }

    #[test]
    fn the_actor_projection_stops_gradients_into_the_convolutions() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let shape = PixelShape {
            chw: (2, 36, 36),
            aux: 0,
        };
        let mut critic = ParamStore::new(Device::Cpu);
        let enc = SacEncoder::new(&mut critic, shape, 8, &mut rng).unwrap();
        let mut actor = ParamStore::new(Device::Cpu);
        let proj = ActorProjection::new(&mut actor, enc.conv_dim(), 8, &mut rng).unwrap();
        let pixels: Vec<u8> = (0..2 * 2 * 36 * 36).map(|i| (i * 7 % 251) as u8).collect();
        let x = images_to_tensor(&pixels, 2, shape, &Device::Cpu).unwrap();
        let h = enc.convolve(&x).unwrap();
        let actor_loss = proj.forward(&h).unwrap().sum_all().unwrap();
        let grads = actor_loss.backward().unwrap();
        assert!(critic.vars().iter().all(|(_, v)| grads.get(v).is_none()));
        assert!(actor.vars().iter().any(|(_, v)| grads.get(v).is_some()));
        let critic_loss = enc.critic_features(&h).unwrap().sum_all().unwrap();
        let grads = critic_loss.backward().unwrap();
        let conv0 = &critic.vars()[0];
        assert!(conv0.0.contains("cnn") && grads.get(&conv0.1).is_some());
    }
}
