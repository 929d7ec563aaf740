//! Games Defender .. Kung-Fu Master.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal1, decimal2, decimal3,
    lives_unless_terminal, select_mode, select_until,
};
use crate::action::Action;
use crate::error::AleError;

/// Defender.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Defender {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Defender {
    core_fns!("defender", "0f643c34e40e3f1daafd9c524d3ffe64");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 0;
        let mut mult = 1;
        for digit in 0..6 {
            let mut v = i32::from(ram.read_ram(0x9C + digit) & 0xF);
            if v == 0xA {
                v = 0;
            }
            score += v * mult;
            mult *= 10;
        }
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xC2));
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        let mut modes: Vec<u32> = (1..=9).collect();
        modes.push(16);
        modes
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x9B, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Demon Attack.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DemonAttack {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
    level_change: bool,
}

impl GameSettings for DemonAttack {
    core_fns!("demon_attack", "f0e0addc07971561ab80d9abe1b8d333");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = decimal3(ram, 0x85, 0x83, 0x81);
        // The game writes 0xABCDEA to the score bytes while booting.
        if ram.read_ram(0x81) == 0xAB && ram.read_ram(0x83) == 0xCD && ram.read_ram(0x85) == 0xEA {
            score = 0;
        }
        self.reward = score - self.score;
        self.score = score;
        let lives_displayed = ram.read_ram(0xF2);
        let display_flag = ram.read_ram(0xF1);
        self.terminal = lives_displayed == 0 && display_flag == 0xBD && !self.level_change;
        self.lives = i32::from(lives_displayed) + 1;
        self.level_change = false;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left, RightFire, LeftFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![1, 3, 5, 7]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xEA, 1, |v| u32::from(v) == mode)?;
        self.level_change = true;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Double Dunk.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DoubleDunk {
    reward: i32,
    score: i32,
    terminal: bool,
}

/// Most menu moves Double Dunk's mode routine tries before giving up (ALE loops forever).
const MAX_MENU_MOVES: usize = 512;

impl DoubleDunk {
    fn stuck(&self, mode: u32) -> AleError {
        AleError::ModeNotReached {
            game: "double_dunk",
            mode,
            presses: MAX_MENU_MOVES,
        }
    }

    fn go_down(&mut self, env: &mut dyn ModeEnv, mode: u32) -> Result<(), AleError> {
        let previous = env.read_ram(0xB0);
        for _ in 0..MAX_MENU_MOVES {
            if previous != env.read_ram(0xB0) {
                return Ok(());
            }
            env.act(self, Action::Down);
            env.act(self, Action::Noop);
        }
        Err(self.stuck(mode))
    }

    fn set_option(
        &mut self,
        env: &mut dyn ModeEnv,
        mode: u32,
        bit: u8,
        on: bool,
    ) -> Result<(), AleError> {
        for _ in 0..MAX_MENU_MOVES {
            let is_on = env.read_ram(0x80) & bit == bit;
            if is_on == on {
                return Ok(());
            }
            env.act(self, if on { Action::Right } else { Action::Left });
            env.act(self, Action::Noop);
        }
        Err(self.stuck(mode))
    }
}

impl GameSettings for DoubleDunk {
    core_fns!("double_dunk", "368d88a6c071caba60b4f778615aae94");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mine = decimal1(ram, 0xF6);
        let theirs = decimal1(ram, 0xF7);
        let score = mine - theirs;
        self.reward = score - self.score;
        self.score = score;
        let some_value = ram.read_ram(0xFE);
        self.terminal = (mine >= 24 || theirs >= 24) && some_value == 0xE7;
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
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::UpFire]
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..16).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 16 {
            return Err(self.invalid_mode(mode));
        }
        env.press_select(self, 1);
        self.go_down(env, mode)?;
        self.go_down(env, mode)?;
        self.set_option(env, mode, 0x08, mode & 1 != 0)?;
        self.go_down(env, mode)?;
        self.set_option(env, mode, 0x10, mode & 2 != 0)?;
        self.go_down(env, mode)?;
        self.set_option(env, mode, 0x04, mode & 4 != 0)?;
        self.go_down(env, mode)?;
        self.set_option(env, mode, 0x20, mode & 8 != 0)?;
        env.soft_reset(self);
        env.act(self, Action::UpFire);
        env.act(self, Action::Noop);
        Ok(())
    }
}

/// Enduro.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Enduro {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Enduro {
    core_fns!("enduro", "94b92a882f6dbaa6993a46e2dcc58402");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 0;
        let level = i32::from(ram.read_ram(0xAD));
        if level != 0 {
            let mut cars_passed = decimal2(ram, 0xAB, 0xAC);
            if level == 1 {
                cars_passed = 200 - cars_passed;
            } else {
                cars_passed = 300 - cars_passed;
                score = 200 + (level - 2) * 300;
            }
            score += cars_passed;
        }
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xAF) == 0xFF;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Right, Left, Down, DownRight, DownLeft, RightFire, LeftFire
        )
        .contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
}

