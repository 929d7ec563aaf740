#![doc = include_str!("../README.md")]

pub mod bus;
pub mod cart;
pub mod cpu;
pub mod fetch;
pub mod fuzz;
pub mod inputs;
mod paint;
mod paint_log;
pub mod palette;
pub mod props;
pub mod riot;
pub mod rng;
pub mod tables;
pub mod tia;

use serde::{Deserialize, Serialize};

pub use cart::CartKind;
pub use inputs::{Inputs, Joystick, Paddle, Switches};
pub use props::{ControllerKind, DisplayFormat, Properties};

use bus::{Bus, Wiring};
use cpu::Cpu;
use riot::Riot;
use rng::Mt19937;
use tia::Tia;

/// The common imports.
pub mod prelude {
    pub use crate::{
        CartKind, Console, ControllerKind, DisplayFormat, Inputs, Joystick, Paddle, Properties,
        RomError, Switches,
    };
}

/// ALE's `system_random_seed`.
pub const SYSTEM_RANDOM_SEED: u32 = 4_753_849;
/// Most instructions one [`Console::run_frame`] executes (ALE's `execute(25000)`).
pub const MAX_INSTRUCTIONS_PER_FRAME: u32 = 25_000;

/// Why a ROM could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RomError {
    /// Zero bytes.
    #[error("the ROM image is empty")]
    Empty,
    /// Stella recognises no cartridge of this size.
    #[error("unrecognized cartridge: no known type has a ROM of {0} bytes")]
    UnknownSize(usize),
    /// Stella would pick a bank-switching type this emulator does not implement (yet).
    #[error("cartridge type {0} is not supported")]
    UnsupportedType(String),
    /// Fewer bytes than the type needs.
    #[error("truncated ROM: the cartridge type needs {expected} bytes, got {got}")]
    Truncated {
        /// Bytes the type needs.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
}

/// An Atari 2600: CPU, RIOT, TIA and cartridge, as ALE 0.12's Stella core.
///
/// `Clone` is a full save of the console state; so is serde serialisation.
#[derive(Serialize, Deserialize)]
pub struct Console {
    cpu: Cpu,
    bus: Bus,
    props: Properties,
    pal: bool,
}

impl Clone for Console {
    fn clone(&self) -> Self {
        Console {
            cpu: self.cpu,
            bus: self.bus.clone(),
            props: self.props.clone(),
            pal: self.pal,
        }
    }

    /// A save state into an existing console: reuses its buffers, so it does not allocate when
    /// `self` runs the same ROM (e.g. a snapshot taken before with `clone`).
    fn clone_from(&mut self, src: &Self) {
        self.cpu = src.cpu;
        self.bus.clone_from(&src.bus);
        self.props.clone_from(&src.props);
        self.pal = src.pal;
    }
}

impl Console {
    /// Builds the console as ALE's `loadROM` does: cart type auto-detected, the system mt19937 seeded
    /// with 4753849, RIOT RAM from 128 draws, display-format autodetection (reset, 60 frames, PAL if
    /// at least 15 of frames 30..59 had more than 285 lines, reset again). Does not run ALE's
    /// environment reset (60 noops, soft reset, ...).
    pub fn new(rom: &[u8], props: Properties) -> Result<Console, RomError> {
        let mut props = props;
        props.height = props.height.clamp(1, 300);
        props.y_start = props.y_start.min(1000);
        let cart = cart::Cart::new(rom, props.f8_swapped)?;
        let mut rng = Mt19937::new(SYSTEM_RANDOM_SEED);
        let riot = Riot::new(&mut rng);
        let mut inputs = Inputs::default();
        inputs.switches.color = props.color;
        inputs.switches.left_difficulty_a = props.left_difficulty_a;
        inputs.switches.right_difficulty_a = props.right_difficulty_a;
        let bus = Bus {
            cycles: 0,
            data_bus: 0,
            rng,
            riot,
            tia: Tia::new(),
            cart,
            inputs,
            wiring: Wiring::from_props(&props),
            exec_status: 0,
            last_access_was_read: true,
        };
        let mut c = Console {
            cpu: Cpu::default(),
            bus,
            props,
            pal: false,
        };
        let mut height = c.props.height;
        match c.props.format {
            DisplayFormat::AutoDetect => {
                c.reset_with(false, height);
                let mut pal_count = 0;
                for i in 0..60 {
                    c.run_frame();
                    if i >= 30 && c.bus.tia.scanlines(c.bus.cycles) > 285 {
                        pal_count += 1;
                    }
                }
                c.pal = pal_count >= 15;
            }
            DisplayFormat::Pal => c.pal = true,
            DisplayFormat::Ntsc => c.pal = false,
        }
        if c.pal && height == 210 {
            height = 250;
        }
        c.props.height = height;
        c.system_reset();
        Ok(c)
    }

