//! Matrix products on the CPU with explicit strides, split by output rows or columns over
//! [`crate::threads`] (never along the sum, so results do not depend on thread timing nor on
//! the thread count).
//!
//! With AVX-512 (checked at run time) the product is this module's own blocked kernel: both
//! operands packed into panels (12 rows of the left, 32 columns of the right, 256 terms of the
//! sum at a time), a 12x32 register tile of fused multiply-adds; every element's sum runs in
//! the same order whatever the split. Without AVX-512 it is the `gemm` crate's kernel (what
//! candle uses), one single-threaded call per part.
// AVX-512 intrinsics and the `gemm` entry point take raw pointers; this module checks every
// view against its slice, and the disjointness of the written parts, before using them.
#![allow(unsafe_code)]

use std::sync::OnceLock;

use crate::threads::{run_parts, split};

/// Strides of a matrix view: element `(i, j)` is at `i * rs + j * cs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Strides {
    /// Row stride.
    pub rs: usize,
    /// Column stride.
    pub cs: usize,
}

impl Strides {
    /// Row-major with `cols` columns.
    pub fn rows(cols: usize) -> Self {
        Strides { rs: cols, cs: 1 }
    }

    /// Column-major with `rows` rows (the transpose of a row-major `[cols, rows]`).
    pub fn cols(rows: usize) -> Self {
        Strides { rs: 1, cs: rows }
    }

    fn t(self) -> Self {
        Strides {
            rs: self.cs,
            cs: self.rs,
        }
    }
}

/// Elements spanned by a `rows x cols` view (0 when empty; `usize::MAX` when the span
/// overflows, which no slice holds: the bounds checks below then fail instead of wrapping).
fn extent(rows: usize, cols: usize, s: Strides) -> usize {
    if rows == 0 || cols == 0 {
        return 0;
    }
    (rows - 1)
        .checked_mul(s.rs)
        .zip((cols - 1).checked_mul(s.cs))
        .and_then(|(a, b)| a.checked_add(b))
        .and_then(|e| e.checked_add(1))
        .unwrap_or(usize::MAX)
}

/// A pointer that may cross to a scoped thread (the parts it is used for are disjoint).
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: only used inside `matmul`, whose parts write disjoint elements.
unsafe impl Send for SendPtr {}
// SAFETY: as above.
unsafe impl Sync for SendPtr {}

