//! Window gathers (im2col) for convolutions and pooling, as a candle op whose backward is a
//! direct scatter-add (candle's generic `index_add` and its CPU `conv2d` backward are several
//! times slower for these shapes). Input `[batch, len]` (a flattened feature map), output
//! `[batch, index.len()]`, `out[b, j] = in[b, index[j]]`, or `fill` where `index[j]` is
//! [`PAD`] (padding).

use std::sync::Arc;

use candle_core::{CpuStorage, CustomOp1, DType, Layout as CandleLayout, Shape, Tensor};

use crate::error::Result;

/// The index of a padding element.
pub const PAD: u32 = u32::MAX;

/// How a feature map is laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[batch, channels, height, width]` (observations).
    Nchw,
    /// `[batch, height, width, channels]` (the convolution outputs, as Flax).
    Nhwc,
}

/// For every output position `(oy, ox)`, channel `c` and window offset `(ky, kx)`, in that
/// order: the offset of the input element, or [`PAD`] outside the input. `pad` is the
/// padding before the first row and column.
pub fn window_index(
    (channels, height, width, layout): (usize, usize, usize, Layout),
    (kernel, stride, pad): (usize, usize, usize),
    (oh, ow): (usize, usize),
) -> Vec<u32> {
    let mut index = Vec::with_capacity(oh * ow * channels * kernel * kernel);
    for oy in 0..oh {
        for ox in 0..ow {
            for c in 0..channels {
                for ky in 0..kernel {
                    for kx in 0..kernel {
                        let y = (oy * stride + ky) as isize - pad as isize;
                        let x = (ox * stride + kx) as isize - pad as isize;
                        if y < 0 || x < 0 || y >= height as isize || x >= width as isize {
                            index.push(PAD);
                            continue;
                        }
                        let (y, x) = (y as usize, x as usize);
                        let offset = match layout {
                            Layout::Nchw => (c * height + y) * width + x,
                            Layout::Nhwc => (y * width + x) * channels + c,
                        };
                        index.push(offset as u32);
                    }
                }
            }
        }
    }
    index
}

/// `index` as a tensor for [`gather_rows`]' fallback: [`PAD`] becomes `len` (a fill column).
pub fn index_tensor(index: &[u32], len: usize, device: &candle_core::Device) -> Result<Tensor> {
    let remapped: Vec<u32> = index
        .iter()
        .map(|&i| if i == PAD { len as u32 } else { i })
        .collect();
    Ok(Tensor::from_vec(remapped, index.len(), device)?)
}

struct Gather {
    index: Arc<Vec<u32>>,
    len: usize,
    fill: f32,
}

impl CustomOp1 for Gather {
    fn name(&self) -> &'static str {
        "arcadia-window-gather"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &CandleLayout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (start, end) = layout.contiguous_offsets().ok_or_else(|| {
            candle_core::Error::Msg("window gather needs a contiguous input".into())
        })?;
        let x = &storage.as_slice::<f32>()?[start..end];
        let batch = x.len() / self.len;
        let n = self.index.len();
        let mut out = Vec::with_capacity(batch * n);
        for row in x.chunks_exact(self.len) {
            out.extend(self.index.iter().map(
                |&i| {
                    if i == PAD { self.fill } else { row[i as usize] }
                },
            ));
        }
        Ok((CpuStorage::F32(out), Shape::from((batch, n))))
    }

    fn bwd(
        &self,
        arg: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        let grad = grad_res.flatten_all()?.to_vec1::<f32>()?;
        let n = self.index.len();
        let batch = grad.len() / n;
        let mut out = vec![0f32; batch * self.len];
        for (dst, src) in out.chunks_exact_mut(self.len).zip(grad.chunks_exact(n)) {
            for (&i, &g) in self.index.iter().zip(src) {
                if i != PAD {
                    dst[i as usize] += g;
                }
            }
        }
        Ok(Some(Tensor::from_vec(out, arg.shape(), arg.device())?))
    }
}

/// Gathers `x` (`[batch, len]`) at `index` with `fill` for [`PAD`]; `columns` is
/// [`index_tensor`] of the same index, used on devices other than the CPU.
pub fn gather_rows(
    x: &Tensor,
    index: &Arc<Vec<u32>>,
    columns: &Tensor,
    fill: f32,
) -> Result<Tensor> {
    let (batch, len) = x.dims2()?;
    if x.device().is_cpu() && x.dtype() == DType::F32 {
        return Ok(x.contiguous()?.apply_op1(Gather {
            index: Arc::clone(index),
            len,
            fill,
        })?);
    }
    let pad = (Tensor::ones((batch, 1), x.dtype(), x.device())? * fill as f64)?;
    Ok(Tensor::cat(&[x, &pad], 1)?.index_select(columns, 1)?)
}
