//! Prints what the emulator makes of ROM files: `cargo run -p stella --example rominfo -- ROM...`.

fn main() {
    for path in std::env::args().skip(1) {
        let rom = match std::fs::read(&path) {
            Ok(r) => r,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let props = stella::Properties::for_rom(&rom);
        match stella::Console::new(&rom, props) {
            Ok(c) => println!(
                "{path}: {} bytes, {:?}, {}, {}x{}",
                rom.len(),
                c.cart_kind(),
                if c.is_pal() { "PAL" } else { "NTSC" },
                c.width(),
                c.height()
            ),
            Err(e) => println!(
                "{path}: {} bytes, {} ({})",
                rom.len(),
                e,
                stella::cart::autodetect_type(&rom)
            ),
        }
    }
}
