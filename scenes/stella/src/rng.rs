//! The 32-bit Mersenne Twister (`std::mt19937`) that Stella's `Random` wraps.

use serde::{Deserialize, Serialize};

const N: usize = 624;
const M: usize = 397;

/// `std::mt19937`, bit for bit: same seeding, same output sequence.
#[derive(Serialize, Deserialize)]
pub struct Mt19937 {
    state: Vec<u32>,
    index: usize,
}

impl Clone for Mt19937 {
    fn clone(&self) -> Self {
        Mt19937 {
            state: self.state.clone(),
            index: self.index,
        }
    }

    /// Reuses the state buffer: no allocation.
    fn clone_from(&mut self, src: &Self) {
        self.state.clone_from(&src.state);
        self.index = src.index;
    }
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mt19937")
            .field("index", &self.index)
            .finish()
    }
}

impl Mt19937 {
    /// A generator seeded as `std::mt19937::seed(seed)` does.
    pub fn new(seed: u32) -> Self {
        let mut state = vec![0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, index: N }
    }

    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
            let mut v = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.index = 0;
    }

    /// The next 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `next() / 2^32`, as Stella's `Random::nextDouble`.
    pub fn next_f64(&mut self) -> f64 {
        self.next_u32() as f64 / 4_294_967_296.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_mt19937() {
        // The C++ standard requires the 10000th output of a default-seeded mt19937 to be 4123659995.
        let mut r = Mt19937::new(5489);
        let mut v = 0;
        for _ in 0..10000 {
            v = r.next_u32();
        }
        assert_eq!(v, 4_123_659_995);
    }
}
