//! The HAADF image simulator: what the microscope shows after each dwell.
//!
//! Following putting-dune's `imaging.py`: every atom in the field of view contributes
//! `Z^e` spread by a Gaussian of `1 / 2.15` A (putting-dune's `size / (2.15 FOV)` pixels);
//! the clean frame is normalized to a maximum of 1, then the noise model runs in this
//! order: extra blur (folded into the atom Gaussian, which is exact for Gaussian blur),
//! Poisson shot noise with a random dose multiplier, row jitter, salt-and-pepper, gamma,
//! uniform noise, exponential noise, Gaussian noise, and contrast-limited adaptive
//! histogram equalization (CLAHE). Noise parameters are drawn once per episode
//! ([`ImageParams::sample`]).
//!
//! Row 0 of the frame is the top of the view (largest y), column 0 its left (smallest x).
//! Atoms are splatted at their exact sub-pixel position. Per-pixel noise draws from a
//! fast generator seeded from the env stream once per frame, so a seed still fixes every
//! frame.

use rand::{Rng, RngCore};
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

use crate::config::ImageConfig;
use crate::lattice::{Graphene, Rect, Site, Z_CARBON, Z_SILICON};
use crate::noise::{BLOCK as NOISE_LANES, fill_exp, fill_normal};

/// The image parameters of one episode, in pixels of the rendered frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageParams {
    /// Frame side, pixels.
    pub resolution: usize,
    /// Intensity exponent `e` of `Z^e`.
    pub intensity_exponent: f64,
    /// Atom blur, Angstroms.
    pub atom_sigma_a: f64,
    /// Noise on or off.
    pub noise: bool,
    /// Extra blur, pixels.
    pub blur_px: f64,
    /// Poisson dose multiplier (counts at the brightest pixel).
    pub poisson_multiplier: f64,
    /// Mean row shift, pixels.
    pub jitter_rate_px: f64,
    /// Fraction of salt-and-pepper pixels.
    pub salt_and_pepper: f64,
    /// Contrast gamma.
    pub gamma: f64,
    /// Uniform noise scale.
    pub uniform_noise: f64,
    /// Exponential noise mean.
    pub exponential_noise: f64,
    /// Gaussian noise variance.
    pub gaussian_variance: f64,
    /// CLAHE clip limit.
    pub clahe_clip: Option<f64>,
}

fn draw<R: Rng + ?Sized>(rng: &mut R, (lo, hi): (f64, f64)) -> f64 {
    if hi > lo {
        rng.random_range(lo..hi)
    } else {
        lo
    }
}

impl ImageParams {
    /// Draws one episode's parameters from the config's ranges.
    pub fn sample<R: Rng + ?Sized>(cfg: &ImageConfig, rng: &mut R) -> Self {
        let px = cfg.resolution as f64 / 512.0;
        let extra: f64 = Exp1.sample(rng);
        ImageParams {
            resolution: cfg.resolution,
            intensity_exponent: draw(rng, cfg.intensity_exponent),
            atom_sigma_a: cfg.atom_sigma_a,
            noise: cfg.noise,
            blur_px: draw(rng, cfg.blur_px512) * px,
            poisson_multiplier: 1.0 + extra * cfg.poisson_extra_mean,
            jitter_rate_px: draw(rng, cfg.jitter_rate_px512) * px,
            salt_and_pepper: draw(rng, cfg.salt_and_pepper),
            gamma: draw(rng, cfg.gamma),
            uniform_noise: draw(rng, cfg.uniform_noise),
            exponential_noise: draw(rng, cfg.exponential_noise),
            gaussian_variance: draw(rng, cfg.gaussian_variance),
            clahe_clip: cfg.clahe_clip,
        }
    }

    /// A noiseless frame of `resolution` pixels with intensity exponent `e`.
    pub fn clean(resolution: usize, intensity_exponent: f64) -> Self {
        ImageParams {
            resolution,
            intensity_exponent,
            atom_sigma_a: 1.0 / 2.15,
            noise: false,
            blur_px: 0.0,
            poisson_multiplier: 1.0,
            jitter_rate_px: 0.0,
            salt_and_pepper: 0.0,
            gamma: 1.0,
            uniform_noise: 0.0,
            exponential_noise: 0.0,
            gaussian_variance: 0.0,
            clahe_clip: None,
        }
    }
}

/// A small, fast generator (wyrand) for per-pixel noise, seeded from the env stream.
#[derive(Clone, Debug)]
struct PixelRng(u64);

impl PixelRng {
    #[inline]
    fn unit_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / 16_777_216.0)
    }
    #[inline]
    fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}

impl RngCore for PixelRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = (self.0 as u128).wrapping_mul((self.0 ^ 0xe703_7ed1_a0b4_28db) as u128);
        ((t >> 64) ^ t) as u64
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// `ln(k!)`: a table for small `k`, Stirling's series beyond.
fn ln_factorial(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.0,
        0.0,
        std::f64::consts::LN_2,
        1.791_759_469_228_055,
        3.178_053_830_347_945_8,
        4.787_491_742_782_046,
        6.579_251_212_010_101,
        8.525_161_361_065_415,
        10.604_602_902_745_25,
        12.801_827_480_081_469,
    ];
    if k < 10.0 {
        return TABLE[k as usize];
    }
    let n = k + 1.0;
    (n - 0.5) * n.ln() - n + 0.5 * std::f64::consts::TAU.ln() + 1.0 / (12.0 * n)
        - 1.0 / (360.0 * n * n * n)
}

