//! Whole layers as single candle ops on the CPU: a convolution (window gather + one matrix
//! product + bias, optionally ReLU) and a dense layer (product + bias, optionally ReLU),
//! each with a hand-written backward pass. Compared with composing candle's generic ops this
//! saves the intermediate tensors and their gradient accumulations, fuses bias and ReLU
//! (forward and mask) into the product's pass, skips the input gradient when the input does
//! not need one (the observations), and splits the products over [`crate::threads`].
//!
//! Shapes: [`conv`] `[batch, input_len] -> [batch, positions, out]` (NHWC), weight
//! `[out, c, k, k]` (as candle's `conv2d`), bias `[out]`; [`linear`] `[batch, in] ->
//! [batch, out]`, weight `[out, in]`, bias `[out]`. The gradients equal those of the
//! composed candle ops up to float rounding (tests below and in `nature_cnn`).

use std::sync::{Arc, Mutex};

use candle_core::{
    CpuStorage, CustomOp3, DType, Layout as CandleLayout, Shape, Storage, Tensor, bail,
};

use crate::gather::{Layout, PAD};
use crate::matmul::{Strides, TERM_BLOCK, matmul, small_batch_product};
use crate::threads::{chunks_mut, parts_for, run_each, split};
use crate::vector::Run;

/// The fixed geometry of one convolution: which input values every output position sees.
#[derive(Debug)]
pub(crate) struct ConvPlan {
    /// Values per input sample.
    in_len: usize,
    /// Output positions per sample (`oh * ow`).
    positions: usize,
    /// Values per window (`c * k * k`).
    patch: usize,
    /// Output channels.
    out: usize,
    /// A sample's window matrix `[positions, patch]` as runs of consecutive input values.
    runs: Vec<Run>,
    /// Where each output row's runs end in `runs` (the scatter-add goes window by window,
    /// so that every input gradient sums its terms in window-matrix order).
    row_ends: Vec<u32>,
    /// For window column `p`: its index inside a weight row `[c, k, k]`.
    weight_index: Vec<u32>,
}

impl ConvPlan {
    /// The plan of a `kernel x kernel` convolution with `stride` and `pad` zeros on every
    /// side over `(channels, height, width)` inputs in `layout`, with `out` channels and
    /// `(oh, ow)` outputs. Window columns go `(c, ky, kx)` for NCHW inputs and `(ky, kx, c)`
    /// for NHWC ones, so that each run of consecutive values is as long as the layout allows.
    pub(crate) fn new(
        (channels, height, width, layout): (usize, usize, usize, Layout),
        (kernel, stride, pad): (usize, usize, usize),
        (oh, ow, out): (usize, usize, usize),
    ) -> Self {
        let patch = channels * kernel * kernel;
        let mut order = Vec::with_capacity(patch);
        match layout {
            Layout::Nchw => {
                for c in 0..channels {
                    for ky in 0..kernel {
                        for kx in 0..kernel {
                            order.push((c, ky, kx));
                        }
                    }
                }
            }
            Layout::Nhwc => {
                for ky in 0..kernel {
                    for kx in 0..kernel {
                        for c in 0..channels {
                            order.push((c, ky, kx));
                        }
                    }
                }
            }
        }
        let weight_index = order
            .iter()
            .map(|&(c, ky, kx)| ((c * kernel + ky) * kernel + kx) as u32)
            .collect();
        // Each window as runs of consecutive input values; then the windows of one output
        // row that have the same runs shifted by a fixed step (all of them without padding)
        // become one repeated run each, so a gather loops over a row with no run to decode.
        let mut runs: Vec<Run> = Vec::new();
        let mut row_ends = Vec::with_capacity(oh);
        let mut dst = 0u32;
        for oy in 0..oh {
            let mut row: Vec<Vec<Run>> = Vec::with_capacity(ow);
            for ox in 0..ow {
                let mut window: Vec<Run> = Vec::new();
                for &(c, ky, kx) in &order {
                    let y = (oy * stride + ky) as isize - pad as isize;
                    let x = (ox * stride + kx) as isize - pad as isize;
                    let src = if y < 0 || x < 0 || y >= height as isize || x >= width as isize {
                        PAD
                    } else {
                        let (y, x) = (y as usize, x as usize);
                        (match layout {
                            Layout::Nchw => (c * height + y) * width + x,
                            Layout::Nhwc => (y * width + x) * channels + c,
                        }) as u32
                    };
                    match window.last_mut() {
                        Some(r)
                            if (r.src == PAD && src == PAD)
                                || (r.src != PAD && src != PAD && r.src + r.len == src) =>
                        {
                            r.len += 1
                        }
                        _ => window.push(Run::once(src, dst, 1)),
                    }
                    dst += 1;
                }
                row.push(window);
            }
            runs.extend(repeat_row(&row, patch as u32));
            row_ends.push(runs.len() as u32);
        }
        ConvPlan {
            in_len: channels * height * width,
            positions: oh * ow,
            patch,
            out,
            runs,
            row_ends,
            weight_index,
        }
    }