    fn reset_with(&mut self, pal: bool, height: u32) {
        self.bus.reset_cycles();
        self.bus.riot.reset(&mut self.bus.rng);
        let p = &self.props;
        self.bus
            .tia
            .reset(0, pal, p.hmove_blanks, p.y_start, height);
        self.bus.cart.reset(&mut self.bus.rng);
        self.cpu.reset(&mut self.bus);
    }

    /// The system reset ALE calls (`system().reset()`): CPU, TIA, RIOT (timer = 25 + next() % 75
    /// from the system RNG), cart banks (and RAM for RAM carts).
    pub fn system_reset(&mut self) {
        self.reset_with(self.pal, self.props.height);
    }

    /// Emulates one ALE frame with the current inputs: the CPU runs until the TIA signals the end
    /// of the frame, at most 25,000 instructions (Stella's `TIA::update`).
    pub fn run_frame(&mut self) {
        let tia = &mut self.bus.tia;
        if !tia.partial_frame {
            let clocks = tia.start_frame_pre(self.bus.cycles);
            self.bus.reset_cycles();
            self.bus.tia.start_frame_post(clocks);
        }
        self.bus.tia.partial_frame = true;
        self.cpu.execute(&mut self.bus, MAX_INSTRUCTIONS_PER_FRAME);
        self.bus.tia.finish_update(self.bus.cycles);
    }

    /// A bus read as ALE's `readRam` does it: goes through the system, so it updates the data bus
    /// (and has any side effect a read of that address has, e.g. bank switching).
    pub fn peek(&mut self, addr: u16) -> u8 {
        let v = self.bus.peek(addr);
        // A draw a TIA access deferred is done now, as Stella does it at the access, so that
        // the frame buffer between frames is Stella's.
        self.bus.tia.flush();
        v
    }

    /// A bus write (ALE's `setRAM` pokes `0x80 + index`).
    pub fn poke(&mut self, addr: u16, value: u8) {
        self.bus.poke(addr, value);
        self.bus.tia.flush();
    }

    /// The 128 bytes of RIOT RAM, without touching the bus.
    pub fn ram(&self) -> &[u8; 128] {
        &self.bus.riot.ram
    }

    /// Palette indices of the last frame, `height() x 160`, row-major (ALE's `getScreen`).
    /// After frames run with rendering off (see [`Console::set_render`]) it may hold stale
    /// pixels: [`Console::screen_exact`] tells.
    pub fn screen(&self) -> &[u8] {
        &self.bus.tia.current_fb[..self.height() * 160]
    }

    /// Turns the production of pixels on (the default) or off for the frames that follow.
    ///
    /// Without rendering a frame is emulated exactly as with it (CPU, RAM, collisions, timing,
    /// frame ends: everything the program or [`Console::peek`] can observe) but its pixels are
    /// not written, which saves a large part of the emulation time when a frame's screen is
    /// not looked at (e.g. the first frames of a frame skip). The frame buffer then keeps
    /// older pixels where the frame would have drawn; the console tracks which, and
    /// [`Console::screen_exact`] says whether the current screen is nevertheless exact (it is
    /// once a rendered frame has covered what an unrendered one left stale, the usual case
    /// two frames later).
    pub fn set_render(&mut self, on: bool) {
        self.bus.tia.set_render(on);
    }

