//! Games Alien .. Crazy Climber.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal1, decimal2, decimal3,
    lives_unless_terminal, select_mode, select_until,
};
use crate::action::Action;
use crate::error::AleError;

/// Alien.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Alien {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

fn alien_digit(ram: &mut dyn Ram, addr: u16) -> i32 {
    let b = ram.read_ram(addr);
    if b == 0x80 { 0 } else { i32::from(b >> 3) }
}

impl GameSettings for Alien {
    core_fns!("alien", "f1a0a23e6464d954e3a9579c4ccd01c8");
    fn step(&mut self, ram: &mut dyn Ram) {
        let b1 = alien_digit(ram, 0x8B);
        let b2 = alien_digit(ram, 0x89);
        let b3 = alien_digit(ram, 0x87);
        let b4 = alien_digit(ram, 0x85);
        let b5 = alien_digit(ram, 0x83);
        let score = 10 * (b1 + b2 * 10 + b3 * 100 + b4 * 1000 + b5 * 10000);
        self.reward = score - self.score;
        self.score = score;
        let lives = i32::from(ram.read_ram(0xC0) & 15);
        self.terminal = lives <= 0;
        self.lives = lives;
    }
    fn lives(&self) -> i32 {
        self.lives
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
        (0..4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 4 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0x81, 1, |v| u32::from(v) == mode)?;
        self.lives = i32::from(env.read_ram(0xC0) & 15);
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Amidar.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Amidar {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Amidar {
    core_fns!("amidar", "acb7750b4d0c4bd34969802a7deb2990");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xD9, 0xDA, 0xDB);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xD6);
        self.terminal = lives_byte == 0x80;
        self.lives = i32::from(lives_byte & 0xF);
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpFire, RightFire, LeftFire, DownFire
        )
        .contains(&a)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 3]
    }
}

/// Assault.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Assault {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Assault {
    core_fns!("assault", "de78b3a064d374390ac0710f95edde92");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x82, 0x81, 0x80);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xE5));
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Right, Left, RightFire, LeftFire).contains(&a)
    }
}

/// Asterix.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Asterix {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Asterix {
    core_fns!("asterix", "89a68746eff7f266bbf08de2483abe55");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xE0, 0xDF, 0xDE);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xD3) & 0xF);
        let death_counter = ram.read_ram(0xC7);
        self.terminal = death_counter == 0x01 && self.lives == 1;
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
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
}

/// Asteroids.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Asteroids {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Asteroids {
    core_fns!("asteroids", "ccbd36746ed4525821a8083b0d6d2c2c");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 10 * decimal2(ram, 0xBE, 0xBD);
        self.reward = score - self.score;
        if self.reward < 0 {
            self.reward += 100_000;
        }
        self.score = score;
        let byte = ram.read_ram(0xBC);
        self.lives = i32::from(byte >> 4);
        self.terminal = self.lives == 0;
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
            Fire,
            Up,
            Right,
            Left,
            Down,
            UpRight,
            UpLeft,
            UpFire,
            RightFire,
            LeftFire,
            DownFire,
            UpRightFire,
            UpLeftFire
        )
        .contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        let mut modes: Vec<u32> = (0..32).collect();
        modes.push(0x80);
        modes
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 3]
    }
}

/// Atlantis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Atlantis {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Atlantis {
    core_fns!("atlantis", "9ad36e699ef6f45d9eb6c4cf90475c9f");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal3(ram, 0xA2, 0xA3, 0xA1);
        self.reward = score - self.score;
        let old_score = self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xF1));
        self.terminal = self.lives == 0xFF;
        if self.terminal {
            self.reward = 0;
            self.score = old_score;
        }
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 6,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, RightFire, LeftFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x8D, 2)
    }
}

/// Bank Heist.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BankHeist {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for BankHeist {
    core_fns!("bank_heist", "00ce0bdd43aed84a983bef38fe7f5ee3");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xDA, 0xD9, 0xD8);
        self.reward = score - self.score;
        self.score = score;
        let death_timer = ram.read_ram(0xCE);
        self.lives = i32::from(ram.read_ram(0xD5));
        self.terminal = death_timer == 0x01 && self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..8).map(|i| i * 4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 1)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Battle Zone.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BattleZone {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for BattleZone {
    core_fns!("battle_zone", "41f252a66c6301f1e8ab3612c19bc5d4");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let blank = |d: u8| if d == 10 { 0 } else { i32::from(d) };
        let first = ram.read_ram(0x9D);
        let first_left = blank(first >> 4);
        let second = ram.read_ram(0x9E);
        let second_right = blank(second & 15);
        let second_left = blank(second >> 4);
        let score = 1000 * (first_left + 10 * second_right + 100 * second_left);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xBA) & 0xF);
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![1, 2, 3]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xA1, 2)
    }
}

