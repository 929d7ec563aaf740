//! Games beyond the Atari-57, Adventure .. Frogger.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal1, decimal2, decimal3,
    lives_unless_terminal, select_mode, select_until,
};
use crate::action::Action;
use crate::error::AleError;

/// Adventure (reward 1 for bringing the chalice home).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Adventure {
    reward: i32,
    terminal: bool,
}

impl GameSettings for Adventure {
    core_fns!("adventure", "4b27f5397c442d25f0c418ccdacf1926");
    fn step(&mut self, ram: &mut dyn Ram) {
        let chalice_home = ram.read_ram(0xB9) == 0x12;
        if chalice_home {
            self.reward = 1;
        }
        let player_eaten = ram.read_ram(0xE0) == 2;
        self.terminal = player_eaten || chalice_home;
    }
    fn lives(&self) -> i32 {
        1
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 3 {
            return Err(self.invalid_mode(mode));
        }
        let read = |env: &mut dyn ModeEnv| u32::from((env.read_ram(0xDD) >> 1) & 0x03);
        let mut current = read(env);
        let mut presses = 0;
        while current != mode {
            if presses >= super::MAX_SELECT_PRESSES {
                return Err(AleError::ModeNotReached {
                    game: self.rom(),
                    mode,
                    presses,
                });
            }
            let frames = 2 + (env.rng_next() % 256) as usize;
            env.press_select(self, frames);
            env.act(self, Action::Noop);
            presses += 1;
            current = read(env);
        }
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Air Raid.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AirRaid {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for AirRaid {
    core_fns!("air_raid", "35be55426c1fec32dfb503b4f0651572");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xAA, 0xA9, 0xA8);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xA7) == 0xFF;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left, RightFire, LeftFire).contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_modes(&self) -> Vec<u32> {
        (1..=8).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        env.press_select(self, 20);
        select_mode(self, env, mode, 0xAA, 10)
    }
}

/// Atlantis II.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Atlantis2 {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Atlantis2 {
    core_fns!("atlantis2", "826481f6fc53ea47c9f272f7050eedf7");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        self.lives = i32::from(ram.read_ram(0xF1));
        self.terminal = self.lives == 0xFF;
        if self.terminal {
            self.reward = 0;
        } else {
            let score = decimal3(ram, 0xA1, 0xA2, 0xA3);
            self.reward = score - self.score;
            self.score = score;
        }
    }
    fn reset(&mut self) {
        // ALE leaves `m_lives` unset by reset; it is only read after a step.
        let lives = self.lives;
        *self = Self {
            lives,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, RightFire, LeftFire).contains(&a)
    }
}

/// Backgammon (reward +1 / -1 when a side bears off all 15 pieces).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Backgammon {
    reward: i32,
    terminal: bool,
}

impl GameSettings for Backgammon {
    core_fns!("backgammon", "8556b42aa05f94bc29ff39c39b11bff4");
    fn step(&mut self, ram: &mut dyn Ram) {
        let pieces = |ram: &mut dyn Ram, addr: u16| i32::from(ram.read_ram(addr) as i8);
        let player_out = -pieces(ram, 0x80);
        let computer_out = pieces(ram, 0x8E);
        let mut player_in = 0;
        let mut computer_in = 0;
        for addr in (0x81..=0x8D).chain(0x8F..=0x9B) {
            let p = pieces(ram, addr);
            if p > 0 {
                computer_in += p;
            } else if p < 0 {
                player_in -= p;
            }
        }
        // ALE accumulates in int8; counts stay far below overflow for valid boards.
        let valid = computer_in + computer_out == 15 && player_in + player_out == 15;
        if valid {
            if player_out == 15 {
                self.terminal = true;
                self.reward = 1;
            } else if computer_out == 15 {
                self.terminal = true;
                self.reward = -1;
            }
        }
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Fire, Right, Left).contains(&a)
    }
    fn paddle_range(&self) -> (i32, i32) {
        (crate::action::PADDLE_MIN, 1_000_000)
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode != 0 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xDC, 1, |v| v == 3)?;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![3]
    }
}

/// Basic Math.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BasicMath {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for BasicMath {
    core_fns!("basic_math", "819aeeb9a2e11deb54e6de334f843894");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal1(ram, 0x84);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = decimal1(ram, 0x86) != 0;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Right, Left, Down).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![5, 6, 7, 8]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xC5, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 2, 3]
    }
}

/// Blackjack.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Blackjack {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Blackjack {
    core_fns!("blackjack", "0a981c03204ac2b278ba392674682560");
    fn step(&mut self, ram: &mut dyn Ram) {
        let bust = ram.read_ram(0x86) == 0x0B && ram.read_ram(0x89) == 0xBB;
        let score = if bust { 0 } else { decimal2(ram, 0x89, 0x86) };
        self.reward = score - self.score;
        self.score = score;
        self.terminal = bust || score >= 1000;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Down).contains(&a)
    }
    fn paddle_range(&self) -> (i32, i32) {
        (crate::action::PADDLE_MIN, 795_000)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Carnival.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Carnival {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Carnival {
    core_fns!("carnival", "028024fb8e5e5f18ea586652f9799c96");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 10 * decimal2(ram, 0xAE, 0xAD);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0x83) < 1;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left, RightFire, LeftFire).contains(&a)
    }
}

