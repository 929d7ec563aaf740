//! The cargo-fuzz body (`stella::fuzz::run`, also built by `fuzz/fuzz_targets/console.rs`) over many
//! pseudo-random inputs on stable Rust: ROMs of every size class from 0 to 70 KB, garbage bytes,
//! random switch/joystick/paddle states, bus accesses and frame loops.

use stella::fuzz::{MAX_ROM, Outcome, run};

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A fuzz input asking for a ROM of exactly `size` bytes (arbitrary-size branch of the header).
fn input_with_size(rng: &mut Lcg, size: usize, explicit_format: bool) -> Vec<u8> {
    let mut data = rng.bytes(8);
    if explicit_format {
        // NTSC or PAL: skips the 60-frame auto-detection so the sweep stays quick.
        data[0] = (data[0] & !0x06) | if rng.next() & 1 == 0 { 0x02 } else { 0x04 };
    }
    data[4] = size as u8;
    data[5] = (size >> 8) as u8;
    data[6] = 0x80 | (size >> 16) as u8;
    let steps = (rng.next() % 6) as u8;
    data.push(steps);
    data.extend(rng.bytes(steps as usize * 3));
    let seed_len = (rng.next() % 300) as usize;
    data.extend(rng.bytes(seed_len));
    data
}

#[test]
fn fuzz_body_rom_sizes_0_to_70k() {
    let mut rng = Lcg(7);
    let mut loaded = 0;
    let mut sizes: Vec<usize> = (0..=MAX_ROM).step_by(97).collect();
    for s in [
        2048usize, 4096, 8192, 10240, 10495, 12288, 16384, 32768, 65536,
    ] {
        sizes.extend([s - 1, s, s + 1]);
    }
    sizes.push(MAX_ROM);
    for &size in &sizes {
        let data = input_with_size(&mut rng, size, true);
        let out: Outcome = run(&data);
        assert_eq!(out.rom_len, size, "the header did not give the asked size");
        if out.loaded {
            loaded += 1;
            assert!(out.frames >= 1);
        }
    }
    // The sweep must reach the emulator, not only the error paths.
    eprintln!("{loaded} of {} sizes loaded", sizes.len());
    assert!(loaded >= 5, "only {loaded} ROMs loaded");
}

#[test]
fn fuzz_body_garbage_inputs() {
    let mut rng = Lcg(2026);
    let mut loaded = 0;
    let mut frames = 0;
    for k in 0..2000 {
        // Raw garbage of any length (including empty and shorter than the header).
        let len = match k % 4 {
            0 => (rng.next() % 12) as usize,
            1 => (rng.next() % 100) as usize,
            _ => (rng.next() % 5000) as usize,
        };
        let mut data = rng.bytes(len);
        if k % 3 != 0 && data.len() > 2 {
            // Mostly an explicit display format: auto-detection runs 60 frames per console.
            data[0] = (data[0] & !0x06) | 0x02;
        }
        if k % 4 != 3 && data.len() > 6 {
            // Mostly the common cartridge sizes (exact or one byte off) rather than any size.
            data[6] &= 0x7F;
        }
        let out = run(&data);
        if out.loaded {
            loaded += 1;
            frames += out.frames;
        }
    }
    eprintln!("{loaded} of 2000 inputs loaded, {frames} frames");
    assert!(
        loaded >= 150,
        "only {loaded} of 2000 inputs loaded a console"
    );
    assert!(frames >= 1000, "only {frames} frames run");
}

#[test]
fn fuzz_body_is_deterministic() {
    let mut rng = Lcg(42);
    for _ in 0..8 {
        let data = input_with_size(&mut rng, 4096, true);
        assert_eq!(run(&data), run(&data));
    }
}
