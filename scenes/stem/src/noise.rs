//! Exact exponential and normal samplers for the per-pixel noise of [`crate::imaging`]:
//! 256-layer ziggurats (Marsaglia and Tsang, 2000) drawing two values from one 64-bit
//! generator output.
//!
//! Each 32-bit half picks a layer with 8 bits and a position in it with the other 24 (23
//! and a sign for the normal). The fast path, taken about 99% of the time, is one integer
//! comparison and one multiplication: the draw `u * x_i` lies inside the layer's
//! rectangle exactly when `u < 2^24 x_{i+1} / x_i`, and the threshold is tabulated as an
//! integer. The rest (wedges and the tail) continue exactly in `f64` with fresh draws, so
//! the values follow the exact density up to the 24-bit resolution of the position.
//! The layer boundaries are computed once per process in `f64` from the published
//! constants `r` and `v` of the 256-layer tables.

use std::sync::OnceLock;

use rand::RngCore;

/// Layers of each ziggurat.
const LAYERS: usize = 256;

/// One ziggurat over a decreasing density `f` on `[0, inf)`, in the layout of the fast path.
#[derive(Debug)]
struct Ziggurat {
    /// `x_i`: `x_0 = v / f(r)` (the base layer's width if its tail were a rectangle),
    /// `x_1 = r`, decreasing to `x_LAYERS = 0`.
    x: [f64; LAYERS + 1],
    /// `f(x_i)`.
    f: [f64; LAYERS + 1],
    /// Fast-path thresholds: a position `u` (of `2^bits`) in layer `i` is inside the
    /// rectangle under layer `i + 1`'s edge when `u < accept[i]`.
    accept: [u32; LAYERS],
    /// `x_i / 2^bits`: the draw is `u * scale[i]`.
    scale: [f32; LAYERS],
}

impl Ziggurat {
    /// Builds the tables of density `f` (with inverse `f_inv`) for the published `r` and
    /// `v` (the area of every layer), with `bits` bits of position.
    fn new(r: f64, v: f64, bits: u32, f: impl Fn(f64) -> f64, f_inv: impl Fn(f64) -> f64) -> Self {
        let mut x = [0f64; LAYERS + 1];
        x[0] = v / f(r);
        x[1] = r;
        for i in 1..LAYERS - 1 {
            x[i + 1] = f_inv(f(x[i]) + v / x[i]);
        }
        x[LAYERS] = 0.0;
        let fx = x.map(&f);
        let unit = f64::from(1u32 << bits);
        let accept = std::array::from_fn(|i| {
            // u * x_i < x_{i+1}  <=>  u < unit * x_{i+1} / x_i  <=>  u < ceil(that).
            (unit * x[i + 1] / x[i]).ceil() as u32
        });
        let scale = std::array::from_fn(|i| (x[i] / unit) as f32);
        Ziggurat {
            x,
            f: fx,
            accept,
            scale,
        }
    }
}

/// `f(x) = exp(-x)`, `r` and `v` of the 256-layer exponential ziggurat.
fn exp_tables() -> &'static Ziggurat {
    static TABLES: OnceLock<Ziggurat> = OnceLock::new();
    TABLES.get_or_init(|| {
        Ziggurat::new(
            7.697_117_470_131_05,
            0.003_949_659_822_581_557,
            24,
            |x| (-x).exp(),
            |y| -y.ln(),
        )
    })
}

/// `f(x) = exp(-x^2 / 2)`, `r` and `v` of the 256-layer normal ziggurat (one side).
fn normal_tables() -> &'static Ziggurat {
    static TABLES: OnceLock<Ziggurat> = OnceLock::new();
    TABLES.get_or_init(|| {
        Ziggurat::new(
            3.654_152_885_361_009,
            0.004_928_673_233_99,
            23,
            |x| (-0.5 * x * x).exp(),
            |y| (-2.0 * y.ln()).sqrt(),
        )
    })
}

