//! The learned rate model: a small MLP read from a safetensors file, run in plain Rust.
//!
//! As in Schwarzer et al. 2023, the network sees the context
//! `[current (nA), voltage (kV), beam x, beam y]` with the beam relative to the silicon in
//! bond lengths, rotated into the canonical frame where the neighbour nearest the beam sits
//! at `(1, 0)` and the others follow counter-clockwise. Its 4 softplus outputs are 3
//! neighbour logits and a total rate; the rate of neighbour `k` is
//! `softmax(logits)_k * total`.
//!
//! Symmetry: the canonical rotation makes the model invariant to the lattice's 3-fold
//! rotation; reflection symmetry (`y -> -y`, swapping the 2nd and 3rd neighbours) is
//! enforced by folding the beam into `y >= 0` before the forward pass, so any weights give
//! a model with both symmetries.
//!
//! # File layout
//!
//! | tensor | shape | meaning |
//! |---|---|---|
//! | `norm.mean`, `norm.var`, `norm.scale`, `norm.offset` (optional, all or none) | `[4]` | input batch norm (inference statistics), `eps` from metadata `norm_eps` (default `1e-5`) |
//! | `layers.{i}.weight` | `[out, in]` | dense layer `i` (`i = 0..L`) |
//! | `layers.{i}.bias` | `[out]` | its bias |
//!
//! Hidden layers use swish (`x * sigmoid(x)`), the last layer softplus; the first layer
//! takes 4 inputs and the last gives 4 outputs. `F32` or `F64` tensors are accepted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rand::Rng;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde::{Deserialize, Serialize};

use super::BeamSettings;
use crate::lattice::{BOND_LENGTH, Vec2};

/// Context length: current, voltage, beam x, beam y.
pub const INPUTS: usize = 4;
/// Outputs: 3 neighbour logits and a total rate.
pub const OUTPUTS: usize = 4;
/// The widest layer the forward pass supports (it runs on stack buffers).
pub const MAX_WIDTH: usize = 1024;

/// Why a learned rate model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LearnedRatesError {
    /// The file could not be read.
    #[error("{path}: cannot read rate model: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The bytes are not a valid safetensors file.
    #[error("not a safetensors file: {0}")]
    Format(String),
    /// A tensor the layout needs is absent.
    #[error("tensor `{0}` is missing (expected layers.0.weight, layers.0.bias, ...)")]
    Missing(String),
    /// A tensor has the wrong shape.
    #[error("tensor `{name}` has shape {found:?}, expected {expected}")]
    Shape {
        /// Tensor name.
        name: String,
        /// What the layout needs.
        expected: String,
        /// What the file has.
        found: Vec<usize>,
    },
    /// A tensor is neither F32 nor F64.
    #[error("tensor `{name}` has dtype {found}, expected F32 or F64")]
    Dtype {
        /// Tensor name.
        name: String,
        /// Its dtype.
        found: String,
    },
    /// A tensor holds NaN or infinity.
    #[error("tensor `{0}` holds a value that is not finite")]
    NotFinite(String),
    /// A layer is wider than [`MAX_WIDTH`].
    #[error("layer {layer} has {width} units, at most {MAX_WIDTH} are supported")]
    TooWide {
        /// Layer index.
        layer: usize,
        /// Its width.
        width: usize,
    },
}

/// A dense layer `y = W x + b` with `W` of shape `[outputs, inputs]`, row-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    /// Input width.
    pub inputs: usize,
    /// Output width.
    pub outputs: usize,
    /// Weights, `outputs x inputs`, row-major.
    pub weight: Vec<f32>,
    /// Biases, `outputs`.
    pub bias: Vec<f32>,
}

/// Input normalization with fixed statistics: `(x - mean) / sqrt(var + eps) * scale + offset`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputNorm {
    /// Running means, `[4]`.
    pub mean: Vec<f32>,
    /// Running variances, `[4]`.
    pub var: Vec<f32>,
    /// Learned scales, `[4]`.
    pub scale: Vec<f32>,
    /// Learned offsets, `[4]`.
    pub offset: Vec<f32>,
    /// Variance epsilon.
    pub eps: f32,
}