impl SendPtr {
    /// The pointer (a method, so that closures capture the whole `SendPtr`, not its field).
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// Whether this machine runs the AVX-512 kernel.
pub(crate) fn has_avx512() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::env::var_os("ARCADIA_NN_NO_AVX512").is_none()
                && std::arch::is_x86_feature_detected!("avx512f")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// `dst[m x n] = (accumulate ? dst : 0) + lhs[m x k] rhs[k x n]`, split into `parts` by
/// output rows (when `m >= n`) or columns, each part on its own thread.
///
/// `dst` must be row- or column-major (each element written once); `lhs` and `rhs` may have
/// any strides. Panics when a view does not fit its slice (a bug in the caller).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: &mut [f32],
    ds: Strides,
    accumulate: bool,
    (lhs, ls): (&[f32], Strides),
    (rhs, rs): (&[f32], Strides),
    parts: usize,
) {
    assert!(
        extent(m, n, ds) <= dst.len(),
        "matmul: dst view out of bounds"
    );
    assert!(
        (ds.cs == 1 && (m <= 1 || ds.rs >= n)) || (ds.rs == 1 && (n <= 1 || ds.cs >= m)),
        "matmul: dst must be row- or column-major"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                for j in 0..n {
                    dst[i * ds.rs + j * ds.cs] = 0.0;
                }
            }
        }
        return;
    }
    assert!(
        extent(m, k, ls) <= lhs.len(),
        "matmul: lhs view out of bounds"
    );
    assert!(
        extent(k, n, rs) <= rhs.len(),
        "matmul: rhs view out of bounds"
    );
    // The packed kernel writes row tiles: a column-major product is computed transposed.
    let (m, n, ds, (lhs, ls), (rhs, rs)) = if ds.cs != 1 && ds.rs == 1 {
        (n, m, ds.t(), (rhs, rs.t()), (lhs, ls.t()))
    } else {
        (m, n, ds, (lhs, ls), (rhs, rs))
    };
    let by_rows = m >= n;
    let align = if by_rows { packed::MR } else { packed::NR };
    let ranges = split(if by_rows { m } else { n }, parts, align);
    let avx512 = has_avx512();
    let dst_ptr = SendPtr(dst.as_mut_ptr());
    let dst_len = dst.len();
    run_parts(ranges.len(), |p| {
        let r = ranges[p].clone();
        let (mm, nn, d_off, l_off, r_off) = if by_rows {
            (r.len(), n, r.start * ds.rs, r.start * ls.rs, 0)
        } else {
            (m, r.len(), r.start * ds.cs, 0, r.start * rs.cs)
        };
        if avx512 {
            // SAFETY: `avx512` is `has_avx512()`, the run-time detection of AVX-512F (the
            // only feature `packed` enables); the views were checked against their slices
            // above (`extent` cannot wrap), a part's sub-view (offset `d_off`, `mm x nn`)
            // lies inside the whole one, and parts over disjoint rows (columns) of a
            // destination whose rows do not overlap (`ds.rs >= n`) write disjoint elements,
            // through the one pointer taken from `dst` (nothing else touches `dst` meanwhile).
            #[cfg(target_arch = "x86_64")]
            unsafe {
                packed::product(
                    (mm, nn, k),
                    (dst_ptr.get().add(d_off), dst_len - d_off, ds),
                    accumulate,
                    (&lhs[l_off..], ls),
                    (&rhs[r_off..], rs),
                );
            }
            return;
        }
        // SAFETY: the same views and disjoint parts as above (the `gemm` kernel reads and
        // writes only inside the `mm x nn`, `mm x k` and `k x nn` views it is given); `lhs`
        // and `rhs` are only read and cannot overlap `dst` (shared vs unique borrows).
        unsafe {
            gemm::gemm(
                mm,
                nn,
                k,
                dst_ptr.get().add(d_off),
                ds.cs as isize,
                ds.rs as isize,
                accumulate,
                lhs.as_ptr().add(l_off),
                ls.cs as isize,
                ls.rs as isize,
                rhs.as_ptr().add(r_off),
                rs.cs as isize,
                rs.rs as isize,
                1.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    });
}

/// Terms of a product's sum that the AVX-512 kernel adds up in one chain before adding the
/// chain to the output: splitting a product along its sum at multiples of this gives the
/// same results, bit for bit (with the `gemm` fallback, results of equal quality).
pub(crate) const TERM_BLOCK: usize = packed::KC;

/// The largest batch [`small_batch_product`] takes.
pub(crate) const SMALL_BATCH: usize = 8;

/// `yt[o * batch + b] += sum_i w[o * inputs + i] x[b * inputs + i]` for a batch of at most
/// [`SMALL_BATCH`] rows `x` and a row-major weight `w` (`out = yt.len() / batch` rows): a
/// dense layer's forward pass for a few observations (acting), where the packed kernel's
/// 32-column tiles would be mostly empty. The result is bit-identical to [`matmul`]'s for
/// the same product (`yt` column-major, accumulated): every output adds, block by block of
/// the packed kernel's terms, a chain of fused multiply-adds in the same order (tested), so
/// acting on a few observations gives the values a larger batch gives. Split into `parts`
/// by output rows. Returns `false` (and does nothing) without AVX-512 or for a batch of 0 or
/// more than [`SMALL_BATCH`]: the caller then runs [`matmul`].
pub(crate) fn small_batch_product(
    (batch, inputs): (usize, usize),
    x: &[f32],
    w: &[f32],
    yt: &mut [f32],
    parts: usize,
) -> bool {
    if !has_avx512() || batch == 0 || batch > SMALL_BATCH || inputs == 0 {
        return false;
    }
    let out = yt.len() / batch;
    assert!(
        yt.len() == out * batch,
        "small_batch_product: output not whole rows"
    );
    assert!(
        batch.checked_mul(inputs).is_some_and(|n| n <= x.len()),
        "small_batch_product: input view out of bounds"
    );
    assert!(
        out.checked_mul(inputs).is_some_and(|n| n <= w.len()),
        "small_batch_product: weight view out of bounds"
    );
    // The inputs transposed, 8 values per term (zeros past the batch).
    let mut xp = vec![0f32; inputs * SMALL_BATCH];
    for (b, row) in x.chunks_exact(inputs).take(batch).enumerate() {
        for (p, &v) in row.iter().enumerate() {
            xp[p * SMALL_BATCH + b] = v;
        }
    }
    let ranges = split(out, parts, packed::MR);
    let yt_ranges: Vec<_> = ranges
        .iter()
        .map(|r| r.start * batch..r.end * batch)
        .collect();
    crate::threads::run_each(
        crate::threads::chunks_mut(yt, &yt_ranges),
        |p, yt: &mut [f32]| {
            let rows = ranges[p].clone();
            let w = &w[rows.start * inputs..rows.end * inputs];
            for (w, yt) in w
                .chunks(packed::MR * inputs)
                .zip(yt.chunks_mut(packed::MR * batch))
            {
                let n = yt.len() / batch;
                let mut tile = [[0f32; SMALL_BATCH]; packed::MR];
                for (t, y) in tile.iter_mut().zip(yt.chunks_exact(batch)) {
                    t[..batch].copy_from_slice(y);
                }
                #[cfg(target_arch = "x86_64")]
                // SAFETY: AVX-512F (hence AVX2 and FMA) was detected; `w` holds `n` rows of
                // `inputs` values and `xp` `inputs` terms of 8 values.
                unsafe {
                    small::tile(inputs, w, n, &xp, &mut tile);
                }
                for (t, y) in tile.iter().zip(yt.chunks_exact_mut(batch)) {
                    y.copy_from_slice(&t[..batch]);
                }
            }
        },
    );
    true
}

/// The kernel of [`small_batch_product`].
#[cfg(target_arch = "x86_64")]
mod small {
    use super::packed::{KC, MR};
    use std::arch::x86_64::*;

    /// `tile[r][b] += w_r . x_b` for the `rows` (at most [`MR`]) rows of `w`, in blocks of
    /// [`KC`] terms: each block's fused multiply-add chain (from zero, in term order) is
    /// added to the tile, as the packed kernel does.
    ///
    /// # Safety
    /// AVX2 and FMA; `w` holds `rows * inputs` values, `xp` `inputs * 8`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn tile(
        inputs: usize,
        w: &[f32],
        rows: usize,
        xp: &[f32],
        tile: &mut [[f32; 8]; MR],
    ) {
        assert!((1..=MR).contains(&rows) && w.len() >= rows * inputs && xp.len() >= inputs * 8);
        // Rows past the last are computed from the last row again and dropped.
        let ptrs: [*const f32; MR] =
            std::array::from_fn(|j| w[j.min(rows - 1) * inputs..].as_ptr());
        let mut p0 = 0;
        while p0 < inputs {
            let kc = KC.min(inputs - p0);
            let mut acc = [_mm256_setzero_ps(); MR];
            // SAFETY: `p < inputs`: every row pointer reads inside its row, `xp` inside its
            // `inputs * 8` values (checked above).
            unsafe {
                for p in p0..p0 + kc {
                    let xv = _mm256_loadu_ps(xp.as_ptr().add(p * 8));
                    for (acc, ptr) in acc.iter_mut().zip(&ptrs) {
                        *acc = _mm256_fmadd_ps(_mm256_set1_ps(*ptr.add(p)), xv, *acc);
                    }
                }
                for (t, acc) in tile.iter_mut().zip(&acc).take(rows) {
                    let sum = _mm256_add_ps(_mm256_loadu_ps(t.as_ptr()), *acc);
                    _mm256_storeu_ps(t.as_mut_ptr(), sum);
                }
            }
            p0 += kc;
        }
    }
}

