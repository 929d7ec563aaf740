//! The 6507 as Stella's `M6502Low` emulates it: a whole instruction's cycles are added when its opcode
//! is fetched (+1 for an indexed read crossing a page, +1/+2 for a taken branch), then its bus accesses
//! happen in order.

use serde::{Deserialize, Serialize};

use crate::bus::{Bus, Ctx, FATAL_BIT};

/// Cycles per opcode (`ourInstructionProcessorCycleTable`).
pub const CYCLES: [u8; 256] = [
    7, 6, 2, 8, 3, 3, 5, 5, 3, 2, 2, 2, 4, 4, 6, 6, // 0
    2, 5, 2, 8, 4, 4, 6, 6, 2, 4, 2, 7, 4, 4, 7, 7, // 1
    6, 6, 2, 8, 3, 3, 5, 5, 4, 2, 2, 2, 4, 4, 6, 6, // 2
    2, 5, 2, 8, 4, 4, 6, 6, 2, 4, 2, 7, 4, 4, 7, 7, // 3
    6, 6, 2, 8, 3, 3, 5, 5, 3, 2, 2, 2, 3, 4, 6, 6, // 4
    2, 5, 2, 8, 4, 4, 6, 6, 2, 4, 2, 7, 4, 4, 7, 7, // 5
    6, 6, 2, 8, 3, 3, 5, 5, 4, 2, 2, 2, 5, 4, 6, 6, // 6
    2, 5, 2, 8, 4, 4, 6, 6, 2, 4, 2, 7, 4, 4, 7, 7, // 7
    2, 6, 2, 6, 3, 3, 3, 3, 2, 2, 2, 2, 4, 4, 4, 4, // 8
    2, 6, 2, 6, 4, 4, 4, 4, 2, 5, 2, 5, 5, 5, 5, 5, // 9
    2, 6, 2, 6, 3, 3, 3, 4, 2, 2, 2, 2, 4, 4, 4, 4, // a
    2, 5, 2, 5, 4, 4, 4, 4, 2, 4, 2, 4, 4, 4, 4, 4, // b
    2, 6, 2, 8, 3, 3, 5, 5, 2, 2, 2, 2, 4, 4, 6, 6, // c
    2, 5, 2, 8, 4, 4, 6, 6, 2, 4, 2, 7, 4, 4, 7, 7, // d
    2, 6, 2, 8, 3, 3, 5, 5, 2, 2, 2, 2, 4, 4, 6, 6, // e
    2, 5, 2, 8, 4, 4, 6, 6, 2, 4, 2, 7, 4, 4, 7, 7, // f
];

/// Whether the last bus access of opcode `op` is a write: the stores, the read-modify-writes
/// on memory (undocumented ones included) and PHA/PHP. (JSR ends with the fetch of its high
/// address byte, BRK with the vector reads.)
pub fn ends_with_write(op: u8) -> bool {
    const STORES: [u8; 24] = [
        0x08, 0x48, 0x81, 0x83, 0x84, 0x85, 0x86, 0x87, 0x8C, 0x8D, 0x8E, 0x8F, 0x91, 0x93, 0x94,
        0x95, 0x96, 0x97, 0x99, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F,
    ];
    let rmw_column = matches!(
        op & 0x1F,
        0x03 | 0x06 | 0x07 | 0x0E | 0x0F | 0x13 | 0x16 | 0x17 | 0x1B | 0x1E | 0x1F
    );
    let rmw_row = !matches!(op >> 5, 4 | 5);
    STORES.contains(&op) || (rmw_column && rmw_row)
}

/// Iterations of a timer wait loop skipped by [`timer_wait`].
struct TimerWait {
    /// Load-BNE pairs run.
    iterations: u32,
    /// System cycles after them.
    cycles: u32,
    /// The opcode of the load (0xAD LDA, 0xAE LDX, 0xAC LDY).
    load: u8,
    /// INTIM as the last load read it (non-zero).
    value: u8,
}

/// The iterations of the wait loop `LD[AXY] INTIM; BNE *-3` starting at `pc` (the load) with
/// `cycles` system cycles, that a bus-level emulation would run from here while INTIM reads
/// non-zero before the timer underflows and the instruction `budget` (which counts the BNE just
/// executed) lasts. `None` if `pc` does not start such a loop in plain ROM or no iteration
/// qualifies.
#[inline(never)]
fn timer_wait(bus: &Bus, pc: u16, cycles: u32, budget: u32) -> Option<TimerWait> {
    let (lo, span) = bus.cart.plain_range();
    let c = pc & 0x1FFF;
    // All five bytes of the loop must be plain ROM reads.
    if c.wrapping_sub(0x1000 + lo) >= span.saturating_sub(4) {
        return None;
    }
    let [load, alo, ahi, bne] = bus.cart.code_word(c).to_le_bytes();
    let offset = bus.cart.code_word(c + 4) as u8;
    if !matches!(load, 0xAC..=0xAE) || bne != 0xD0 || offset != 0xFB {
        return None;
    }
    let addr = u16::from_le_bytes([alo, ahi]);
    // RIOT (A12 clear, A7 and A9 set) INTIM (A2 set, A0 clear).
    if addr & 0x1280 != 0x0280 || addr & 0x05 != 0x04 {
        return None;
    }
    // Cycles of one iteration: the load (4, absolute) and the taken BNE (2 + 1, + 1 when the
    // branch crosses a page: from pc + 5 back to pc).
    let cross = (pc ^ pc.wrapping_add(5)) & 0xFF00 != 0;
    let bne_cycles = CYCLES[0xD0] as u32 + if cross { 2 } else { 1 };
    let load_cycles = CYCLES[load as usize] as u32;
    // The BNE just run is counted in `budget`; each iteration takes two more instructions.
    let most = budget.saturating_sub(1) / 2;
    let (iterations, value) = bus.riot.nonzero_intim_reads(
        cycles.wrapping_add(load_cycles),
        load_cycles + bne_cycles,
        most,
    );
    let w = TimerWait {
        iterations,
        cycles: cycles.wrapping_add(iterations * (load_cycles + bne_cycles)),
        load,
        value,
    };
    (w.iterations > 0).then_some(w)
}

/// `ourBCDTable[0]`: BCD byte to binary (invalid digits included, as Stella computes them).
fn bcd_to_bin(t: u8) -> i32 {
    ((t >> 4) as i32) * 10 + (t & 0x0F) as i32
}
/// `ourBCDTable[1]`.
fn bin_to_bcd(t: i32) -> u8 {
    // Stella indexes a 2x256 table; a negative index lands in the first half.
    if t < 0 {
        return bcd_to_bin((256 + t) as u8) as u8;
    }
    let t = t & 0xFF;
    ((((t % 100) / 10) << 4) | (t % 10)) as u8
}

