//! Frames per second of the bare emulator: `cargo run --release -p stella --example bench -- ROM [FRAMES] [hash|lazy]`.
//!
//! With a third argument `hash` it also prints an FNV-1a hash of every frame's screen and RAM (slower;
//! for checking that an optimisation changed nothing). With `lazy` it draws only the last two
//! frames of every four (`Console::set_render`), as a frame skip of 4 with max-pooling needs.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: bench ROM [FRAMES]");
        std::process::exit(2);
    };
    let frames: u32 = args.get(1).and_then(|f| f.parse().ok()).unwrap_or(20_000);
    let rom = std::fs::read(path).expect("read ROM");
    let props = stella::Properties::for_rom(&rom);
    let mut c = stella::Console::new(&rom, props).expect("load ROM");
    let hash = args.get(2).is_some_and(|a| a == "hash");
    let lazy = args.get(2).is_some_and(|a| a == "lazy");
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut s = 1u32;
    let start = Instant::now();
    for f in 0..frames {
        if f % 8 == 0 {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let i = c.inputs_mut();
            i.joysticks[0].fire = s & 0x100 != 0;
            i.joysticks[0].left = s & 0x200 != 0;
            i.joysticks[0].right = s & 0x400 != 0 && s & 0x200 == 0;
            i.paddles[0].resistance = 27_450 + (s >> 8) as i32 % 700_000;
            i.switches.reset = f < 8;
        }
        if lazy {
            c.set_render(f % 4 >= 2);
        }
        c.run_frame();
        for a in 0x80..0x100u16 {
            c.peek(a);
        }
        if hash {
            for &b in c.screen().iter().chain(c.ram().iter()) {
                h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let dt = start.elapsed().as_secs_f64();
    println!(
        "{} frames in {:.3} s: {:.0} frames/s",
        frames,
        dt,
        frames as f64 / dt
    );
    if hash {
        println!("hash {h:016x}");
    }
}
