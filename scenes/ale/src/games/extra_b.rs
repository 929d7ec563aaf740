//! Games beyond the Atari-57, Galaxian .. Lost Luggage.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal1, decimal2, decimal3,
    lives_unless_terminal, select_mode, select_until,
};
use crate::action::{Action, PlayerInput};
use crate::error::AleError;

/// Galaxian.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Galaxian {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Galaxian {
    core_fns!("galaxian", "211774f4c5739042618be8ff67351177");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xAE, 0xAD, 0xAC);
        self.reward = score - self.score;
        if self.reward < 0 {
            // The score wraps at 1,000,000.
            self.reward = (1_000_000 - self.score) + score;
        }
        self.score = score;
        self.terminal = ram.read_ram(0xBF) & 0x80 != 0;
        self.lives = if self.terminal {
            0
        } else {
            i32::from(ram.read_ram(0xB9)) + 1
        };
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Left, Right, Fire, LeftFire, RightFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (1..=9).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xB3, 1)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Hangman.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Hangman {
    reward: i32,
    terminal: bool,
    computer_score: i32,
    player_score: i32,
    timer: [i32; 2],
}

impl GameSettings for Hangman {
    core_fns!("hangman", "f16c709df0a6c52f47ff52b9d95b7d8d");
    fn step(&mut self, ram: &mut dyn Ram) {
        let computer = decimal1(ram, 0xEC);
        let player = decimal1(ram, 0xEB);
        self.reward = (player - self.player_score) - (computer - self.computer_score);
        self.computer_score = computer;
        self.player_score = player;
        self.timer[1] = self.timer[0];
        self.timer[0] = i32::from(ram.read_ram(0xF1));
        let timed_out = self.timer[0] == 0 && self.timer[1] == 255;
        self.terminal = self.reward != 0 || timed_out;
    }
    fn reset(&mut self) {
        *self = Self {
            timer: [-1, -1],
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xEE, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Haunted House.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HauntedHouse {
    reward: i32,
    terminal: bool,
    matches: i32,
    lives: i32,
}

impl GameSettings for HauntedHouse {
    core_fns!("haunted_house", "f0a6e99f5875891246c3dbecbf2d2cea");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        self.reward = 0;
        let matches = decimal1(ram, 0x82);
        if matches != self.matches {
            self.reward -= 1;
            self.matches = matches;
        }
        self.lives = i32::from(ram.read_ram(0x96));
        let escaped_with_urn = ram.read_ram(0x99) == 0x44;
        if escaped_with_urn {
            self.reward += 100;
        }
        self.terminal = self.lives == 0 || escaped_with_urn;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 9,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..9).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xCC, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Human Cannonball.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HumanCannonball {
    reward: i32,
    score: i32,
    terminal: bool,
    misses: i32,
}

impl GameSettings for HumanCannonball {
    core_fns!("human_cannonball", "7972e5101fa548b952d852db24ad6060");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal1(ram, 0xB6);
        self.reward = score - self.score;
        self.score = score;
        self.misses = decimal1(ram, 0xB7);
        self.terminal = score == 7 || self.misses == 7;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..8).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 8 {
            return Err(self.invalid_mode(mode));
        }
        let mut presses = 0;
        loop {
            let m = env.read_ram(0xB6).wrapping_sub(1);
            let players = env.read_ram(0xB7);
            if u32::from(m) == mode && players == 1 {
                break;
            }
            if presses >= super::MAX_SELECT_PRESSES {
                return Err(AleError::ModeNotReached {
                    game: self.rom(),
                    mode,
                    presses,
                });
            }
            env.press_select(self, 2);
            presses += 1;
        }
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Journey Escape.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JourneyEscape {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for JourneyEscape {
    core_fns!("journey_escape", "718ae62c70af4e5fd8e932fee216948a");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x92, 0x91, 0x90);
        let reward = score - self.score;
        self.reward = if reward == 50_000 { 0 } else { reward };
        self.score = score;
        let minutes = ram.read_ram(0x95);
        let seconds = ram.read_ram(0x96);
        self.terminal = minutes == 0 && seconds == 0;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop,
            Up,
            Right,
            Left,
            Down,
            UpRight,
            UpLeft,
            DownRight,
            DownLeft,
            RightFire,
            LeftFire,
            DownFire,
            UpRightFire,
            UpLeftFire,
            DownRightFire,
            DownLeftFire
        )
        .contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Kaboom!
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Kaboom {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Kaboom {
    core_fns!("kaboom", "5428cdfada281c569c74c7308c7f2c26");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xA5, 0xA4, 0xA3);
        self.reward = score - self.score;
        self.score = score;
        let lives = ram.read_ram(0xA1);
        self.terminal = lives == 0 || self.score == 999_999;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left).contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
}

/// Keystone Kapers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KeystoneKapers {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for KeystoneKapers {
    core_fns!("keystone_kapers", "6c1f3f2e359dbf55df462ccbcdd2f6bf");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0x9C, 0x9B);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0x96));
        self.terminal = self.lives == 0 && ram.read_ram(0x88) == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft, UpFire,
            RightFire, LeftFire, DownFire
        )
        .contains(&a)
    }
    fn starting_inputs(&self) -> Vec<PlayerInput> {
        vec![PlayerInput::Reset]
    }
}

