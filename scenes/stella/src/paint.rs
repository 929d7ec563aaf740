//! The drawing pass of a run of pixels with objects on it (two or more, or the playfield
//! alone): the objects present at each pixel (from the mask tables), its colour by the
//! priority rules, and the collisions among the objects, all in one pass over sixteen pixels
//! at a time.
//!
//! One fused pass keeps each pixel's object bits in vector registers from the table reads to
//! the colour written. (Separate passes per object through a buffer stalled on every reload:
//! passes of different widths defeat the store-to-load forwarding of the buffer.)

use wide::u8x16;

use crate::tables::*;

/// The sixteen pixels of `mask` from pixel `h` (the tables are padded, so `h` may be up to 160).
#[inline(always)]
fn lanes<T>(mask: &[T], h: usize) -> &[T; LANES] {
    mask[h..h + LANES]
        .try_into()
        .expect("a slice of LANES elements")
}

/// What draws on the current line: each object's mask row from the line's first pixel, and
/// whether it is on. Disabled objects draw nothing.
pub(crate) struct LineObjects<'t> {
    /// PF0-PF2 as one 20-bit playfield, in 3 bytes (low byte first).
    pub pf: [u8; 3],
    /// The playfield bit of each pixel, in the same 3 bytes.
    pub playfield: &'t [[u8; 160 + LANES]; 3],
    /// The ball's mask (0 or 1 per pixel).
    pub ball: &'t [u8],
    /// `BL_BIT` if the ball is enabled, else 0.
    pub ball_on: u8,
    /// Missile 0's mask (0 or 1 per pixel).
    pub m0: &'t [u8],
    /// `M0_BIT` if missile 0 is enabled, else 0.
    pub m0_on: u8,
    /// Missile 1's mask.
    pub m1: &'t [u8],
    /// `M1_BIT` if missile 1 is enabled, else 0.
    pub m1_on: u8,
    /// Player 0's mask (the graphics bit shown at each pixel).
    pub p0: &'t [u8],
    /// Player 0's graphics (after VDEL and REFP).
    pub g0: u8,
    /// Player 1's mask.
    pub p1: &'t [u8],
    /// Player 1's graphics.
    pub g1: u8,
}

/// The object bits of sixteen pixels.
type Chunk = u8x16;

/// `PREFIX[n]`: all bits in the first `n` lanes, none in the others.
const PREFIX: [[u8; LANES]; LANES] = {
    let mut prefix = [[0; LANES]; LANES];
    let mut n = 0;
    while n < LANES {
        let mut i = 0;
        while i < n {
            prefix[n][i] = 0xFF;
            i += 1;
        }
        n += 1;
    }
    prefix
};