/// A uniform on `(0, 1]` with 53 bits (never 0, so its logarithm is finite).
#[inline]
fn open_unit<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Finishes an exponential draw whose fast path failed: layer `i`, position `u` (24 bits).
#[cold]
fn exp_slow<R: RngCore + ?Sized>(z: &Ziggurat, rng: &mut R, mut i: usize, mut u: u32) -> f32 {
    loop {
        if u < z.accept[i] {
            return u as f32 * z.scale[i];
        }
        if i == 0 {
            // The tail beyond r is r + Exp(1) (memorylessness).
            return (z.x[1] - open_unit(rng).ln()) as f32;
        }
        let x = f64::from(u) * (z.x[i] / 16_777_216.0);
        let y = z.f[i] + (z.f[i + 1] - z.f[i]) * open_unit(rng);
        if y < (-x).exp() {
            return x as f32;
        }
        let b = rng.next_u64() as u32;
        (i, u) = ((b & 0xFF) as usize, b >> 8);
    }
}

/// Finishes a normal draw whose fast path failed: layer `i`, position `u` (23 bits),
/// sign `negative`.
#[cold]
fn normal_slow<R: RngCore + ?Sized>(
    z: &Ziggurat,
    rng: &mut R,
    mut i: usize,
    mut u: u32,
    mut negative: bool,
) -> f32 {
    loop {
        let magnitude = if u < z.accept[i] {
            Some(f64::from(u) * (z.x[i] / 8_388_608.0))
        } else if i == 0 {
            // Marsaglia's tail: r + a with a ~ Exp(r) accepted with probability
            // exp(-a^2 / 2), which gives the normal density beyond r.
            let r = z.x[1];
            loop {
                let a = -open_unit(rng).ln() / r;
                let e = -open_unit(rng).ln();
                if 2.0 * e >= a * a {
                    break Some(r + a);
                }
            }
        } else {
            let x = f64::from(u) * (z.x[i] / 8_388_608.0);
            let y = z.f[i] + (z.f[i + 1] - z.f[i]) * open_unit(rng);
            (y < (-0.5 * x * x).exp()).then_some(x)
        };
        if let Some(m) = magnitude {
            let m = m as f32;
            return if negative { -m } else { m };
        }
        let b = rng.next_u64() as u32;
        (i, negative, u) = ((b & 0xFF) as usize, b & 0x100 != 0, b >> 9);
    }
}

/// Draws in one block of [`fill_exp`] and [`fill_normal`].
pub(crate) const BLOCK: usize = 8;

/// Fills `out` with independent `Exp(1)` draws (two per generator output).
#[inline]
pub(crate) fn fill_exp<R: RngCore + ?Sized>(rng: &mut R, out: &mut [f32; BLOCK]) {
    let z = exp_tables();
    let raw = raw_block(rng);
    let mut miss = false;
    for (o, &b) in out.iter_mut().zip(&raw) {
        let (i, u) = ((b & 0xFF) as usize, b >> 8);
        *o = u as f32 * z.scale[i];
        miss |= u >= z.accept[i];
    }
    if miss {
        for (o, &b) in out.iter_mut().zip(&raw) {
            let (i, u) = ((b & 0xFF) as usize, b >> 8);
            if u >= z.accept[i] {
                *o = exp_slow(z, rng, i, u);
            }
        }
    }
}

/// Fills `out` with independent standard normal draws (two per generator output).
#[inline]
pub(crate) fn fill_normal<R: RngCore + ?Sized>(rng: &mut R, out: &mut [f32; BLOCK]) {
    let z = normal_tables();
    let raw = raw_block(rng);
    let mut miss = false;
    for (o, &b) in out.iter_mut().zip(&raw) {
        let (i, u) = ((b & 0xFF) as usize, b >> 9);
        // The sign bit goes straight into the float's sign.
        let m = u as f32 * z.scale[i];
        *o = f32::from_bits(m.to_bits() | ((b & 0x100) << 23));
        miss |= u >= z.accept[i];
    }
    if miss {
        for (o, &b) in out.iter_mut().zip(&raw) {
            let (i, u) = ((b & 0xFF) as usize, b >> 9);
            if u >= z.accept[i] {
                *o = normal_slow(z, rng, i, u, b & 0x100 != 0);
            }
        }
    }
}