/// A learned rate model (see the module docs for the layout and the symmetries).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedRates {
    /// Optional input batch norm.
    pub norm: Option<InputNorm>,
    /// Dense layers, swish between them, softplus after the last.
    pub layers: Vec<Dense>,
}

/// A tensor's shape and values.
type Tensor = (Vec<usize>, Vec<f32>);

fn read_tensor(st: &SafeTensors<'_>, name: &str) -> Result<Option<Tensor>, LearnedRatesError> {
    let view = match st.tensor(name) {
        Ok(v) => v,
        Err(_) => return Ok(None),
    };
    let values: Vec<f32> = match view.dtype() {
        Dtype::F32 => view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        Dtype::F64 => view
            .data()
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32)
            .collect(),
        other => {
            return Err(LearnedRatesError::Dtype {
                name: name.to_string(),
                found: format!("{other:?}"),
            });
        }
    };
    if values.iter().any(|v| !v.is_finite()) {
        return Err(LearnedRatesError::NotFinite(name.to_string()));
    }
    Ok(Some((view.shape().to_vec(), values)))
}

fn require(
    st: &SafeTensors<'_>,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, LearnedRatesError> {
    let (found, values) =
        read_tensor(st, name)?.ok_or_else(|| LearnedRatesError::Missing(name.to_string()))?;
    if found != shape {
        return Err(LearnedRatesError::Shape {
            name: name.to_string(),
            expected: format!("{shape:?}"),
            found,
        });
    }
    Ok(values)
}