/// `exp(x)` for `x <= 0` in `f32`: `2^t` split into an integer power and a degree-6 Taylor
/// polynomial on `[-1/2, 1/2]` (relative error below 2e-7).
#[inline(always)]
fn exp_neg(x: f32) -> f32 {
    if x < -87.0 {
        return 0.0;
    }
    let t = x * std::f32::consts::LOG2_E;
    // Round to nearest with the 1.5 * 2^23 trick (|t| < 2^22 here): `f32::round` is a
    // library call on baseline x86-64.
    const MAGIC: f32 = 12_582_912.0;
    let n = (t + MAGIC) - MAGIC;
    let f = (t - n) * std::f32::consts::LN_2;
    let p = 1.0
        + f * (1.0
            + f * (0.5
                + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// `1 / k` for the inversion sampler.
const INV: [f32; 64] = {
    let mut t = [0f32; 64];
    let mut k = 1;
    while k < 64 {
        t[k] = 1.0 / k as f32;
        k += 1;
    }
    t
};

/// Two independent uniforms on `[0, 1)` with 24 bits each from the top and the middle
/// bits of one 64-bit output (every bit of the generator's output is uniform and
/// independent of the others).
#[inline(always)]
fn two_units(x: u64) -> (f32, f32) {
    const SCALE: f32 = 1.0 / 16_777_216.0;
    (
        (x >> 40) as i32 as f32 * SCALE,
        ((x >> 16) & 0xFF_FFFF) as i32 as f32 * SCALE,
    )
}

/// [`NOISE_LANES`] uniforms on `[0, 1)`, 24 bits each, two per 64-bit output.
#[inline(always)]
fn units(rng: &mut PixelRng) -> [f32; NOISE_LANES] {
    let mut u = [0f32; NOISE_LANES];
    for i in 0..NOISE_LANES / 2 {
        (u[2 * i], u[2 * i + 1]) = two_units(rng.next_u64());
    }
    u
}

/// One Poisson draw of mean `lam`: inversion for small means, Hormann's PTRS beyond.
#[inline]
fn poisson(rng: &mut PixelRng, lam: f64) -> f64 {
    if lam <= 0.0 {
        return 0.0;
    }
    if lam < 12.0 {
        // Inversion: k = #{j : u > P(X <= j)}. The first 16 terms run without
        // data-dependent branches (the exit of a search loop is a coin flip per pixel).
        let lam = lam as f32;
        let mut p = exp_neg(-lam);
        let mut cdf = p;
        let u = rng.unit_f32();
        // Short blocks for dim pixels, where P(X >= 8) < 1e-4 for lam < 2.
        let terms = if lam < 2.0 { 8 } else { 16 };
        let mut k = (u > cdf) as usize;
        for inv in &INV[1..terms] {
            p *= lam * inv;
            cdf += p;
            k += (u > cdf) as usize;
        }
        if k < terms {
            return k as f64;
        }
        let mut j = terms - 1;
        while u > cdf && j < 63 {
            j += 1;
            p *= lam * INV[j];
            cdf += p;
        }
        return j as f64;
    }
    let slam = lam.sqrt();
    let loglam = lam.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.unit_f64() - 0.5;
        let v = rng.unit_f64();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lam + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln() <= -lam + k * loglam - ln_factorial(k)
        {
            return k;
        }
    }
}

/// Pixels per block of [`poisson_frame`].
const LANES: usize = 8;
/// Grid steps per unit of mean for the tabulated Poisson sampler.
const GRID: usize = 8;
/// Means below this use the tables ([`GRID`] * `TABLE_MAX_MEAN` tables, 48 KiB), larger
/// ones [`poisson`]'s rejection sampler.
const TABLE_MAX_MEAN: usize = 24;
/// Outcomes per alias table: `0..OUTCOMES - 1`, and `OUTCOMES - 1` standing for "at
/// least `OUTCOMES - 1`".
const OUTCOMES: usize = 64;
const _: () = assert!(OUTCOMES.is_power_of_two());

/// Walker alias tables of `Poisson(g / GRID)` for `g` in `0..GRID * TABLE_MAX_MEAN`, built
/// once per process: entry `j` of table `g` packs the acceptance threshold of outcome `j`
/// (24-bit fixed point, upper bits) and its alias (low 8 bits).
fn alias_tables() -> &'static [u32] {
    static TABLES: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut all = Vec::with_capacity(GRID * TABLE_MAX_MEAN * OUTCOMES);
        let mut pmf = [0f64; OUTCOMES];
        for g in 0..GRID * TABLE_MAX_MEAN {
            let mean = g as f64 / GRID as f64;
            let mut p = (-mean).exp();
            let mut head = 0.0;
            for (k, slot) in pmf[..OUTCOMES - 1].iter_mut().enumerate() {
                if k > 0 {
                    p *= mean / k as f64;
                }
                *slot = p;
                head += p;
            }
            pmf[OUTCOMES - 1] = (1.0 - head).max(0.0);
            all.extend(alias_table(&pmf));
        }
        all
    })
}

/// Vose's construction of a Walker alias table for `pmf` (which sums to 1), packed as in
/// [`alias_tables`].
fn alias_table(pmf: &[f64; OUTCOMES]) -> [u32; OUTCOMES] {
    let mut q = pmf.map(|p| p * OUTCOMES as f64);
    let mut alias: [usize; OUTCOMES] = std::array::from_fn(|j| j);
    let mut small: Vec<usize> = (0..OUTCOMES).filter(|&j| q[j] < 1.0).collect();
    let mut large: Vec<usize> = (0..OUTCOMES).filter(|&j| q[j] >= 1.0).collect();
    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        alias[s] = l;
        q[l] -= 1.0 - q[s];
        if q[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // Entries left on either list (rounding) are full: they keep themselves as alias.
    for j in small.into_iter().chain(large) {
        q[j] = 1.0;
        alias[j] = j;
    }
    std::array::from_fn(|j| {
        let threshold = (q[j] * 16_777_216.0).round().min(16_777_215.0) as u32;
        // A full entry (threshold clamped) aliases itself, so the clamp changes nothing.
        let alias = if q[j] >= 1.0 { j } else { alias[j] };
        (threshold << 8) | alias as u32
    })
}

/// Entries of [`alias_tables`] padded to a power of two, so that a masked index needs no
/// bounds check.
const TABLE_ENTRIES: usize = (GRID * TABLE_MAX_MEAN).next_power_of_two() * OUTCOMES;

/// The alias tables as a fixed-size array (padding rows unused).
fn padded_alias_tables() -> &'static [u32; TABLE_ENTRIES] {
    static PADDED: std::sync::OnceLock<Box<[u32; TABLE_ENTRIES]>> = std::sync::OnceLock::new();
    PADDED.get_or_init(|| {
        let mut all = Box::new([0u32; TABLE_ENTRIES]);
        all[..GRID * TABLE_MAX_MEAN * OUTCOMES].copy_from_slice(alias_tables());
        all
    })
}