/// The packed AVX-512 product.
mod packed {
    use super::Strides;

    /// Rows of the register tile.
    pub const MR: usize = 12;
    /// Columns of the register tile (two 16-float vectors).
    pub const NR: usize = 32;
    /// Terms of the sum per packed block.
    pub const KC: usize = 256;
    /// Rows per packed left block (a multiple of `MR`).
    const MC: usize = 144;
    /// Columns per packed right block (a multiple of `NR`).
    const NC: usize = 512;

    /// Packs `rows` (at most `MR`) rows from `r0` and terms `p0..p0 + kc` of `a` into one
    /// panel, each term's `MR` values consecutive (zeros past the last row). (Full panels of
    /// row- or column-major operands are read in place; this is for the others and the edge.)
    #[inline(never)]
    fn pack_left(
        a: &[f32],
        s: Strides,
        (r0, rows): (usize, usize),
        (p0, kc): (usize, usize),
        dst: &mut [f32],
    ) {
        dst[..MR * kc].fill(0.0);
        for p in 0..kc {
            for r in 0..rows {
                dst[p * MR + r] = a[(r0 + r) * s.rs + (p0 + p) * s.cs];
            }
        }
    }

    /// Packs terms `p0..p0 + kc` and columns `j0..j0 + nc` of `b` into `NR`-column panels,
    /// each term's `NR` values consecutive (zeros past the last column).
    #[inline(never)]
    fn pack_right(
        b: &[f32],
        s: Strides,
        (p0, kc): (usize, usize),
        (j0, nc, n): (usize, usize, usize),
        out: &mut [f32],
    ) {
        for (panel, dst) in out
            .chunks_exact_mut(NR * kc)
            .take(nc.div_ceil(NR))
            .enumerate()
        {
            let c0 = j0 + panel * NR;
            let cols = NR.min(n - c0);
            if cols < NR {
                dst.fill(0.0);
            }
            if s.cs == 1 {
                for p in 0..kc {
                    let src = &b[(p0 + p) * s.rs + c0..][..cols];
                    dst[p * NR..][..cols].copy_from_slice(src);
                }
            } else {
                for p in 0..kc {
                    for c in 0..cols {
                        dst[p * NR + c] = b[(p0 + p) * s.rs + (c0 + c) * s.cs];
                    }
                }
            }
        }
    }