    /// Writes the window matrix of one sample `x` (`in_len` values) into `cols`.
    fn gather(&self, x: &[f32], cols: &mut [f32]) {
        crate::vector::gather_runs(&self.runs, x, cols, 0);
    }

    /// Output positions per output row.
    fn row_width(&self) -> usize {
        self.positions / self.row_ends.len().max(1)
    }

    /// Writes the windows of output row `oy` of one sample `x` into `cols` (`row_width`
    /// windows).
    fn gather_row(&self, x: &[f32], oy: usize, cols: &mut [f32]) {
        let start = if oy == 0 {
            0
        } else {
            self.row_ends[oy - 1] as usize
        };
        let runs = &self.runs[start..self.row_ends[oy] as usize];
        crate::vector::gather_runs(runs, x, cols, oy * self.row_width() * self.patch);
    }

    /// Adds one sample's window-matrix gradient `cols` into its input gradient `dx`.
    fn scatter_add(&self, cols: &[f32], dx: &mut [f32]) {
        crate::vector::scatter_add_runs(&self.runs, &self.row_ends, cols, dx);
    }

    /// The weight `[out, c, k, k]` as `[patch, out]` in window-column order.
    fn weight_columns(&self, w: &[f32]) -> Vec<f32> {
        let mut wt = vec![0f32; self.patch * self.out];
        // In blocks of 16 window columns, so that the rows of `wt` being written stay in
        // the first-level cache while every weight row is read.
        for (block, wt) in self
            .weight_index
            .chunks(16)
            .zip(wt.chunks_mut(16 * self.out))
        {
            for (o, w) in w.chunks_exact(self.patch).enumerate() {
                for (wt, &wi) in wt.chunks_exact_mut(self.out).zip(block) {
                    wt[o] = w[wi as usize];
                }
            }
        }
        wt
    }
}

/// The runs of one output row's windows: when every window has the same runs as the first
/// shifted by `ox` times a fixed input step (and `patch` in the window matrix), one repeated
/// run per run of the first window; else the windows' runs as they are.
fn repeat_row(row: &[Vec<Run>], patch: u32) -> Vec<Run> {
    let Some(first) = row.first() else {
        return Vec::new();
    };
    let step = |j: usize| -> Option<u32> {
        let r = row.get(1)?.get(j)?;
        (r.src != PAD && first[j].src != PAD && r.src >= first[j].src).then(|| r.src - first[j].src)
    };
    let regular = row.len() > 1
        && first.iter().enumerate().all(|(j, r0)| {
            let Some(st) = step(j) else { return false };
            row.iter().enumerate().all(|(ox, w)| {
                let ox = ox as u32;
                w.len() == first.len()
                    && w[j].len == r0.len
                    && w[j].src == r0.src + ox * st
                    && w[j].dst == r0.dst + ox * patch
            })
        });
    if !regular {
        return row.iter().flatten().copied().collect();
    }
    first
        .iter()
        .enumerate()
        .map(|(j, r)| Run {
            count: row.len() as u32,
            src_step: step(j).unwrap_or(0),
            dst_step: patch,
            ..*r
        })
        .collect()
}

/// Reusable buffers for the window matrices (several MB each for the Nature CNN): taking one
/// back avoids the page faults and zeroing of a fresh allocation on every forward pass.
static BUFFERS: Mutex<Vec<Vec<f32>>> = Mutex::new(Vec::new());

/// A buffer of at least `len` values (their contents unspecified: the caller uses and
/// overwrites the first `len`). Buffers keep their length in the pool, so taking one back
/// never zero-fills it again.
fn take_buffer(len: usize) -> Vec<f32> {
    let mut pool = BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
    let best = (0..pool.len())
        .filter(|&i| pool[i].len() >= len)
        .min_by_key(|&i| pool[i].len())
        .or_else(|| (0..pool.len()).max_by_key(|&i| pool[i].len()));
    let mut v = best.map(|i| pool.swap_remove(i)).unwrap_or_default();
    drop(pool);
    if v.len() < len {
        v.resize(len, 0.0);
    }
    v
}