/// CPU registers.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Cpu {
    /// Accumulator.
    pub a: u8,
    /// X index.
    pub x: u8,
    /// Y index.
    pub y: u8,
    /// Stack pointer.
    pub sp: u8,
    /// Last opcode.
    pub ir: u8,
    /// Program counter.
    pub pc: u16,
    /// N and Z in one value: Z is set when the low byte is 0, N when bit 7 or bit 8 is
    /// (an instruction that sets both from its result stores the result; see [`Cpu::set_nz`]).
    nz: u16,
    v: bool,
    b: bool,
    d: bool,
    i: bool,
    c: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Imm,
    Zp,
    Zpx,
    Zpy,
    Abs,
    Absx,
    Absy,
    Indx,
    Indy,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
    Rmw,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu {
            a: 0,
            x: 0,
            y: 0,
            sp: 0xFF,
            ir: 0,
            pc: 0,
            nz: 1,
            v: false,
            b: true,
            d: false,
            i: false,
            c: false,
        }
    }
}

impl Cpu {
    /// Processor status byte.
    #[inline(always)]
    pub fn ps(&self) -> u8 {
        let mut ps = 0x20;
        if self.n() {
            ps |= 0x80;
        }
        if self.v {
            ps |= 0x40;
        }
        if self.b {
            ps |= 0x10;
        }
        if self.d {
            ps |= 0x08;
        }
        if self.i {
            ps |= 0x04;
        }
        if !self.not_z() {
            ps |= 0x02;
        }
        if self.c {
            ps |= 0x01;
        }
        ps
    }

    #[inline(always)]
    fn set_ps(&mut self, ps: u8) {
        self.v = ps & 0x40 != 0;
        self.b = true;
        self.d = ps & 0x08 != 0;
        self.i = ps & 0x04 != 0;
        self.set_nz(ps & 0x80 != 0, ps & 0x02 == 0);
        self.c = ps & 0x01 != 0;
    }

    /// `M6502::reset`.
    pub fn reset(&mut self, bus: &mut Bus) {
        bus.exec_status = 0;
        self.a = 0;
        self.x = 0;
        self.y = 0;
        self.sp = 0xFF;
        self.set_ps(0x20);
        bus.last_access_was_read = true;
        let lo = bus.peek(0xFFFC) as u16;
        let hi = bus.peek(0xFFFD) as u16;
        self.pc = lo | (hi << 8);
    }

    #[inline(always)]
    fn rd(&mut self, bus: &mut Ctx<'_>, addr: u16) -> u8 {
        let v = bus.peek(addr);
        bus.last_access_was_read = true;
        v
    }

    /// A write whose preceding bus access (in the same instruction: the opcode fetch comes
    /// first) was a read: every write but the second and third push of JSR and BRK.
    #[inline(always)]
    fn wr(&mut self, bus: &mut Ctx<'_>, addr: u16, v: u8) {
        bus.poke(addr, v, true);
        bus.last_access_was_read = false;
    }

    /// A write right after another write (JSR's and BRK's later pushes).
    #[inline(always)]
    fn wr_after_write(&mut self, bus: &mut Ctx<'_>, addr: u16, v: u8) {
        bus.poke(addr, v, false);
        bus.last_access_was_read = false;
    }

    /// Reads the opcode at PC and advances PC. With `F` (the instruction came from
    /// [`Ctx::code_at`]) the opcode is the low byte of `bus.pre`, which stays there: the
    /// operand fetches shift it out (see [`Cpu::fetch`]).
    #[inline(always)]
    fn fetch_opcode<const F: bool>(&mut self, bus: &mut Ctx<'_>) -> u8 {
        if F {
            let v = bus.pre as u8;
            bus.data_bus = v;
            bus.last_access_was_read = true;
            self.pc = self.pc.wrapping_add(1);
            v
        } else {
            self.fetch::<false>(bus)
        }
    }

    /// Reads the operand byte at PC and advances PC. With `F` (the instruction came from
    /// [`Ctx::code_at`]) the byte is the next one of `bus.pre` (after the opcode fetch): a
    /// plain ROM read whose only effects are the data bus and the last-access flag.
    #[inline(always)]
    fn fetch<const F: bool>(&mut self, bus: &mut Ctx<'_>) -> u8 {
        let v = if F {
            bus.pre >>= 8;
            let v = bus.pre as u8;
            bus.data_bus = v;
            bus.last_access_was_read = true;
            v
        } else {
            self.rd(bus, self.pc)
        };
        self.pc = self.pc.wrapping_add(1);
        v
    }

    #[inline(always)]
    fn fetch16<const F: bool>(&mut self, bus: &mut Ctx<'_>) -> u16 {
        let lo = self.fetch::<F>(bus) as u16;
        let hi = self.fetch::<F>(bus) as u16;
        lo | (hi << 8)
    }

    /// The N flag.
    #[inline(always)]
    fn n(&self) -> bool {
        self.nz & 0x180 != 0
    }

    /// The Z flag, inverted.
    #[inline(always)]
    fn not_z(&self) -> bool {
        self.nz & 0xFF != 0
    }

    /// Sets N and Z independently.
    #[inline(always)]
    fn set_nz(&mut self, n: bool, not_z: bool) {
        self.nz = u16::from(not_z) | u16::from(n) << 8;
    }

    /// N and Z from a result.
    #[inline(always)]
    fn nz(&mut self, v: u8) {
        self.nz = u16::from(v);
    }

    /// Resolves the operand address (and reads the operand for reads and read-modify-writes).
    #[inline(always)]
    fn operand<const F: bool>(
        &mut self,
        bus: &mut Ctx<'_>,
        mode: Mode,
        access: Access,
    ) -> (u16, u8) {
        let read = access != Access::Write;
        let addr: u16 = match mode {
            Mode::Imm => {
                let a = self.pc;
                return (a, self.fetch::<F>(bus));
            }
            Mode::Zp => self.fetch::<F>(bus) as u16,
            Mode::Zpx => self.fetch::<F>(bus).wrapping_add(self.x) as u16,
            Mode::Zpy => self.fetch::<F>(bus).wrapping_add(self.y) as u16,
            Mode::Abs => self.fetch16::<F>(bus),
            Mode::Absx | Mode::Absy => {
                let base = self.fetch16::<F>(bus);
                let idx = if mode == Mode::Absx { self.x } else { self.y };
                let a = base.wrapping_add(idx as u16);
                if access == Access::Read && (base ^ a) & 0xFF00 != 0 {
                    bus.cycles = bus.cycles.wrapping_add(1);
                }
                a
            }
            Mode::Indx => {
                let p = self.fetch::<F>(bus).wrapping_add(self.x) as u16;
                let lo = self.rd(bus, p) as u16;
                let hi = self.rd(bus, p + 1) as u16;
                lo | (hi << 8)
            }
            Mode::Indy => {
                let p = self.fetch::<F>(bus) as u16;
                let lo = self.rd(bus, p) as u16;
                let hi = self.rd(bus, p + 1) as u16;
                let base = lo | (hi << 8);
                let a = base.wrapping_add(self.y as u16);
                if access == Access::Read && (base ^ a) & 0xFF00 != 0 {
                    bus.cycles = bus.cycles.wrapping_add(1);
                }
                a
            }
        };
        let v = if read { self.rd(bus, addr) } else { 0 };
        (addr, v)
    }