fn swish(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

fn softplus(x: f32) -> f32 {
    if x > 20.0 { x } else { x.exp().ln_1p() }
}

impl LearnedRates {
    /// Reads a model from a safetensors file.
    pub fn load(path: &Path) -> Result<Self, LearnedRatesError> {
        let bytes = std::fs::read(path).map_err(|source| LearnedRatesError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Reads a model from the bytes of a safetensors file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LearnedRatesError> {
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| LearnedRatesError::Format(e.to_string()))?;
        let eps = SafeTensors::read_metadata(bytes)
            .ok()
            .and_then(|(_, m)| {
                m.metadata()
                    .as_ref()
                    .and_then(|m| m.get("norm_eps").cloned())
            })
            .and_then(|s| s.parse::<f32>().ok())
            .unwrap_or(1e-5);
        let norm = if read_tensor(&st, "norm.mean")?.is_some() {
            Some(InputNorm {
                mean: require(&st, "norm.mean", &[INPUTS])?,
                var: require(&st, "norm.var", &[INPUTS])?,
                scale: require(&st, "norm.scale", &[INPUTS])?,
                offset: require(&st, "norm.offset", &[INPUTS])?,
                eps,
            })
        } else {
            None
        };
        let mut layers = Vec::new();
        let mut inputs = INPUTS;
        while let Some((shape, weight)) =
            read_tensor(&st, &format!("layers.{}.weight", layers.len()))?
        {
            let name = format!("layers.{}.weight", layers.len());
            if shape.len() != 2 || shape[1] != inputs {
                return Err(LearnedRatesError::Shape {
                    name,
                    expected: format!("[units, {inputs}]"),
                    found: shape,
                });
            }
            let outputs = shape[0];
            if outputs > MAX_WIDTH || outputs == 0 {
                return Err(LearnedRatesError::TooWide {
                    layer: layers.len(),
                    width: outputs,
                });
            }
            let bias = require(&st, &format!("layers.{}.bias", layers.len()), &[outputs])?;
            layers.push(Dense {
                inputs,
                outputs,
                weight,
                bias,
            });
            inputs = outputs;
        }
        if layers.is_empty() {
            return Err(LearnedRatesError::Missing("layers.0.weight".into()));
        }
        if inputs != OUTPUTS {
            return Err(LearnedRatesError::Shape {
                name: format!("layers.{}.weight", layers.len() - 1),
                expected: format!("[{OUTPUTS}, _] (3 neighbour logits and a total rate)"),
                found: vec![inputs, layers[layers.len() - 1].inputs],
            });
        }
        Ok(LearnedRates { norm, layers })
    }

    /// The model as safetensors bytes (the layout of the module docs, F32).
    pub fn to_bytes(&self) -> Result<Vec<u8>, LearnedRatesError> {
        let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let mut meta = HashMap::new();
        if let Some(n) = &self.norm {
            for (name, v) in [
                ("mean", &n.mean),
                ("var", &n.var),
                ("scale", &n.scale),
                ("offset", &n.offset),
            ] {
                tensors.push((format!("norm.{name}"), vec![v.len()], bytes(v)));
            }
            meta.insert("norm_eps".to_string(), n.eps.to_string());
        }
        for (i, l) in self.layers.iter().enumerate() {
            tensors.push((
                format!("layers.{i}.weight"),
                vec![l.outputs, l.inputs],
                bytes(&l.weight),
            ));
            tensors.push((format!("layers.{i}.bias"), vec![l.outputs], bytes(&l.bias)));
        }
        let views = tensors
            .iter()
            .map(|(name, shape, data)| {
                TensorView::new(Dtype::F32, shape.clone(), data)
                    .map(|v| (name.clone(), v))
                    .map_err(|e| LearnedRatesError::Format(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        safetensors::serialize(views, (!meta.is_empty()).then_some(meta))
            .map_err(|e| LearnedRatesError::Format(e.to_string()))
    }

    /// A randomly initialised network with the given hidden widths (for tests and as a
    /// template for trained weights): uniform `+-1/sqrt(fan_in)` weights, an input norm
    /// centred on the paper's beam.
    pub fn random<R: Rng + ?Sized>(hidden: &[usize], rng: &mut R) -> Self {
        let mut layers = Vec::new();
        let mut inputs = INPUTS;
        for &outputs in hidden.iter().chain(std::iter::once(&OUTPUTS)) {
            let bound = 1.0 / (inputs as f32).sqrt();
            layers.push(Dense {
                inputs,
                outputs,
                weight: (0..inputs * outputs)
                    .map(|_| rng.random_range(-bound..bound))
                    .collect(),
                bias: (0..outputs)
                    .map(|_| rng.random_range(-bound..bound))
                    .collect(),
            });
            inputs = outputs;
        }
        LearnedRates {
            norm: Some(InputNorm {
                mean: vec![0.1, 60.0, 0.0, 0.0],
                var: vec![0.01, 100.0, 1.0, 1.0],
                scale: vec![1.0; INPUTS],
                offset: vec![0.0; INPUTS],
                eps: 1e-5,
            }),
            layers,
        }
    }

    /// The raw network: context `[current, voltage, x, y]` -> 4 softplus outputs.
    pub fn forward(&self, context: [f32; INPUTS]) -> [f32; OUTPUTS] {
        let mut a = [0f32; MAX_WIDTH];
        let mut b = [0f32; MAX_WIDTH];
        a[..INPUTS].copy_from_slice(&context);
        if let Some(n) = &self.norm {
            for (k, x) in a[..INPUTS].iter_mut().enumerate() {
                *x = (*x - n.mean[k]) / (n.var[k] + n.eps).sqrt() * n.scale[k] + n.offset[k];
            }
        }
        let last = self.layers.len() - 1;
        for (li, layer) in self.layers.iter().enumerate() {
            let x = &a[..layer.inputs];
            for (o, out) in b[..layer.outputs].iter_mut().enumerate() {
                let row = &layer.weight[o * layer.inputs..(o + 1) * layer.inputs];
                let s: f32 = row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + layer.bias[o];
                *out = if li == last { softplus(s) } else { swish(s) };
            }
            std::mem::swap(&mut a, &mut b);
        }
        [a[0], a[1], a[2], a[3]]
    }

    /// Rates in the canonical frame for a canonical beam position (bonds): neighbour 0 at
    /// `(1, 0)`, then counter-clockwise. The beam is folded into `y >= 0` (reflection).
    pub fn canonical_rates(&self, beam_bonds: Vec2, settings: &BeamSettings) -> [f64; 3] {
        let reflect = beam_bonds.y < 0.0;
        let out = self.forward([
            settings.current_na as f32,
            settings.voltage_kv as f32,
            beam_bonds.x as f32,
            beam_bonds.y.abs() as f32,
        ]);
        let m = out[0].max(out[1]).max(out[2]);
        let e = [(out[0] - m).exp(), (out[1] - m).exp(), (out[2] - m).exp()];
        let total = out[3] as f64 / (e[0] + e[1] + e[2]) as f64;
        let r = e.map(|x| x as f64 * total);
        if reflect { [r[0], r[2], r[1]] } else { r }
    }

    /// Rates of the neighbours at offsets `neighbours` (Angstroms, any order) for the beam
    /// at offset `beam` from the silicon.
    pub fn rates(&self, beam: Vec2, neighbours: &[Vec2; 3], settings: &BeamSettings) -> [f64; 3] {
        // The neighbour nearest the beam defines the canonical rotation.
        let mut first = 0;
        for k in 1..3 {
            if (beam - neighbours[k]).length_squared() < (beam - neighbours[first]).length_squared()
            {
                first = k;
            }
        }
        let angle = neighbours[first].angle();
        let canonical = beam.rotated(-angle) * (1.0 / BOND_LENGTH);
        let r = self.canonical_rates(canonical, settings);
        // Canonical order: `first`, then counter-clockwise from it.
        let mut out = [0.0; 3];
        let ccw = |k: usize| (neighbours[k].angle() - angle).rem_euclid(std::f64::consts::TAU);
        for (k, slot) in out.iter_mut().enumerate() {
            let rank = if k == first {
                0
            } else {
                let others = (0..3).filter(|&m| m != first && m != k);
                1 + others.filter(|&m| ccw(m) < ccw(k)).count()
            };
            *slot = r[rank];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::canonical_neighbours;
    use rand::SeedableRng;

    fn net() -> LearnedRates {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        LearnedRates::random(&[16, 16], &mut rng)
    }

    #[test]
    fn safetensors_round_trip_keeps_the_network() {
        let n = net();
        let bytes = n.to_bytes().unwrap();
        let back = LearnedRates::from_bytes(&bytes).unwrap();
        assert_eq!(back, n);
    }

    #[test]
    fn rates_respect_rotation_and_reflection() {
        let n = net();
        let s = BeamSettings::default();
        let nb = canonical_neighbours();
        let beam = Vec2::new(0.8, 0.5);
        let r = n.rates(beam, &nb, &s);
        assert!(r.iter().all(|x| x.is_finite() && *x > 0.0));
        // 3-fold rotation: rotate everything by 120 degrees.
        let rot = std::f64::consts::TAU / 3.0;
        let r2 = n.rates(beam.rotated(rot), &nb.map(|v| v.rotated(rot)), &s);
        for k in 0..3 {
            assert!((r[k] - r2[k]).abs() < 1e-5 * r[k].max(1.0), "{r:?} {r2:?}");
        }
        // Neighbour order does not matter.
        let shuffled = [nb[2], nb[0], nb[1]];
        let r3 = n.rates(beam, &shuffled, &s);
        assert!((r3[0] - r[2]).abs() < 1e-9 && (r3[1] - r[0]).abs() < 1e-9);
        // Reflection about the x axis swaps the neighbours at +-120 degrees.
        let mirrored = Vec2::new(beam.x, -beam.y);
        let r4 = n.rates(mirrored, &nb, &s);
        assert!((r4[0] - r[0]).abs() < 1e-9);
        assert!((r4[1] - r[2]).abs() < 1e-9 && (r4[2] - r[1]).abs() < 1e-9);
    }

    #[test]
    fn bad_files_are_reported() {
        assert!(matches!(
            LearnedRates::from_bytes(b"not a file"),
            Err(LearnedRatesError::Format(_))
        ));
        let mut n = net();
        n.layers.pop();
        let bytes = n.to_bytes().unwrap();
        let err = LearnedRates::from_bytes(&bytes).unwrap_err();
        assert!(matches!(err, LearnedRatesError::Shape { .. }), "{err}");
        let missing = LearnedRates::load(Path::new("/nonexistent/rates.safetensors")).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("/nonexistent/rates.safetensors")
        );
    }
}