/// [`BLOCK`] 32-bit halves of [`BLOCK`] / 2 generator outputs.
#[inline(always)]
fn raw_block<R: RngCore + ?Sized>(rng: &mut R) -> [u32; BLOCK] {
    let mut raw = [0u32; BLOCK];
    for pair in raw.chunks_exact_mut(2) {
        let bits = rng.next_u64();
        pair[0] = bits as u32;
        pair[1] = (bits >> 32) as u32;
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{chi_square_test, ks_test};

    /// A small generator for the tests (SplitMix64).
    struct TestRng(u64);

    impl RngCore for TestRng {
        fn next_u32(&mut self) -> u32 {
            (self.next_u64() >> 32) as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn fill_bytes(&mut self, dst: &mut [u8]) {
            for chunk in dst.chunks_mut(8) {
                let v = self.next_u64().to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
        }
    }

    fn draws(fill: fn(&mut TestRng, &mut [f32; BLOCK]), seed: u64, n: usize) -> Vec<f64> {
        let mut rng = TestRng(seed);
        let mut out = Vec::with_capacity(n);
        let mut block = [0f32; BLOCK];
        while out.len() < n {
            fill(&mut rng, &mut block);
            out.extend(block.iter().map(|&v| f64::from(v)));
        }
        out
    }

    /// `Phi(x)`, the standard normal distribution function in double precision: the
    /// Taylor series of `Phi(z) - 1/2` for `|z| < 3`, the continued fraction of the Mills
    /// ratio beyond.
    fn normal_cdf(x: f64) -> f64 {
        let z = x.abs();
        let tail = if z < 3.0 {
            // Series: Phi(z) - 1/2 = phi(z) sum z^(2k+1) / (1 3 5 ... (2k+1)).
            let (mut term, mut sum, mut k) = (z, z, 0.0);
            while term > 1e-17 * sum {
                k += 1.0;
                term *= z * z / (2.0 * k + 1.0);
                sum += term;
            }
            0.5 - sum * (-0.5 * z * z).exp() / std::f64::consts::TAU.sqrt()
        } else {
            // Continued fraction for the Mills ratio, evaluated backwards.
            let mut f = z;
            for k in (1..=200).rev() {
                f = z + k as f64 / f;
            }
            (-0.5 * z * z).exp() / std::f64::consts::TAU.sqrt() / f
        };
        if x < 0.0 { tail } else { 1.0 - tail }
    }

    #[test]
    fn tables_close_at_the_top_and_thresholds_match_the_boundaries() {
        for (z, f) in [
            (exp_tables(), (|x: f64| (-x).exp()) as fn(f64) -> f64),
            (normal_tables(), |x: f64| (-0.5 * x * x).exp()),
        ] {
            let v = z.x[0] * f(z.x[1]);
            assert!(z.x.windows(2).all(|w| w[0] > w[1]), "x decreasing");
            // The top layer, [0, x_255] x [f(x_255), 1], has the same area v.
            let top = z.x[LAYERS - 1] * (1.0 - z.f[LAYERS - 1]);
            assert!((top / v - 1.0).abs() < 1e-3, "top layer area {top} vs {v}");
            assert_eq!(z.accept[LAYERS - 1], 0);
        }
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
        assert!((normal_cdf(-5.0) - 2.866_515_718_791_939e-7).abs() < 1e-18);
    }

    #[test]
    fn exponential_draws_follow_the_exact_distribution() {
        let mut xs = draws(fill_exp, 1, 400_000);
        assert!(xs.iter().all(|&x| x >= 0.0));
        let test = ks_test(&mut xs, |x| 1.0 - (-x).exp());
        assert!(test.p_value > 0.01, "{test:?}");
        // Control: a 3% scale error is rejected.
        let bad = ks_test(&mut xs, |x| 1.0 - (-x * 1.03).exp());
        assert!(bad.p_value < 1e-6, "{bad:?}");
    }

    #[test]
    fn exponential_layers_wedges_and_tail_have_their_mass() {
        // 2M draws binned at the layer boundaries (each bin holds one rectangle and one
        // wedge) and the tail beyond r, against the exact probabilities.
        let z = exp_tables();
        let xs = draws(fill_exp, 2, 2_000_000);
        let mut edges: Vec<f64> = z.x[1..].to_vec();
        edges.reverse(); // 0 = x_256 < x_255 < ... < x_1 = r
        // Bin k in 1..=255 is [edge k-1, edge k), bin 256 the tail; bin 0 (below 0) stays
        // empty.
        let mut counts = vec![0u64; edges.len() + 1];
        let mut tail = Vec::new();
        for &x in &xs {
            let k = edges.partition_point(|&e| e <= x);
            counts[k] += 1;
            if k == edges.len() {
                tail.push(x - z.x[1]);
            }
        }
        let cdf = |x: f64| 1.0 - (-x).exp();
        let mut probs = vec![0.0];
        probs.extend(edges.windows(2).map(|w| cdf(w[1]) - cdf(w[0])));
        probs.push(1.0 - cdf(z.x[1]));
        let test = chi_square_test(&counts, &probs);
        assert!(test.p_value > 0.01, "{test:?}");
        // The tail is r + Exp(1).
        assert!(tail.len() > 500, "{}", tail.len());
        let test = ks_test(&mut tail, |x| 1.0 - (-x).exp());
        assert!(test.p_value > 0.01, "tail: {test:?}");
    }

    #[test]
    fn normal_draws_follow_the_exact_distribution() {
        let mut xs = draws(fill_normal, 3, 400_000);
        let test = ks_test(&mut xs, normal_cdf);
        assert!(test.p_value > 0.01, "{test:?}");
        let bad = ks_test(&mut xs, |x| normal_cdf(x * 1.03));
        assert!(bad.p_value < 1e-6, "{bad:?}");
    }

    #[test]
    fn normal_layers_wedges_and_tails_have_their_mass() {
        let z = normal_tables();
        let xs = draws(fill_normal, 4, 2_000_000);
        let mut edges: Vec<f64> = z.x[1..].to_vec();
        edges.reverse();
        // Bins of |x| at the layer boundaries, one set per sign, and the two tails.
        let k_max = edges.len();
        let mut counts = vec![0u64; 2 * (k_max + 1)];
        let mut tail = Vec::new();
        for &x in &xs {
            let k = edges.partition_point(|&e| e <= x.abs());
            counts[usize::from(x < 0.0) * (k_max + 1) + k] += 1;
            if k == k_max {
                tail.push(x.abs() - z.x[1]);
            }
        }
        let half = |a: f64, b: f64| normal_cdf(b) - normal_cdf(a);
        let mut side: Vec<f64> = vec![0.0];
        side.extend(edges.windows(2).map(|w| half(w[0], w[1])));
        side.push(1.0 - normal_cdf(z.x[1]));
        let probs: Vec<f64> = side.iter().chain(&side).copied().collect();
        let test = chi_square_test(&counts, &probs);
        assert!(test.p_value > 0.01, "{test:?}");
        // Beyond r: P(|Z| - r <= t | |Z| > r).
        assert!(tail.len() > 300, "{}", tail.len());
        let r = z.x[1];
        let beyond = 1.0 - normal_cdf(r);
        let test = ks_test(&mut tail, |t| 1.0 - (1.0 - normal_cdf(r + t)) / beyond);
        assert!(test.p_value > 0.01, "tail: {test:?}");
    }
}