/// Casino.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Casino {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Casino {
    core_fns!("casino", "b816296311019ab69a21cb9e9e235d12");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0x95, 0x8C);
        let game_mode = ram.read_ram(0xD4);
        if game_mode == 3 {
            let finished_awarding = ram.read_ram(0x9E) == 0xAA;
            self.reward = score - self.score;
            self.terminal = score > 0 && finished_awarding;
        } else {
            let input_disabled = ram.read_ram(0xD3) & 0x80 != 0;
            if !input_disabled {
                self.reward = score - self.score;
            }
            let bet = decimal1(ram, 0x9E);
            self.terminal = score == 0 || (bet > 0 && input_disabled);
        }
        self.score = score;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Down).contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Noop; 60];
        v.extend([Action::Fire, Action::Fire]);
        v
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2, 3]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xD4, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Crossbow.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Crossbow {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Crossbow {
    core_fns!("crossbow", "8cd26dcf249456fe4aeb8db42d49df74");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x8D, 0x8C, 0x8B);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xE7) == 0x82;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2, 4, 6]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0x8D, 2, |v| {
            u32::from(v.wrapping_sub(1)) == mode
        })?;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Dark Chambers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DarkChambers {
    reward: i32,
    score: i32,
    terminal: bool,
    level: i32,
    health: i32,
}

impl GameSettings for DarkChambers {
    core_fns!("darkchambers", "106855474c69d08c8ffa308d47337269");
    fn step(&mut self, ram: &mut dyn Ram) {
        self.reward = 0;
        let level = i32::from(ram.read_ram(0xD5));
        if level < self.level {
            self.terminal = true;
            return;
        }
        self.level = level;
        let score = 10 * decimal2(ram, 0xCC, 0xCF);
        if score < self.score {
            self.terminal = true;
        } else {
            self.reward = score - self.score;
            self.score = score;
        }
        self.health = i32::from(ram.read_ram(0xCA) & 0x1F);
        if self.health == 0 {
            self.terminal = true;
        }
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Noop; 486]
    }
}

/// Donkey Kong.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DonkeyKong {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for DonkeyKong {
    core_fns!("donkey_kong", "36b20c427975760cb9cf4a47e41369e4");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0x88, 0x87);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xA3));
        self.terminal = self.lives == 0 && ram.read_ram(0x8F) == 0x03 && ram.read_ram(0x8B) == 0x1F;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 2,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
}

/// Earthworld.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Earthworld {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Earthworld {
    core_fns!("earthworld", "5aea9974b975a6a844e6df10d2b861c4");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal1(ram, 0xA7);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = score == 10;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
}

/// Elevator Action.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ElevatorAction {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for ElevatorAction {
    core_fns!("elevator_action", "71f8bacfbdca019113f3f0801849057e");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x89, 0x88, 0x87);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0x83));
        let start_screen = ram.read_ram(0x81) == 0;
        self.terminal = self.lives == 0 && !start_screen;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire; 16]
    }
}

/// Entombed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Entombed {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Entombed {
    core_fns!("entombed", "6b683be69f92958abe0e2a9945157ad5");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = i32::from(ram.read_ram(0xE3));
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xC7) & 0x03 == 0;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Fire];
        v.extend([Action::Noop; 5]);
        v
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 2]
    }
}

/// E.T. the Extra-Terrestrial.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Et {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Et {
    core_fns!("et", "615a3bf251a38eb6638cdc7ffbde5480");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xE1, 0xE0, 0xDF);
        self.reward = score - self.score;
        self.score = score;
        // ALE stores lives in a (signed) char.
        self.lives = i32::from(ram.read_ram(0xE5).wrapping_add(1) as i8);
        let game_state = ram.read_ram(0x80);
        self.terminal = self.lives == 0 && game_state == 8;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 3 {
            return Err(self.invalid_mode(mode));
        }
        let mut current = env.read_ram(0xEA).wrapping_sub(1);
        let mut attempts = 0;
        while u32::from(current) != mode && attempts < 100 {
            env.press_select(self, 25);
            current = env.read_ram(0xEA).wrapping_sub(1);
            attempts += 1;
        }
        if u32::from(current) != mode {
            return Err(AleError::ModeNotReached {
                game: self.rom(),
                mode,
                presses: attempts,
            });
        }
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Flag Capture.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FlagCapture {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for FlagCapture {
    core_fns!("flag_capture", "30512e0e83903fc05541d2f6a6a62654");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal1(ram, 0xEA);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = decimal1(ram, 0xEB) == 0;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![8, 9, 10]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xD6, 2)
    }
}

/// Frogger.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Frogger {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Frogger {
    core_fns!("frogger", "081e2c114c9c20b61acf25fc95c71bf4");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0xCE, 0xCC);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xD0));
        self.terminal = ram.read_ram(0xD0) == 0xFF;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Up, Right, Left, Down).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 3 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xDD, 2, |v| u32::from(v) == 1 + mode * 2)?;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}
