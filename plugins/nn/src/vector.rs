//! Element-wise loops with an AVX-512 path (checked at run time, like [`crate::matmul`]):
//! the same IEEE operations in the same order as the plain loop, 16 values at a time, so
//! both paths give bit-identical results (tested).
// AVX-512 intrinsics take raw pointers; every pointer here comes from a slice whose length
// was checked first.
#![allow(unsafe_code)]

use crate::gather::PAD;
use crate::matmul::has_avx512;

/// Contiguous pieces of a sample's window matrix: `count` times (the `i`-th shifted by
/// `i * src_step` and `i * dst_step`), `len` values read from the input at `src` (or zeros
/// when `src` is [`PAD`]) into the window matrix at `dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    /// First input value (or [`PAD`]).
    pub src: u32,
    /// First window-matrix value.
    pub dst: u32,
    /// Values in the run.
    pub len: u32,
    /// Repetitions.
    pub count: u32,
    /// Input shift between repetitions.
    pub src_step: u32,
    /// Window-matrix shift between repetitions.
    pub dst_step: u32,
}

impl Run {
    /// One run, not repeated.
    pub(crate) fn once(src: u32, dst: u32, len: u32) -> Self {
        Run {
            src,
            dst,
            len,
            count: 1,
            src_step: 0,
            dst_step: 0,
        }
    }
}

/// Writes the window matrix `cols` of one sample `x` along `runs` (compiled for AVX-512
/// where the CPU has it: the copies of short runs then take one or two moves).
/// The runs' window-matrix offsets count from `dst_base` in `cols`.
pub(crate) fn gather_runs(runs: &[Run], x: &[f32], cols: &mut [f32], dst_base: usize) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected; the function body is safe code.
        unsafe { gather_avx512(runs, x, cols, dst_base) };
        return;
    }
    gather_plain(runs, x, cols, dst_base);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn gather_avx512(runs: &[Run], x: &[f32], cols: &mut [f32], dst_base: usize) {
    gather_plain(runs, x, cols, dst_base);
}

#[inline(always)]
fn gather_plain(runs: &[Run], x: &[f32], cols: &mut [f32], dst_base: usize) {
    for r in runs {
        let n = r.len as usize;
        for i in 0..r.count as usize {
            let d = r.dst as usize - dst_base + i * r.dst_step as usize;
            let dst = &mut cols[d..d + n];
            if r.src == PAD {
                dst.fill(0.0);
            } else {
                let s = r.src as usize + i * r.src_step as usize;
                if n == 8 {
                    // The Nature CNN's first layer (8-pixel rows): one fixed-size move.
                    let d8: &mut [f32; 8] = dst.try_into().expect("8 values");
                    *d8 = x[s..s + 8].try_into().expect("8 values");
                } else {
                    copy_short(dst, &x[s..s + n]);
                }
            }
        }
    }
}

/// `dst.copy_from_slice(src)` for the short runs of a window gather: fixed 16-value moves
/// (inlined) instead of a `memcpy` call per run.
#[inline(always)]
fn copy_short(dst: &mut [f32], src: &[f32]) {
    let (d16, d_rest) = dst.as_chunks_mut::<16>();
    let (s16, s_rest) = src.as_chunks::<16>();
    for (d, s) in d16.iter_mut().zip(s16) {
        *d = *s;
    }
    let (d8, d_rest) = d_rest.as_chunks_mut::<8>();
    let (s8, s_rest) = s_rest.as_chunks::<8>();
    for (d, s) in d8.iter_mut().zip(s8) {
        *d = *s;
    }
    for (d, s) in d_rest.iter_mut().zip(s_rest) {
        *d = *s;
    }
}

/// Adds one sample's window-matrix gradient `cols` into its input gradient `dx` along
/// `runs` (padding runs skipped), window by window: the runs of each output row (ending at
/// `row_ends`) are taken repetition by repetition, so every input value sums its terms in
/// window-matrix order.
pub(crate) fn scatter_add_runs(runs: &[Run], row_ends: &[u32], cols: &[f32], dx: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected; the function body is safe code.
        unsafe { scatter_add_avx512(runs, row_ends, cols, dx) };
        return;
    }
    scatter_add_plain(runs, row_ends, cols, dx);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn scatter_add_avx512(runs: &[Run], row_ends: &[u32], cols: &[f32], dx: &mut [f32]) {
    scatter_add_plain(runs, row_ends, cols, dx);
}

#[inline(always)]
fn scatter_add_plain(runs: &[Run], row_ends: &[u32], cols: &[f32], dx: &mut [f32]) {
    let mut start = 0;
    for &end in row_ends {
        let row = &runs[start..end as usize];
        start = end as usize;
        // A row's runs are all repeated the same number of times (or all once).
        let count = row.first().map_or(0, |r| r.count as usize);
        for i in 0..count {
            for r in row {
                if r.src == PAD {
                    continue;
                }
                let n = r.len as usize;
                let s = r.src as usize + i * r.src_step as usize;
                let d = r.dst as usize + i * r.dst_step as usize;
                for (a, b) in dx[s..s + n].iter_mut().zip(&cols[d..d + n]) {
                    *a += b;
                }
            }
        }
    }
}

