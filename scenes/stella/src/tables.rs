//! The TIA's precomputed drawing tables (Stella 2.x `TIA::compute*Table`), built once.

use std::sync::LazyLock;

/// Object bits of the "enabled" byte.
/// Player 0.
pub const P0_BIT: u8 = 0x01;
/// Missile 0.
pub const M0_BIT: u8 = 0x02;
/// Player 1.
pub const P1_BIT: u8 = 0x04;
/// Missile 1.
pub const M1_BIT: u8 = 0x08;
/// Ball.
pub const BL_BIT: u8 = 0x10;
/// Playfield.
pub const PF_BIT: u8 = 0x20;
/// CTRLPF score mode.
pub const SCORE_BIT: u8 = 0x40;
/// CTRLPF playfield priority.
pub const PRIORITY_BIT: u8 = 0x80;

/// Width of one mask row.
pub const ROW: usize = 320;
/// Pixels one vector pass of the drawing code covers. Every mask table ends with this many
/// zeros past its last row (and the playfield past pixel 160), so a pass may read past the
/// end of a line.
pub const LANES: usize = 16;
/// Offset of the all-zero "disabled" missile mask (640 entries) in `missile`.
pub const MISSILE_DISABLED: usize = 4 * 8 * 4 * ROW;

/// All static tables.
pub struct Tables {
    /// `[align][size][320]`, then `LANES` zeros.
    pub ball: Vec<u8>,
    /// `[align][number][size][320]`, then 640 zeros.
    pub missile: Vec<u8>,
    /// `[align][enable][mode][320]`, then `LANES` zeros.
    pub player: Vec<u8>,
    /// `[mode][oldx][newx]`: -1, 0 or 1.
    pub reset_when: Vec<i8>,
    /// Bit-reversed bytes.
    pub reflect: [u8; 256],
    /// `[ctrlpf & 1][byte][160 + LANES]`: byte `byte` of the playfield bit (of the 20 bits
    /// of PF0-PF2) each pixel shows, zero past pixel 160; in bytes, so that a pixel's playfield
    /// bit is found with byte operations.
    pub playfield: [[[u8; 160 + LANES]; 3]; 2],
    /// Collision bits of an enabled-objects set (6 bits).
    pub collision: [u16; 64],
    /// `[object][others]`: the collision bits of the pairs of `object` (a bit number, 0..6)
    /// with each object in the set `others` (6 bits; `object` itself in it is ignored).
    pub collisions_with: [[u16; 64]; 6],
    /// `[hpos >= 80][enabled | priority/score]` -> colour register (0 BK, 1 PF, 2 P0, 3 P1).
    pub priority: [[u8; 256]; 2],
}

#[inline]
/// Start of a ball mask row.
pub fn ball_index(align: usize, size: usize) -> usize {
    (align * 4 + size) * ROW
}
#[inline]
/// Start of a missile mask row.
pub fn missile_index(align: usize, number: usize, size: usize) -> usize {
    ((align * 8 + number) * 4 + size) * ROW
}
#[inline]
/// Start of a player mask row.
pub fn player_index(align: usize, enable: usize, mode: usize) -> usize {
    ((align * 2 + enable) * 8 + mode) * ROW
}

/// The tables, computed on first use.
pub static TABLES: LazyLock<Tables> = LazyLock::new(compute);

