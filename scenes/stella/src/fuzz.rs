//! The fuzz body shared by the cargo-fuzz target (`fuzz/fuzz_targets/console.rs`) and the stable
//! test that runs it over pseudo-random inputs (`tests/fuzz.rs`).
//!
//! [`run`] turns arbitrary bytes into properties, a ROM image of any size up to [`MAX_ROM`] bytes
//! and a script of controller/switch states, frame runs, bus reads and writes and save-state
//! clones, and checks what must hold whatever the bytes: no panic, a screen of `height x 160`
//! pixels, and a clone that replays the script identically to the original.

use crate::{Console, ControllerKind, DisplayFormat, Properties};

/// Largest ROM the fuzz body builds (a little above the largest cartridge Stella knows, 64K).
pub const MAX_ROM: usize = 70 * 1024;

/// Bytes read before the script: properties and the ROM size.
const HEADER: usize = 8;

/// What one fuzz input did (for tests that want to see the body actually ran the emulator).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Size of the ROM image built from the input.
    pub rom_len: usize,
    /// Whether `Console::new` accepted it.
    pub loaded: bool,
    /// Frames run (after loading).
    pub frames: u32,
}

/// A small xorshift generator that stretches the input bytes into a ROM image.
struct Stretch(u64);

impl Stretch {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

fn props_from(h: &[u8; HEADER]) -> Properties {
    let f = h[0];
    let kind = |bit: u8| {
        if f & bit != 0 {
            ControllerKind::Paddles
        } else {
            ControllerKind::Joystick
        }
    };
    Properties {
        hmove_blanks: f & 0x01 != 0,
        format: match (f >> 1) & 3 {
            0 | 3 => DisplayFormat::AutoDetect,
            1 => DisplayFormat::Ntsc,
            _ => DisplayFormat::Pal,
        },
        left_controller: kind(0x08),
        right_controller: kind(0x10),
        swap_ports: f & 0x20 != 0,
        swap_paddles: f & 0x40 != 0,
        f8_swapped: f & 0x80 != 0,
        // Any value: Console::new clamps what it cannot display.
        y_start: u16::from_le_bytes([h[1], h[2] & 0x0F]) as u32,
        height: u16::from_le_bytes([h[3], h[2] >> 4]) as u32,
        left_difficulty_a: h[7] & 1 != 0,
        right_difficulty_a: h[7] & 2 != 0,
        color: h[7] & 4 == 0,
    }
}

/// The ROM size an input asks for: common cartridge sizes (exact, one short, one long) most of
/// the time, any size up to [`MAX_ROM`] otherwise.
fn rom_len_from(h: &[u8; HEADER]) -> usize {
    const SIZES: [usize; 12] = [
        2048,
        4096,
        8192,
        10240,
        10495,
        12288,
        16384,
        32768,
        65536,
        2048 * 3,
        8192 + 256,
        0,
    ];
    let sel = u16::from_le_bytes([h[4], h[5]]) as usize | ((h[6] as usize) << 16);
    if h[6] & 0x80 == 0 {
        let base = SIZES[sel % SIZES.len()];
        match (sel >> 8) % 4 {
            0 => base.saturating_sub(1),
            1 => base + 1,
            _ => base,
        }
    } else {
        (sel & 0x7F_FFFF) % (MAX_ROM + 1)
    }
}

/// Runs one fuzz input. Panics only if an invariant breaks (that is the bug a fuzzer reports).
pub fn run(data: &[u8]) -> Outcome {
    let mut header = [0u8; HEADER];
    for (h, &d) in header.iter_mut().zip(data) {
        *h = d;
    }
    let rest = data.get(HEADER..).unwrap_or(&[]);
    // First byte after the header: how many 3-byte script steps follow; the remainder seeds the ROM.
    let steps = rest.first().map_or(0, |&n| n as usize % 24);
    let script_end = (1 + steps * 3).min(rest.len());
    let script = rest.get(1..script_end).unwrap_or(&[]);
    let rom_seed = rest.get(script_end..).unwrap_or(&[]);

    let rom_len = rom_len_from(&header);
    let mut stretch =
        Stretch(0x9E37_79B9_7F4A_7C15 ^ u64::from_le_bytes(header) ^ (rom_seed.len() as u64) << 3);
    let mut rom = Vec::with_capacity(rom_len);
    for i in 0..rom_len {
        // Input bytes where there are any (repeated), mixed with the stretch generator so that a
        // short input still gives varied code; every 4th byte comes straight from the input.
        let b = match rom_seed.get(i % rom_seed.len().max(1)) {
            Some(&b) if i % 4 == 0 || i < rom_seed.len() => b,
            Some(&b) => b ^ stretch.next(),
            None => stretch.next(),
        };
        rom.push(b);
    }
    if header[7] & 0x08 != 0 && rom_len >= 4 {
        // Point the reset vector at the cartridge so the random bytes run as code.
        rom[rom_len - 4] = header[1];
        rom[rom_len - 3] = 0xF0 | (header[3] & 0x0F);
    }

    let props = props_from(&header);
    let mut outcome = Outcome {
        rom_len,
        ..Outcome::default()
    };
    let mut console = match Console::new(&rom, props) {
        Ok(c) => c,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "error without a message");
            return outcome;
        }
    };
    outcome.loaded = true;
    check_screen(&console);
    if header[7] & 0x10 != 0 {
        console.system_reset();
    }
    // A save state taken now must replay the script identically.
    let mut twin = console.clone();
    let mut frames = 0u32;
    for step in script.chunks(3) {
        frames += apply(&mut console, step);
        apply(&mut twin, step);
        check_screen(&console);
        assert_eq!(console.screen(), twin.screen(), "clone diverged (screen)");
        assert_eq!(console.ram(), twin.ram(), "clone diverged (RAM)");
        assert_eq!(console.cycles(), twin.cycles(), "clone diverged (cycles)");
    }
    {
        console.run_frame();
        frames += 1;
        check_screen(&console);
    }
    outcome.frames = frames;
    outcome
}