impl LineObjects<'_> {
    /// The object bits of pixels `h..h + LANES`.
    #[inline(always)]
    fn chunk(&self, h: usize) -> Chunk {
        let zero = u8x16::ZERO;
        let load = |mask: &[u8]| u8x16::new(*lanes(mask, h));
        let mut x = zero;
        if self.pf != [0; 3] {
            let [pf0, pf1, pf2] = self.playfield;
            let pf = (load(pf0) & u8x16::splat(self.pf[0]))
                | (load(pf1) & u8x16::splat(self.pf[1]))
                | (load(pf2) & u8x16::splat(self.pf[2]));
            x = pf.simd_eq(zero).bitselect(zero, u8x16::splat(PF_BIT));
        }
        // The ball and missile masks are 0 or 1: negated, all bits or none.
        for (mask, on) in [
            (self.ball, self.ball_on),
            (self.m1, self.m1_on),
            (self.m0, self.m0_on),
        ] {
            if on != 0 {
                x |= (zero - load(mask)) & u8x16::splat(on);
            }
        }
        for (mask, graphics, bit) in [(self.p1, self.g1, P1_BIT), (self.p0, self.g0, P0_BIT)] {
            if graphics != 0 {
                let shown = (load(mask) & u8x16::splat(graphics)).simd_eq(zero);
                x |= shown.bitselect(zero, u8x16::splat(bit));
            }
        }
        x
    }

    /// Calls `f(at, bits)` with the object bits of chunks of pixels `hpos + at..hpos + at +
    /// LANES` that cover `hpos..hpos + len`: every `LANES` pixels, the last chunk of a run of
    /// `LANES` pixels or more overlapping the one before it; a shorter run is one chunk whose
    /// bits past `len` are zero.
    #[inline(always)]
    fn for_each_chunk(&self, hpos: usize, len: usize, mut f: impl FnMut(usize, Chunk)) {
        if len < LANES {
            f(0, self.chunk(hpos) & u8x16::new(PREFIX[len]));
            return;
        }
        for k in 0..len.div_ceil(LANES) {
            let at = (k * LANES).min(len - LANES);
            f(at, self.chunk(hpos + at));
        }
    }

    /// Paints `out` (pixels `hpos..hpos + out.len()` of the line): the background `bk`,
    /// overridden in order by the first `GROUPS` of `steps` (object mask, colour) whose
    /// objects are present. Returns the collisions among the objects if `COLLIDE`, else 0.
    #[inline(always)]
    pub(crate) fn paint<const GROUPS: usize, const COLLIDE: bool>(
        &self,
        out: &mut [u8],
        hpos: usize,
        bk: u8,
        steps: [(u8, u8); 4],
    ) -> u16 {
        let len = out.len();
        let mut met = Meetings::default();
        let steps = steps.map(|(mask, colour)| (u8x16::splat(mask), u8x16::splat(colour)));
        let bk = u8x16::splat(bk);
        self.for_each_chunk(hpos, len, |at, x| {
            let mut c = bk;
            for &(mask, colour) in &steps[..GROUPS] {
                c = (x & mask).simd_eq(u8x16::ZERO).bitselect(c, colour);
            }
            let c = c.to_array();
            if len >= LANES {
                out[at..at + LANES].copy_from_slice(&c);
            } else {
                store_prefix(out, &c);
            }
            if COLLIDE {
                met.add_overlaps(x);
            }
        });
        if COLLIDE { met.collisions() } else { 0 }
    }

    /// The collisions among the objects of pixels `hpos..hpos + len` (what [`Self::paint`]
    /// finds, without painting).
    #[inline(always)]
    pub(crate) fn collisions(&self, hpos: usize, len: usize) -> u16 {
        let mut met = Meetings::default();
        self.for_each_chunk(hpos, len, |_, x| met.add_overlaps(x));
        met.collisions()
    }
}

/// Writes the first `out.len()` (less than `LANES`) of `c` with fixed-size moves.
#[inline(always)]
fn store_prefix(out: &mut [u8], c: &[u8; LANES]) {
    let len = out.len();
    let mut i = 0;
    for width in [8, 4, 2, 1] {
        if len & width != 0 {
            out[i..i + width].copy_from_slice(&c[i..i + width]);
            i += width;
        }
    }
}

/// The objects each object meets in a run, for its collisions: for each object but the
/// playfield (whose pairs are all found from the others), the OR of the object bits of the
/// pixels where it is.
#[derive(Default)]
struct Meetings([Chunk; 5]);

impl Meetings {
    /// Adds the pixels of one chunk, if two objects share one of them (most chunks have none,
    /// found with a few operations).
    #[inline(always)]
    fn add_overlaps(&mut self, x: Chunk) {
        let single = (x & (x - u8x16::splat(1))).simd_eq(u8x16::ZERO);
        if single.to_bitmask() != 0xFFFF {
            self.add(x);
        }
    }

    /// Adds the pixels of one chunk (out of line: few chunks need it).
    #[inline(never)]
    fn add(&mut self, x: Chunk) {
        let zero = u8x16::ZERO;
        for (object, met) in self.0.iter_mut().enumerate() {
            let absent = (x & u8x16::splat(1 << object)).simd_eq(zero);
            *met |= absent.bitselect(zero, x);
        }
    }