fn compute() -> Tables {
    // Ball
    let mut ball = vec![0u8; 4 * 4 * ROW + LANES];
    for size in 0..4usize {
        for x in 0..(160 + 8) {
            if x < (1 << size) {
                ball[ball_index(0, size) + x % 160] = 1;
            }
        }
        for x in 0..160 {
            ball[ball_index(0, size) + x + 160] = ball[ball_index(0, size) + x];
        }
    }
    for align in 1..4 {
        for size in 0..4 {
            for x in 0..ROW {
                ball[ball_index(align, size) + x] =
                    ball[ball_index(0, size) + (x + ROW - align) % ROW];
            }
        }
    }

    // Missiles
    let mut missile = vec![0u8; 4 * 8 * 4 * ROW + 640];
    for number in 0..8usize {
        for size in 0..4usize {
            let w = 1i32 << size;
            let base = missile_index(0, number, size);
            for x in 0..(160 + 72) {
                let at = |off: i32| x - off >= 0 && x - off < w;
                let on = match number {
                    0 | 5 | 7 => at(0),
                    1 => at(0) || at(16),
                    2 => at(0) || at(32),
                    3 => at(0) || at(16) || at(32),
                    4 => at(0) || at(64),
                    6 => at(0) || at(32) || at(64),
                    _ => false,
                };
                if on {
                    missile[base + (x as usize) % 160] = 1;
                }
            }
            for x in 0..160 {
                missile[base + x + 160] = missile[base + x];
            }
        }
    }
    for align in 1..4 {
        for number in 0..8 {
            for size in 0..4 {
                for x in 0..ROW {
                    missile[missile_index(align, number, size) + x] =
                        missile[missile_index(0, number, size) + (x + ROW - align) % ROW];
                }
            }
        }
    }

    // Players
    let mut player = vec![0u8; 4 * 2 * 8 * ROW + LANES];
    for enable in 0..2usize {
        for mode in 0..8usize {
            let base = player_index(0, enable, mode);
            for x in 0..(160 + 72) {
                let first = enable == 0 && (0..8).contains(&x);
                let copy = |off: i32| (x - off) >= 0 && (x - off) < 8;
                let v: Option<u8> = match mode {
                    0 => first.then(|| 0x80u8 >> x),
                    1 | 2 | 4 => {
                        let off = match mode {
                            1 => 16,
                            2 => 32,
                            _ => 64,
                        };
                        if first {
                            Some(0x80 >> x)
                        } else if copy(off) {
                            Some(0x80 >> (x - off))
                        } else {
                            None
                        }
                    }
                    3 | 6 => {
                        let (a, b) = if mode == 3 { (16, 32) } else { (32, 64) };
                        if first {
                            Some(0x80 >> x)
                        } else if copy(a) {
                            Some(0x80 >> (x - a))
                        } else if copy(b) {
                            Some(0x80 >> (x - b))
                        } else {
                            None
                        }
                    }
                    5 => (enable == 0 && x > 0 && x <= 16).then(|| 0x80u8 >> ((x - 1) / 2)),
                    7 => (enable == 0 && x > 0 && x <= 32).then(|| 0x80u8 >> ((x - 1) / 4)),
                    _ => None,
                };
                if let Some(v) = v {
                    player[base + (x as usize) % 160] = v;
                }
            }
            for x in 0..160 {
                player[base + x + 160] = player[base + x];
            }
        }
    }
    for align in 1..4 {
        for enable in 0..2 {
            for mode in 0..8 {
                for x in 0..ROW {
                    player[player_index(align, enable, mode) + x] =
                        player[player_index(0, enable, mode) + (x + ROW - align) % ROW];
                }
            }
        }
    }

    // Player position reset "when" table
    let mut reset_when = vec![0i8; 8 * 160 * 160];
    for mode in 0..8usize {
        for oldx in 0..160usize {
            let base = (mode * 160 + oldx) * 160;
            let (starts, width): (&[usize], usize) = match mode {
                0 => (&[0], 8),
                1 => (&[0, 16], 8),
                2 => (&[0, 32], 8),
                3 => (&[0, 16, 32], 8),
                4 => (&[0, 64], 8),
                5 => (&[0], 16),
                6 => (&[0, 32, 64], 8),
                _ => (&[0], 32),
            };
            for newx in 0..(160 + 72 + 5) {
                // -1 while the copy's 4-clock start delay runs, 1 while it draws
                if starts
                    .iter()
                    .any(|&s| newx >= oldx + s && newx < oldx + s + 4)
                {
                    reset_when[base + newx % 160] = -1;
                }
                if starts
                    .iter()
                    .any(|&s| newx >= oldx + s + 4 && newx < oldx + s + 4 + width)
                {
                    reset_when[base + newx % 160] = 1;
                }
            }
        }
    }

    let mut reflect = [0u8; 256];
    for (i, r) in reflect.iter_mut().enumerate() {
        *r = (i as u8).reverse_bits();
    }

    let mut playfield_bits = [[0u32; 160]; 2];
    let [pf_normal, pf_reflected] = &mut playfield_bits;
    for (x, (pf0, pf1)) in pf_normal
        .iter_mut()
        .zip(pf_reflected.iter_mut())
        .enumerate()
    {
        *pf0 = if x < 16 {
            0x00001 << (x / 4)
        } else if x < 48 {
            0x00800 >> ((x - 16) / 4)
        } else if x < 80 {
            0x01000 << ((x - 48) / 4)
        } else if x < 96 {
            0x00001 << ((x - 80) / 4)
        } else if x < 128 {
            0x00800 >> ((x - 96) / 4)
        } else {
            0x01000 << ((x - 128) / 4)
        };
        *pf1 = if x < 16 {
            0x00001 << (x / 4)
        } else if x < 48 {
            0x00800 >> ((x - 16) / 4)
        } else if x < 80 {
            0x01000 << ((x - 48) / 4)
        } else if x < 112 {
            0x80000 >> ((x - 80) / 4)
        } else if x < 144 {
            0x00010 << ((x - 112) / 4)
        } else {
            0x00008 >> ((x - 144) / 4)
        };
    }

    let mut playfield = [[[0u8; 160 + LANES]; 3]; 2];
    for (bytes, bits) in playfield.iter_mut().zip(&playfield_bits) {
        for (byte, row) in bytes.iter_mut().enumerate() {
            for (b, &m) in row.iter_mut().zip(bits) {
                *b = (m >> (8 * byte)) as u8;
            }
        }
    }

    let mut collision = [0u16; 64];
    for (i, c) in collision.iter_mut().enumerate() {
        let i = i as u8;
        let has = |b: u8| i & b != 0;
        let pairs: [(u8, u8, u16); 15] = [
            (M0_BIT, P1_BIT, 0x0001),
            (M0_BIT, P0_BIT, 0x0002),
            (M1_BIT, P0_BIT, 0x0004),
            (M1_BIT, P1_BIT, 0x0008),
            (P0_BIT, PF_BIT, 0x0010),
            (P0_BIT, BL_BIT, 0x0020),
            (P1_BIT, PF_BIT, 0x0040),
            (P1_BIT, BL_BIT, 0x0080),
            (M0_BIT, PF_BIT, 0x0100),
            (M0_BIT, BL_BIT, 0x0200),
            (M1_BIT, PF_BIT, 0x0400),
            (M1_BIT, BL_BIT, 0x0800),
            (BL_BIT, PF_BIT, 0x1000),
            (P0_BIT, P1_BIT, 0x2000),
            (M0_BIT, M1_BIT, 0x4000),
        ];
        for (a, b, bit) in pairs {
            if has(a) && has(b) {
                *c |= bit;
            }
        }
    }

    let mut collisions_with = [[0u16; 64]; 6];
    for (object, row) in collisions_with.iter_mut().enumerate() {
        for (others, out) in row.iter_mut().enumerate() {
            for other in (0..6).filter(|&o| o != object && others & (1 << o) != 0) {
                *out |= collision[(1 << object) | (1 << other)];
            }
        }
    }

    let mut priority = [[0u8; 256]; 2];
    for (x, row) in priority.iter_mut().enumerate() {
        for (enabled, out) in row.iter_mut().enumerate() {
            let e = enabled as u8;
            let mut color = 0u8;
            if e & PRIORITY_BIT != 0 {
                if e & (P1_BIT | M1_BIT) != 0 {
                    color = 3;
                }
                if e & (P0_BIT | M0_BIT) != 0 {
                    color = 2;
                }
                if e & BL_BIT != 0 {
                    color = 1;
                }
                if e & PF_BIT != 0 {
                    color = 1;
                }
            } else {
                if e & BL_BIT != 0 {
                    color = 1;
                }
                if e & PF_BIT != 0 {
                    color = if e & SCORE_BIT != 0 {
                        if x == 0 { 2 } else { 3 }
                    } else {
                        1
                    };
                }
                if e & (P1_BIT | M1_BIT) != 0 {
                    color = if color != 2 { 3 } else { 2 };
                }
                if e & (P0_BIT | M0_BIT) != 0 {
                    color = 2;
                }
            }
            *out = color;
        }
    }

    Tables {
        ball,
        missile,
        player,
        reset_when,
        reflect,
        playfield,
        collision,
        collisions_with,
        priority,
    }
}

