//! The 6507 as Stella's `M6502Low` emulates it: a whole instruction's cycles are added when its opcode
//! is fetched (+1 for an indexed read crossing a page, +1/+2 for a taken branch), then its bus accesses
//! happen in order.

use serde::{Deserialize, Serialize};

use crate::bus::{Bus, FATAL_BIT};

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
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    n: bool,
    v: bool,
    b: bool,
    d: bool,
    i: bool,
    not_z: bool,
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
            n: false,
            v: false,
            b: true,
            d: false,
            i: false,
            not_z: true,
            c: false,
        }
    }
}

impl Cpu {
    /// Processor status byte.
    pub fn ps(&self) -> u8 {
        let mut ps = 0x20;
        if self.n {
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
        if !self.not_z {
            ps |= 0x02;
        }
        if self.c {
            ps |= 0x01;
        }
        ps
    }

    fn set_ps(&mut self, ps: u8) {
        self.n = ps & 0x80 != 0;
        self.v = ps & 0x40 != 0;
        self.b = true;
        self.d = ps & 0x08 != 0;
        self.i = ps & 0x04 != 0;
        self.not_z = ps & 0x02 == 0;
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
    fn rd(&mut self, bus: &mut Bus, addr: u16) -> u8 {
        let v = bus.peek(addr);
        bus.last_access_was_read = true;
        v
    }

    #[inline(always)]
    fn wr(&mut self, bus: &mut Bus, addr: u16, v: u8) {
        bus.poke(addr, v);
        bus.last_access_was_read = false;
    }

    #[inline(always)]
    fn fetch(&mut self, bus: &mut Bus) -> u8 {
        let v = self.rd(bus, self.pc);
        self.pc = self.pc.wrapping_add(1);
        v
    }

    #[inline(always)]
    fn fetch16(&mut self, bus: &mut Bus) -> u16 {
        let lo = self.rd(bus, self.pc) as u16;
        let hi = self.rd(bus, self.pc.wrapping_add(1)) as u16;
        self.pc = self.pc.wrapping_add(2);
        lo | (hi << 8)
    }

    #[inline(always)]
    fn nz(&mut self, v: u8) {
        self.not_z = v != 0;
        self.n = v & 0x80 != 0;
    }

    /// Resolves the operand address (and reads the operand for reads and read-modify-writes).
    #[inline(always)]
    fn operand(&mut self, bus: &mut Bus, mode: Mode, access: Access) -> (u16, u8) {
        let read = access != Access::Write;
        let addr: u16 = match mode {
            Mode::Imm => {
                let a = self.pc;
                self.pc = self.pc.wrapping_add(1);
                a
            }
            Mode::Zp => self.fetch(bus) as u16,
            Mode::Zpx => self.fetch(bus).wrapping_add(self.x) as u16,
            Mode::Zpy => self.fetch(bus).wrapping_add(self.y) as u16,
            Mode::Abs => self.fetch16(bus),
            Mode::Absx | Mode::Absy => {
                let base = self.fetch16(bus);
                let idx = if mode == Mode::Absx { self.x } else { self.y };
                let a = base.wrapping_add(idx as u16);
                if access == Access::Read && (base ^ a) & 0xFF00 != 0 {
                    bus.cycles = bus.cycles.wrapping_add(1);
                }
                a
            }
            Mode::Indx => {
                let p = self.fetch(bus).wrapping_add(self.x) as u16;
                let lo = self.rd(bus, p) as u16;
                let hi = self.rd(bus, p + 1) as u16;
                lo | (hi << 8)
            }
            Mode::Indy => {
                let p = self.fetch(bus) as u16;
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
    fn branch(&mut self, bus: &mut Bus, cond: bool, operand: u8) {
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

    fn cmp(&mut self, reg: u8, operand: u8) {
        let value = (reg as u16).wrapping_sub(operand as u16);
        self.not_z = value != 0;
        self.n = value & 0x80 != 0;
        self.c = value & 0x0100 == 0;
    }

    #[inline(always)]
    fn push(&mut self, bus: &mut Bus, v: u8) {
        self.wr(bus, 0x0100 + self.sp as u16, v);
        self.sp = self.sp.wrapping_sub(1);
    }

    /// `M6502Low::execute`: runs up to `number` instructions, stopping early when the TIA signals the
    /// end of a frame. Returns false if an illegal opcode halted the CPU.
    pub fn execute(&mut self, bus: &mut Bus, mut number: u32) -> bool {
        bus.exec_status &= FATAL_BIT;
        while bus.exec_status == 0 && number != 0 {
            self.step(bus);
            number -= 1;
        }
        bus.exec_status & FATAL_BIT == 0
    }

    /// One instruction.
    #[inline(always)]
    pub fn step(&mut self, bus: &mut Bus) {
        use Access::*;
        use Mode::*;
        let op = self.fetch(bus);
        self.ir = op;
        bus.cycles = bus.cycles.wrapping_add(CYCLES[op as usize] as u32);
        match op {
            // ---- loads / stores
            0xA9 | 0xA5 | 0xB5 | 0xAD | 0xBD | 0xB9 | 0xA1 | 0xB1 => {
                let m = [Indx, Zp, Imm, Abs, Indy, Zpx, Absy, Absx][((op >> 2) & 7) as usize];
                let (_, v) = self.operand(bus, m, Read);
                self.a = v;
                self.nz(v);
            }
            0xA2 | 0xA6 | 0xB6 | 0xAE | 0xBE => {
                let m = match op {
                    0xA2 => Imm,
                    0xA6 => Zp,
                    0xB6 => Zpy,
                    0xAE => Abs,
                    _ => Absy,
                };
                let (_, v) = self.operand(bus, m, Read);
                self.x = v;
                self.nz(v);
            }
            0xA0 | 0xA4 | 0xB4 | 0xAC | 0xBC => {
                let m = match op {
                    0xA0 => Imm,
                    0xA4 => Zp,
                    0xB4 => Zpx,
                    0xAC => Abs,
                    _ => Absx,
                };
                let (_, v) = self.operand(bus, m, Read);
                self.y = v;
                self.nz(v);
            }
            0x85 | 0x95 | 0x8D | 0x9D | 0x99 | 0x81 | 0x91 => {
                let m = match op {
                    0x85 => Zp,
                    0x95 => Zpx,
                    0x8D => Abs,
                    0x9D => Absx,
                    0x99 => Absy,
                    0x81 => Indx,
                    _ => Indy,
                };
                let (a, _) = self.operand(bus, m, Write);
                self.wr(bus, a, self.a);
            }
            0x86 | 0x96 | 0x8E => {
                let m = match op {
                    0x86 => Zp,
                    0x96 => Zpy,
                    _ => Abs,
                };
                let (a, _) = self.operand(bus, m, Write);
                self.wr(bus, a, self.x);
            }
            0x84 | 0x94 | 0x8C => {
                let m = match op {
                    0x84 => Zp,
                    0x94 => Zpx,
                    _ => Abs,
                };
                let (a, _) = self.operand(bus, m, Write);
                self.wr(bus, a, self.y);
            }
            // ---- ALU group (cc = 01): ORA AND EOR ADC _ _ CMP SBC
            0x01 | 0x05 | 0x09 | 0x0D | 0x11 | 0x15 | 0x19 | 0x1D | 0x21 | 0x25 | 0x29 | 0x2D
            | 0x31 | 0x35 | 0x39 | 0x3D | 0x41 | 0x45 | 0x49 | 0x4D | 0x51 | 0x55 | 0x59 | 0x5D
            | 0x61 | 0x65 | 0x69 | 0x6D | 0x71 | 0x75 | 0x79 | 0x7D | 0xC1 | 0xC5 | 0xC9 | 0xCD
            | 0xD1 | 0xD5 | 0xD9 | 0xDD | 0xE1 | 0xE5 | 0xE9 | 0xED | 0xF1 | 0xF5 | 0xF9 | 0xFD
            | 0xEB => {
                let m = if op == 0xEB {
                    Imm
                } else {
                    [Indx, Zp, Imm, Abs, Indy, Zpx, Absy, Absx][((op >> 2) & 7) as usize]
                };
                let (_, v) = self.operand(bus, m, Read);
                match op >> 5 {
                    0 => {
                        self.a |= v;
                        self.nz(self.a)
                    }
                    1 => {
                        self.a &= v;
                        self.nz(self.a)
                    }
                    2 => {
                        self.a ^= v;
                        self.nz(self.a)
                    }
                    3 => self.adc(v),
                    6 => self.cmp(self.a, v),
                    _ => self.sbc(v),
                }
            }
            0xE0 | 0xE4 | 0xEC => {
                let m = match op {
                    0xE0 => Imm,
                    0xE4 => Zp,
                    _ => Abs,
                };
                let (_, v) = self.operand(bus, m, Read);
                self.cmp(self.x, v);
            }
            0xC0 | 0xC4 | 0xCC => {
                let m = match op {
                    0xC0 => Imm,
                    0xC4 => Zp,
                    _ => Abs,
                };
                let (_, v) = self.operand(bus, m, Read);
                self.cmp(self.y, v);
            }
            0x24 | 0x2C => {
                let (_, v) = self.operand(bus, if op == 0x24 { Zp } else { Abs }, Read);
                self.not_z = self.a & v != 0;
                self.n = v & 0x80 != 0;
                self.v = v & 0x40 != 0;
            }
            // ---- shifts / inc / dec on memory (cc = 10) and their illegal combos (cc = 11)
            0x06 | 0x16 | 0x0E | 0x1E | 0x26 | 0x36 | 0x2E | 0x3E | 0x46 | 0x56 | 0x4E | 0x5E
            | 0x66 | 0x76 | 0x6E | 0x7E | 0xC6 | 0xD6 | 0xCE | 0xDE | 0xE6 | 0xF6 | 0xEE | 0xFE => {
                let m = match op & 0x1F {
                    0x06 => Zp,
                    0x16 => Zpx,
                    0x0E => Abs,
                    _ => Absx,
                };
                let (a, v) = self.operand(bus, m, Rmw);
                let r = self.rmw_op(op >> 5, v);
                self.wr(bus, a, r);
                self.nz(r);
            }
            0x03 | 0x07 | 0x0F | 0x13 | 0x17 | 0x1B | 0x1F | 0x23 | 0x27 | 0x2F | 0x33 | 0x37
            | 0x3B | 0x3F | 0x43 | 0x47 | 0x4F | 0x53 | 0x57 | 0x5B | 0x5F | 0x63 | 0x67 | 0x6F
            | 0x73 | 0x77 | 0x7B | 0x7F | 0xC3 | 0xC7 | 0xCF | 0xD3 | 0xD7 | 0xDB | 0xDF | 0xE3
            | 0xE7 | 0xEF | 0xF3 | 0xF7 | 0xFB | 0xFF => {
                let m = [Indx, Zp, Imm, Abs, Indy, Zpx, Absy, Absx][((op >> 2) & 7) as usize];
                let (a, v) = self.operand(bus, m, Rmw);
                match op >> 5 {
                    0 => {
                        // SLO
                        self.c = v & 0x80 != 0;
                        let r = v << 1;
                        self.wr(bus, a, r);
                        self.a |= r;
                        self.nz(self.a);
                    }
                    1 => {
                        // RLA
                        let r = (v << 1) | self.c as u8;
                        self.wr(bus, a, r);
                        self.a &= r;
                        self.c = v & 0x80 != 0;
                        self.nz(self.a);
                    }
                    2 => {
                        // SRE
                        self.c = v & 1 != 0;
                        let r = v >> 1;
                        self.wr(bus, a, r);
                        self.a ^= r;
                        self.nz(self.a);
                    }
                    3 => {
                        // RRA
                        let old_c = self.c;
                        self.c = v & 1 != 0;
                        let r = (v >> 1) | if old_c { 0x80 } else { 0 };
                        self.wr(bus, a, r);
                        self.adc(r);
                    }
                    6 => {
                        // DCP
                        let r = v.wrapping_sub(1);
                        self.wr(bus, a, r);
                        self.cmp(self.a, r);
                    }
                    _ => {
                        // ISB
                        let r = v.wrapping_add(1);
                        self.wr(bus, a, r);
                        self.sbc(r);
                    }
                }
            }
            0x0A => {
                self.c = self.a & 0x80 != 0;
                self.a <<= 1;
                self.nz(self.a);
            }
            0x2A => {
                let old_c = self.c;
                self.c = self.a & 0x80 != 0;
                self.a = (self.a << 1) | old_c as u8;
                self.nz(self.a);
            }
            0x4A => {
                self.c = self.a & 1 != 0;
                self.a >>= 1;
                self.nz(self.a);
            }
            0x6A => {
                let old_c = self.c;
                self.c = self.a & 1 != 0;
                self.a = (self.a >> 1) | if old_c { 0x80 } else { 0 };
                self.nz(self.a);
            }
            // ---- illegal loads/stores
            0xA3 | 0xA7 | 0xAF | 0xB3 | 0xB7 | 0xBF => {
                let m = match op {
                    0xA3 => Indx,
                    0xA7 => Zp,
                    0xAF => Abs,
                    0xB3 => Indy,
                    0xB7 => Zpy,
                    _ => Absy,
                };
                let (_, v) = self.operand(bus, m, Read);
                self.a = v;
                self.x = v;
                self.nz(v);
            }
            0x83 | 0x87 | 0x8F | 0x97 => {
                let m = match op {
                    0x83 => Indx,
                    0x87 => Zp,
                    0x8F => Abs,
                    _ => Zpy,
                };
                let (a, _) = self.operand(bus, m, Write);
                self.wr(bus, a, self.a & self.x);
            }
            0x93 | 0x9F => {
                let (a, _) = self.operand(bus, if op == 0x93 { Indy } else { Absy }, Write);
                let v = self.a & self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, v);
            }
            0x9B => {
                let (a, _) = self.operand(bus, Absy, Write);
                self.sp = self.a & self.x;
                let v = self.a & self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, v);
            }
            0x9C => {
                let (a, _) = self.operand(bus, Absx, Write);
                let v = self.y & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, v);
            }
            0x9E => {
                let (a, _) = self.operand(bus, Absy, Write);
                let v = self.x & ((a >> 8) as u8).wrapping_add(1);
                self.wr(bus, a, v);
            }
            0xBB => {
                let (_, v) = self.operand(bus, Absy, Read);
                let r = self.sp & v;
                self.a = r;
                self.x = r;
                self.sp = r;
                self.nz(r);
            }
            // ---- illegal immediates
            0x0B | 0x2B => {
                let (_, v) = self.operand(bus, Imm, Read);
                self.a &= v;
                self.nz(self.a);
                self.c = self.n;
            }
            0x4B => {
                let (_, v) = self.operand(bus, Imm, Read);
                self.a &= v;
                self.c = self.a & 1 != 0;
                self.a >>= 1;
                self.nz(self.a);
            }
            0x6B => {
                let (_, v) = self.operand(bus, Imm, Read);
                if !self.d {
                    self.a &= v;
                    self.a = (self.a >> 1) | if self.c { 0x80 } else { 0 };
                    self.c = self.a & 0x40 != 0;
                    self.v = ((self.a & 0x40) ^ ((self.a & 0x20) << 1)) != 0;
                    self.nz(self.a);
                } else {
                    let value = self.a & v;
                    self.a = (value >> 1) | if self.c { 0x80 } else { 0 };
                    self.n = self.c;
                    self.not_z = self.a != 0;
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
            0x8B => {
                let (_, v) = self.operand(bus, Imm, Read);
                self.a = (self.a | 0xEE) & self.x & v;
                self.nz(self.a);
            }
            0xAB => {
                let (_, v) = self.operand(bus, Imm, Read);
                let r = (self.a | 0xEE) & v;
                self.a = r;
                self.x = r;
                self.nz(r);
            }
            0xCB => {
                let (_, v) = self.operand(bus, Imm, Read);
                let value = ((self.x & self.a) as u16).wrapping_sub(v as u16);
                self.x = value as u8;
                self.nz(self.x);
                self.c = value & 0x0100 == 0;
            }
            // ---- NOPs that read
            0x80 | 0x82 | 0x89 | 0xC2 | 0xE2 => {
                self.operand(bus, Imm, Read);
            }
            0x04 | 0x44 | 0x64 => {
                self.operand(bus, Zp, Read);
            }
            0x14 | 0x34 | 0x54 | 0x74 | 0xD4 | 0xF4 => {
                self.operand(bus, Zpx, Read);
            }
            0x0C => {
                self.operand(bus, Abs, Read);
            }
            0x1C | 0x3C | 0x5C | 0x7C | 0xDC | 0xFC => {
                self.operand(bus, Absx, Read);
            }
            0x1A | 0x3A | 0x5A | 0x7A | 0xDA | 0xEA | 0xFA => {}
            // ---- branches
            0x10 | 0x30 | 0x50 | 0x70 | 0x90 | 0xB0 | 0xD0 | 0xF0 => {
                let (_, v) = self.operand(bus, Imm, Read);
                let cond = match op {
                    0x10 => !self.n,
                    0x30 => self.n,
                    0x50 => !self.v,
                    0x70 => self.v,
                    0x90 => !self.c,
                    0xB0 => self.c,
                    0xD0 => self.not_z,
                    _ => !self.not_z,
                };
                self.branch(bus, cond, v);
            }
            // ---- jumps, stack
            0x4C => {
                self.pc = self.fetch16(bus);
            }
            0x6C => {
                let addr = self.fetch16(bus);
                let high = if (addr ^ addr.wrapping_add(1)) & 0xFF00 != 0 {
                    addr & 0xFF00
                } else {
                    addr + 1
                };
                let lo = self.rd(bus, addr) as u16;
                let hi = self.rd(bus, high) as u16;
                self.pc = lo | (hi << 8);
            }
            0x20 => {
                let low = self.fetch(bus) as u16;
                self.rd(bus, 0x0100 + self.sp as u16);
                self.push(bus, (self.pc >> 8) as u8);
                self.push(bus, self.pc as u8);
                let hi = self.fetch(bus) as u16;
                self.pc = low | (hi << 8);
            }
            0x60 => {
                self.rd(bus, 0x0100 + self.sp as u16);
                self.sp = self.sp.wrapping_add(1);
                let lo = self.rd(bus, 0x0100 + self.sp as u16) as u16;
                self.sp = self.sp.wrapping_add(1);
                let hi = self.rd(bus, 0x0100 + self.sp as u16) as u16;
                self.pc = lo | (hi << 8);
                self.fetch(bus);
            }
            0x40 => {
                self.rd(bus, 0x0100 + self.sp as u16);
                self.sp = self.sp.wrapping_add(1);
                let ps = self.rd(bus, 0x0100 + self.sp as u16);
                self.set_ps(ps);
                self.sp = self.sp.wrapping_add(1);
                let lo = self.rd(bus, 0x0100 + self.sp as u16) as u16;
                self.sp = self.sp.wrapping_add(1);
                let hi = self.rd(bus, 0x0100 + self.sp as u16) as u16;
                self.pc = lo | (hi << 8);
            }
            0x00 => {
                self.fetch(bus);
                self.b = true;
                self.push(bus, (self.pc >> 8) as u8);
                self.push(bus, self.pc as u8);
                let ps = self.ps();
                self.push(bus, ps);
                self.i = true;
                let lo = self.rd(bus, 0xFFFE) as u16;
                let hi = self.rd(bus, 0xFFFF) as u16;
                self.pc = lo | (hi << 8);
            }
            0x48 => self.push(bus, self.a),
            0x08 => {
                let ps = self.ps();
                self.push(bus, ps);
            }
            0x68 => {
                self.rd(bus, 0x0100 + self.sp as u16);
                self.sp = self.sp.wrapping_add(1);
                self.a = self.rd(bus, 0x0100 + self.sp as u16);
                self.nz(self.a);
            }
            0x28 => {
                self.rd(bus, 0x0100 + self.sp as u16);
                self.sp = self.sp.wrapping_add(1);
                let ps = self.rd(bus, 0x0100 + self.sp as u16);
                self.set_ps(ps);
            }
            // ---- implied
            0x18 => self.c = false,
            0x38 => self.c = true,
            0x58 => self.i = false,
            0x78 => self.i = true,
            0xB8 => self.v = false,
            0xD8 => self.d = false,
            0xF8 => self.d = true,
            0xAA => {
                self.x = self.a;
                self.nz(self.x);
            }
            0xA8 => {
                self.y = self.a;
                self.nz(self.y);
            }
            0xBA => {
                self.x = self.sp;
                self.nz(self.x);
            }
            0x8A => {
                self.a = self.x;
                self.nz(self.a);
            }
            0x9A => self.sp = self.x,
            0x98 => {
                self.a = self.y;
                self.nz(self.a);
            }
            0xCA => {
                self.x = self.x.wrapping_sub(1);
                self.nz(self.x);
            }
            0x88 => {
                self.y = self.y.wrapping_sub(1);
                self.nz(self.y);
            }
            0xE8 => {
                self.x = self.x.wrapping_add(1);
                self.nz(self.x);
            }
            0xC8 => {
                self.y = self.y.wrapping_add(1);
                self.nz(self.y);
            }
            // 0x02, 0x12, ... 0xF2: jam
            _ => {
                bus.exec_status |= FATAL_BIT;
            }
        }
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