    /// The collision bits of the pairs met.
    #[inline(always)]
    fn collisions(&self) -> u16 {
        let t = &*TABLES;
        let mut coll = 0;
        for (object, met) in self.0.iter().enumerate() {
            let others = met.to_array().iter().fold(0, |all, &m| all | m);
            coll |= t.collisions_with[object][(others & 0x3F) as usize];
        }
        coll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The collision bits of some pixels by the per-pixel table: the reference.
    fn collisions_per_pixel(e: &[u8]) -> u16 {
        e.iter()
            .fold(0, |coll, &x| coll | TABLES.collision[(x & 0x3F) as usize])
    }

    /// Random lines of objects (masks of random bits, random graphics and enables): every run
    /// of every start and length paints each pixel by the priority steps and finds exactly the
    /// pairs the per-pixel table finds.
    #[test]
    fn paint_matches_pixel_by_pixel_drawing() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut found = 0u16;
        for _ in 0..40 {
            let density = next() % 6 + 2;
            // Random 0-or-1 masks, and player masks of one random graphics bit per pixel.
            let mut mask = |player: bool| -> Vec<u8> {
                (0..160 + LANES)
                    .map(|_| {
                        let r = next();
                        let on = u8::from(r % density == 0);
                        if player { on << ((r >> 8) % 8) } else { on }
                    })
                    .collect()
            };
            let (ball, m0, m1) = (mask(false), mask(false), mask(false));
            let (p0, p1) = (mask(true), mask(true));
            let mut playfield = [[0u8; 160 + LANES]; 3];
            // Playfield bit h / 8 at pixel h, in byte h / 64.
            for (byte, row) in playfield.iter_mut().enumerate() {
                for (h, p) in row[..160].iter_mut().enumerate() {
                    if h / 64 == byte {
                        *p = 1 << (h / 8 % 8);
                    }
                }
            }
            let on = next();
            let objects = LineObjects {
                pf: [next() as u8, next() as u8, next() as u8 & 0x0F],
                playfield: &playfield,
                ball: &ball,
                ball_on: if on & 1 != 0 { BL_BIT } else { 0 },
                m0: &m0,
                m0_on: if on & 2 != 0 { M0_BIT } else { 0 },
                m1: &m1,
                m1_on: if on & 4 != 0 { M1_BIT } else { 0 },
                p0: &p0,
                g0: (next() & 0xFF) as u8,
                p1: &p1,
                g1: (next() & 0xFF) as u8,
            };
            let bits: Vec<u8> = (0..160).map(|h| objects.chunk(h).to_array()[0]).collect();
            let steps = [(0x30, 7), (0x0C, 9), (0x03, 11), (0x01, 13)];
            let colour = |x: u8| {
                steps
                    .iter()
                    .fold(5, |c, &(m, colour)| if x & m != 0 { colour } else { c })
            };
            for _ in 0..60 {
                let hpos = (next() % 160) as usize;
                let len = (next() as usize % (160 - hpos)) + 1;
                let run = &bits[hpos..hpos + len];
                let mut out = vec![0u8; len + 1];
                let coll = objects.paint::<4, true>(&mut out[..len], hpos, 5, steps);
                let expected: Vec<u8> = run.iter().map(|&x| colour(x)).collect();
                assert_eq!(&out[..len], &expected[..], "pixels {hpos}+{len}");
                assert_eq!(out[len], 0, "nothing past the run");
                assert_eq!(coll, collisions_per_pixel(run), "collisions {hpos}+{len}");
                assert_eq!(objects.collisions(hpos, len), coll);
                assert_eq!(
                    objects.paint::<4, false>(&mut out[..len], hpos, 5, steps),
                    0
                );
                found |= coll;
            }
        }
        assert_eq!(found, 0x7FFF, "every pair was exercised");
    }
}