/// `ourPokeDelayTable`: colour clocks a write waits before it takes effect (-1: playfield rule).
pub const POKE_DELAY: [i16; 64] = [
    0, 1, 0, 0, 8, 8, 0, 0, 0, 0, 0, 1, 1, -1, -1, -1, //
    0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, //
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// CPU cycles within a line (x / 3) at which HMOVE turns the blank on.
pub fn hmove_blank_enable(cycle: usize) -> bool {
    cycle <= 20 || cycle == 75
}

/// `ourCompleteMotionTable[cycle][HMxx >> 4]`: position change of an HMOVE at that CPU cycle of the line.
pub const MOTION: [[i8; 16]; 76] = [
    [0, -1, -2, -3, -4, -5, -6, -7, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -5, -6, -7, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -5, -6, -7, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -5, -6, -7, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -5, -6, -6, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -5, -5, -5, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -5, -5, -5, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -4, -4, -4, -4, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -3, -3, -3, -3, -3, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -2, -2, -2, -2, -2, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -2, -2, -2, -2, -2, -2, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, -1, -1, -1, -1, -1, -1, -1, 8, 7, 6, 5, 4, 3, 2, 1],
    [0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 8, 7, 6, 5, 4, 3, 2, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 8, 7, 6, 5, 4, 3, 2, 1],
    [2, 2, 2, 2, 2, 2, 2, 2, 8, 7, 6, 5, 4, 3, 2, 2],
    [3, 3, 3, 3, 3, 3, 3, 3, 8, 7, 6, 5, 4, 3, 3, 3],
    [4, 4, 4, 4, 4, 4, 4, 4, 8, 7, 6, 5, 4, 4, 4, 4],
    [4, 4, 4, 4, 4, 4, 4, 4, 8, 7, 6, 5, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5, 5, 5, 8, 7, 6, 5, 5, 5, 5, 5],
    [6, 6, 6, 6, 6, 6, 6, 6, 8, 7, 6, 6, 6, 6, 6, 6],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, -1, -2, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, -1, -2, -3, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, -1, -2, -3, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, -1, -2, -3, -4, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, -1, -2, -3, -4, -5, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, -1, -2, -3, -4, -5, -6, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, -1, -2, -3, -4, -5, -6, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, -1, -2, -3, -4, -5, -6, -7, 0, 0, 0, 0, 0, 0, 0, 0],
    [-1, -2, -3, -4, -5, -6, -7, -8, 0, 0, 0, 0, 0, 0, 0, 0],
    [-2, -3, -4, -5, -6, -7, -8, -9, 0, 0, 0, 0, 0, 0, 0, -1],
    [-2, -3, -4, -5, -6, -7, -8, -9, 0, 0, 0, 0, 0, 0, 0, -1],
    [-3, -4, -5, -6, -7, -8, -9, -10, 0, 0, 0, 0, 0, 0, -1, -2],
    [-4, -5, -6, -7, -8, -9, -10, -11, 0, 0, 0, 0, 0, -1, -2, -3],
    [
        -5, -6, -7, -8, -9, -10, -11, -12, 0, 0, 0, 0, -1, -2, -3, -4,
    ],
    [
        -5, -6, -7, -8, -9, -10, -11, -12, 0, 0, 0, 0, -1, -2, -3, -4,
    ],
    [
        -6, -7, -8, -9, -10, -11, -12, -13, 0, 0, 0, -1, -2, -3, -4, -5,
    ],
    [
        -7, -8, -9, -10, -11, -12, -13, -14, 0, 0, -1, -2, -3, -4, -5, -6,
    ],
    [
        -8, -9, -10, -11, -12, -13, -14, -15, 0, -1, -2, -3, -4, -5, -6, -7,
    ],
    [
        -8, -9, -10, -11, -12, -13, -14, -15, 0, -1, -2, -3, -4, -5, -6, -7,
    ],
    [0, -1, -2, -3, -4, -5, -6, -7, 8, 7, 6, 5, 4, 3, 2, 1],
];