/// Writes into `out[i]` a Poisson draw of mean `src[i] * multiplier` (0 for means that
/// are not positive).
///
/// A mean `lam` below [`TABLE_MAX_MEAN`] splits as `g + d`, `g` on a grid of step
/// `1 / GRID` and `0 <= d < 1 / GRID`; the draw is `Y + Z` with `Y ~ Poisson(g)` from the
/// grid's alias table and `Z ~ Poisson(d)` by inversion (the sum of independent Poisson
/// variables is Poisson with the summed mean, so the draw is exact). One 64-bit output
/// feeds both: 6 bits pick the alias column, 24 bits its threshold test, 24 bits the
/// uniform of `Z`. Blocks of [`LANES`] pixels run without data-dependent branches (float
/// `floor` by the `2^23` rounding trick, which baseline x86-64 vectorizes); the rare
/// outcomes (`Y >= 63`, `Z >= 3`, means of [`TABLE_MAX_MEAN`] or more, which use
/// [`poisson`]'s rejection sampler) are redone after their block.
fn poisson_frame(src: &[f32], multiplier: f64, rng: &mut PixelRng, out: &mut [u32]) {
    const MAGIC: f32 = 8_388_608.0; // 2^23: adding it rounds a float in [0, 2^22) to an integer
    const CELLS: u32 = (GRID * TABLE_MAX_MEAN) as u32;
    let m = multiplier as f32;
    let tables = padded_alias_tables();
    let n = src.len().min(out.len());
    let (src, out) = (&src[..n], &mut out[..n]);
    let mut src_blocks = src.chunks_exact(LANES);
    let mut out_blocks = out.chunks_exact_mut(LANES);
    for (s, o) in (&mut src_blocks).zip(&mut out_blocks) {
        // Lane-wise float work (vectorizable): grid cell, residual mean, `exp(-d)`.
        let mut lam = [0f32; LANES];
        let mut cell = [0u32; LANES];
        let mut d = [0f32; LANES];
        let mut p0 = [0f32; LANES];
        for i in 0..LANES {
            lam[i] = s[i] * m;
            // `max` maps NaN to 0; means at or past the tables are redone below.
            let l = lam[i].max(0.0).min(TABLE_MAX_MEAN as f32);
            let t = l * GRID as f32;
            let nearest = (t + MAGIC) - MAGIC;
            let floor = nearest - if nearest > t { 1.0 } else { 0.0 };
            cell[i] = ((floor + MAGIC).to_bits() & 0x7F_FFFF).min(CELLS - 1);
            // Exact: `floor / GRID` is representable and at most `l`, so `d >= 0`.
            d[i] = l - floor * (1.0 / GRID as f32);
            p0[i] = exp_small(d[i]);
        }
        // Table part: one 64-bit output per pixel.
        let mut y = [0u32; LANES];
        let mut u = [0f32; LANES];
        for i in 0..LANES {
            let x = rng.next_u64();
            let j = (x >> 58) as u32;
            let entry =
                tables[((cell[i] << OUTCOMES.trailing_zeros()) | j) as usize % TABLE_ENTRIES];
            let t = ((x >> 34) & 0xFF_FFFF) as u32;
            y[i] = if t < entry >> 8 { j } else { entry & 0xFF };
            u[i] = (x & 0xFF_FFFF) as i32 as f32 * (1.0 / 16_777_216.0);
        }
        // Residual part: three inversion terms without branches.
        let mut rare = false;
        for i in 0..LANES {
            let p1 = p0[i] * d[i];
            let p2 = p1 * d[i] * 0.5;
            let c1 = p0[i] + p1;
            let c2 = c1 + p2;
            let z = u32::from(u[i] > p0[i])
                .wrapping_add(u32::from(u[i] > c1))
                .wrapping_add(u32::from(u[i] > c2));
            o[i] = y[i].wrapping_add(z);
            rare |= (y[i] == OUTCOMES as u32 - 1) | (z == 3) | (lam[i] >= TABLE_MAX_MEAN as f32);
        }
        if rare {
            for i in 0..LANES {
                if lam[i] >= TABLE_MAX_MEAN as f32 {
                    o[i] = poisson(rng, f64::from(lam[i])) as u32;
                    continue;
                }
                let z = o[i].wrapping_sub(y[i]);
                if y[i] == OUTCOMES as u32 - 1 {
                    let mean = f64::from(cell[i]) / GRID as f64;
                    y[i] = poisson_tail(rng, mean, OUTCOMES - 1) as u32;
                }
                let z = if z == 3 {
                    residual_poisson(u[i], d[i], p0[i]) as u32
                } else {
                    z
                };
                o[i] = y[i].wrapping_add(z);
            }
        }
    }
    for (&v, o) in src_blocks
        .remainder()
        .iter()
        .zip(out_blocks.into_remainder())
    {
        let lam = v * m;
        *o = if lam.is_nan() || lam <= 0.0 {
            0
        } else {
            poisson(rng, f64::from(lam)) as u32
        };
    }
}

/// `exp(-d)` for `0 <= d < 1 / GRID` by its Taylor series to `d^6` (truncation below
/// 1e-9).
#[inline(always)]
fn exp_small(d: f32) -> f32 {
    1.0 - d
        * (1.0
            - d * (1.0 / 2.0
                - d * (1.0 / 6.0 - d * (1.0 / 24.0 - d * (1.0 / 120.0 - d * (1.0 / 720.0))))))
}

/// The `Poisson(d)` draw by inversion of the uniform `u`, given `p0 = exp(-d)`: three
/// terms without branches, the rest (probability below 3e-4) by continuing the search.
#[inline(always)]
fn residual_poisson(u: f32, d: f32, p0: f32) -> usize {
    let p1 = p0 * d;
    let p2 = p1 * d * 0.5;
    let c1 = p0 + p1;
    let c2 = c1 + p2;
    let mut z = ((u > p0) as usize)
        .wrapping_add((u > c1) as usize)
        .wrapping_add((u > c2) as usize);
    if z == 3 {
        // u > P(Z <= 2): continue the search from there.
        let (mut p, mut c) = (p2, c2);
        z = 2;
        while u > c && z < INV.len() - 1 {
            z += 1;
            p *= d * INV[z];
            c += p;
        }
    }
    z
}

/// A draw of `Poisson(mean)` conditioned on being at least `at_least`, by inversion over
/// the tail in `f64` (the tail mass is summed first, then walked again for the draw). Only
/// reached when the alias table returns its tail outcome, with probability below 1e-9.
fn poisson_tail(rng: &mut PixelRng, mean: f64, at_least: usize) -> usize {
    if mean <= 0.0 {
        return at_least;
    }
    let first = (-mean + at_least as f64 * mean.ln() - ln_factorial(at_least as f64)).exp();
    let (mut tail, mut p, mut k) = (0.0, first, at_least);
    while p > tail * 1e-17 {
        tail += p;
        k += 1;
        p *= mean / k as f64;
    }
    let target = rng.unit_f64() * tail;
    let (mut acc, mut p, mut k) = (0.0, first, at_least);
    loop {
        acc += p;
        if acc > target || p <= 0.0 {
            return k;
        }
        k += 1;
        p *= mean / k as f64;
    }
}

/// Renders frames into reusable buffers (no allocation per frame once sized).
///
/// The clean frame is kept between calls and rendered again only when what it depends on
/// changed (the lattice, the silicon's site, the view, the atom parameters): most steps
/// leave the silicon where it was.
#[derive(Clone, Debug, Default)]
pub struct Renderer {
    /// The clean frame of `clean_key`.
    clean: Vec<f32>,
    clean_key: Option<CleanKey>,
    /// The last noisy frame (valid when `noisy`).
    image: Vec<f32>,
    noisy: bool,
    /// Shot-noise counts.
    counts: Vec<u32>,
    wx: Vec<f32>,
    wy: Vec<f32>,
    maps: Vec<f32>,
    hist: Vec<u32>,
    bins: Vec<u8>,
    lut: Vec<f32>,
    coords: Vec<(usize, usize, f32)>,
    fx: Vec<f32>,
    runs: Vec<(usize, usize, usize, usize)>,
}

