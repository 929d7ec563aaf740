//! Fuzzes the whole console: ROM bytes of any size, properties, inputs, frames, bus accesses and
//! save-state clones (`stella::fuzz::run`). `cargo +nightly fuzz run console` from `scenes/stella`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    stella::fuzz::run(data);
});