    /// Adds (when `add`) or stores the accumulators into `tile` rows at stride `ldt`.
    ///
    /// # Safety
    /// AVX-512F; rows `0..MR` of `NR` values at stride `ldt` from `tile` are valid.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn store(
        acc: &[[std::arch::x86_64::__m512; 2]; MR],
        tile: *mut f32,
        ldt: usize,
        add: bool,
    ) {
        use std::arch::x86_64::*;
        // SAFETY: the caller guarantees the extent of `tile`.
        unsafe {
            for (r, acc) in acc.iter().enumerate() {
                let t = tile.add(r * ldt);
                let (mut v0, mut v1) = (acc[0], acc[1]);
                if add {
                    v0 = _mm512_add_ps(v0, _mm512_loadu_ps(t));
                    v1 = _mm512_add_ps(v1, _mm512_loadu_ps(t.add(16)));
                }
                _mm512_storeu_ps(t, v0);
                _mm512_storeu_ps(t.add(16), v1);
            }
        }
    }

    /// `tile[MR x NR] (+)= A b_panel` over `kc` terms, row `r` of `A` at `a + r * lda`, its
    /// terms consecutive (a row-major left operand read in place).
    ///
    /// # Safety
    /// AVX-512F; `a + r * lda + p` is readable for `r < MR`, `p < kc`; `b` holds `NR * kc`
    /// values; `tile` as in [`store`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn kernel_rows(
        kc: usize,
        (a, lda): (*const f32, usize),
        b: *const f32,
        (tile, ldt): (*mut f32, usize),
        add: bool,
    ) {
        use std::arch::x86_64::*;
        let mut acc = [[_mm512_setzero_ps(); 2]; MR];
        // SAFETY: the caller guarantees the extents of `a`, `b` and `tile`.
        unsafe {
            let bases = [a, a.add(3 * lda), a.add(6 * lda), a.add(9 * lda)];
            for p in 0..kc {
                let b0 = _mm512_loadu_ps(b.add(p * NR));
                let b1 = _mm512_loadu_ps(b.add(p * NR + 16));
                for (g, base) in bases.iter().enumerate() {
                    let ap = base.add(p);
                    for (j, off) in [0, lda, 2 * lda].into_iter().enumerate() {
                        let av = _mm512_set1_ps(*ap.add(off));
                        let acc = &mut acc[3 * g + j];
                        acc[0] = _mm512_fmadd_ps(av, b0, acc[0]);
                        acc[1] = _mm512_fmadd_ps(av, b1, acc[1]);
                    }
                }
            }
            store(&acc, tile, ldt, add);
        }
    }

    /// `tile[MR x NR] (+)= A b_panel` over `kc` terms, term `p` of `A` the `MR` consecutive
    /// values at `a + p * step` (a column-major left operand read in place, or a packed
    /// panel with `step = MR`).
    ///
    /// # Safety
    /// AVX-512F; `a + p * step + r` is readable for `r < MR`, `p < kc`; `b` holds `NR * kc`
    /// values; `tile` as in [`store`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn kernel_cols(
        kc: usize,
        (a, step): (*const f32, usize),
        b: *const f32,
        (tile, ldt): (*mut f32, usize),
        add: bool,
    ) {
        use std::arch::x86_64::*;
        let mut acc = [[_mm512_setzero_ps(); 2]; MR];
        // SAFETY: the caller guarantees the extents of `a`, `b` and `tile`.
        unsafe {
            for p in 0..kc {
                let b0 = _mm512_loadu_ps(b.add(p * NR));
                let b1 = _mm512_loadu_ps(b.add(p * NR + 16));
                let ap = a.add(p * step);
                for (r, acc) in acc.iter_mut().enumerate() {
                    let av = _mm512_set1_ps(*ap.add(r));
                    acc[0] = _mm512_fmadd_ps(av, b0, acc[0]);
                    acc[1] = _mm512_fmadd_ps(av, b1, acc[1]);
                }
            }
            store(&acc, tile, ldt, add);
        }
    }

    /// `dst[m x n] = (accumulate ? dst : 0) + a[m x k] b[k x n]` for a row-major-tiled
    /// destination (`ds.cs == 1`, or any strides through a scratch tile).
    ///
    /// # Safety
    /// AVX-512F must be available; `dst` views `m x n` elements with strides `ds` inside
    /// `dst_len` values, which are valid for reads and writes and written by nobody else;
    /// `a` and `b` hold their `m x k` and `k x n` views.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn product(
        (m, n, k): (usize, usize, usize),
        (dst, dst_len, ds): (*mut f32, usize, Strides),
        accumulate: bool,
        (a, as_): (&[f32], Strides),
        (b, bs): (&[f32], Strides),
    ) {
        // Checked again here (once per call) so that the in-place reads below never rely
        // on the caller alone; `b` is only read through bounds-checked slices.
        assert!(
            super::extent(m, n, ds) <= dst_len,
            "packed: dst view out of bounds"
        );
        assert!(
            super::extent(m, k, as_) <= a.len(),
            "packed: lhs view out of bounds"
        );
        let mut bp = vec![0f32; KC * NC.min(n.div_ceil(NR) * NR)];
        let mut ap = vec![0f32; MR * KC];
        let mut scratch = [0f32; MR * NR];
        for j0 in (0..n).step_by(NC) {
            let nc = NC.min(n - j0);
            for p0 in (0..k).step_by(KC) {
                let kc = KC.min(k - p0);
                let add = accumulate || p0 > 0;
                pack_right(b, bs, (p0, kc), (j0, nc, n), &mut bp);
                for i0 in (0..m).step_by(MC) {
                    let mc = MC.min(m - i0);
                    for jp in 0..nc.div_ceil(NR) {
                        let c0 = j0 + jp * NR;
                        let cols = NR.min(n - c0);
                        let bpanel = bp[jp * NR * kc..].as_ptr();
                        for ip in 0..mc.div_ceil(MR) {
                            let r0 = i0 + ip * MR;
                            let rows = MR.min(m - r0);
                            // Full panels of row- or column-major operands are read in
                            // place; others are packed.
                            let in_place = rows == MR && (as_.cs == 1 || as_.rs == 1);
                            if !in_place {
                                pack_left(a, as_, (r0, rows), (p0, kc), &mut ap);
                            }
                            let full = rows == MR && cols == NR && ds.cs == 1;
                            let (tile, ldt, tile_add) = if full {
                                // SAFETY: a full tile of a row-major view lies inside it.
                                (unsafe { dst.add(r0 * ds.rs + c0) }, ds.rs, add)
                            } else {
                                (scratch.as_mut_ptr(), NR, false)
                            };
                            // SAFETY: the panel of `b` holds `kc` terms; `a`'s rows
                            // `r0..r0 + MR` and terms `p0..p0 + kc` lie inside its view (in
                            // place) or were packed into `ap`; the tile is inside `dst`'s
                            // view or is the scratch tile.
                            unsafe {
                                if !in_place {
                                    kernel_cols(
                                        kc,
                                        (ap.as_ptr(), MR),
                                        bpanel,
                                        (tile, ldt),
                                        tile_add,
                                    );
                                } else if as_.cs == 1 {
                                    let a0 = a.as_ptr().add(r0 * as_.rs + p0);
                                    kernel_rows(kc, (a0, as_.rs), bpanel, (tile, ldt), tile_add);
                                } else {
                                    let a0 = a.as_ptr().add(p0 * as_.cs + r0);
                                    kernel_cols(kc, (a0, as_.cs), bpanel, (tile, ldt), tile_add);
                                }
                                if !full {
                                    for r in 0..rows {
                                        for c in 0..cols {
                                            let d = dst.add((r0 + r) * ds.rs + (c0 + c) * ds.cs);
                                            let v = scratch[r * NR + c];
                                            *d = if add { *d + v } else { v };
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(
        (m, n, k): (usize, usize, usize),
        (lhs, ls): (&[f32], Strides),
        (rhs, rs): (&[f32], Strides),
    ) -> Vec<f32> {
        let mut out = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0f64;
                for p in 0..k {
                    s += lhs[i * ls.rs + p * ls.cs] as f64 * rhs[p * rs.rs + j * rs.cs] as f64;
                }
                out[i * n + j] = s as f32;
            }
        }
        out
    }

    #[test]
    fn strided_products_in_parts_equal_the_naive_product() {
        let (m, n, k) = (37, 19, 23);
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 5) % 11) as f32 * 0.5).collect();
        for (ls, rs) in [
            (Strides::rows(k), Strides::rows(n)),
            (Strides::cols(m), Strides::cols(k)),
        ] {
            let expected = naive((m, n, k), (&a, ls), (&b, rs));
            for parts in [1, 2, 3] {
                // Row-major and column-major destinations.
                let mut d = vec![0f32; m * n];
                matmul(
                    (m, n, k),
                    &mut d,
                    Strides::rows(n),
                    false,
                    (&a, ls),
                    (&b, rs),
                    parts,
                );
                assert_eq!(d, expected, "row-major dst, {parts} parts");
                let mut d = vec![0f32; m * n];
                matmul(
                    (m, n, k),
                    &mut d,
                    Strides::cols(m),
                    false,
                    (&a, ls),
                    (&b, rs),
                    parts,
                );
                for i in 0..m {
                    for j in 0..n {
                        assert_eq!(d[j * m + i], expected[i * n + j]);
                    }
                }
                // Accumulation adds to what is there.
                let mut d = vec![1f32; m * n];
                matmul(
                    (m, n, k),
                    &mut d,
                    Strides::rows(n),
                    true,
                    (&a, ls),
                    (&b, rs),
                    parts,
                );
                for (x, e) in d.iter().zip(&expected) {
                    assert_eq!(*x, e + 1.0);
                }
            }
        }
    }

    #[test]
    fn operands_with_gaps_between_rows_and_columns_equal_the_naive_product() {
        // Neither row- nor column-major views: every left panel is packed.
        let (m, n, k) = (29, 40, 33);
        let ls = Strides {
            rs: 2 * k + 3,
            cs: 2,
        };
        let rs = Strides {
            rs: 3,
            cs: 3 * k + 1,
        };
        let a: Vec<f32> = (0..extent(m, k, ls))
            .map(|i| ((i * 7) % 9) as f32 - 4.0)
            .collect();
        let b: Vec<f32> = (0..extent(k, n, rs))
            .map(|i| ((i * 5) % 7) as f32 - 3.0)
            .collect();
        let expected = naive((m, n, k), (&a, ls), (&b, rs));
        for parts in [1, 2] {
            let mut d = vec![0f32; m * n];
            matmul(
                (m, n, k),
                &mut d,
                Strides::rows(n),
                false,
                (&a, ls),
                (&b, rs),
                parts,
            );
            assert_eq!(d, expected, "{parts} parts");
        }
    }

    #[test]
    fn products_larger_than_the_packed_blocks_equal_the_naive_product() {
        // Beyond one block of rows (144), terms (256) and columns (512), with partial tiles.
        let (m, n, k) = (150, 530, 300);
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 5) as f32 - 2.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 3) % 7) as f32 - 3.0).collect();
        let expected = naive((m, n, k), (&a, Strides::rows(k)), (&b, Strides::rows(n)));
        for parts in [1, 2] {
            let mut d = vec![0f32; m * n];
            let (l, r) = ((&a[..], Strides::rows(k)), (&b[..], Strides::rows(n)));
            matmul((m, n, k), &mut d, Strides::rows(n), false, l, r, parts);
            assert_eq!(d, expected, "{parts} parts");
        }
    }

    #[test]
    fn a_product_split_along_its_sum_at_term_blocks_is_the_same_bit_for_bit() {
        // dW = cols^T g in pieces of rows (the convolutions' weight gradient): irregular
        // values, so any other order of the sums would round differently.
        if !has_avx512() {
            return; // the `gemm` fallback blocks its sums its own way
        }
        let (patch, out, rows) = (70, 40, 3 * TERM_BLOCK + 77);
        let val = |i: usize, k: f64| ((i as f64 * 0.618_034 + k).fract() - 0.5) as f32;
        let cols: Vec<f32> = (0..rows * patch).map(|i| val(i, 0.2)).collect();
        let g: Vec<f32> = (0..rows * out).map(|i| val(i, 0.9)).collect();
        let mut whole = vec![0f32; patch * out];
        let lhs = (&cols[..], Strides::cols(patch));
        matmul(
            (patch, out, rows),
            &mut whole,
            Strides::rows(out),
            false,
            lhs,
            (&g, Strides::rows(out)),
            2,
        );
        for piece in [TERM_BLOCK, 2 * TERM_BLOCK] {
            let mut pieces = vec![0f32; patch * out];
            for r0 in (0..rows).step_by(piece) {
                let n = piece.min(rows - r0);
                matmul(
                    (patch, out, n),
                    &mut pieces,
                    Strides::rows(out),
                    r0 > 0,
                    (&cols[r0 * patch..(r0 + n) * patch], Strides::cols(patch)),
                    (&g[r0 * out..(r0 + n) * out], Strides::rows(out)),
                    1,
                );
            }
            assert_eq!(pieces, whole, "pieces of {piece} rows");
        }
    }

    #[test]
    fn small_batch_products_equal_the_packed_product_bit_for_bit() {
        // Irregular values (rounding differs with any other order), inputs beyond one block
        // of terms with a tail, rows not a multiple of 12.
        let (out, inputs) = (37, 600);
        let val = |i: usize, k: f64| ((i as f64 * 0.618_034 + k).fract() - 0.5) as f32;
        let w: Vec<f32> = (0..out * inputs).map(|i| val(i, 0.1)).collect();
        for batch in 1..=SMALL_BATCH {
            let x: Vec<f32> = (0..batch * inputs).map(|i| val(i, 0.7)).collect();
            let bias: Vec<f32> = (0..out * batch).map(|i| val(i, 0.3)).collect();
            let mut expected = bias.clone();
            matmul(
                (batch, out, inputs),
                &mut expected,
                Strides::cols(batch),
                true,
                (&x, Strides::rows(inputs)),
                (&w, Strides::cols(inputs)),
                1,
            );
            for parts in [1, 2, 3] {
                let mut yt = bias.clone();
                if !small_batch_product((batch, inputs), &x, &w, &mut yt, parts) {
                    return; // no AVX-512 here (or turned off): nothing to compare
                }
                assert_eq!(yt, expected, "batch {batch}, {parts} parts");
            }
        }
        let mut yt = vec![0f32; 9 * 2];
        assert!(!small_batch_product(
            (9, 2),
            &[0.0; 18],
            &[0.0; 4],
            &mut yt,
            1
        ));
    }

    #[test]
    #[should_panic(expected = "lhs view out of bounds")]
    fn a_view_whose_span_overflows_is_refused() {
        // (3 - 1) * (usize::MAX / 2 + 1) wraps to 0 in release arithmetic.
        let a = vec![0f32; 8];
        let mut d = vec![0f32; 6];
        let huge = Strides {
            rs: usize::MAX / 2 + 1,
            cs: 1,
        };
        matmul(
            (3, 2, 2),
            &mut d,
            Strides::rows(2),
            false,
            (&a, huge),
            (&a, Strides::rows(2)),
            1,
        );
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn a_view_larger_than_its_slice_is_refused() {
        let a = vec![0f32; 5];
        let mut d = vec![0f32; 4];
        matmul(
            (2, 2, 3),
            &mut d,
            Strides::rows(2),
            false,
            (&a, Strides::rows(3)),
            (&a, Strides::rows(2)),
            1,
        );
    }
}
