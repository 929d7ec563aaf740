//! The 6532 RIOT (RAM, I/O ports, interval timer) as Stella 2.x emulates it.

use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

use crate::rng::Mt19937;

/// RIOT state.
#[derive(Clone, Serialize, Deserialize)]
pub struct Riot {
    /// The 128 bytes of RAM.
    #[serde(with = "BigArray")]
    pub ram: [u8; 128],
    timer: u32,
    interval_shift: u32,
    cycles_when_timer_set: u32,
    cycles_when_interrupt_reset: u32,
    timer_read_after_interrupt: bool,
    ddra: u8,
    ddrb: u8,
}

impl Riot {
    /// Constructed as Stella's `M6532` constructor: 128 RAM draws, then a reset (one more draw).
    pub fn new(rng: &mut Mt19937) -> Riot {
        let mut ram = [0u8; 128];
        for b in ram.iter_mut() {
            *b = rng.next_u32() as u8;
        }
        let mut r = Riot {
            ram,
            timer: 0,
            interval_shift: 6,
            cycles_when_timer_set: 0,
            cycles_when_interrupt_reset: 0,
            timer_read_after_interrupt: false,
            ddra: 0,
            ddrb: 0,
        };
        r.reset(rng);
        r
    }

    /// `M6532::reset`: timer = 25 + next() % 75, divide by 64.
    pub fn reset(&mut self, rng: &mut Mt19937) {
        self.timer = 25 + rng.next_u32() % 75;
        self.interval_shift = 6;
        self.cycles_when_timer_set = 0;
        self.cycles_when_interrupt_reset = 0;
        self.timer_read_after_interrupt = false;
        self.ddra = 0;
        self.ddrb = 0;
    }

    /// The system cycle counter is about to be reset from `cycles` to 0.
    pub fn system_cycles_reset(&mut self, cycles: u32) {
        self.cycles_when_timer_set = self.cycles_when_timer_set.wrapping_sub(cycles);
        self.cycles_when_interrupt_reset = self.cycles_when_interrupt_reset.wrapping_sub(cycles);
    }

    /// What a read of INTIM at `cycles` returns while the timer has not underflowed (such a read
    /// changes nothing); `None` after the underflow, where the read may change the timer state.
    #[inline(always)]
    pub fn intim_before_underflow(&self, cycles: u32) -> Option<u8> {
        let c = cycles.wrapping_sub(1);
        let delta = c.wrapping_sub(self.cycles_when_timer_set);
        let timer = (self.timer as i32)
            .wrapping_sub((delta >> self.interval_shift) as i32)
            .wrapping_sub(1);
        (timer >= 0).then_some(timer as u8)
    }

    /// The reads of INTIM at cycles `first + i * period` (`i` = 0, 1, ...) that return a
    /// non-zero value before the timer underflows, at most `max` of them: how many run before
    /// the first that does not, and what the last of them returns. In closed form: INTIM
    /// counts down by one every `1 << interval_shift` cycles.
    pub fn nonzero_intim_reads(&self, first: u32, period: u32, max: u32) -> (u32, u8) {
        let elapsed = first
            .wrapping_sub(1)
            .wrapping_sub(self.cycles_when_timer_set);
        if elapsed >= 1 << 30 || self.timer > 0xFF || self.interval_shift > 10 || period == 0 {
            // Not a state the timer writes leave (a timer set in the future, say).
            return self.nonzero_intim_reads_one_by_one(first, period, max);
        }
        // A read `e` cycles (less one) after the timer was set returns
        // `timer - 1 - (e >> shift)`: at least 1 while `e < (timer - 1) << shift`.
        let nonzero_until = self.timer.saturating_sub(1) << self.interval_shift;
        if elapsed >= nonzero_until || max == 0 {
            return (0, 0);
        }
        let reads = ((nonzero_until - elapsed - 1) / period + 1).min(max);
        let last_elapsed = elapsed + (reads - 1) * period;
        let last = self.timer - 1 - (last_elapsed >> self.interval_shift);
        (reads, last as u8)
    }

    /// [`Riot::nonzero_intim_reads`] read by read.
    fn nonzero_intim_reads_one_by_one(&self, first: u32, period: u32, max: u32) -> (u32, u8) {
        let mut reads = 0;
        let mut last = 0;
        while reads < max {
            match self.intim_before_underflow(first.wrapping_add(reads * period)) {
                Some(v) if v != 0 => last = v,
                _ => break,
            }
            reads += 1;
        }
        (reads, last)
    }