    #[inline(always)]
    fn branch(&mut self, bus: &mut Ctx<'_>, cond: bool, operand: u8) {
        if cond {
            let target = self.pc.wrapping_add(operand as i8 as i16 as u16);
            bus.cycles = bus
                .cycles
                .wrapping_add(if (self.pc ^ target) & 0xFF00 != 0 {
                    2
                } else {
                    1
                });
            self.pc = target;
        }
    }

    #[inline(always)]
    fn adc(&mut self, operand: u8) {
        let old_a = self.a;
        let carry = self.c as i32;
        if !self.d {
            let sum = (self.a as i8 as i32) + (operand as i8 as i32) + carry;
            self.v = !(-128..=127).contains(&sum);
            let sum = self.a as i32 + operand as i32 + carry;
            self.a = sum as u8;
            self.c = sum > 0xFF;
            self.nz(self.a);
        } else {
            let sum = bcd_to_bin(self.a) + bcd_to_bin(operand) + carry;
            self.c = sum > 99;
            self.a = bin_to_bcd(sum & 0xFF);
            self.nz(self.a);
            self.v = ((old_a ^ self.a) & 0x80) != 0 && ((self.a ^ operand) & 0x80) != 0;
        }
    }

    #[inline(always)]
    fn sbc(&mut self, operand: u8) {
        let old_a = self.a;
        if !self.d {
            let op = !operand;
            let carry = self.c as i32;
            let diff = (self.a as i8 as i32) + (op as i8 as i32) + carry;
            self.v = !(-128..=127).contains(&diff);
            let diff = self.a as i32 + op as i32 + carry;
            self.a = diff as u8;
            self.c = diff > 0xFF;
            self.nz(self.a);
        } else {
            let borrow = if self.c { 0 } else { 1 };
            let mut diff = bcd_to_bin(self.a) - bcd_to_bin(operand) - borrow;
            if diff < 0 {
                diff += 100;
            }
            self.a = bin_to_bcd(diff);
            self.nz(self.a);
            self.c = (old_a as i32) >= (operand as i32 + borrow);
            self.v = ((old_a ^ self.a) & 0x80) != 0 && ((self.a ^ operand) & 0x80) != 0;
        }
    }

    #[inline(always)]
    fn cmp(&mut self, reg: u8, operand: u8) {
        let value = (reg as u16).wrapping_sub(operand as u16);
        // `value` is 0 exactly when its low byte is.
        self.nz = value & 0xFF;
        self.c = value & 0x0100 == 0;
    }

    #[inline(always)]
    fn push(&mut self, bus: &mut Ctx<'_>, v: u8) {
        self.wr(bus, 0x0100 + self.sp as u16, v);
        self.sp = self.sp.wrapping_sub(1);
    }

    /// [`Cpu::push`] right after another write.
    #[inline(always)]
    fn push_after_write(&mut self, bus: &mut Ctx<'_>, v: u8) {
        self.wr_after_write(bus, 0x0100 + self.sp as u16, v);
        self.sp = self.sp.wrapping_sub(1);
    }

    /// `M6502Low::execute`: runs up to `number` instructions, stopping early when the TIA signals the
    /// end of a frame. Returns false if an illegal opcode halted the CPU.
    pub fn execute(&mut self, bus: &mut Bus, number: u32) -> bool {
        bus.exec_status &= FATAL_BIT;
        // Registers in a local copy so the optimiser can keep them in machine registers.
        let mut cpu = *self;
        let mut ctx = Ctx::new(bus);
        ctx.budget = if ctx.bus.exec_status == 0 { number } else { 0 };
        let ran = ctx.budget != 0;
        while ctx.budget != 0 {
            match ctx.code_at(cpu.pc) {
                Some(code) => {
                    ctx.pre = code;
                    cpu.step_in::<true>(&mut ctx);
                }
                None => {
                    std::hint::cold_path();
                    // No instruction reads the flag (a write takes it as an argument): a
                    // constant here leaves this loop's writes to it dead.
                    ctx.last_access_was_read = true;
                    (cpu, ctx) = Cpu::step_slow(cpu, ctx)
                }
            }
            ctx.budget -= 1;
        }
        ctx.sync();
        if ran {
            // The last access of the last instruction, from its opcode (the context's flag is
            // not kept up to date here: nothing in the loop reads it).
            bus.last_access_was_read = !ends_with_write(cpu.ir);
        }
        *self = cpu;
        bus.exec_status & FATAL_BIT == 0
    }

    /// An instruction whose bytes are not all plain ROM reads (code in RAM, next to a hotspot,
    /// FE carts): every fetch goes through the bus. Out of line, and by value so the caller's
    /// registers and context can stay in machine registers.
    #[inline(never)]
    fn step_slow(mut cpu: Cpu, mut ctx: Ctx<'_>) -> (Cpu, Ctx<'_>) {
        // After a deserialisation every instruction comes here until the fetch words are back.
        ctx.bus.cart.prepare_fetch();
        cpu.step_in::<false>(&mut ctx);
        (cpu, ctx)
    }

    /// One instruction (ignores the stop/halt status, unlike [`Cpu::execute`]).
    pub fn step(&mut self, bus: &mut Bus) {
        let mut ctx = Ctx::new(bus);
        self.step_in::<false>(&mut ctx);
        ctx.sync();
        // Tracked access by access here (the reference `ends_with_write` is tested against).
        ctx.bus.last_access_was_read = ctx.last_access_was_read;
    }