/// What a clean frame depends on.
#[derive(Clone, Debug, PartialEq)]
struct CleanKey {
    lattice: Graphene,
    si: Site,
    view: Rect,
    resolution: usize,
    intensity_exponent: f64,
    atom_sigma_a: f64,
    blur_px: f64,
}

/// The larger of `a` and `b` (`a` when they are unordered): one `maxss`, where `f32::max`'s
/// NaN handling costs a chain of blends.
#[inline(always)]
fn fmax(a: f32, b: f32) -> f32 {
    if b > a { b } else { a }
}

/// Quantizes `[0, 1]` to bytes, rounding to nearest (values outside saturate: float-to-int
/// casts saturate, and NaN gives 0).
#[inline(always)]
fn to_byte(v: f32) -> u8 {
    (v * 255.0 + 0.5) as u8
}

#[cfg(test)]
fn normalize_max(image: &mut [f32]) {
    let max = image.iter().fold(0f32, |m, &v| m.max(v));
    if max > 0.0 {
        let inv = 1.0 / max;
        image.iter_mut().for_each(|v| *v *= inv);
    }
}

/// Gaussian weights `exp(-(c - center)^2 / (2 s^2))` for `c = first..first + out.len()`,
/// by the recurrence `w(c+1) = w(c) r(c)`, `r(c+1) = r(c) exp(-1/s^2)` (two `exp` calls
/// per axis instead of one per tap).
fn gaussian_taps(out: &mut [f32], first: i64, center: f64, sigma: f64) {
    let inv2s2 = 0.5 / (sigma * sigma);
    let d0 = first as f64 - center;
    let mut w = (-(d0 * d0) * inv2s2).exp();
    let mut r = (-(2.0 * d0 + 1.0) * inv2s2).exp();
    let k = (-2.0 * inv2s2).exp();
    for o in out.iter_mut() {
        *o = w as f32;
        w *= r;
        r *= k;
    }
}

impl Renderer {
    /// A renderer (buffers grow on first use).
    pub fn new() -> Self {
        Self::default()
    }

    /// The last frame as floats in `[0, 1]`, row-major, before quantization.
    pub fn frame(&self) -> &[f32] {
        if self.noisy { &self.image } else { &self.clean }
    }

    /// Renders the clean frame (atoms blurred, normalized to a maximum of 1) of the sites in
    /// `view`, with the silicon at `si` (or keeps the last one when nothing it depends on
    /// changed).
    pub fn render_clean(
        &mut self,
        lattice: &Graphene,
        si: Site,
        view: &Rect,
        params: &ImageParams,
    ) {
        self.noisy = false;
        let key = CleanKey {
            lattice: *lattice,
            si,
            view: *view,
            resolution: params.resolution,
            intensity_exponent: params.intensity_exponent,
            atom_sigma_a: params.atom_sigma_a,
            blur_px: params.blur_px,
        };
        if self.clean_key.as_ref() == Some(&key) {
            return;
        }
        let n = params.resolution;
        self.clean.clear();
        self.clean.resize(n * n, 0.0);
        let scale = n as f64 / view.width();
        let sigma = ((params.atom_sigma_a * scale).powi(2) + params.blur_px.powi(2))
            .sqrt()
            .max(1e-3);
        let reach = (3.5 * sigma).ceil() as i64;
        let taps = (2 * reach + 1) as usize;
        self.wx.resize(taps, 0.0);
        self.wy.resize(taps, 0.0);
        let e = params.intensity_exponent;
        let carbon = 1.0f32;
        let silicon = (Z_SILICON as f64 / Z_CARBON as f64).powf(e) as f32;
        let (wx, wy, image) = (&mut self.wx, &mut self.wy, &mut self.clean);
        lattice.for_each_site_in(view, |site, p| {
            let amp = if site == si { silicon } else { carbon };
            // Pixel coordinates of the atom (pixel c spans [c, c + 1), centre c + 0.5).
            let cx = (p.x - view.min.x) * scale - 0.5;
            let cy = (view.max.y - p.y) * scale - 0.5;
            let c0 = (cx.round() as i64 - reach).max(0);
            let c1 = (cx.round() as i64 + reach).min(n as i64 - 1);
            let r0 = (cy.round() as i64 - reach).max(0);
            let r1 = (cy.round() as i64 + reach).min(n as i64 - 1);
            if c1 < c0 || r1 < r0 {
                return;
            }
            let (nc, nr) = ((c1 - c0 + 1) as usize, (r1 - r0 + 1) as usize);
            gaussian_taps(&mut wx[..nc], c0, cx, sigma);
            gaussian_taps(&mut wy[..nr], r0, cy, sigma);
            for (dr, &w_row) in wy[..nr].iter().enumerate() {
                let a = amp * w_row;
                let start = (r0 as usize + dr) * n + c0 as usize;
                for (px, &w) in image[start..start + nc].iter_mut().zip(&wx[..nc]) {
                    *px += a * w;
                }
            }
        });
        let mut max = [0f32; NOISE_LANES];
        for block in self.clean.chunks(NOISE_LANES) {
            for (m, &v) in max.iter_mut().zip(block) {
                *m = fmax(*m, v);
            }
        }
        let max = max.into_iter().fold(0.0, fmax);
        if max > 0.0 {
            let inv = 1.0 / max;
            self.clean.iter_mut().for_each(|v| *v *= inv);
        }
        self.clean_key = Some(key);
    }

    /// Renders a frame (clean, then the noise model when `params.noise`) and writes it as
    /// `u8` into `out` (`resolution^2` bytes, row-major).
    pub fn render<R: Rng + ?Sized>(
        &mut self,
        lattice: &Graphene,
        si: Site,
        view: &Rect,
        params: &ImageParams,
        rng: &mut R,
        out: &mut [u8],
    ) {
        self.render_clean(lattice, si, view, params);
        if params.noise {
            let mut prng = PixelRng(rng.next_u64());
            self.apply_noise(params, &mut prng);
            match params.clahe_clip {
                Some(clip) => self.clahe(params.resolution, clip, out),
                None => {
                    for (o, &b) in out.iter_mut().zip(&self.bins) {
                        *o = b;
                    }
                }
            }
        } else {
            for (o, &v) in out.iter_mut().zip(&self.clean) {
                *o = to_byte(v);
            }
        }
    }

