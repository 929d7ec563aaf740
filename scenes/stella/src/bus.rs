//! The system bus: address decoding to TIA, RIOT and cartridge, the data bus, the cycle counter.

use serde::{Deserialize, Serialize};

use crate::cart::Cart;
use crate::fetch::NOT_PLAIN;
use crate::inputs::Inputs;
use crate::props::{ControllerKind, Properties};
use crate::riot::Riot;
use crate::rng::Mt19937;
use crate::tia::{MAX_RESISTANCE, PortReader, Tia};

/// CPU execution status bits (Stella's `M6502::myExecutionStatus`).
pub const STOP_BIT: u8 = 0x01;
/// Illegal opcode executed: the CPU halts until the next reset.
pub const FATAL_BIT: u8 = 0x02;

/// How the controller ports are wired (from the ROM properties).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Wiring {
    /// Kind of device whose reads the left port (0) and right port (1) see.
    pub kind: [ControllerKind; 2],
    /// Jack (0 = left, 1 = right) the device in each port was built for (differs when ports are swapped).
    pub jack: [usize; 2],
    /// Paddles swapped.
    pub swap_paddles: bool,
}

impl Wiring {
    /// Stella's `Console` controller construction.
    pub fn from_props(p: &Properties) -> Wiring {
        if p.swap_ports {
            Wiring {
                kind: [p.right_controller, p.left_controller],
                jack: [1, 0],
                swap_paddles: p.swap_paddles,
            }
        } else {
            Wiring {
                kind: [p.left_controller, p.right_controller],
                jack: [0, 1],
                swap_paddles: p.swap_paddles,
            }
        }
    }
}

/// Port reads from the inputs through the wiring.
pub struct Ports<'a> {
    /// The event state.
    pub inputs: &'a Inputs,
    /// The port wiring.
    pub wiring: &'a Wiring,
}

impl Ports<'_> {
    /// Paddle event index for `Paddles::myPinEvents[row][jack]`.
    fn paddle_event(&self, row: usize, jack: usize) -> usize {
        // unswapped: [0] fire P1/P3, [1] fire P0/P2, [2] res P1/P3, [3] res P0/P2; swapped exchanges 0<->1.
        let base = if self.wiring.swap_paddles {
            [0, 1, 0, 1]
        } else {
            [1, 0, 1, 0]
        };
        base[row] + 2 * jack
    }

    /// Digital pin (One..Four = 0..3, Six = 5) of a port: true = line high (not pressed).
    #[inline]
    fn digital(&self, port: usize, pin: usize) -> bool {
        let jack = self.wiring.jack[port];
        match self.wiring.kind[port] {
            ControllerKind::Joystick => {
                let j = &self.inputs.joysticks[jack];
                !match pin {
                    0 => j.up,
                    1 => j.down,
                    2 => j.left,
                    3 => j.right,
                    5 => j.fire,
                    _ => false,
                }
            }
            ControllerKind::Paddles => match pin {
                2 => !self.inputs.paddles[self.paddle_event(0, jack)].fire,
                3 => !self.inputs.paddles[self.paddle_event(1, jack)].fire,
                _ => true,
            },
        }
    }

    /// SWCHA.
    pub fn swcha(&self) -> u8 {
        let mut v = 0u8;
        for pin in 0..4 {
            if self.digital(0, pin) {
                v |= 0x10 << pin;
            }
            if self.digital(1, pin) {
                v |= 0x01 << pin;
            }
        }
        v
    }
}

impl PortReader for Ports<'_> {
    fn analog(&self, port: usize, nine: bool) -> i32 {
        let jack = self.wiring.jack[port];
        match self.wiring.kind[port] {
            ControllerKind::Joystick => MAX_RESISTANCE,
            ControllerKind::Paddles => {
                let row = if nine { 3 } else { 2 };
                self.inputs.paddles[self.paddle_event(row, jack)].resistance
            }
        }
    }
    fn fire_high(&self, port: usize) -> bool {
        self.digital(port, 5)
    }
}

/// Everything the CPU talks to.
#[derive(Serialize, Deserialize)]
pub struct Bus {
    /// System cycles since the frame started (`System::cycles`).
    pub cycles: u32,
    /// Last value on the data bus.
    pub data_bus: u8,
    /// The system RNG.
    pub rng: Mt19937,
    /// The RIOT.
    pub riot: Riot,
    /// The TIA.
    pub tia: Tia,
    /// The cartridge.
    pub cart: Cart,
    /// The event state.
    pub inputs: Inputs,
    /// The port wiring.
    pub wiring: Wiring,
    /// CPU execution status bits.
    pub exec_status: u8,
    /// Whether the CPU's last bus access was a read (WSYNC halts only then).
    pub last_access_was_read: bool,
}