/// King Kong.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KingKong {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for KingKong {
    core_fns!("king_kong", "0dd4c69b5f9a7ae96a7a08329496779a");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0x83, 0x82);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xEE));
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Right, Left, Down).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 4 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xEC, 2, |v| u32::from(v) == mode * 2)?;
        env.soft_reset(self);
        Ok(())
    }
}

/// Klax (its score lives in cartridge RAM, read through the bus).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Klax {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Klax {
    core_fns!("klax", "eed9eaf1a0b6a2b9bc4c8032cb43e3fb");
    fn step(&mut self, ram: &mut dyn Ram) {
        let lo = super::bcd(ram.read_mapped(0xF0B4));
        let mid = super::bcd(ram.read_mapped(0xF0B5));
        let hi = super::bcd(ram.read_mapped(0xF0B6));
        let score = lo + 100 * mid + 10_000 * hi;
        self.reward = score - self.score;
        self.score = score;
        let misses = ram.read_mapped(0xF0EE);
        let max_misses = ram.read_mapped(0xF0E9);
        let game_active = ram.read_ram(0xA8) == 4;
        let mut blocks = 0;
        for i in 0..25 {
            let block = ram.read_ram(0xB3 + i);
            if !matches!(block, 0 | 2 | 6 | 10 | 14) {
                blocks += 1;
            }
        }
        let level = ram.read_mapped(0xF09D);
        self.terminal = (max_misses > 0 && misses == max_misses)
            || (game_active && blocks == 25)
            || level == 0x99;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire, Action::Noop]
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 3 {
            return Err(self.invalid_mode(mode));
        }
        let mut presses = 0;
        while u32::from(env.read_mapped(0xF0EA)) != mode {
            if presses >= super::MAX_SELECT_PRESSES {
                return Err(AleError::ModeNotReached {
                    game: self.rom(),
                    mode,
                    presses,
                });
            }
            env.press_select(self, 2);
            presses += 1;
        }
        env.soft_reset(self);
        Ok(())
    }
}

/// Kool-Aid Man.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Koolaid {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Koolaid {
    core_fns!("koolaid", "534e23210dd1993c828d944c6ac4d9fb");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0x81, 0x80);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xD1) == 0x80;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft
        )
        .contains(&a)
    }
}

/// Laser Gates.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LaserGates {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for LaserGates {
    core_fns!("laser_gates", "8e4cd60d93fcde8065c1a2b972a26377");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x82, 0x81, 0x80);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0x83) == 0;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_inputs(&self) -> Vec<PlayerInput> {
        vec![PlayerInput::Reset]
    }
}

/// Lost Luggage (fire actions are illegal).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LostLuggage {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for LostLuggage {
    core_fns!("lost_luggage", "2d76c5d1aad506442b9e9fb67765e051");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x96, 0x95, 0x94);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xCA));
        self.terminal = self.lives == 0
            && ram.read_ram(0xC8) == 0x0A
            && ram.read_ram(0xA5) == 0
            && ram.read_ram(0xA9) == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft
        )
        .contains(&a)
    }
    fn is_legal(&self, a: Action) -> bool {
        !a.stick().fire
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 2 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0x94, 2, |v| u32::from(v) == 1 + mode * 3)?;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}