/// Beam Rider.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BeamRider {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for BeamRider {
    core_fns!("beam_rider", "79ab4123a83dc11d468fb2108ea09e2e");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 9, 10, 11);
        self.reward = score - self.score;
        self.score = score;
        let new_lives = i32::from(ram.read_ram(0x85)) + 1;
        if new_lives == self.lives - 1 {
            if ram.read_ram(0x8C) == 0x01 {
                self.lives = new_lives;
            }
        } else {
            self.lives = new_lives;
        }
        self.terminal = ram.read_ram(5) == 255;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, UpRight, UpLeft, RightFire, LeftFire
        )
        .contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Right]
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Berzerk.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Berzerk {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Berzerk {
    core_fns!("berzerk", "136f75c4dd02c29283752b7e5799f978");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 95, 94, 93);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xDA);
        self.terminal = lives_byte == 0xFF;
        self.lives = i32::from(lives_byte) + 1;
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
        modes.extend([0x10, 0x11, 0x12]);
        modes
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        for _ in 0..20 {
            env.act(self, Action::Noop);
        }
        select_mode(self, env, mode, 0x80, 2)
    }
}

/// Bowling.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Bowling {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Bowling {
    core_fns!("bowling", "c9b7afad3bfd922e006a6bfc1d4f3fe7");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0xA1, 0xA6);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xA4) > 0x10;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Down, UpFire, DownFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2, 4]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 2, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Boxing.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Boxing {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Boxing {
    core_fns!("boxing", "c3ef5c4653212088eda54dc91d787870");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut mine = decimal1(ram, 0x92);
        let mut theirs = decimal1(ram, 0x93);
        if ram.read_ram(0x92) == 0xC0 {
            mine = 100;
        }
        if ram.read_ram(0x93) == 0xC0 {
            theirs = 100;
        }
        let score = mine - theirs;
        self.reward = score - self.score;
        self.score = score;
        if mine == 100 || theirs == 100 {
            self.terminal = true;
        } else {
            let minutes = ram.read_ram(0x90) >> 4;
            let lo = ram.read_ram(0x91) & 0xF;
            let hi = ram.read_ram(0x91) >> 4;
            let seconds = u32::from(lo) + 10 * u32::from(hi);
            self.terminal = minutes == 0 && seconds == 0;
        }
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

/// Breakout.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Breakout {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
    started: bool,
}

impl GameSettings for Breakout {
    core_fns!("breakout", "f34f08e5eb96e500e851a80be3277a56");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let x = i32::from(ram.read_ram(77));
        let y = i32::from(ram.read_ram(76));
        let score = (x & 0xF) + 10 * ((x & 0xF0) >> 4) + 100 * (y & 0xF);
        self.reward = score - self.score;
        self.score = score;
        let byte = ram.read_ram(57);
        if !self.started && byte == 5 {
            self.started = true;
        }
        self.terminal = self.started && byte == 0;
        self.lives = i32::from(byte);
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..12).map(|i| i * 4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xB2, 1)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Centipede.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Centipede {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Centipede {
    core_fns!("centipede", "91c2098e88a6b13f977af8c003e0bca5");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 118, 117, 116);
        self.reward = (score - self.score).max(0);
        self.score = score;
        self.lives = i32::from((ram.read_ram(0xED) >> 4) & 0x7) + 1;
        self.terminal = ram.read_ram(0xA6) & 0x40 != 0;
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
        vec![0x16, 0x56]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xA7, 2)
    }
}

/// Chopper Command.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChopperCommand {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
    started: bool,
}

impl GameSettings for ChopperCommand {
    fn rom(&self) -> &'static str {
        "chopper_command"
    }
    fn md5(&self) -> &'static str {
        "c1cb228470a87beb5f36e90ac745da26"
    }
    fn reward(&self) -> i32 {
        self.reward
    }
    fn is_terminal(&self) -> bool {
        self.started && self.terminal
    }
    fn lives(&self) -> i32 {
        self.lives
    }
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0xEE, 0xEC);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xE4) & 0xF);
        self.terminal = self.lives == 0;
        self.started |= ram.read_ram(0xC2) & 1 != 0;
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
        vec![0, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xE0, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Crazy Climber.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CrazyClimber {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for CrazyClimber {
    core_fns!("crazy_climber", "55ef7b65066428367844342ed59f956c");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 0;
        for (i, addr) in [0x82u16, 0x83, 0x84, 0x85].into_iter().enumerate() {
            score += 10i32.pow(i as u32) * i32::from(ram.read_ram(addr));
        }
        score *= 100;
        self.reward = (score - self.score).max(0);
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xAA));
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft
        )
        .contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}