/// Returns a buffer to the pool (which keeps at most 16).
fn give_buffer(v: Vec<f32>) {
    let mut pool = BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() < 16 {
        pool.push(v);
    }
}

/// A contiguous `f32` view of a CPU tensor's values.
fn cpu_values<'a>(
    storage: &'a CpuStorage,
    layout: &CandleLayout,
) -> candle_core::Result<&'a [f32]> {
    let (start, end) = layout
        .contiguous_offsets()
        .ok_or_else(|| candle_core::Error::Msg("fused layer: non-contiguous operand".into()))?;
    Ok(&storage.as_slice::<f32>()?[start..end])
}

/// Runs `f` on the values of `t` (made contiguous first).
fn with_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> candle_core::Result<R> {
    let t = t.contiguous()?;
    let (storage, layout) = t.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        bail!("fused layer: backward on a non-CPU tensor")
    };
    Ok(f(cpu_values(cpu, layout)?))
}

/// `grad * (y > 0)` when `relu`, else `grad` (the gradient before the activation).
fn pre_activation_grad(grad: &Tensor, y: &Tensor, relu: bool) -> candle_core::Result<Vec<f32>> {
    if !relu {
        return with_values(grad, <[f32]>::to_vec);
    }
    with_values(grad, |g| {
        with_values(y, |y| {
            g.iter()
                .zip(y)
                .map(|(&g, &y)| if y > 0.0 { g } else { 0.0 })
                .collect()
        })
    })?
}

/// Column sums of a row-major `[rows, cols]` matrix.
fn column_sums(g: &[f32], cols: usize) -> Vec<f32> {
    let mut s = vec![0f32; cols];
    for row in g.chunks_exact(cols) {
        for (a, b) in s.iter_mut().zip(row) {
            *a += b;
        }
    }
    s
}

/// The transpose `[cols, rows]` of a row-major `[rows, cols]` matrix.
fn transpose(a: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; rows * cols];
    for (i, row) in a.chunks_exact(cols).enumerate() {
        for (j, &v) in row.iter().enumerate() {
            t[j * rows + i] = v;
        }
    }
    t
}

fn relu_in_place(y: &mut [f32]) {
    for v in y {
        *v = v.max(0.0);
    }
}

/// What a convolution's forward pass keeps for its backward pass: the weight in window-column
/// order. (The window matrix is gathered again from the input there: the forward pass only
/// holds a few samples' windows at a time, which stay in the cache, and a pass that is never
/// differentiated, such as the target network's or acting, never writes the whole matrix.)
#[derive(Debug)]
struct ConvSaved {
    wt: Vec<f32>,
}

/// Window-matrix values the forward pass gathers and multiplies at a time (512 KiB).
const CHUNK_VALUES: usize = 128 << 10;
/// At most this many window-matrix values per piece of the weight gradient (2 MiB).
const BWD_CHUNK_VALUES: usize = 512 << 10;

/// The least common multiple.
fn lcm(a: usize, b: usize) -> usize {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    if a == 0 || b == 0 {
        0
    } else {
        a / gcd(a, b) * b
    }
}

struct ConvOp {
    plan: Arc<ConvPlan>,
    relu: bool,
    /// The output's shape per sample (its values are `[positions, out]`).
    sample_shape: Vec<usize>,
    saved: Mutex<Option<Arc<ConvSaved>>>,
}