/// Fishing Derby.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FishingDerby {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for FishingDerby {
    core_fns!("fishing_derby", "b8865f05676e64f3bec72b9defdacfa7");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mine = decimal1(ram, 0xBD).max(0);
        let theirs = decimal1(ram, 0xBE).max(0);
        let score = mine - theirs;
        self.reward = score - self.score;
        self.score = score;
        let my_byte = ram.read_ram(0xBD);
        let their_byte = ram.read_ram(0xBE);
        self.terminal = my_byte == 0x99 || their_byte == 0x99;
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
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Freeway.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Freeway {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Freeway {
    core_fns!("freeway", "8e0ab801b1705a740b476b7f588c6d16");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal1(ram, 103);
        self.reward = (score - self.score).clamp(0, 1);
        self.score = score;
        self.terminal = ram.read_ram(22) == 1;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Up, Down).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..8).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 1)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Frostbite.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Frostbite {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Frostbite {
    core_fns!("frostbite", "4ca73eb959299471788f0b685c3ba0b5");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xCA, 0xC9, 0xC8);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xCC) & 0xF;
        let flag = ram.read_ram(0xF1) & 0x80;
        self.terminal = lives_byte == 0 && flag != 0;
        self.lives = i32::from(lives_byte) + 1;
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
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 1)
    }
}

/// Gopher.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Gopher {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Gopher {
    core_fns!("gopher", "c16c79aad6272baffb8aae9a7fff0864");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        const LIVES_FROM_CARROTS: [i32; 8] = [0, 1, 1, 2, 1, 2, 2, 3];
        let score = decimal3(ram, 0xB2, 0xB1, 0xB0);
        self.reward = score - self.score;
        self.score = score;
        let carrots = ram.read_ram(0xB4) & 0x7;
        self.terminal = carrots == 0;
        self.lives = LIVES_FROM_CARROTS[usize::from(carrots)];
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Right, Left, UpFire, RightFire, LeftFire).contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        env.soft_reset(self);
        select_mode(self, env, mode, 0xD3, 5)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Gravitar.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Gravitar {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Gravitar {
    core_fns!("gravitar", "8ac18076d01a6b63acf6e2cab4968940");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 9, 8, 7);
        self.reward = score - self.score;
        self.score = score;
        let screen = ram.read_ram(0x81);
        self.terminal = screen == 0x01;
        self.lives = if screen == 0 {
            6
        } else {
            i32::from(ram.read_ram(0x84)) + 1
        };
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 6,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire; 16]
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..5).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 5 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0x80, 10, |v| u32::from(v) == mode)?;
        self.lives = match mode {
            1 => 15,
            3 => 100,
            4 => 25,
            _ => 6,
        };
        env.soft_reset(self);
        Ok(())
    }
}

/// H.E.R.O.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Hero {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Hero {
    core_fns!("hero", "fca4a5be1251927027f2c24774a02160");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xB9, 0xB8, 0xB7);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xB3));
        self.terminal = self.lives == 0;
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
    fn available_modes(&self) -> Vec<u32> {
        (0..5).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 1)
    }
}

/// Ice Hockey.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IceHockey {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for IceHockey {
    core_fns!("ice_hockey", "a4c08c4994eb9d24fb78be1793e82e26");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mine = decimal1(ram, 0x8A).max(0);
        let theirs = decimal1(ram, 0x8B).max(0);
        let score = mine - theirs;
        self.reward = (score - self.score).min(1);
        self.score = score;
        let minutes = ram.read_ram(0x87);
        let seconds = ram.read_ram(0x86);
        self.terminal = minutes == 0 && seconds == 0;
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
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// James Bond 007.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JamesBond {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for JamesBond {
    core_fns!("jamesbond", "e51030251e440cffaab1ac63438b44ae");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xDC, 0xDD, 0xDE);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x86) & 0xF;
        let screen = ram.read_ram(0x8C);
        self.terminal = lives_byte == 0 && screen == 0x68;
        self.lives = i32::from(lives_byte) + 1;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 6,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode > 1 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0x8C, 20, |v| {
            u32::from(v) == mode || u32::from(v) == mode + 0x48
        })?;
        env.soft_reset(self);
        Ok(())
    }
}

/// Kangaroo.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Kangaroo {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Kangaroo {
    core_fns!("kangaroo", "4326edb70ff20d0ee5ba58fa5cb09d60");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0xA8, 0xA7);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xAD);
        self.terminal = lives_byte == 0xFF;
        self.lives = i32::from(lives_byte & 0x7) + 1;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode > 1 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xBA, 2, |v| {
            u32::from(v) == mode || u32::from(v) == mode + 0x80
        })?;
        env.soft_reset(self);
        Ok(())
    }
}

/// Krull.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Krull {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Krull {
    core_fns!("krull", "4baada22435320d185c95b7dd2bcdb24");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x9E, 0x9D, 0x9C);
        self.reward = score - self.score;
        self.score = score;
        let lives = ram.read_ram(0x9F);
        let byte1 = ram.read_ram(0xA2);
        let byte2 = ram.read_ram(0x80);
        self.terminal = lives == 0 && byte1 == 0x03 && byte2 == 0x80;
        self.lives = i32::from(lives & 0x7) + 1;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
}

/// Kung-Fu Master.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KungFuMaster {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for KungFuMaster {
    core_fns!("kung_fu_master", "5b92a93b23523ff16e2789b820e2a4c5");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x9A, 0x99, 0x98);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x9D);
        self.terminal = lives_byte == 0xFF;
        self.lives = i32::from(lives_byte & 0x7) + 1;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop,
            Up,
            Right,
            Left,
            Down,
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
}