    /// Runs the noise model on the clean frame into `image` (floats) and `bins` (its
    /// bytes).
    fn apply_noise(&mut self, p: &ImageParams, rng: &mut PixelRng) {
        let n = p.resolution;
        let pixels = n * n;
        self.noisy = true;
        self.counts.resize(pixels, 0);
        self.image.resize(pixels, 0.0);
        self.bins.resize(pixels, 0);
        let counts = &mut self.counts[..pixels];
        // Shot noise: integer counts until the gamma step normalizes them.
        poisson_frame(&self.clean, p.poisson_multiplier, rng, counts);
        let kmax = counts.iter().fold(1u32, |m, &v| m.max(v));
        // Row jitter: row r rolls right by Poisson(rate) pixels.
        if p.jitter_rate_px > 0.0 {
            for row in counts.chunks_exact_mut(n) {
                let shift = poisson(rng, p.jitter_rate_px) as usize % n;
                if shift != 0 {
                    row.rotate_right(shift);
                }
            }
        }
        // Salt and pepper: ceil(amount * N / 2) pixels each (drawn with replacement); salt
        // is the brightest count (1 after normalization).
        if p.salt_and_pepper > 0.0 {
            let each = (p.salt_and_pepper * pixels as f64 * 0.5).ceil() as usize;
            for value in [kmax, 0] {
                for _ in 0..each {
                    let i = (rng.next_u64() % pixels as u64) as usize;
                    counts[i] = value;
                }
            }
        }
        // Normalize and apply gamma: counts are integers, so a table over 0..=kmax does it
        // (indexing needs no bound check past the table's power-of-two size).
        let g = p.gamma as f32;
        let size = (kmax as usize + 1).next_power_of_two();
        let use_lut = size <= 1 << 17;
        if use_lut {
            let inv = 1.0 / kmax as f32;
            self.lut.clear();
            self.lut
                .extend((0..=kmax as usize).map(|k| (k as f32 * inv).powf(g)));
            self.lut.resize(size, 1.0);
        }
        let lut = &self.lut[..];
        let mask = size - 1;
        let gamma = |c: u32| {
            if use_lut {
                lut[c as usize & mask]
            } else {
                (c as f32 / kmax as f32).powf(g)
            }
        };
        // The three additive noises run fused in three passes. Each of the uniform and
        // exponential stages is followed by a max-normalization in the model; the passes
        // carry the scale instead: with `w = gamma + U s_u` and `c = max w`, the model's
        // `w / c + E s_e` is `(w + c E s_e) / c`, whose normalization by its maximum equals
        // that of `y = w + c E s_e`; the last pass divides by `max y`, adds the Gaussian
        // and quantizes.
        let img = &mut self.image[..pixels];
        let su = p.uniform_noise as f32;
        let mut scale = 1f32;
        // Maxima are kept per lane: one running maximum would be a serial chain.
        if su > 0.0 {
            let mut max = [0f32; NOISE_LANES];
            for (block, c) in img.chunks_mut(NOISE_LANES).zip(counts.chunks(NOISE_LANES)) {
                let u = units(rng);
                for (((v, &c), u), m) in block.iter_mut().zip(c).zip(u).zip(&mut max) {
                    *v = gamma(c) + su * u;
                    *m = fmax(*m, *v);
                }
            }
            let max = max.into_iter().fold(0.0, fmax);
            if max > 0.0 {
                scale = max;
            }
        } else {
            for (v, &c) in img.iter_mut().zip(counts.iter()) {
                *v = gamma(c);
            }
        }
        let se = p.exponential_noise as f32;
        let mut inv = 1.0 / scale;
        if se > 0.0 {
            let s = scale * se;
            let mut max = [0f32; NOISE_LANES];
            let mut e = [0f32; NOISE_LANES];
            for block in img.chunks_mut(NOISE_LANES) {
                fill_exp(rng, &mut e);
                for ((v, e), m) in block.iter_mut().zip(e).zip(&mut max) {
                    *v += s * e;
                    *m = fmax(*m, *v);
                }
            }
            let max = max.into_iter().fold(0.0, fmax);
            if max > 0.0 {
                inv = 1.0 / max;
            }
        }
        // Gaussian noise, clipped to [0, 1].
        let bins = &mut self.bins[..pixels];
        if p.gaussian_variance > 0.0 {
            let sd = p.gaussian_variance.sqrt() as f32;
            let mut z = [0f32; NOISE_LANES];
            for (block, b) in img
                .chunks_mut(NOISE_LANES)
                .zip(bins.chunks_mut(NOISE_LANES))
            {
                fill_normal(rng, &mut z);
                for ((v, b), z) in block.iter_mut().zip(b).zip(z) {
                    *v = (*v * inv + sd * z).clamp(0.0, 1.0);
                    // In [0.5, 255.5] (or NaN, giving 0): the same byte as `to_byte`, by
                    // a conversion that vectorizes.
                    *b = (*v * 255.0 + 0.5) as i32 as u8;
                }
            }
        } else {
            for (v, b) in img.iter_mut().zip(bins.iter_mut()) {
                *v *= inv;
                *b = to_byte(*v);
            }
        }
    }