impl CustomOp3 for ConvOp {
    fn name(&self) -> &'static str {
        "arcadia-fused-conv"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &CandleLayout,
        s2: &CpuStorage,
        l2: &CandleLayout,
        s3: &CpuStorage,
        l3: &CandleLayout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        crate::heap::keep_heap();
        let plan = &*self.plan;
        let (x, w, b) = (
            cpu_values(s1, l1)?,
            cpu_values(s2, l2)?,
            cpu_values(s3, l3)?,
        );
        if w.len() != plan.out * plan.patch || b.len() != plan.out {
            bail!("fused conv: weight or bias of the wrong size");
        }
        if x.len() % plan.in_len != 0 {
            bail!(
                "fused conv: input of {} values is not whole samples",
                x.len()
            );
        }
        let batch = x.len() / plan.in_len;
        let (pp, po) = (plan.positions * plan.patch, plan.positions * plan.out);
        let wt = plan.weight_columns(w);
        let mut y = Vec::with_capacity(batch * po);
        for _ in 0..batch * plan.positions {
            y.extend_from_slice(b);
        }
        let parts = parts_for(batch * pp * plan.out);
        let samples = split(batch, parts, 1);
        let y_ranges: Vec<_> = samples.iter().map(|r| r.start * po..r.end * po).collect();
        // Each part gathers, multiplies and activates its own samples, a few at a time.
        let chunk = (CHUNK_VALUES / pp.max(1)).max(1);
        run_each(chunks_mut(&mut y, &y_ranges), |i, y| {
            let mine = samples[i].clone();
            let mut cols = take_buffer(chunk.min(mine.len()) * pp);
            for (first, y) in mine.clone().step_by(chunk).zip(y.chunks_mut(chunk * po)) {
                let n = chunk.min(mine.end - first);
                for (s, c) in (first..first + n).zip(cols.chunks_exact_mut(pp)) {
                    plan.gather(&x[s * plan.in_len..(s + 1) * plan.in_len], c);
                }
                matmul(
                    (n * plan.positions, plan.out, plan.patch),
                    y,
                    Strides::rows(plan.out),
                    true,
                    (&cols[..n * pp], Strides::rows(plan.patch)),
                    (&wt, Strides::rows(plan.out)),
                    1,
                );
                if self.relu {
                    relu_in_place(y);
                }
            }
            give_buffer(cols);
        });
        *self.saved.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(ConvSaved { wt }));
        let mut dims = vec![batch];
        dims.extend_from_slice(&self.sample_shape);
        Ok((CpuStorage::F32(y), Shape::from(dims)))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let plan = &*self.plan;
        let saved = self
            .saved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| candle_core::Error::Msg("fused conv: backward before forward".into()))?;
        let g = pre_activation_grad(grad_res, res, self.relu)?;
        let rows = g.len() / plan.out;
        let batch = rows / plan.positions;
        let db = column_sums(&g, plan.out);
        // dW^T [patch, out] = cols^T g, split by window columns, with the window matrix
        // gathered again from the input.
        let mut dwt = vec![0f32; plan.patch * plan.out];
        let pp = plan.positions * plan.patch;
        let parts = parts_for(rows * plan.patch * plan.out);
        // Whole output rows at a time, a multiple of the product's block of terms (so the
        // sums are those of the whole product, bit for bit), when such a piece of the
        // window matrix stays in the cache (the Nature CNN's first layer: 1280 rows,
        // 1.3 MB, instead of 13 MB at batch 32).
        let width = plan.row_width();
        let unit = lcm(width, TERM_BLOCK);
        let chunk = unit * (BWD_CHUNK_VALUES / (unit * plan.patch).max(1));
        if chunk > 0 && chunk < rows {
            let mut buffer = take_buffer(chunk * plan.patch);
            with_values(x, |x| {
                let oh = plan.row_ends.len();
                for r0 in (0..rows).step_by(chunk) {
                    let n = chunk.min(rows - r0);
                    let cols = &mut buffer[..n * plan.patch];
                    for (k, c) in cols.chunks_exact_mut(width * plan.patch).enumerate() {
                        let row = r0 / width + k;
                        let s = row / oh;
                        plan.gather_row(&x[s * plan.in_len..(s + 1) * plan.in_len], row % oh, c);
                    }
                    matmul(
                        (plan.patch, plan.out, n),
                        &mut dwt,
                        Strides::rows(plan.out),
                        r0 > 0,
                        (cols, Strides::cols(plan.patch)),
                        (
                            &g[r0 * plan.out..(r0 + n) * plan.out],
                            Strides::rows(plan.out),
                        ),
                        parts,
                    );
                }
            })?;
            give_buffer(buffer);
        } else {
            // The whole window matrix at once (split by samples).
            let mut buffer = take_buffer(batch * pp);
            let cols = &mut buffer[..batch * pp];
            with_values(x, |x| {
                let samples = split(batch, parts, 1);
                let ranges: Vec<_> = samples.iter().map(|r| r.start * pp..r.end * pp).collect();
                run_each(chunks_mut(cols, &ranges), |i, cols| {
                    for (s, c) in samples[i].clone().zip(cols.chunks_exact_mut(pp)) {
                        plan.gather(&x[s * plan.in_len..(s + 1) * plan.in_len], c);
                    }
                });
            })?;
            matmul(
                (plan.patch, plan.out, rows),
                &mut dwt,
                Strides::rows(plan.out),
                false,
                (cols, Strides::cols(plan.patch)),
                (&g, Strides::rows(plan.out)),
                parts,
            );
            give_buffer(buffer);
        }
        let mut dw = vec![0f32; plan.out * plan.patch];
        for (p, &wi) in plan.weight_index.iter().enumerate() {
            for o in 0..plan.out {
                dw[o * plan.patch + wi as usize] = dwt[p * plan.out + o];
            }
        }
        // The input gradient, only where the input depends on a variable: per sample, the
        // window-matrix gradient g W^T scattered back onto the input positions.
        let dx = if x.track_op() {
            let mut dx = vec![0f32; batch * plan.in_len];
            let parts = parts_for(rows * plan.patch * plan.out);
            let samples = split(batch, parts, 1);
            let ranges: Vec<_> = samples
                .iter()
                .map(|r| r.start * plan.in_len..r.end * plan.in_len)
                .collect();
            let po = plan.positions * plan.out;
            // W in window-column order, row-major `[out, patch]`: packed by whole rows.
            let w_rows = transpose(&saved.wt, plan.patch, plan.out);
            // A few samples' window-matrix gradients at a time (one packing of W each).
            let chunk = (CHUNK_VALUES / pp.max(1)).max(1);
            run_each(chunks_mut(&mut dx, &ranges), |i, dx| {
                let mine = samples[i].clone();
                let mut dcols = take_buffer(chunk.min(mine.len()) * pp);
                for (first, dx) in mine
                    .clone()
                    .step_by(chunk)
                    .zip(dx.chunks_mut(chunk * plan.in_len))
                {
                    let n = chunk.min(mine.end - first);
                    matmul(
                        (n * plan.positions, plan.patch, plan.out),
                        &mut dcols[..n * pp],
                        Strides::rows(plan.patch),
                        false,
                        (&g[first * po..(first + n) * po], Strides::rows(plan.out)),
                        (&w_rows, Strides::rows(plan.patch)),
                        1,
                    );
                    for (dcols, dx) in dcols.chunks_exact(pp).zip(dx.chunks_exact_mut(plan.in_len))
                    {
                        plan.scatter_add(dcols, dx);
                    }
                }
                give_buffer(dcols);
            });
            Some(Tensor::from_vec(dx, x.shape(), x.device())?)
        } else {
            None
        };
        Ok((
            dx,
            Some(Tensor::from_vec(dw, w.shape(), w.device())?),
            Some(Tensor::from_vec(db, plan.out, w.device())?),
        ))
    }
}