fn check_screen(c: &Console) {
    assert_eq!(c.screen().len(), c.height() * c.width(), "screen size");
    assert!((1..=300).contains(&c.height()), "height {}", c.height());
}

/// One script step (up to 3 bytes): inputs, then frames or a bus access. Returns frames run.
fn apply(c: &mut Console, step: &[u8]) -> u32 {
    let b = |i: usize| step.get(i).copied().unwrap_or(0);
    let (s0, s1, s2) = (b(0), b(1), b(2));
    let pal = c.is_pal();
    let i = c.inputs_mut();
    let j = &mut i.joysticks[(s0 >> 7) as usize];
    j.up = s0 & 0x01 != 0;
    j.down = s0 & 0x02 != 0;
    j.left = s0 & 0x04 != 0;
    j.right = s0 & 0x08 != 0;
    j.fire = s0 & 0x10 != 0;
    i.switches.reset = s0 & 0x20 != 0;
    i.switches.select = s0 & 0x40 != 0;
    let p = &mut i.paddles[(s1 & 3) as usize];
    p.fire = s1 & 0x04 != 0;
    // Any resistance, including Stella's extremes (0 and i32::MAX) and negative garbage.
    p.resistance = match s1 >> 6 {
        0 => 0,
        1 => i32::MAX,
        2 => (s2 as i32 - 128).wrapping_mul(0x0101_0101),
        _ => 27_450 + (s2 as i32) * 3_000,
    };
    if s1 & 0x08 != 0 {
        i.switches.color = !i.switches.color;
        i.switches.left_difficulty_a = s2 & 1 != 0;
        i.switches.right_difficulty_a = s2 & 2 != 0;
    }
    if s1 & 0x10 != 0 {
        i.release_all();
    }
    match s1 & 0x20 != 0 {
        true if s2 & 0x80 != 0 => {
            // A bus write then a read anywhere (may switch banks or poke TIA/RIOT registers).
            let addr = u16::from_le_bytes([s2.wrapping_mul(37), s0]);
            c.poke(addr, s2);
            let _ = c.peek(addr ^ 0x1000);
            0
        }
        true => {
            let _ = c.peek(u16::from_le_bytes([s2, s0]));
            c.run_frame();
            1
        }
        false => {
            let n = 1 + (s2 & 3) as u32;
            for _ in 0..n {
                c.run_frame();
            }
            debug_assert_eq!(c.is_pal(), pal);
            n
        }
    }
}