    /// Contrast-limited adaptive histogram equalization on an 8 x 8 grid of tiles with 256
    /// bins; each tile's histogram is clipped at `clip * pixels per tile` (at least 1) and
    /// the excess spread evenly; pixels interpolate bilinearly between tile mappings.
    ///
    /// Works on the frame's bytes (`bins`, written by the noise passes); the histograms of
    /// a row of tiles are integer counts kept in two copies (even and odd columns) so that
    /// runs of equal bins do not serialize on one counter.
    fn clahe(&mut self, n: usize, clip: f64, out: &mut [u8]) {
        const TILES: usize = 8;
        const BINS: usize = 256;
        let tile = n.div_ceil(TILES);
        self.maps.resize(TILES * TILES * BINS, 0.0);
        self.hist.resize(2 * TILES * BINS, 0);
        for ty in 0..TILES {
            let (r0, r1) = ((ty * tile).min(n), ((ty + 1) * tile).min(n));
            self.hist.fill(0);
            let (even, odd) = self.hist.split_at_mut(TILES * BINS);
            for r in r0..r1 {
                let row = &self.bins[r * n..(r + 1) * n];
                for tx in 0..TILES {
                    let (c0, c1) = ((tx * tile).min(n), ((tx + 1) * tile).min(n));
                    let even = &mut even[tx * BINS..(tx + 1) * BINS];
                    let odd = &mut odd[tx * BINS..(tx + 1) * BINS];
                    let mut pairs = row[c0..c1].chunks_exact(2);
                    for pair in &mut pairs {
                        // Wrapping: no overflow-check branch in dev builds (a tile
                        // holds far fewer than 2^32 pixels).
                        let (e, o) = (&mut even[pair[0] as usize], &mut odd[pair[1] as usize]);
                        *e = e.wrapping_add(1);
                        *o = o.wrapping_add(1);
                    }
                    for &b in pairs.remainder() {
                        let e = &mut even[b as usize];
                        *e = e.wrapping_add(1);
                    }
                }
            }
            for tx in 0..TILES {
                let (c0, c1) = ((tx * tile).min(n), ((tx + 1) * tile).min(n));
                let count = (r1 - r0) * (c1 - c0);
                let map = &mut self.maps[(ty * TILES + tx) * BINS..(ty * TILES + tx + 1) * BINS];
                if count == 0 {
                    map.iter_mut()
                        .enumerate()
                        .for_each(|(b, m)| *m = b as f32 + 0.5);
                    continue;
                }
                let limit = ((clip * count as f64).floor() as u32).max(1);
                let hist = &mut even[tx * BINS..(tx + 1) * BINS];
                let mut excess = 0u32;
                for (h, &o) in hist.iter_mut().zip(&odd[tx * BINS..(tx + 1) * BINS]) {
                    let total = h.wrapping_add(o);
                    *h = total.min(limit);
                    excess = excess.wrapping_add(total.wrapping_sub(*h));
                }
                // The cumulative sum of `h + excess / BINS`: the integer part summed in
                // integers first (the only serial chain), the floats after, lane-wise.
                let mut cdf = 0u32;
                for h in hist.iter_mut() {
                    cdf = cdf.wrapping_add(*h);
                    *h = cdf;
                }
                let add = excess as f32 / BINS as f32;
                // Maps hold output bytes before truncation: `255 cdf / count + 1/2` (the
                // weights of the interpolation sum to 1, so the rounding offset carries).
                let inv = 255.0 / count as f32;
                // Ranges, not `enumerate`: its counter carries an overflow check in dev
                // builds, which keeps the loop from vectorizing.
                for ((m, &cdf), b) in map.iter_mut().zip(hist.iter()).zip(1..=BINS as i32) {
                    *m = (cdf as i32 as f32 + add * b as f32) * inv + 0.5;
                }
            }
        }
        // Tile centres sit at (t + 0.5) * tile; interpolate between the two nearest.
        self.coords.clear();
        self.coords.extend((0..n).map(|i| {
            let t = (i as f32 + 0.5) / tile as f32 - 0.5;
            let t0 = t.floor().clamp(0.0, (TILES - 1) as f32);
            let t1 = (t0 + 1.0).min((TILES - 1) as f32);
            let f = (t - t0).clamp(0.0, 1.0);
            (t0 as usize * BINS, t1 as usize * BINS, f)
        }));
        self.fx.clear();
        self.fx.extend(self.coords.iter().map(|c| c.2));
        // Runs of columns between the same two tile centres share four maps.
        self.runs.clear();
        let mut c = 0;
        while c < n {
            let (x0, x1, _) = self.coords[c];
            let end = c + self.coords[c..]
                .iter()
                .take_while(|&&(a, b, _)| a == x0 && b == x1)
                .count();
            self.runs.push((c, end, x0, x1));
            c = end;
        }
        let (maps, coords, fxs) = (&self.maps, &self.coords, &self.fx);
        // One tile's map as a fixed-size array, so that indexing by a byte needs no check.
        fn map_at(rows: &[f32], x: usize) -> &[f32; BINS] {
            <&[f32; BINS]>::try_from(&rows[x..x + BINS]).expect("a tile map has BINS entries")
        }
        for r in 0..n {
            let (y0, y1, fy) = coords[r];
            // Rows of tiles above and below: TILES maps each.
            let top = &maps[y0 * TILES..(y0 + BINS) * TILES];
            let bottom = &maps[y1 * TILES..(y1 + BINS) * TILES];
            let bins = &self.bins[r * n..(r + 1) * n];
            let out = &mut out[r * n..(r + 1) * n];
            for &(c0, c1, x0, x1) in &self.runs {
                let (tl, tr) = (map_at(top, x0), map_at(top, x1));
                let (bl, br) = (map_at(bottom, x0), map_at(bottom, x1));
                // One pixel at a time: lookups staged in small arrays and read back as
                // vectors stall on store forwarding.
                for ((&b, o), &fx) in bins[c0..c1]
                    .iter()
                    .zip(out[c0..c1].iter_mut())
                    .zip(&fxs[c0..c1])
                {
                    let b = b as usize;
                    let t = tl[b] + (tr[b] - tl[b]) * fx;
                    let v = t + (bl[b] + (br[b] - bl[b]) * fx - t) * fy;
                    *o = v as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Vec2;
    use rand::SeedableRng;

    fn peak(frame: &[f32], n: usize) -> (usize, usize) {
        let i = frame
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        (i / n, i % n)
    }

    #[test]
    fn silicon_is_the_brightest_pixel_at_its_position() {
        let g = Graphene::new(0.37, Vec2::new(0.2, -0.1));
        let mut renderer = Renderer::new();
        let n = 128;
        for (k, si) in [
            Site::new(0, 0, false),
            Site::new(2, -1, true),
            Site::new(-3, 1, false),
        ]
        .into_iter()
        .enumerate()
        {
            let view = Rect::square(Vec2::new(1.3 * k as f64, -0.8), 20.0);
            let params = ImageParams::clean(n, 1.7);
            renderer.render_clean(&g, si, &view, &params);
            let (r, c) = peak(renderer.frame(), n);
            let p = g.position(si);
            let x = view.min.x + (c as f64 + 0.5) * 20.0 / n as f64;
            let y = view.max.y - (r as f64 + 0.5) * 20.0 / n as f64;
            let pixel = 20.0 / n as f64;
            assert!(
                (x - p.x).abs() <= pixel && (y - p.y).abs() <= pixel,
                "peak ({x}, {y}) vs si {p:?}"
            );
        }
    }

    #[test]
    fn brightness_ratio_scales_as_z_to_the_exponent() {
        // An isolated-enough comparison: the ratio of the Si peak to a far carbon peak.
        let g = Graphene::default();
        let si = Site::default();
        let view = Rect::square(g.position(si), 24.0);
        let n = 256;
        let mut renderer = Renderer::new();
        let far = Site::new(1, 1, false);
        let pos = |s: Site| {
            let p = g.position(s);
            let c = ((p.x - view.min.x) / 24.0 * n as f64) as usize;
            let r = ((view.max.y - p.y) / 24.0 * n as f64) as usize;
            r * n + c
        };
        let mut ratios = Vec::new();
        for e in [1.4, 1.7, 2.0] {
            renderer.render_clean(&g, si, &view, &ImageParams::clean(n, e));
            let f = renderer.frame();
            let si_v = f[pos(si)];
            let c_v = f[pos(far)];
            ratios.push((si_v / c_v) as f64);
            // Neighbouring atoms add their tails equally to both peaks only roughly, so
            // compare against (14/6)^e within 5%.
            let expected = (14.0f64 / 6.0).powf(e);
            let got = (si_v / c_v) as f64;
            assert!(
                (got / expected - 1.0).abs() < 0.05,
                "e {e}: ratio {got}, expected {expected}"
            );
        }
        assert!(ratios[0] < ratios[1] && ratios[1] < ratios[2]);
    }

    #[test]
    fn noisy_frames_are_deterministic_per_seed_and_differ_across_seeds() {
        let g = Graphene::new(0.2, Vec2::ZERO);
        let view = Rect::square(Vec2::ZERO, 20.0);
        let cfg = ImageConfig::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let params = ImageParams::sample(&cfg, &mut rng);
        let mut renderer = Renderer::new();
        let mut a = vec![0u8; 128 * 128];
        let mut b = vec![0u8; 128 * 128];
        let mut c = vec![0u8; 128 * 128];
        renderer.render(
            &g,
            Site::default(),
            &view,
            &params,
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(1),
            &mut a,
        );
        renderer.render(
            &g,
            Site::default(),
            &view,
            &params,
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(1),
            &mut b,
        );
        renderer.render(
            &g,
            Site::default(),
            &view,
            &params,
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(2),
            &mut c,
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        // CLAHE spreads the histogram: the frame uses a wide range of values.
        let (lo, hi) = (a.iter().min().unwrap(), a.iter().max().unwrap());
        assert!(*hi as i32 - *lo as i32 > 150, "{lo}..{hi}");
    }

    #[test]
    fn poisson_draws_have_the_right_mean_and_variance() {
        let mut rng = PixelRng(7);
        for lam in [0.3, 1.9, 4.0, 11.9, 12.0, 40.0, 300.0] {
            let n = 40_000;
            let xs: Vec<f64> = (0..n).map(|_| poisson(&mut rng, lam)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let se = (lam / n as f64).sqrt();
            assert!((mean - lam).abs() < 5.0 * se, "lam {lam}: mean {mean}");
            assert!((var / lam - 1.0).abs() < 0.05, "lam {lam}: var {var}");
        }
    }

    #[test]
    fn block_sampler_follows_the_pmf() {
        let mut rng = PixelRng(13);
        for lam in [0.4f64, 0.99, 2.9, 3.0, 9.5, 14.0] {
            let bins = 60;
            let mut counts = vec![0u64; bins];
            // Not a multiple of the block size: the remainder path runs too.
            let frame = vec![lam as f32 / 2.0; 4096 + 3];
            let mut draws = vec![0u32; frame.len()];
            for _ in 0..12 {
                poisson_frame(&frame, 2.0, &mut rng, &mut draws);
                for &k in &draws {
                    counts[(k as usize).min(bins - 1)] += 1;
                }
            }
            let mut probs = Vec::with_capacity(bins);
            let mut p = (-lam).exp();
            for k in 0..bins {
                if k > 0 {
                    p *= lam / k as f64;
                }
                probs.push(p);
            }
            let head: f64 = probs[..bins - 1].iter().sum();
            probs[bins - 1] = (1.0 - head).max(0.0);
            let test = crate::stats::chi_square_test(&counts, &probs);
            assert!(test.p_value > 0.01, "lam {lam}: {test:?}");
        }
    }

    #[test]
    fn poisson_draws_follow_the_pmf() {
        // Chi-square against the exact pmf on both inversion block sizes (and their
        // fallback search) and on the rejection sampler.
        let mut rng = PixelRng(11);
        for lam in [1.9f64, 7.5, 11.9, 25.0] {
            let bins = 80;
            let mut counts = vec![0u64; bins];
            for _ in 0..50_000 {
                counts[(poisson(&mut rng, lam) as usize).min(bins - 1)] += 1;
            }
            let mut probs = Vec::with_capacity(bins);
            let mut p = (-lam).exp();
            for k in 0..bins {
                if k > 0 {
                    p *= lam / k as f64;
                }
                probs.push(p);
            }
            let head: f64 = probs[..bins - 1].iter().sum();
            probs[bins - 1] = (1.0 - head).max(0.0);
            let test = crate::stats::chi_square_test(&counts, &probs);
            assert!(test.p_value > 0.01, "lam {lam}: {test:?}");
        }
    }

    fn poisson_pmf(lam: f64, bins: usize) -> Vec<f64> {
        let mut probs = Vec::with_capacity(bins);
        let mut p = (-lam).exp();
        for k in 0..bins {
            if k > 0 {
                p *= lam / k as f64;
            }
            probs.push(p);
        }
        let head: f64 = probs[..bins - 1].iter().sum();
        probs[bins - 1] = (1.0 - head).max(0.0);
        probs
    }

    #[test]
    fn alias_tables_reproduce_the_pmf() {
        // The probability of outcome j implied by the packed tables: column c is picked
        // with 1/64, then c with threshold / 2^24, its alias otherwise.
        let tables = alias_tables();
        assert_eq!(tables.len(), GRID * TABLE_MAX_MEAN * OUTCOMES);
        for g in [0, 1, 7, 8, 40, GRID * TABLE_MAX_MEAN - 1] {
            let table = &tables[g * OUTCOMES..(g + 1) * OUTCOMES];
            let mut implied = [0f64; OUTCOMES];
            for (c, &entry) in table.iter().enumerate() {
                let accept = (entry >> 8) as f64 / 16_777_216.0;
                implied[c] += accept / OUTCOMES as f64;
                implied[(entry & 0xFF) as usize] += (1.0 - accept) / OUTCOMES as f64;
            }
            let exact = poisson_pmf(g as f64 / GRID as f64, OUTCOMES);
            for (j, (a, b)) in implied.iter().zip(&exact).enumerate() {
                assert!((a - b).abs() < 1e-6, "g {g}, outcome {j}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn tabulated_sampler_follows_the_pmf_at_grid_edges() {
        // Means on a grid point (no residual), just below the next one (largest residual,
        // where the residual search past 2 runs), tiny, and just below the rejection
        // threshold; 200,000 draws each, chi-square against the exact pmf.
        let mut rng = PixelRng(21);
        for lam in [
            0.01f32, 0.125, 0.1249, 1.0, 2.374, 5.55, 11.999, 17.3, 23.999,
        ] {
            let bins = 70;
            let mut counts = vec![0u64; bins];
            let frame = vec![lam; 10_000];
            let mut draws = vec![0u32; frame.len()];
            for _ in 0..20 {
                poisson_frame(&frame, 1.0, &mut rng, &mut draws);
                for &k in &draws {
                    counts[(k as usize).min(bins - 1)] += 1;
                }
            }
            let test = crate::stats::chi_square_test(&counts, &poisson_pmf(lam as f64, bins));
            assert!(test.p_value > 0.01, "lam {lam}: {test:?}");
        }
    }

    #[test]
    fn tabulated_sampler_rejects_a_wrong_mean() {
        // Control: the same test tells a mean 2% off from the sampled one.
        let mut rng = PixelRng(22);
        let bins = 40;
        let mut counts = vec![0u64; bins];
        let frame = vec![5.0f32; 200_000];
        let mut draws = vec![0u32; frame.len()];
        poisson_frame(&frame, 1.0, &mut rng, &mut draws);
        for &k in &draws {
            counts[(k as usize).min(bins - 1)] += 1;
        }
        let test = crate::stats::chi_square_test(&counts, &poisson_pmf(5.1, bins));
        assert!(test.p_value < 1e-6, "{test:?}");
    }

    #[test]
    fn fused_noise_passes_match_the_stage_by_stage_model() {
        // The fused passes carry the normalizations as scales; the reference applies
        // each stage and its max-normalization in turn from the same draws.
        let g = Graphene::new(0.9, Vec2::new(0.3, 0.1));
        let view = Rect::square(Vec2::ZERO, 18.0);
        let mut params = ImageParams::clean(64, 1.7);
        params.noise = true;
        params.poisson_multiplier = 20.0;
        params.gamma = 0.8;
        params.uniform_noise = 0.15;
        params.exponential_noise = 0.1;
        params.gaussian_variance = 0.004;
        for (su, se, var) in [(0.15, 0.1, 0.004), (0.0, 0.1, 0.004), (0.15, 0.0, 0.0)] {
            params.uniform_noise = su;
            params.exponential_noise = se;
            params.gaussian_variance = var;
            let mut fused = Renderer::new();
            fused.render_clean(&g, Site::default(), &view, &params);
            fused.apply_noise(&params, &mut PixelRng(5));

            let mut reference = Renderer::new();
            reference.render_clean(&g, Site::default(), &view, &params);
            let mut rng = PixelRng(5);
            let mut counts = vec![0u32; reference.clean.len()];
            poisson_frame(
                &reference.clean,
                params.poisson_multiplier,
                &mut rng,
                &mut counts,
            );
            let kmax = counts.iter().fold(1u32, |m, &v| m.max(v)) as f32;
            let mut img: Vec<f32> = counts
                .iter()
                .map(|&c| (c as f32 / kmax).powf(params.gamma as f32))
                .collect();
            if su > 0.0 {
                for block in img.chunks_mut(NOISE_LANES) {
                    for (v, u) in block.iter_mut().zip(units(&mut rng)) {
                        *v += su as f32 * u;
                    }
                }
                normalize_max(&mut img);
            }
            if se > 0.0 {
                for block in img.chunks_mut(NOISE_LANES) {
                    let mut e = [0f32; NOISE_LANES];
                    fill_exp(&mut rng, &mut e);
                    for (v, e) in block.iter_mut().zip(e) {
                        *v += se as f32 * e;
                    }
                }
                normalize_max(&mut img);
            }
            if var > 0.0 {
                for block in img.chunks_mut(NOISE_LANES) {
                    let mut z = [0f32; NOISE_LANES];
                    fill_normal(&mut rng, &mut z);
                    for (v, z) in block.iter_mut().zip(z) {
                        *v = (*v + (var as f32).sqrt() * z).clamp(0.0, 1.0);
                    }
                }
            }
            // The bytes are the rounded frame.
            assert!(
                fused
                    .bins
                    .iter()
                    .zip(fused.frame())
                    .all(|(&b, &v)| b == to_byte(v))
            );
            let worst = fused
                .frame()
                .iter()
                .zip(&img)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-5, "({su}, {se}, {var}): differs by {worst}");
        }
    }

    #[test]
    fn reused_renderer_matches_a_fresh_one() {
        // The cached clean frame is refreshed when the silicon moves or the view changes,
        // and kept otherwise: a renderer that drew other frames first gives the same
        // clean and noisy frames as a new one.
        let g = Graphene::new(0.4, Vec2::new(0.1, 0.2));
        let mut params = ImageParams::sample(
            &ImageConfig::default(),
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(3),
        );
        params.resolution = 64;
        let view = Rect::square(Vec2::ZERO, 20.0);
        let moved = Rect::square(Vec2::new(2.0, 0.0), 20.0);
        let frames = [
            (Site::default(), view),
            (Site::new(1, 0, false), view),
            (Site::new(1, 0, false), moved),
            (Site::new(1, 0, false), moved),
            (Site::default(), view),
        ];
        let mut reused = Renderer::new();
        for (k, (si, v)) in frames.into_iter().enumerate() {
            let mut fresh = Renderer::new();
            fresh.render_clean(&g, si, &v, &params);
            reused.render_clean(&g, si, &v, &params);
            assert_eq!(reused.frame(), fresh.frame(), "clean frame {k}");
            let (mut a, mut b) = (vec![0u8; 64 * 64], vec![0u8; 64 * 64]);
            let seed = 40 + k as u64;
            fresh.render(
                &g,
                si,
                &v,
                &params,
                &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed),
                &mut a,
            );
            reused.render(
                &g,
                si,
                &v,
                &params,
                &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed),
                &mut b,
            );
            assert_eq!(a, b, "noisy frame {k}");
        }
        // Different sites give different clean frames (the cache is not stale).
        let mut r = Renderer::new();
        r.render_clean(&g, Site::default(), &view, &params);
        let first = r.frame().to_vec();
        r.render_clean(&g, Site::new(1, 0, false), &view, &params);
        assert_ne!(first, r.frame());
    }

    #[test]
    fn clahe_output_spans_the_range_and_is_monotone_within_a_tile() {
        // A horizontal ramp: CLAHE keeps the order of values inside one tile and maps the
        // frame onto (nearly) the full byte range.
        let n = 64;
        let mut renderer = Renderer::new();
        renderer.bins = (0..n * n)
            .map(|i| to_byte((i % n) as f32 / (n - 1) as f32))
            .collect();
        let mut out = vec![0u8; n * n];
        renderer.clahe(n, 0.01, &mut out);
        let row = &out[3 * n..4 * n];
        assert!(row[..8].windows(2).all(|w| w[0] <= w[1]), "{row:?}");
        assert!(out.iter().max().unwrap() - out.iter().min().unwrap() > 200);
    }

    #[test]
    fn poisson_tail_is_the_conditional_pmf() {
        // Poisson(20) given X >= 25 (an easy tail to test) against the exact conditional
        // pmf; and a far tail (mean 24, X >= 63) returns promptly, at or above the bound.
        let mut rng = PixelRng(31);
        let (mean, at_least, bins) = (20.0f64, 25usize, 20usize);
        let mut counts = vec![0u64; bins];
        for _ in 0..50_000 {
            counts[(poisson_tail(&mut rng, mean, at_least) - at_least).min(bins - 1)] += 1;
        }
        let pmf = poisson_pmf(mean, at_least + bins + 60);
        let tail: f64 = pmf[at_least..].iter().sum();
        let mut probs: Vec<f64> = pmf[at_least..at_least + bins]
            .iter()
            .map(|p| p / tail)
            .collect();
        let head: f64 = probs[..bins - 1].iter().sum();
        probs[bins - 1] = 1.0 - head;
        let test = crate::stats::chi_square_test(&counts, &probs);
        assert!(test.p_value > 0.01, "{test:?}");
        for _ in 0..100 {
            let k = poisson_tail(&mut rng, 24.0, OUTCOMES - 1);
            assert!((OUTCOMES - 1..OUTCOMES + 40).contains(&k), "{k}");
        }
        assert_eq!(poisson_tail(&mut rng, 0.0, 5), 5);
    }
}