/// A convolution over `x` (`[batch, ...]`, `input_len` f32 values per sample on the CPU)
/// with `weight` `[out, c, k, k]` and `bias` `[out]` as one op: `[batch, ...sample_shape]`
/// (`positions * out` values per sample), ReLU applied when `relu`. Taking and giving any
/// shape saves the reshapes around the op (each a zeroed gradient and a sum in candle's
/// backward pass).
pub(crate) fn conv(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    plan: &Arc<ConvPlan>,
    relu: bool,
    sample_shape: &[usize],
) -> candle_core::Result<Tensor> {
    if sample_shape.iter().product::<usize>() != plan.positions * plan.out {
        bail!("fused conv: output shape {sample_shape:?} does not hold [positions, out]");
    }
    x.contiguous()?.apply_op3(
        &weight.contiguous()?,
        &bias.contiguous()?,
        ConvOp {
            plan: Arc::clone(plan),
            relu,
            sample_shape: sample_shape.to_vec(),
            saved: Mutex::new(None),
        },
    )
}

struct LinearOp {
    relu: bool,
}

impl CustomOp3 for LinearOp {
    fn name(&self) -> &'static str {
        "arcadia-fused-linear"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &CandleLayout,
        s2: &CpuStorage,
        l2: &CandleLayout,
        s3: &CpuStorage,
        l3: &CandleLayout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        crate::heap::keep_heap();
        let (x, w, b) = (
            cpu_values(s1, l1)?,
            cpu_values(s2, l2)?,
            cpu_values(s3, l3)?,
        );
        let (out, inputs) = l2.shape().dims2()?;
        let batch = l1.shape().dims2()?.0;
        if l1.shape().dims2()?.1 != inputs || b.len() != out {
            bail!(
                "fused linear: input {:?} vs weight {:?}",
                l1.shape(),
                l2.shape()
            );
        }
        // The product is written column-major (`y^T`), the faster orientation of the `gemm`
        // kernels for a short batch, then transposed.
        let mut yt = Vec::with_capacity(batch * out);
        for &bo in b {
            yt.extend(std::iter::repeat_n(bo, batch));
        }
        let parts = parts_for(batch * out * inputs);
        if !small_batch_product((batch, inputs), x, w, &mut yt, parts) {
            matmul(
                (batch, out, inputs),
                &mut yt,
                Strides::cols(batch),
                true,
                (x, Strides::rows(inputs)),
                (w, Strides::cols(inputs)),
                parts,
            );
        }
        let mut y = transpose(&yt, out, batch);
        if self.relu {
            relu_in_place(&mut y);
        }
        Ok((CpuStorage::F32(y), Shape::from((batch, out))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (out, inputs) = w.dims2()?;
        let batch = x.dim(0)?;
        let g = pre_activation_grad(grad_res, res, self.relu)?;
        let db = column_sums(&g, out);
        let work = batch * out * inputs;
        // dW [out, in] = g^T x.
        let mut dw = vec![0f32; out * inputs];
        with_values(x, |x| {
            matmul(
                (out, inputs, batch),
                &mut dw,
                Strides::rows(inputs),
                false,
                (&g, Strides::cols(out)),
                (x, Strides::rows(inputs)),
                parts_for(work),
            )
        })?;
        // dx [batch, in] = g W, only where the input depends on a variable.
        let dx = if x.track_op() {
            let mut dxt = vec![0f32; batch * inputs];
            with_values(w, |w| {
                matmul(
                    (batch, inputs, out),
                    &mut dxt,
                    Strides::cols(batch),
                    false,
                    (&g, Strides::rows(out)),
                    (w, Strides::rows(inputs)),
                    parts_for(work),
                )
            })?;
            let dx = transpose(&dxt, inputs, batch);
            Some(Tensor::from_vec(dx, x.shape(), x.device())?)
        } else {
            None
        };
        Ok((
            dx,
            Some(Tensor::from_vec(dw, w.shape(), w.device())?),
            Some(Tensor::from_vec(db, out, w.device())?),
        ))
    }
}

/// `x W^T + b` (ReLU applied when `relu`) as one op, for `x` `[batch, in]` f32 on the CPU.
pub(crate) fn linear(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    relu: bool,
) -> candle_core::Result<Tensor> {
    x.contiguous()?.apply_op3(
        &weight.contiguous()?,
        &bias.contiguous()?,
        LinearOp { relu },
    )
}

/// Whether the fused ops apply to `x`: f32 values on the CPU.
pub(crate) fn applies(x: &Tensor) -> bool {
    x.device().is_cpu() && x.dtype() == DType::F32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::set_threads;
    use candle_core::{Device, Var};

    /// Irregular values in `[-0.5, 0.5)`: no pre-activation sums to exactly 0, where the
    /// ReLU derivative conventions differ (candle: 1, this crate and JAX: 0).
    fn values(n: usize, seed: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f64 * 0.618_034 + seed as f64 * 0.414_214).fract() - 0.5) as f32)
            .collect()
    }

    fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    /// Forward values and the gradients of `sum(y * probe)` for input, weight and bias.
    /// Convolution sizes `(batch, c, h, w, out, k, stride)`, all with `(side + 2 pad - k)`
    /// divisible by the stride for pad 0 and 1: candle's `conv2d` backward (a transposed
    /// convolution without output padding) needs that for the input gradient.
    type ConvSize = (usize, usize, usize, usize, usize, usize, usize);
    const SMALL: ConvSize = (2, 3, 9, 7, 5, 3, 2);
    /// Large enough (2.0 M multiply-adds per product) to be split over threads.
    const LARGE: ConvSize = (6, 4, 33, 33, 32, 3, 2);

    fn conv_run(
        size: ConvSize,
        fused: bool,
        layout: Layout,
        pad: usize,
        relu: bool,
    ) -> (Tensor, Tensor, Tensor, Tensor) {
        let (n, c, h, w, out, k, stride) = size;
        let dev = &Device::Cpu;
        let x = Var::from_vec(values(n * c * h * w, 1), (n, c * h * w), dev).unwrap();
        let wt = Var::from_vec(values(out * c * k * k, 2), (out, c, k, k), dev).unwrap();
        let b = Var::from_vec(values(out, 3), out, dev).unwrap();
        let (oh, ow) = (
            (h + 2 * pad - k) / stride + 1,
            (w + 2 * pad - k) / stride + 1,
        );
        let y = if fused {
            let plan = Arc::new(ConvPlan::new(
                (c, h, w, layout),
                (k, stride, pad),
                (oh, ow, out),
            ));
            conv(x.as_tensor(), &wt, &b, &plan, relu, &[oh * ow, out]).unwrap()
        } else {
            let img = match layout {
                Layout::Nchw => x.as_tensor().reshape((n, c, h, w)).unwrap(),
                Layout::Nhwc => x
                    .as_tensor()
                    .reshape((n, h, w, c))
                    .unwrap()
                    .permute((0, 3, 1, 2))
                    .unwrap(),
            };
            let y = img
                .conv2d(&wt, pad, stride, 1, 1)
                .unwrap()
                .broadcast_add(&b.reshape((1, out, 1, 1)).unwrap())
                .unwrap()
                .permute((0, 2, 3, 1))
                .unwrap()
                .reshape((n, oh * ow, out))
                .unwrap();
            if relu { y.relu().unwrap() } else { y }
        };
        let probe = Tensor::from_vec(values(y.elem_count(), 4), y.shape(), dev).unwrap();
        let grads = (&y * &probe)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let g = |v: &Var| grads.get(v.as_tensor()).unwrap().clone();
        (y, g(&x), g(&wt), g(&b))
    }

    #[test]
    fn fused_convolution_values_and_gradients_equal_candle_conv2d() {
        for (size, layout, pad, relu) in [
            (SMALL, Layout::Nchw, 0, false),
            (SMALL, Layout::Nchw, 0, true),
            (SMALL, Layout::Nchw, 1, false),
            (SMALL, Layout::Nchw, 1, true),
            (SMALL, Layout::Nhwc, 0, false),
            (SMALL, Layout::Nhwc, 0, true),
            (SMALL, Layout::Nhwc, 1, false),
            (SMALL, Layout::Nhwc, 1, true),
            (LARGE, Layout::Nhwc, 1, true),
            (LARGE, Layout::Nchw, 0, false),
            ((3, 2, 36, 36, 32, 8, 4), Layout::Nchw, 0, true),
            ((3, 32, 8, 8, 64, 4, 2), Layout::Nhwc, 0, true),
            ((3, 64, 3, 3, 64, 3, 1), Layout::Nhwc, 0, true),
            // The Nature CNN's first layer at batch 4: the weight gradient in pieces.
            ((4, 4, 84, 84, 32, 8, 4), Layout::Nchw, 0, true),
        ] {
            let ours = conv_run(size, true, layout, pad, relu);
            let reference = conv_run(size, false, layout, pad, relu);
            for (name, a, b) in [
                ("output", &ours.0, &reference.0),
                ("input gradient", &ours.1, &reference.1),
                ("weight gradient", &ours.2, &reference.2),
                ("bias gradient", &ours.3, &reference.3),
            ] {
                let d = max_diff(a, b);
                assert!(
                    d < 1e-4,
                    "{size:?} {layout:?} pad {pad} relu {relu}: {name} off by {d}"
                );
            }
        }
    }

    #[test]
    fn unpadded_rows_become_repeated_runs_and_gather_what_the_windows_hold() {
        // The Nature CNN's first layer: per output row, 4 channels x 8 kernel rows of 8
        // pixels, each repeated over the 20 output columns.
        let plan = ConvPlan::new((4, 84, 84, Layout::Nchw), (8, 4, 0), (20, 20, 32));
        assert_eq!(plan.runs.len(), 20 * 4 * 8);
        assert!(
            plan.runs
                .iter()
                .all(|r| r.count == 20 && r.len == 8 && r.src_step == 4)
        );
        // Padded windows differ at the edges: no repetition there, and every window value
        // still comes from where the window says.
        for (size, layout, pad, k, stride) in [
            ((3, 9, 7), Layout::Nchw, 1, 3, 2),
            ((3, 9, 7), Layout::Nhwc, 1, 3, 2),
            ((3, 9, 7), Layout::Nhwc, 0, 3, 2),
            ((2, 36, 36), Layout::Nchw, 0, 8, 4),
            ((32, 8, 8), Layout::Nhwc, 0, 4, 2),
            ((64, 3, 3), Layout::Nhwc, 0, 3, 1),
        ] {
            let (c, h, w) = size;
            let (oh, ow) = (
                (h + 2 * pad - k) / stride + 1,
                (w + 2 * pad - k) / stride + 1,
            );
            let plan = ConvPlan::new((c, h, w, layout), (k, stride, pad), (oh, ow, 1));
            let x: Vec<f32> = (0..c * h * w).map(|i| i as f32 + 1.0).collect();
            let mut cols = vec![-1f32; oh * ow * c * k * k];
            plan.gather(&x, &mut cols);
            let index = crate::gather::window_index((c, h, w, layout), (k, stride, pad), (oh, ow));
            let expected: Vec<f32> = index
                .iter()
                .map(|&i| if i == PAD { 0.0 } else { x[i as usize] })
                .collect();
            // Window column `p` is `window_index`'s column `weight_index[p]` ((c, ky, kx)).
            let patch = c * k * k;
            for pos in 0..oh * ow {
                for (p, &wi) in plan.weight_index.iter().enumerate() {
                    assert_eq!(
                        cols[pos * patch + p],
                        expected[pos * patch + wi as usize],
                        "{size:?} {layout:?} pad {pad}: position {pos}, column {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn fused_results_do_not_depend_on_the_thread_count() {
        let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let collect = |threads: usize| {
            set_threads(threads);
            // The products of these sizes are split (else this test would compare nothing).
            let (n, c, h, _, out, k, _) = LARGE;
            assert_eq!(parts_for(n * (h / 2 + 1).pow(2) * c * k * k * out), threads);
            assert_eq!(
                parts_for(LARGE_DENSE.0 * LARGE_DENSE.1 * LARGE_DENSE.2),
                threads
            );
            assert_eq!(
                parts_for(WIDE_DENSE.0 * WIDE_DENSE.1 * WIDE_DENSE.2),
                threads
            );
            let (y, gx, gw, gb) = conv_run(LARGE, true, Layout::Nhwc, 1, true);
            let first = conv_run((4, 4, 84, 84, 32, 8, 4), true, Layout::Nchw, 0, true);
            let dense = linear_run(LARGE_DENSE, true, true, true);
            let wide = linear_run(WIDE_DENSE, true, true, true);
            set_threads(0);
            let mut all: Vec<Vec<f32>> = [y, gx, gw, gb].iter().map(flat).collect();
            all.extend(dense.iter().map(|t| flat(t.as_ref().unwrap())));
            all.extend(wide.iter().map(|t| flat(t.as_ref().unwrap())));
            all.extend([first.1, first.2, first.3].iter().map(flat));
            all
        };
        assert_eq!(collect(1), collect(3));
    }

    /// Dense sizes `(batch, inputs, out)`.
    type DenseSize = (usize, usize, usize);
    const SMALL_DENSE: DenseSize = (7, 45, 37);
    /// Large enough (1.9 M multiply-adds per product) to be split over threads.
    const LARGE_DENSE: DenseSize = (32, 200, 300);
    /// A few samples through a wide layer (acting): the small-batch kernel, split by outputs.
    const WIDE_DENSE: DenseSize = (5, 700, 333);

    fn linear_run(size: DenseSize, fused: bool, relu: bool, x_is_var: bool) -> Vec<Option<Tensor>> {
        let (batch, inputs, out) = size;
        let dev = &Device::Cpu;
        let xv = values(batch * inputs, 5);
        let x = if x_is_var {
            Var::from_vec(xv, (batch, inputs), dev)
                .unwrap()
                .as_tensor()
                .clone()
        } else {
            Tensor::from_vec(xv, (batch, inputs), dev).unwrap()
        };
        let w = Var::from_vec(values(out * inputs, 6), (out, inputs), dev).unwrap();
        let b = Var::from_vec(values(out, 7), out, dev).unwrap();
        let y = if fused {
            linear(&x, &w, &b, relu).unwrap()
        } else {
            let y = x
                .matmul(&w.t().unwrap())
                .unwrap()
                .broadcast_add(&b)
                .unwrap();
            if relu { y.relu().unwrap() } else { y }
        };
        let probe = Tensor::from_vec(values(batch * out, 8), (batch, out), dev).unwrap();
        let grads = (&y * &probe)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        vec![
            Some(y),
            grads.get(&x).cloned(),
            grads.get(&w).cloned(),
            grads.get(&b).cloned(),
        ]
    }

    #[test]
    fn fused_dense_values_and_gradients_equal_candle_matmul() {
        for (size, relu) in [
            (SMALL_DENSE, false),
            (SMALL_DENSE, true),
            (WIDE_DENSE, true),
            ((1, 19, 4), false),
            ((9, 50, 40), true),
        ] {
            let ours = linear_run(size, true, relu, true);
            let reference = linear_run(size, false, relu, true);
            for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
                let d = max_diff(a.as_ref().unwrap(), b.as_ref().unwrap());
                assert!(d < 1e-4, "{size:?} relu {relu}: tensor {i} off by {d}");
            }
        }
    }

    #[test]
    fn an_input_without_variables_gets_no_gradient() {
        let ours = linear_run(SMALL_DENSE, true, true, false);
        assert!(ours[1].is_none(), "no gradient for a constant input");
        let reference = linear_run(SMALL_DENSE, false, true, true);
        let d = max_diff(ours[2].as_ref().unwrap(), reference[2].as_ref().unwrap());
        assert!(d < 1e-4, "weight gradient off by {d}");
    }
}