impl Clone for Bus {
    fn clone(&self) -> Self {
        Bus {
            cycles: self.cycles,
            data_bus: self.data_bus,
            rng: self.rng.clone(),
            riot: self.riot.clone(),
            tia: self.tia.clone(),
            cart: self.cart.clone(),
            inputs: self.inputs,
            wiring: self.wiring,
            exec_status: self.exec_status,
            last_access_was_read: self.last_access_was_read,
        }
    }

    /// Reuses every buffer (RNG state, frame buffers, cartridge): no allocation.
    fn clone_from(&mut self, src: &Self) {
        self.copy_state_from(src);
        self.tia.clone_from(&src.tia);
    }
}

impl Bus {
    /// Copies all of `src` but the TIA's frame buffer contents (see [`Tia::copy_state_from`]),
    /// reusing every buffer: no allocation.
    pub fn copy_state_from(&mut self, src: &Bus) {
        // Destructured without `..`, so a new field cannot be forgotten here.
        let Bus {
            cycles,
            data_bus,
            rng,
            riot,
            tia,
            cart,
            inputs,
            wiring,
            exec_status,
            last_access_was_read,
        } = self;
        *cycles = src.cycles;
        *data_bus = src.data_bus;
        rng.clone_from(&src.rng);
        riot.clone_from(&src.riot);
        tia.copy_state_from(&src.tia);
        cart.clone_from(&src.cart);
        *inputs = src.inputs;
        *wiring = src.wiring;
        *exec_status = src.exec_status;
        *last_access_was_read = src.last_access_was_read;
    }
}

impl Bus {
    /// `System::peek`.
    #[inline(always)]
    pub fn peek(&mut self, addr: u16) -> u8 {
        let a = addr & 0x1FFF;
        let v = if a & 0x1000 != 0 {
            match self.cart.peek_plain(a) {
                Some(v) => v,
                None => self.cart.peek(addr, self.cycles),
            }
        } else if a & 0x0280 == 0x0080 {
            self.riot.ram[(a & 0x7F) as usize]
        } else {
            self.peek_io(addr)
        };
        self.data_bus = v;
        v
    }

    /// TIA and RIOT I/O reads.
    #[inline(never)]
    fn peek_io(&mut self, addr: u16) -> u8 {
        let ports = Ports {
            inputs: &self.inputs,
            wiring: &self.wiring,
        };
        if addr & 0x80 == 0 {
            self.tia.peek(addr, self.cycles, self.data_bus, &ports)
        } else {
            let swcha = if addr & 7 == 0 { ports.swcha() } else { 0 };
            let swchb = self.inputs.switches.swchb();
            self.riot.peek(addr, self.cycles, swcha, swchb)
        }
    }

    /// `System::poke`.
    #[inline(always)]
    pub fn poke(&mut self, addr: u16, value: u8) {
        let a = addr & 0x1FFF;
        if a & 0x1280 == 0x0080 {
            self.riot.ram[(a & 0x7F) as usize] = value;
        } else {
            self.poke_io(addr, value);
        }
        self.data_bus = value;
    }

    #[inline(never)]
    fn poke_io(&mut self, addr: u16, value: u8) {
        let a = addr & 0x1FFF;
        if a & 0x1000 != 0 {
            self.cart.poke(addr, value);
        } else if a & 0x80 == 0 {
            if self
                .tia
                .poke(addr, value, &mut self.cycles, self.last_access_was_read)
            {
                self.exec_status |= STOP_BIT;
            }
        } else {
            self.riot.poke(addr, value, self.cycles);
        }
    }

    /// A TIA write at `cycles` that [`Tia::poke_quiet`] did not do (the bus's own counters are
    /// not used): returns the cycles after it (WSYNC advances them) and whether the CPU must
    /// stop (end of frame).
    #[inline(never)]
    fn poke_tia(&mut self, addr: u16, value: u8, mut cycles: u32, last_read: bool) -> (u32, bool) {
        let stop = self.tia.poke_loud(addr, value, &mut cycles, last_read);
        (cycles, stop)
    }

    /// `System::resetCycles`.
    pub fn reset_cycles(&mut self) {
        self.riot.system_cycles_reset(self.cycles);
        self.tia.system_cycles_reset(self.cycles);
        self.cart.system_cycles_reset(self.cycles);
        self.cycles = 0;
    }
}