    /// Read of an I/O or timer register (RAM is read directly by the bus).
    pub fn peek(&mut self, addr: u16, cycles: u32, swcha: u8, swchb: u8) -> u8 {
        match addr & 0x07 {
            0x00 => swcha,
            0x01 => self.ddra,
            0x02 => swchb,
            0x03 => self.ddrb,
            0x04 | 0x06 => {
                if let Some(v) = self.intim_before_underflow(cycles) {
                    return v;
                }
                let c = cycles.wrapping_sub(1);
                let delta = c.wrapping_sub(self.cycles_when_timer_set);
                let mut timer = ((self.timer << self.interval_shift) as i32)
                    .wrapping_sub(delta as i32)
                    .wrapping_sub(1);
                if timer <= -2 && !self.timer_read_after_interrupt {
                    self.timer_read_after_interrupt = true;
                    self.cycles_when_interrupt_reset = cycles;
                }
                if self.timer_read_after_interrupt {
                    let offset = self.cycles_when_interrupt_reset.wrapping_sub(
                        self.cycles_when_timer_set
                            .wrapping_add(self.timer << self.interval_shift),
                    ) as i32;
                    timer = (self.timer as i32)
                        .wrapping_sub((delta >> self.interval_shift) as i32)
                        .wrapping_sub(offset);
                }
                timer as u8
            }
            _ => {
                // 0x05 | 0x07: interrupt flag
                let c = cycles.wrapping_sub(1);
                let delta = c.wrapping_sub(self.cycles_when_timer_set);
                let timer = (self.timer as i32)
                    .wrapping_sub((delta >> self.interval_shift) as i32)
                    .wrapping_sub(1);
                if timer >= 0 || self.timer_read_after_interrupt {
                    0x00
                } else {
                    0x80
                }
            }
        }
    }

    /// Write of an I/O or timer register.
    pub fn poke(&mut self, addr: u16, value: u8, cycles: u32) {
        if addr & 0x07 == 0x00 {
            // SWCHA: joysticks and paddles ignore writes
        } else if addr & 0x07 == 0x01 {
            self.ddra = value;
        } else if addr & 0x07 == 0x02 || addr & 0x07 == 0x03 {
        } else if addr & 0x14 == 0x14 {
            self.timer = value as u32;
            self.interval_shift = match addr & 0x03 {
                0 => 0,
                1 => 3,
                2 => 6,
                _ => 10,
            };
            self.cycles_when_timer_set = cycles;
            self.timer_read_after_interrupt = false;
        }
        // (addr & 0x14) == 0x04: edge detect control, ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed form counts the reads that a loop of reads counts, for timers set with each
    /// interval and value, read from before the set to after the underflow.
    #[test]
    fn nonzero_intim_reads_match_reads_one_by_one() {
        let mut rng = Mt19937::new(7);
        let mut riot = Riot::new(&mut rng);
        let mut checked = [0u32; 2];
        for _ in 0..20_000 {
            let set_at = rng.next_u32() % 100_000;
            let value = (rng.next_u32() % 256) as u8;
            let interval = [0x294, 0x295, 0x296, 0x297][rng.next_u32() as usize % 4];
            riot.poke(interval, value, set_at);
            // From a little before the set (the wrapped, read-by-read case) to past the
            // underflow of the longest timer.
            let after = if rng.next_u32().is_multiple_of(8) {
                0
            } else {
                rng.next_u32() % 300_000
            };
            let first = (set_at + after).wrapping_sub(rng.next_u32() % 8);
            let period = [7, 8, 9, 10][rng.next_u32() as usize % 4];
            let max = rng.next_u32() % 3000;
            let expected = riot.nonzero_intim_reads_one_by_one(first, period, max);
            assert_eq!(
                riot.nonzero_intim_reads(first, period, max),
                expected,
                "timer {value} set at {set_at} ({interval:#x}), reads from {first} every {period}, at most {max}"
            );
            checked[usize::from(expected.0 > 0)] += 1;
        }
        assert!(checked[0] > 1000 && checked[1] > 1000, "{checked:?}");
    }
}