    /// One instruction with the bus counters in `bus`.
    #[inline(always)]
    fn step_in<const F: bool>(&mut self, bus: &mut Ctx<'_>) {
        use Access::*;
        use Mode::*;
        let op = self.fetch_opcode::<F>(bus);
        self.ir = op;
        // Each arm adds its opcode's cycles (a constant there, not a table load here).
        match op {
            0x00 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x00]);
                // BRK IMPLIED
                self.brk::<F>(bus);
            }
            0x01 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x01]);
                // ORA INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x03 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x03]);
                // SLO INDIRECTX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indx, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x04 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x04]);
                // NOP ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                let _ = v;
            }
            0x05 => {
                bus.tick(CYCLES[0x05]);
                // ORA ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x06 => {
                bus.tick(CYCLES[0x06]);
                // ASL ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = self.rmw_op(0, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x07 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x07]);
                // SLO ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x08 => {
                bus.tick(CYCLES[0x08]);
                // PHP IMPLIED
                let ps = self.ps();
                self.push(bus, ps);
            }
            0x09 => {
                bus.tick(CYCLES[0x09]);
                // ORA IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x0A => {
                bus.tick(CYCLES[0x0A]);
                // ASLA IMPLIED
                self.c = self.a & 0x80 != 0;
                self.a <<= 1;
                self.nz(self.a);
            }
            0x0B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x0B]);
                // ANC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a &= v;
                self.nz(self.a);
                self.c = self.n();
            }
            0x0C => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x0C]);
                // NOP ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                let _ = v;
            }
            0x0D => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x0D]);
                // ORA ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x0E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x0E]);
                // ASL ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = self.rmw_op(0, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x0F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x0F]);
                // SLO ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x10 => {
                bus.tick(CYCLES[0x10]);
                // BPL IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, !self.n(), v);
            }
            0x11 => {
                bus.tick(CYCLES[0x11]);
                // ORA INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x13 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x13]);
                // SLO INDIRECTY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indy, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x14 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x14]);
                // NOP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                let _ = v;
            }
            0x15 => {
                bus.tick(CYCLES[0x15]);
                // ORA ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x16 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x16]);
                // ASL ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = self.rmw_op(0, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x17 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x17]);
                // SLO ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x18 => {
                bus.tick(CYCLES[0x18]);
                // CLC IMPLIED
                self.c = false;
            }
            0x19 => {
                bus.tick(CYCLES[0x19]);
                // ORA ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x1A => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x1A]);
                // NOP IMPLIED
            }
            0x1B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x1B]);
                // SLO ABSOLUTEY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absy, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x1C => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x1C]);
                // NOP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                let _ = v;
            }
            0x1D => {
                bus.tick(CYCLES[0x1D]);
                // ORA ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.a |= v;
                self.nz(self.a);
            }
            0x1E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x1E]);
                // ASL ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = self.rmw_op(0, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x1F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x1F]);
                // SLO ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                self.c = v & 0x80 != 0;
                let r = v << 1;
                self.wr(bus, a, r);
                self.a |= r;
                self.nz(self.a);
            }
            0x20 => {
                bus.tick(CYCLES[0x20]);
                // JSR IMPLIED
                self.jsr::<F>(bus);
            }
            0x21 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x21]);
                // AND INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x23 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x23]);
                // RLA INDIRECTX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indx, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x24 => {
                bus.tick(CYCLES[0x24]);
                // BIT ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.set_nz(v & 0x80 != 0, self.a & v != 0);
                self.v = v & 0x40 != 0;
            }
            0x25 => {
                bus.tick(CYCLES[0x25]);
                // AND ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x26 => {
                bus.tick(CYCLES[0x26]);
                // ROL ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = self.rmw_op(1, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x27 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x27]);
                // RLA ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x28 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x28]);
                // PLP IMPLIED
                self.pull_dummy(bus);
                let ps = self.rd(bus, 0x0100 + self.sp as u16);
                self.set_ps(ps);
            }
            0x29 => {
                bus.tick(CYCLES[0x29]);
                // AND IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x2A => {
                bus.tick(CYCLES[0x2A]);
                // ROLA IMPLIED
                let old_c = self.c;
                self.c = self.a & 0x80 != 0;
                self.a = (self.a << 1) | old_c as u8;
                self.nz(self.a);
            }
            0x2B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x2B]);
                // ANC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a &= v;
                self.nz(self.a);
                self.c = self.n();
            }
            0x2C => {
                bus.tick(CYCLES[0x2C]);
                // BIT ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.set_nz(v & 0x80 != 0, self.a & v != 0);
                self.v = v & 0x40 != 0;
            }
            0x2D => {
                bus.tick(CYCLES[0x2D]);
                // AND ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x2E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x2E]);
                // ROL ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = self.rmw_op(1, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x2F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x2F]);
                // RLA ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x30 => {
                bus.tick(CYCLES[0x30]);
                // BMI IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, self.n(), v);
            }
            0x31 => {
                bus.tick(CYCLES[0x31]);
                // AND INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x33 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x33]);
                // RLA INDIRECTY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indy, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x34 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x34]);
                // NOP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                let _ = v;
            }
            0x35 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x35]);
                // AND ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x36 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x36]);
                // ROL ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = self.rmw_op(1, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x37 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x37]);
                // RLA ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x38 => {
                bus.tick(CYCLES[0x38]);
                // SEC IMPLIED
                self.c = true;
            }
            0x39 => {
                bus.tick(CYCLES[0x39]);
                // AND ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x3A => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x3A]);
                // NOP IMPLIED
            }
            0x3B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x3B]);
                // RLA ABSOLUTEY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absy, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x3C => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x3C]);
                // NOP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                let _ = v;
            }
            0x3D => {
                bus.tick(CYCLES[0x3D]);
                // AND ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.a &= v;
                self.nz(self.a);
            }
            0x3E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x3E]);
                // ROL ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = self.rmw_op(1, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x3F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x3F]);
                // RLA ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = (v << 1) | self.c as u8;
                self.wr(bus, a, r);
                self.a &= r;
                self.c = v & 0x80 != 0;
                self.nz(self.a);
            }
            0x40 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x40]);
                // RTI IMPLIED
                self.rti(bus);
            }
            0x41 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x41]);
                // EOR INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x43 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x43]);
                // SRE INDIRECTX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indx, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x44 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x44]);
                // NOP ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                let _ = v;
            }
            0x45 => {
                bus.tick(CYCLES[0x45]);
                // EOR ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x46 => {
                bus.tick(CYCLES[0x46]);
                // LSR ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = self.rmw_op(2, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x47 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x47]);
                // SRE ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x48 => {
                bus.tick(CYCLES[0x48]);
                // PHA IMPLIED
                self.push(bus, self.a);
            }
            0x49 => {
                bus.tick(CYCLES[0x49]);
                // EOR IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x4A => {
                bus.tick(CYCLES[0x4A]);
                // LSRA IMPLIED
                self.c = self.a & 1 != 0;
                self.a >>= 1;
                self.nz(self.a);
            }
            0x4B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x4B]);
                // ASR IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a &= v;
                self.c = self.a & 1 != 0;
                self.a >>= 1;
                self.nz(self.a);
            }
            0x4C => {
                bus.tick(CYCLES[0x4C]);
                // JMP ABSOLUTE_WRITE
                let (a, _) = self.operand::<F>(bus, Abs, Write);
                self.pc = a;
            }
            0x4D => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x4D]);
                // EOR ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x4E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x4E]);
                // LSR ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = self.rmw_op(2, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x4F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x4F]);
                // SRE ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x50 => {
                bus.tick(CYCLES[0x50]);
                // BVC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, !self.v, v);
            }
            0x51 => {
                bus.tick(CYCLES[0x51]);
                // EOR INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x53 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x53]);
                // SRE INDIRECTY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indy, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x54 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x54]);
                // NOP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                let _ = v;
            }
            0x55 => {
                bus.tick(CYCLES[0x55]);
                // EOR ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x56 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x56]);
                // LSR ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = self.rmw_op(2, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x57 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x57]);
                // SRE ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x58 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x58]);
                // CLI IMPLIED
                self.i = false;
            }
            0x59 => {
                bus.tick(CYCLES[0x59]);
                // EOR ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x5A => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x5A]);
                // NOP IMPLIED
            }
            0x5B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x5B]);
                // SRE ABSOLUTEY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absy, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x5C => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x5C]);
                // NOP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                let _ = v;
            }
            0x5D => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x5D]);
                // EOR ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.a ^= v;
                self.nz(self.a);
            }
            0x5E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x5E]);
                // LSR ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = self.rmw_op(2, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x5F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x5F]);
                // SRE ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                self.c = v & 1 != 0;
                let r = v >> 1;
                self.wr(bus, a, r);
                self.a ^= r;
                self.nz(self.a);
            }
            0x60 => {
                bus.tick(CYCLES[0x60]);
                // RTS IMPLIED
                self.rts(bus);
            }
            0x61 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x61]);
                // ADC INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.adc(v);
            }
            0x63 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x63]);
                // RRA INDIRECTX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indx, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x64 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x64]);
                // NOP ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                let _ = v;
            }
            0x65 => {
                bus.tick(CYCLES[0x65]);
                // ADC ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.adc(v);
            }
            0x66 => {
                bus.tick(CYCLES[0x66]);
                // ROR ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = self.rmw_op(3, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x67 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x67]);
                // RRA ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x68 => {
                bus.tick(CYCLES[0x68]);
                // PLA IMPLIED
                self.pull_dummy(bus);
                self.a = self.rd(bus, 0x0100 + self.sp as u16);
                self.nz(self.a);
            }
            0x69 => {
                bus.tick(CYCLES[0x69]);
                // ADC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.adc(v);
            }
            0x6A => {
                bus.tick(CYCLES[0x6A]);
                // RORA IMPLIED
                let old_c = self.c;
                self.c = self.a & 1 != 0;
                self.a = (self.a >> 1) | if old_c { 0x80 } else { 0 };
                self.nz(self.a);
            }
            0x6B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x6B]);
                // ARR IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.arr(v);
            }
            0x6C => {
                bus.tick(CYCLES[0x6C]);
                // JMP INDIRECT
                self.jmp_indirect::<F>(bus);
            }
            0x6D => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x6D]);
                // ADC ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.adc(v);
            }
            0x6E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x6E]);
                // ROR ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = self.rmw_op(3, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x6F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x6F]);
                // RRA ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x70 => {
                bus.tick(CYCLES[0x70]);
                // BVS IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, self.v, v);
            }
            0x71 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x71]);
                // ADC INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.adc(v);
            }
            0x73 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x73]);
                // RRA INDIRECTY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indy, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x74 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x74]);
                // NOP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                let _ = v;
            }
            0x75 => {
                bus.tick(CYCLES[0x75]);
                // ADC ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.adc(v);
            }
            0x76 => {
                bus.tick(CYCLES[0x76]);
                // ROR ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = self.rmw_op(3, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x77 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x77]);
                // RRA ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x78 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x78]);
                // SEI IMPLIED
                self.i = true;
            }
            0x79 => {
                bus.tick(CYCLES[0x79]);
                // ADC ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.adc(v);
            }
            0x7A => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x7A]);
                // NOP IMPLIED
            }
            0x7B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x7B]);
                // RRA ABSOLUTEY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absy, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x7C => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x7C]);
                // NOP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                let _ = v;
            }
            0x7D => {
                bus.tick(CYCLES[0x7D]);
                // ADC ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.adc(v);
            }
            0x7E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x7E]);
                // ROR ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = self.rmw_op(3, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x7F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x7F]);
                // RRA ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let old_c = self.c;
                self.c = v & 1 != 0;
                let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                self.wr(bus, a, r);
                self.adc(r);
            }
            0x80 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x80]);
                // NOP IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let _ = v;
            }
            0x81 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x81]);
                // STA INDIRECTX_WRITE
                let (a, _) = self.operand::<F>(bus, Indx, Write);
                self.wr(bus, a, self.a);
            }
            0x82 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x82]);
                // NOP IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let _ = v;
            }
            0x83 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x83]);
                // SAX INDIRECTX_WRITE
                let (a, _) = self.operand::<F>(bus, Indx, Write);
                self.wr(bus, a, self.a & self.x);
            }
            0x84 => {
                bus.tick(CYCLES[0x84]);
                // STY ZERO_WRITE
                let (a, _) = self.operand::<F>(bus, Zp, Write);
                self.wr(bus, a, self.y);
            }
            0x85 => {
                bus.tick(CYCLES[0x85]);
                // STA ZERO_WRITE
                let (a, _) = self.operand::<F>(bus, Zp, Write);
                self.wr(bus, a, self.a);
            }
            0x86 => {
                bus.tick(CYCLES[0x86]);
                // STX ZERO_WRITE
                let (a, _) = self.operand::<F>(bus, Zp, Write);
                self.wr(bus, a, self.x);
            }
            0x87 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x87]);
                // SAX ZERO_WRITE
                let (a, _) = self.operand::<F>(bus, Zp, Write);
                self.wr(bus, a, self.a & self.x);
            }
            0x88 => {
                bus.tick(CYCLES[0x88]);
                // DEY IMPLIED
                self.y = self.y.wrapping_sub(1);
                self.nz(self.y);
            }
            0x89 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x89]);
                // NOP IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let _ = v;
            }
            0x8A => {
                bus.tick(CYCLES[0x8A]);
                // TXA IMPLIED
                self.a = self.x;
                self.nz(self.a);
            }
            0x8B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x8B]);
                // ANE IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a = (self.a | 0xEE) & self.x & v;
                self.nz(self.a);
            }
            0x8C => {
                bus.tick(CYCLES[0x8C]);
                // STY ABSOLUTE_WRITE
                let (a, _) = self.operand::<F>(bus, Abs, Write);
                self.wr(bus, a, self.y);
            }
            0x8D => {
                bus.tick(CYCLES[0x8D]);
                // STA ABSOLUTE_WRITE
                let (a, _) = self.operand::<F>(bus, Abs, Write);
                self.wr(bus, a, self.a);
            }
            0x8E => {
                bus.tick(CYCLES[0x8E]);
                // STX ABSOLUTE_WRITE
                let (a, _) = self.operand::<F>(bus, Abs, Write);
                self.wr(bus, a, self.x);
            }
            0x8F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x8F]);
                // SAX ABSOLUTE_WRITE
                let (a, _) = self.operand::<F>(bus, Abs, Write);
                self.wr(bus, a, self.a & self.x);
            }
            0x90 => {
                bus.tick(CYCLES[0x90]);
                // BCC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, !self.c, v);
            }
            0x91 => {
                bus.tick(CYCLES[0x91]);
                // STA INDIRECTY_WRITE
                let (a, _) = self.operand::<F>(bus, Indy, Write);
                self.wr(bus, a, self.a);
            }
            0x93 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x93]);
                // SHA INDIRECTY_WRITE
                let (a, _) = self.operand::<F>(bus, Indy, Write);
                let w = self.a & self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, w);
            }
            0x94 => {
                bus.tick(CYCLES[0x94]);
                // STY ZEROX_WRITE
                let (a, _) = self.operand::<F>(bus, Zpx, Write);
                self.wr(bus, a, self.y);
            }
            0x95 => {
                bus.tick(CYCLES[0x95]);
                // STA ZEROX_WRITE
                let (a, _) = self.operand::<F>(bus, Zpx, Write);
                self.wr(bus, a, self.a);
            }
            0x96 => {
                bus.tick(CYCLES[0x96]);
                // STX ZEROY_WRITE
                let (a, _) = self.operand::<F>(bus, Zpy, Write);
                self.wr(bus, a, self.x);
            }
            0x97 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x97]);
                // SAX ZEROY_WRITE
                let (a, _) = self.operand::<F>(bus, Zpy, Write);
                self.wr(bus, a, self.a & self.x);
            }
            0x98 => {
                bus.tick(CYCLES[0x98]);
                // TYA IMPLIED
                self.a = self.y;
                self.nz(self.a);
            }
            0x99 => {
                bus.tick(CYCLES[0x99]);
                // STA ABSOLUTEY_WRITE
                let (a, _) = self.operand::<F>(bus, Absy, Write);
                self.wr(bus, a, self.a);
            }
            0x9A => {
                bus.tick(CYCLES[0x9A]);
                // TXS IMPLIED
                self.sp = self.x;
            }
            0x9B => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x9B]);
                // SHS ABSOLUTEY_WRITE
                let (a, _) = self.operand::<F>(bus, Absy, Write);
                self.sp = self.a & self.x;
                let w = self.a & self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, w);
            }
            0x9C => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x9C]);
                // SHY ABSOLUTEX_WRITE
                let (a, _) = self.operand::<F>(bus, Absx, Write);
                let w = self.y & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, w);
            }
            0x9D => {
                bus.tick(CYCLES[0x9D]);
                // STA ABSOLUTEX_WRITE
                let (a, _) = self.operand::<F>(bus, Absx, Write);
                self.wr(bus, a, self.a);
            }
            0x9E => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x9E]);
                // SHX ABSOLUTEY_WRITE
                let (a, _) = self.operand::<F>(bus, Absy, Write);
                let w = self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, w);
            }
            0x9F => {
                std::hint::cold_path();
                bus.tick(CYCLES[0x9F]);
                // SHA ABSOLUTEY_WRITE
                let (a, _) = self.operand::<F>(bus, Absy, Write);
                let w = self.a & self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, w);
            }
            0xA0 => {
                bus.tick(CYCLES[0xA0]);
                // LDY IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.y = v;
                self.nz(v);
            }
            0xA1 => {
                bus.tick(CYCLES[0xA1]);
                // LDA INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.a = v;
                self.nz(v);
            }
            0xA2 => {
                bus.tick(CYCLES[0xA2]);
                // LDX IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.x = v;
                self.nz(v);
            }
            0xA3 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xA3]);
                // LAX INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0xA4 => {
                bus.tick(CYCLES[0xA4]);
                // LDY ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.y = v;
                self.nz(v);
            }
            0xA5 => {
                bus.tick(CYCLES[0xA5]);
                // LDA ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.a = v;
                self.nz(v);
            }
            0xA6 => {
                bus.tick(CYCLES[0xA6]);
                // LDX ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.x = v;
                self.nz(v);
            }
            0xA7 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xA7]);
                // LAX ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0xA8 => {
                bus.tick(CYCLES[0xA8]);
                // TAY IMPLIED
                self.y = self.a;
                self.nz(self.y);
            }
            0xA9 => {
                bus.tick(CYCLES[0xA9]);
                // LDA IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.a = v;
                self.nz(v);
            }
            0xAA => {
                bus.tick(CYCLES[0xAA]);
                // TAX IMPLIED
                self.x = self.a;
                self.nz(self.x);
            }
            0xAB => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xAB]);
                // LXA IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let r = (self.a | 0xEE) & v;
                self.a = r;
                self.x = r;
                self.nz(r);
            }
            0xAC => {
                bus.tick(CYCLES[0xAC]);
                // LDY ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.y = v;
                self.nz(v);
            }
            0xAD => {
                bus.tick(CYCLES[0xAD]);
                // LDA ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.a = v;
                self.nz(v);
            }
            0xAE => {
                bus.tick(CYCLES[0xAE]);
                // LDX ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.x = v;
                self.nz(v);
            }
            0xAF => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xAF]);
                // LAX ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0xB0 => {
                bus.tick(CYCLES[0xB0]);
                // BCS IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, self.c, v);
            }
            0xB1 => {
                bus.tick(CYCLES[0xB1]);
                // LDA INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.a = v;
                self.nz(v);
            }
            0xB3 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xB3]);
                // LAX INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0xB4 => {
                bus.tick(CYCLES[0xB4]);
                // LDY ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.y = v;
                self.nz(v);
            }
            0xB5 => {
                bus.tick(CYCLES[0xB5]);
                // LDA ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.a = v;
                self.nz(v);
            }
            0xB6 => {
                bus.tick(CYCLES[0xB6]);
                // LDX ZEROY_READ
                let (_, v) = self.operand::<F>(bus, Zpy, Read);
                self.x = v;
                self.nz(v);
            }
            0xB7 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xB7]);
                // LAX ZEROY_READ
                let (_, v) = self.operand::<F>(bus, Zpy, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0xB8 => {
                bus.tick(CYCLES[0xB8]);
                // CLV IMPLIED
                self.v = false;
            }
            0xB9 => {
                bus.tick(CYCLES[0xB9]);
                // LDA ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.a = v;
                self.nz(v);
            }
            0xBA => {
                bus.tick(CYCLES[0xBA]);
                // TSX IMPLIED
                self.x = self.sp;
                self.nz(self.x);
            }
            0xBB => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xBB]);
                // LAS ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                let r = self.sp & v;
                self.a = r;
                self.x = r;
                self.sp = r;
                self.nz(r);
            }
            0xBC => {
                bus.tick(CYCLES[0xBC]);
                // LDY ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.y = v;
                self.nz(v);
            }
            0xBD => {
                bus.tick(CYCLES[0xBD]);
                // LDA ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.a = v;
                self.nz(v);
            }
            0xBE => {
                bus.tick(CYCLES[0xBE]);
                // LDX ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.x = v;
                self.nz(v);
            }
            0xBF => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xBF]);
                // LAX ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0xC0 => {
                bus.tick(CYCLES[0xC0]);
                // CPY IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.cmp(self.y, v);
            }
            0xC1 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xC1]);
                // CMP INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.cmp(self.a, v);
            }
            0xC2 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xC2]);
                // NOP IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let _ = v;
            }
            0xC3 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xC3]);
                // DCP INDIRECTX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indx, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xC4 => {
                bus.tick(CYCLES[0xC4]);
                // CPY ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.cmp(self.y, v);
            }
            0xC5 => {
                bus.tick(CYCLES[0xC5]);
                // CMP ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.cmp(self.a, v);
            }
            0xC6 => {
                bus.tick(CYCLES[0xC6]);
                // DEC ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xC7 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xC7]);
                // DCP ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xC8 => {
                bus.tick(CYCLES[0xC8]);
                // INY IMPLIED
                self.y = self.y.wrapping_add(1);
                self.nz(self.y);
            }
            0xC9 => {
                bus.tick(CYCLES[0xC9]);
                // CMP IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.cmp(self.a, v);
            }
            0xCA => {
                bus.tick(CYCLES[0xCA]);
                // DEX IMPLIED
                self.x = self.x.wrapping_sub(1);
                self.nz(self.x);
            }
            0xCB => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xCB]);
                // SBX IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let r = ((self.x & self.a) as u16).wrapping_sub(v as u16);
                self.x = r as u8;
                self.nz(self.x);
                self.c = r & 0x0100 == 0;
            }
            0xCC => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xCC]);
                // CPY ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.cmp(self.y, v);
            }
            0xCD => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xCD]);
                // CMP ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.cmp(self.a, v);
            }
            0xCE => {
                bus.tick(CYCLES[0xCE]);
                // DEC ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xCF => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xCF]);
                // DCP ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xD0 => {
                bus.tick(CYCLES[0xD0]);
                // BNE IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, self.not_z(), v);
                // A taken BNE back to the instruction 3 bytes before it: maybe a timer wait.
                if F && v == 0xFB && self.not_z() {
                    std::hint::cold_path();
                    self.skip_timer_wait(bus);
                }
            }
            0xD1 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xD1]);
                // CMP INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.cmp(self.a, v);
            }
            0xD3 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xD3]);
                // DCP INDIRECTY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indy, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xD4 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xD4]);
                // NOP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                let _ = v;
            }
            0xD5 => {
                bus.tick(CYCLES[0xD5]);
                // CMP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.cmp(self.a, v);
            }
            0xD6 => {
                bus.tick(CYCLES[0xD6]);
                // DEC ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xD7 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xD7]);
                // DCP ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xD8 => {
                bus.tick(CYCLES[0xD8]);
                // CLD IMPLIED
                self.d = false;
            }
            0xD9 => {
                bus.tick(CYCLES[0xD9]);
                // CMP ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.cmp(self.a, v);
            }
            0xDA => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xDA]);
                // NOP IMPLIED
            }
            0xDB => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xDB]);
                // DCP ABSOLUTEY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absy, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xDC => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xDC]);
                // NOP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                let _ = v;
            }
            0xDD => {
                bus.tick(CYCLES[0xDD]);
                // CMP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.cmp(self.a, v);
            }
            0xDE => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xDE]);
                // DEC ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xDF => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xDF]);
                // DCP ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = v.wrapping_sub(1);
                self.wr(bus, a, r);
                self.cmp(self.a, r);
            }
            0xE0 => {
                bus.tick(CYCLES[0xE0]);
                // CPX IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.cmp(self.x, v);
            }
            0xE1 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xE1]);
                // SBC INDIRECTX_READ
                let (_, v) = self.operand::<F>(bus, Indx, Read);
                self.sbc(v);
            }
            0xE2 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xE2]);
                // NOP IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                let _ = v;
            }
            0xE3 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xE3]);
                // ISB INDIRECTX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indx, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            0xE4 => {
                bus.tick(CYCLES[0xE4]);
                // CPX ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.cmp(self.x, v);
            }
            0xE5 => {
                bus.tick(CYCLES[0xE5]);
                // SBC ZERO_READ
                let (_, v) = self.operand::<F>(bus, Zp, Read);
                self.sbc(v);
            }
            0xE6 => {
                bus.tick(CYCLES[0xE6]);
                // INC ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xE7 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xE7]);
                // ISB ZERO_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zp, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            0xE8 => {
                bus.tick(CYCLES[0xE8]);
                // INX IMPLIED
                self.x = self.x.wrapping_add(1);
                self.nz(self.x);
            }
            0xE9 => {
                bus.tick(CYCLES[0xE9]);
                // SBC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.sbc(v);
            }
            0xEA => {
                bus.tick(CYCLES[0xEA]);
                // NOP IMPLIED
            }
            0xEB => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xEB]);
                // SBC IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.sbc(v);
            }
            0xEC => {
                bus.tick(CYCLES[0xEC]);
                // CPX ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.cmp(self.x, v);
            }
            0xED => {
                bus.tick(CYCLES[0xED]);
                // SBC ABSOLUTE_READ
                let (_, v) = self.operand::<F>(bus, Abs, Read);
                self.sbc(v);
            }
            0xEE => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xEE]);
                // INC ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xEF => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xEF]);
                // ISB ABSOLUTE_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Abs, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            0xF0 => {
                bus.tick(CYCLES[0xF0]);
                // BEQ IMMEDIATE_READ
                let (_, v) = self.operand::<F>(bus, Imm, Read);
                self.branch(bus, !self.not_z(), v);
            }
            0xF1 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xF1]);
                // SBC INDIRECTY_READ
                let (_, v) = self.operand::<F>(bus, Indy, Read);
                self.sbc(v);
            }
            0xF3 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xF3]);
                // ISB INDIRECTY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Indy, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            0xF4 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xF4]);
                // NOP ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                let _ = v;
            }
            0xF5 => {
                bus.tick(CYCLES[0xF5]);
                // SBC ZEROX_READ
                let (_, v) = self.operand::<F>(bus, Zpx, Read);
                self.sbc(v);
            }
            0xF6 => {
                bus.tick(CYCLES[0xF6]);
                // INC ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xF7 => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xF7]);
                // ISB ZEROX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Zpx, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            0xF8 => {
                bus.tick(CYCLES[0xF8]);
                // SED IMPLIED
                self.d = true;
            }
            0xF9 => {
                bus.tick(CYCLES[0xF9]);
                // SBC ABSOLUTEY_READ
                let (_, v) = self.operand::<F>(bus, Absy, Read);
                self.sbc(v);
            }
            0xFA => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xFA]);
                // NOP IMPLIED
            }
            0xFB => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xFB]);
                // ISB ABSOLUTEY_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absy, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            0xFC => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xFC]);
                // NOP ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                let _ = v;
            }
            0xFD => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xFD]);
                // SBC ABSOLUTEX_READ
                let (_, v) = self.operand::<F>(bus, Absx, Read);
                self.sbc(v);
            }
            0xFE => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xFE]);
                // INC ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0xFF => {
                std::hint::cold_path();
                bus.tick(CYCLES[0xFF]);
                // ISB ABSOLUTEX_READMODIFYWRITE
                let (a, v) = self.operand::<F>(bus, Absx, Rmw);
                let r = v.wrapping_add(1);
                self.wr(bus, a, r);
                self.sbc(r);
            }
            // jam (listed, so that the match is exhaustive without a default)
            0x02 | 0x12 | 0x22 | 0x32 | 0x42 | 0x52 | 0x62 | 0x72 | 0x92 | 0xB2 | 0xD2 | 0xF2 => {
                std::hint::cold_path();
                // jam: every such opcode takes 2 cycles
                bus.tick(2);
                bus.bus.exec_status |= FATAL_BIT;
                bus.stop();
            }
        }
    }

    /// Runs the iterations of a timer wait loop `LDA/LDX/LDY INTIM; BNE *-3` (PC at the load,
    /// just after the BNE) that read a non-zero INTIM before the timer underflows, at once:
    /// such a read changes nothing but the register, the flags and the data bus, and the BNE
    /// only the PC and the cycles, so the state after them follows from the number of
    /// iterations. The instruction budget is respected (a stop cannot happen: no TIA write).
    #[inline(always)]
    fn skip_timer_wait(&mut self, bus: &mut Ctx<'_>) {
        if let Some(w) = timer_wait(bus.bus, self.pc, bus.cycles, bus.budget) {
            bus.cycles = w.cycles;
            bus.budget -= 2 * w.iterations;
            match w.load {
                0xAD => self.a = w.value,
                0xAE => self.x = w.value,
                _ => self.y = w.value,
            }
            self.nz(w.value);
            // The last access of the last BNE was its operand fetch, as now: the data bus holds
            // 0xFB already.
        }
    }

    #[inline(always)]
    fn pull_dummy(&mut self, bus: &mut Ctx<'_>) {
        self.rd(bus, 0x0100 + self.sp as u16);
        self.sp = self.sp.wrapping_add(1);
    }

    #[inline(always)]
    fn arr(&mut self, v: u8) {
        if !self.d {
            self.a &= v;
            self.a = (self.a >> 1) | if self.c { 0x80 } else { 0 };
            self.c = self.a & 0x40 != 0;
            self.v = ((self.a & 0x40) ^ ((self.a & 0x20) << 1)) != 0;
            self.nz(self.a);
        } else {
            let value = self.a & v;
            self.a = (value >> 1) | if self.c { 0x80 } else { 0 };
            self.set_nz(self.c, self.a != 0);
            self.v = (value ^ self.a) & 0x40 != 0;
            if (value & 0x0F) as u16 + (value & 0x01) as u16 > 0x05 {
                self.a = (self.a & 0xF0) | (self.a.wrapping_add(0x06) & 0x0F);
            }
            if (value & 0xF0) as u16 + (value & 0x10) as u16 > 0x50 {
                self.a = self.a.wrapping_add(0x60);
                self.c = true;
            } else {
                self.c = false;
            }
        }
    }

    #[inline(always)]
    fn jmp_indirect<const F: bool>(&mut self, bus: &mut Ctx<'_>) {
        let addr = self.fetch16::<F>(bus);
        let high = if (addr ^ addr.wrapping_add(1)) & 0xFF00 != 0 {
            addr & 0xFF00
        } else {
            addr + 1
        };
        let lo = self.rd(bus, addr) as u16;
        let hi = self.rd(bus, high) as u16;
        self.pc = lo | (hi << 8);
    }

    #[inline(always)]
    fn jsr<const F: bool>(&mut self, bus: &mut Ctx<'_>) {
        let low = self.fetch::<F>(bus) as u16;
        self.rd(bus, 0x0100 + self.sp as u16);
        self.push(bus, (self.pc >> 8) as u8);
        self.push_after_write(bus, self.pc as u8);
        let hi = self.fetch::<F>(bus) as u16;
        self.pc = low | (hi << 8);
    }

    #[inline(always)]
    fn rts(&mut self, bus: &mut Ctx<'_>) {
        self.pull_dummy(bus);
        let lo = self.rd(bus, 0x0100 + self.sp as u16) as u16;
        self.sp = self.sp.wrapping_add(1);
        let hi = self.rd(bus, 0x0100 + self.sp as u16) as u16;
        self.pc = lo | (hi << 8);
        // A read at the return address (a real bus access: not the prefetched bytes).
        self.rd(bus, self.pc);
        self.pc = self.pc.wrapping_add(1);
    }

    #[inline(always)]
    fn rti(&mut self, bus: &mut Ctx<'_>) {
        self.pull_dummy(bus);
        let ps = self.rd(bus, 0x0100 + self.sp as u16);
        self.set_ps(ps);
        self.sp = self.sp.wrapping_add(1);
        let lo = self.rd(bus, 0x0100 + self.sp as u16) as u16;
        self.sp = self.sp.wrapping_add(1);
        let hi = self.rd(bus, 0x0100 + self.sp as u16) as u16;
        self.pc = lo | (hi << 8);
    }

    #[inline(always)]
    fn brk<const F: bool>(&mut self, bus: &mut Ctx<'_>) {
        self.fetch::<F>(bus);
        self.b = true;
        self.push(bus, (self.pc >> 8) as u8);
        self.push_after_write(bus, self.pc as u8);
        let ps = self.ps();
        self.push_after_write(bus, ps);
        self.i = true;
        let lo = self.rd(bus, 0xFFFE) as u16;
        let hi = self.rd(bus, 0xFFFF) as u16;
        self.pc = lo | (hi << 8);
    }

    /// ASL/ROL/LSR/ROR/DEC/INC on a memory operand (`aaa` = opcode >> 5); sets C.
    #[inline(always)]
    fn rmw_op(&mut self, aaa: u8, v: u8) -> u8 {
        match aaa {
            0 => {
                self.c = v & 0x80 != 0;
                v << 1
            }
            1 => {
                let old = self.c;
                self.c = v & 0x80 != 0;
                (v << 1) | old as u8
            }
            2 => {
                self.c = v & 1 != 0;
                v >> 1
            }
            3 => {
                let old = self.c;
                self.c = v & 1 != 0;
                (v >> 1) | if old { 0x80 } else { 0 }
            }
            6 => v.wrapping_sub(1),
            _ => v.wrapping_add(1),
        }
    }
}