/// The CPU's view of the bus while [`crate::cpu::Cpu::execute`] runs: the cycle counter, the data
/// bus and the last-access flag are kept here (in machine registers) and written back to the
/// [`Bus`] only around accesses that need them (TIA/RIOT I/O, cartridge hotspots) and at the end.
pub struct Ctx<'a> {
    /// The bus.
    pub bus: &'a mut Bus,
    /// System cycles (authoritative while the context lives).
    pub cycles: u32,
    /// Data bus (authoritative while the context lives).
    pub data_bus: u8,
    /// Whether the last access was a read (authoritative while the context lives).
    pub last_access_was_read: bool,
    /// Instructions left to execute, 1 when the current one is the last (the bus's execution
    /// status became non-zero: end of frame or a jam), kept here so the instruction loop does
    /// not read the bus each time.
    pub budget: u32,
    /// The cartridge's plain-read range (`Cart::plain_range`), constant while the context lives.
    plain_lo: u16,
    plain_span: u16,
    /// The bytes of the current instruction not fetched yet (the next in the low byte), while
    /// [`crate::cpu::Cpu`] runs an instruction from [`Ctx::code_at`].
    pub pre: u32,
}

impl<'a> Ctx<'a> {
    /// Takes the bus's counters into the context.
    #[inline(always)]
    pub fn new(bus: &'a mut Bus) -> Ctx<'a> {
        let (plain_lo, plain_span) = bus.cart.plain_range();
        Ctx {
            cycles: bus.cycles,
            data_bus: bus.data_bus,
            last_access_was_read: bus.last_access_was_read,
            budget: 0,
            plain_lo,
            plain_span,
            pre: 0,
            bus,
        }
    }

    /// The opcode at `pc` and the two bytes after it (in the low three bytes, little endian) if
    /// all three are plain ROM reads (no side effect but the data bus), else `None`.
    #[inline(always)]
    pub fn code_at(&self, pc: u16) -> Option<u32> {
        let word = self.bus.cart.fetch_word(pc);
        (word != NOT_PLAIN).then_some(word)
    }

    /// Makes the current instruction the last one [`crate::cpu::Cpu::execute`] runs.
    #[inline(always)]
    pub fn stop(&mut self) {
        self.budget = 1;
    }

    /// Adds an instruction's cycles.
    #[inline(always)]
    pub fn tick(&mut self, cycles: u8) {
        self.cycles = self.cycles.wrapping_add(u32::from(cycles));
    }

    /// Writes the cycle counter and the data bus back to the bus (the last-access flag is passed
    /// to the TIA with each write instead, and set by the CPU when it stops).
    #[inline(always)]
    pub fn sync(&mut self) {
        self.bus.cycles = self.cycles;
        self.bus.data_bus = self.data_bus;
    }

    /// [`Bus::peek`] with the counters in the context.
    #[inline(always)]
    pub fn peek(&mut self, addr: u16) -> u8 {
        let a = addr & 0x1FFF;
        let v = if a & 0x1000 != 0 {
            let c = a & 0x0FFF;
            if c.wrapping_sub(self.plain_lo) < self.plain_span {
                self.bus.cart.window_byte(c)
            } else {
                std::hint::cold_path();
                self.sync();
                self.bus.cart.peek(addr, self.cycles)
            }
        } else if a & 0x0280 == 0x0080 {
            self.bus.riot.ram[(a & 0x7F) as usize]
        } else {
            self.sync();
            self.bus.peek_io(addr)
        };
        self.data_bus = v;
        v
    }

    /// [`Bus::poke`] with the counters in the context; `after_read`: whether the CPU's previous
    /// bus access was a read (WSYNC halts only then).
    #[inline(always)]
    pub fn poke(&mut self, addr: u16, value: u8, after_read: bool) {
        let a = addr & 0x1FFF;
        if a & 0x1280 == 0x0080 {
            self.bus.riot.ram[(a & 0x7F) as usize] = value;
        } else if a & 0x1080 == 0 {
            // A write that changes nothing drawn is done here; any other goes out of line, with
            // the cycles and the last-access flag in registers.
            let stop = match self
                .bus
                .tia
                .poke_quiet(addr, value, &mut self.cycles, after_read)
            {
                Some(stop) => stop,
                None => {
                    std::hint::cold_path();
                    let (cycles, stop) = self.bus.poke_tia(addr, value, self.cycles, after_read);
                    self.cycles = cycles;
                    stop
                }
            };
            if stop {
                self.bus.exec_status |= STOP_BIT;
                self.stop();
            }
        } else {
            std::hint::cold_path();
            self.sync();
            self.bus.poke_io(addr, value);
            self.cycles = self.bus.cycles;
            if self.bus.exec_status != 0 {
                self.stop();
            }
        }
        self.data_bus = value;
    }
}