    /// Copies the whole state of `src` (a console of the same ROM, e.g. a snapshot made with
    /// `clone`) except the contents of the two frame buffers, which stay as they are: no
    /// allocation, and none of the ~100 KB of pixels copied.
    ///
    /// For replaying frames that ran unrendered: save the state before them, run them without
    /// rendering, and if the screen then turns out inexact ([`Console::screen_exact`]), copy
    /// the saved state back and run the same frames (same inputs, same bus accesses) again
    /// with rendering on; the frame buffers then end exactly as if every frame had been
    /// rendered the first time. (This holds because rendered frames only overwrite pixels
    /// with values that do not depend on the old ones, except when a frame that did not end
    /// within 25,000 instructions is greyed out, and that is never done while unknown pixels
    /// are around: the greyed lines are marked unknown instead.)
    pub fn copy_state_from(&mut self, src: &Console) {
        self.cpu = src.cpu;
        self.bus.copy_state_from(&src.bus);
        self.props.clone_from(&src.props);
        self.pal = src.pal;
    }

    /// Whether pixels are produced (see [`Console::set_render`]).
    pub fn render(&self) -> bool {
        self.bus.tia.render()
    }

    /// Whether [`Console::screen`] is exactly what it would be had every frame been rendered.
    /// Always true if rendering was never turned off.
    pub fn screen_exact(&self) -> bool {
        self.bus.tia.screen_exact(self.height())
    }

    /// Screen height in lines (210 for NTSC by default, 250 for PAL).
    pub fn height(&self) -> usize {
        self.props.height as usize
    }

    /// Screen width: 160.
    pub fn width(&self) -> usize {
        160
    }

    /// Whether the console runs as PAL (detected or from the properties): PAL palette, colour loss,
    /// 342-line frame limit.
    pub fn is_pal(&self) -> bool {
        self.pal
    }

    /// The palette that maps [`Console::screen`] indices to RGB.
    pub fn palette(&self) -> &'static [u32; 256] {
        palette::table(self.pal)
    }

    /// The event state the console reads.
    pub fn inputs_mut(&mut self) -> &mut Inputs {
        &mut self.bus.inputs
    }

    /// The event state the console reads.
    pub fn inputs(&self) -> &Inputs {
        &self.bus.inputs
    }

    /// The cartridge's bank-switching type.
    pub fn cart_kind(&self) -> CartKind {
        self.bus.cart.kind()
    }

    /// The properties in use (height adjusted for PAL).
    pub fn properties(&self) -> &Properties {
        &self.props
    }

    /// Frames the TIA completed since the console was built.
    pub fn tia_frame_count(&self) -> u32 {
        self.bus.tia.frame_counter
    }

    /// Scanlines of the last complete frame.
    pub fn scanlines_last_frame(&self) -> i32 {
        self.bus.tia.scanlines_last_frame()
    }

    /// The CPU registers (for debugging).
    pub fn cpu(&self) -> &Cpu {
        &self.cpu
    }

    /// System cycles since the current frame started.
    pub fn cycles(&self) -> u32 {
        self.bus.cycles
    }

    /// The last value on the data bus.
    pub fn data_bus(&self) -> u8 {
        self.bus.data_bus
    }

    /// The system RNG (shared by RIOT and cart resets).
    pub fn system_rng(&self) -> &Mt19937 {
        &self.bus.rng
    }
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("cart", &self.cart_kind())
            .field("pal", &self.pal)
            .field("cpu", &self.cpu)
            .field("cycles", &self.bus.cycles)
            .finish()
    }
}

#[cfg(test)]
mod tests;