/// Adam's constants for one parameter tensor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdamStep {
    /// First-moment decay.
    pub b1: f32,
    /// Second-moment decay.
    pub b2: f32,
    /// Step size.
    pub lr: f32,
    /// Added to the denominator.
    pub eps: f32,
    /// `1 - b1^t`.
    pub bc1: f32,
    /// `1 - b2^t`.
    pub bc2: f32,
    /// Weight-decay factor (1: none).
    pub decay: f32,
}

impl AdamStep {
    /// `m <- b1 m + (1 - b1) g`, `v <- b2 v + (1 - b2) g g`,
    /// `theta <- theta decay - lr (m / bc1) / (sqrt(v / bc2) + eps)`, element-wise. Panics
    /// when the four slices differ in length (a bug in the caller).
    pub(crate) fn apply(&self, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let n = theta.len();
        assert!(
            g.len() == n && m.len() == n && v.len() == n,
            "adam: slices of different lengths"
        );
        let done = if has_avx512() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F was detected; the four slices hold `n` values each (checked).
            unsafe {
                self.apply_avx512(theta, g, m, v)
            }
            #[cfg(not(target_arch = "x86_64"))]
            0
        } else {
            0
        };
        self.apply_plain(
            &mut theta[done..],
            &g[done..],
            &mut m[done..],
            &mut v[done..],
        );
    }

    fn apply_plain(&self, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let s = *self;
        for (((t, &g), m), v) in theta.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            *m = s.b1 * *m + (1.0 - s.b1) * g;
            *v = s.b2 * *v + (1.0 - s.b2) * g * g;
            let update = (*m / s.bc1) / ((*v / s.bc2).sqrt() + s.eps);
            *t = *t * s.decay - s.lr * update;
        }
    }

    /// The loop above over whole groups of 16 values; returns how many it did.
    ///
    /// # Safety
    /// AVX-512F; the slices have the same length.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn apply_avx512(
        &self,
        theta: &mut [f32],
        g: &[f32],
        m: &mut [f32],
        v: &mut [f32],
    ) -> usize {
        use std::arch::x86_64::*;
        let s = *self;
        let splat = _mm512_set1_ps;
        let (b1, c1) = (splat(s.b1), splat(1.0 - s.b1));
        let (b2, c2) = (splat(s.b2), splat(1.0 - s.b2));
        let (bc1, bc2, eps) = (splat(s.bc1), splat(s.bc2), splat(s.eps));
        let (lr, decay) = (splat(s.lr), splat(s.decay));
        let whole = theta.len() / 16 * 16;
        let (tp, gp, mp, vp) = (
            theta.as_mut_ptr(),
            g.as_ptr(),
            m.as_mut_ptr(),
            v.as_mut_ptr(),
        );
        let mut i = 0;
        // SAFETY: `i + 16 <= whole <= len` of every slice; unaligned loads and stores.
        unsafe {
            while i < whole {
                let gv = _mm512_loadu_ps(gp.add(i));
                let mv = _mm512_add_ps(
                    _mm512_mul_ps(b1, _mm512_loadu_ps(mp.add(i))),
                    _mm512_mul_ps(c1, gv),
                );
                let vv = _mm512_add_ps(
                    _mm512_mul_ps(b2, _mm512_loadu_ps(vp.add(i))),
                    _mm512_mul_ps(_mm512_mul_ps(c2, gv), gv),
                );
                let update = _mm512_div_ps(
                    _mm512_div_ps(mv, bc1),
                    _mm512_add_ps(_mm512_sqrt_ps(_mm512_div_ps(vv, bc2)), eps),
                );
                let tv = _mm512_sub_ps(
                    _mm512_mul_ps(_mm512_loadu_ps(tp.add(i)), decay),
                    _mm512_mul_ps(lr, update),
                );
                _mm512_storeu_ps(mp.add(i), mv);
                _mm512_storeu_ps(vp.add(i), vv);
                _mm512_storeu_ps(tp.add(i), tv);
                i += 16;
            }
        }
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vector_adam_step_equals_the_plain_loop_bit_for_bit() {
        let n = 16 * 9 + 7;
        let val = |i: usize, k: f64| ((i as f64 * 0.618_034 + k).fract() - 0.5) as f32;
        let g: Vec<f32> = (0..n).map(|i| val(i, 0.1) * 3.0).collect();
        let start =
            |k: f64, scale: f32| -> Vec<f32> { (0..n).map(|i| val(i, k) * scale).collect() };
        let step = AdamStep {
            b1: 0.9,
            b2: 0.999,
            lr: 6.25e-5,
            eps: 1.5e-4,
            bc1: 1.0 - 0.9f32.powi(3),
            bc2: 1.0 - 0.999f32.powi(3),
            decay: 0.9999,
        };
        let (mut t1, mut m1) = (start(0.2, 1.0), start(0.3, 0.1));
        let mut v1: Vec<f32> = start(0.4, 0.01).iter().map(|x| x.abs()).collect();
        let (mut t2, mut m2, mut v2) = (t1.clone(), m1.clone(), v1.clone());
        step.apply(&mut t1, &g, &mut m1, &mut v1);
        step.apply_plain(&mut t2, &g, &mut m2, &mut v2);
        assert_eq!(t1, t2);
        assert_eq!(m1, m2);
        assert_eq!(v1, v2);
        assert_ne!(t1, start(0.2, 1.0), "the step moved the parameters");
    }
}
