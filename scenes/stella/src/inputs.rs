//! The event state the console reads (Stella's `Event` as ALE drives it).

use serde::{Deserialize, Serialize};

/// One joystick's event state (`JoystickZero*` for player A, `JoystickOne*` for player B).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joystick {
    /// Up pressed.
    pub up: bool,
    /// Down pressed.
    pub down: bool,
    /// Left pressed.
    pub left: bool,
    /// Right pressed.
    pub right: bool,
    /// Fire pressed.
    pub fire: bool,
}

/// One paddle's event state (`PaddleN{Resistance,Fire}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paddle {
    /// Resistance in ALE's units (it clamps to 27450..=790196 and starts mid-range). 0 (the value
    /// before ALE first sets it) reads as "minimum resistance": the INPT bit is always set.
    pub resistance: i32,
    /// Fire pressed.
    pub fire: bool,
}

/// The console switches' positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switches {
    /// RESET held.
    pub reset: bool,
    /// SELECT held.
    pub select: bool,
    /// TV type switch: true = colour, false = black and white.
    pub color: bool,
    /// Left (player A) difficulty in position A (false = B).
    pub left_difficulty_a: bool,
    /// Right (player B) difficulty in position A (false = B).
    pub right_difficulty_a: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            reset: false,
            select: false,
            color: true,
            left_difficulty_a: false,
            right_difficulty_a: false,
        }
    }
}

impl Switches {
    /// SWCHB as the RIOT reads it (unused bits high).
    pub fn swchb(&self) -> u8 {
        let mut v = 0xFFu8;
        if !self.color {
            v &= !0x08;
        }
        if !self.right_difficulty_a {
            v &= !0x80;
        }
        if !self.left_difficulty_a {
            v &= !0x40;
        }
        if self.select {
            v &= !0x02;
        }
        if self.reset {
            v &= !0x01;
        }
        v
    }
}

/// All inputs: `joysticks[0]` is player A (`JoystickZero`), `joysticks[1]` player B;
/// `paddles[0..4]` are `PaddleZero..PaddleThree` (ALE drives 0 for player A and 1 for player B).
/// Which port each reaches depends on the ROM's [`crate::Properties`] (controller kinds, swapped
/// ports, swapped paddles), exactly as in Stella.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// Player A and player B joysticks.
    pub joysticks: [Joystick; 2],
    /// Paddles 0..3.
    pub paddles: [Paddle; 4],
    /// Console switches.
    pub switches: Switches,
}

impl Inputs {
    /// Releases every joystick direction and button, the paddle buttons, RESET and SELECT
    /// (ALE's `resetKeys`, minus the difficulty switches it sets right after).
    pub fn release_all(&mut self) {
        self.joysticks = [Joystick::default(); 2];
        for p in &mut self.paddles {
            p.fire = false;
        }
        self.switches.reset = false;
        self.switches.select = false;
    }
}
