//! Games Seaquest .. Zaxxon.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal1, decimal2, decimal3,
    lives_unless_terminal, select_mode, select_until,
};
use crate::action::Action;
use crate::error::AleError;

/// Seaquest.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Seaquest {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Seaquest {
    core_fns!("seaquest", "240bfbac5163af4df5ae713985386f92");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xBA, 0xB9, 0xB8);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xA3) != 0;
        self.lives = i32::from(ram.read_ram(0xBB)) + 1;
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
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Skiing (reward is minus the elapsed centiseconds).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Skiing {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Skiing {
    core_fns!("skiing", "b76fbadc8ffb1f83e2ca08b6fb4d6c9f");
    fn step(&mut self, ram: &mut dyn Ram) {
        let centiseconds = decimal2(ram, 0xEA, 0xE9);
        let minutes = i32::from(ram.read_ram(0xE8));
        let score = minutes * 6000 + centiseconds;
        self.reward = self.score - score;
        self.score = score;
        self.terminal = ram.read_ram(0x91) == 0xFF;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Right, Left).contains(&a)
    }
    fn is_legal(&self, a: Action) -> bool {
        !a.stick().fire
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Down; 16]
    }
}

/// Solaris.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Solaris {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Solaris {
    core_fns!("solaris", "e72eb8d4410152bdcb69e7fba327b420");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 10 * decimal3(ram, 0xDC, 0xDD, 0xDE);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xD9);
        self.terminal = lives_byte == 0;
        self.lives = i32::from(lives_byte & 0xF);
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

/// Space Invaders.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SpaceInvaders {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for SpaceInvaders {
    core_fns!("space_invaders", "72ffbef6504b75e69ee1045af9075f66");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0xE8, 0xE6);
        self.reward = score - self.score;
        if self.reward < 0 {
            // The score wraps at 10000.
            self.reward = (10_000 - self.score) + score;
        }
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xC9));
        let some_byte = ram.read_ram(0x98);
        self.terminal = some_byte & 0x80 != 0 || self.lives == 0;
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
        (0..16).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xDC, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Star Gunner.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StarGunner {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
    started: bool,
}

impl GameSettings for StarGunner {
    core_fns!("star_gunner", "a3c1c70024d7aabb41381adbfb6d3b25");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 0;
        let mut mult = 1;
        for addr in [0x83u16, 0x84, 0x85, 0x86] {
            let mut d = i32::from(ram.read_ram(addr) & 0x0F);
            if d == 10 {
                d = 0;
            }
            score += mult * d;
            mult *= 10;
        }
        score *= 100;
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x87);
        self.terminal = lives_byte == 0;
        self.started |= lives_byte == 0x05;
        self.lives = if self.started {
            i32::from(lives_byte & 0xF)
        } else {
            5
        };
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
        (0..4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xF4, 15)
    }
}

/// Surround.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Surround {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Surround {
    core_fns!("surround", "4d7517ae69f95cfbc053be01312b7dba");
    fn step(&mut self, ram: &mut dyn Ram) {
        let theirs = decimal1(ram, 0xF6);
        let mine = decimal1(ram, 0xF7);
        let score = mine - theirs;
        self.reward = score - self.score;
        self.score = score;
        self.terminal = theirs == 10 || mine == 10;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Left, Right, Up, Down).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xF9, 2, |v| u32::from(v) == mode + 1)?;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Tennis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Tennis {
    reward: i32,
    terminal: bool,
    prev_delta_points: i32,
    prev_delta_score: i32,
}

impl GameSettings for Tennis {
    core_fns!("tennis", "42cdd6a9e42a3639e190722b8ea3fc51");
    fn step(&mut self, ram: &mut dyn Ram) {
        let my_score = i32::from(ram.read_ram(0xC5));
        let their_score = i32::from(ram.read_ram(0xC6));
        let my_points = i32::from(ram.read_ram(0xC7));
        let their_points = i32::from(ram.read_ram(0xC8));
        let delta_score = my_score - their_score;
        let delta_points = my_points - their_points;
        self.reward = if self.prev_delta_points != delta_points {
            delta_points - self.prev_delta_points
        } else if self.prev_delta_score != delta_score {
            delta_score - self.prev_delta_score
        } else {
            0
        };
        self.prev_delta_points = delta_points;
        self.prev_delta_score = delta_score;
        self.terminal = (my_points >= 6 && delta_points >= 2)
            || (their_points >= 6 && -delta_points >= 2)
            || my_points == 7
            || their_points == 7;
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

/// Time Pilot.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TimePilot {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for TimePilot {
    core_fns!("time_pilot", "fc2104dd2dadf9a6176c1c1c8f87ced9");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0x8D, 0x8F);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x8B) & 0x7;
        let screen = ram.read_ram(0x80) & 0xF;
        self.terminal = ram.read_ram(0xA0) != 0;
        if screen == 2 {
            self.lives = i32::from(lives_byte) + 1;
        }
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
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
        vec![0, 1, 2]
    }
}

/// Tutankham.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Tutankham {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Tutankham {
    core_fns!("tutankham", "085322bae40d904f53bdcc56df0593fc");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0x9C, 0x9A);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x9E);
        let some_byte = ram.read_ram(0x81);
        self.terminal = lives_byte == 0 && some_byte != 0x84;
        self.lives = i32::from(lives_byte & 0x3);
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Up, Right, Left, Down, UpFire, RightFire, LeftFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 4, 8, 12]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xAB, 2)
    }
}

/// Up'n Down.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpNDown {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for UpNDown {
    core_fns!("up_n_down", "a499d720e7ee35c62424de882a3351b6");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x82, 0x81, 0x80);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x86) & 0xF;
        let death_timer = ram.read_ram(0x94);
        self.terminal = death_timer > 0x40 && lives_byte == 0;
        self.lives = i32::from(lives_byte) + 1;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Down, UpFire, DownFire).contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Venture.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Venture {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Venture {
    core_fns!("venture", "3e899eba0ca8cd2972da1ae5479b4f0d");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0xC8, 0xC7);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xC6);
        let audio_byte = ram.read_ram(0xCD);
        let death_byte = ram.read_ram(0xBF);
        self.terminal = lives_byte == 0 && audio_byte == 0xFF && death_byte & 0x80 != 0;
        self.lives = i32::from(lives_byte & 0x7) + 1;
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
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Video Pinball.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct VideoPinball {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for VideoPinball {
    core_fns!("video_pinball", "107cc025334211e6d29da0b6be46aec7");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xB0, 0xB2, 0xB4);
        self.reward = score - self.score;
        self.score = score;
        self.terminal = ram.read_ram(0xAF) & 0x1 != 0;
        let lives_byte = i32::from(ram.read_ram(0x99) & 0x7);
        let extra_ball = i32::from(ram.read_ram(0xA8) & 0x1);
        self.lives = 4 + extra_ball - lives_byte;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpFire, RightFire, LeftFire
        )
        .contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xC1, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Wizard of Wor.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WizardOfWor {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for WizardOfWor {
    core_fns!("wizard_of_wor", "7e8aa18bc9502eb57daaf5e7c1e94da7");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = decimal2(ram, 0x86, 0x88);
        if score >= 8000 {
            score -= 8000;
        }
        score *= 100;
        self.reward = score - self.score;
        self.score = score;
        let new_lives = i32::from(ram.read_ram(0x8D) & 15);
        let byte1 = ram.read_ram(0xF4);
        let waiting = ram.read_ram(0xD7) & 0x1 == 0;
        self.terminal = new_lives == 0 && byte1 == 0xF8;
        if waiting {
            self.lives = new_lives;
        }
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
        vec![0, 1]
    }
}

/// Yars' Revenge.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct YarsRevenge {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for YarsRevenge {
    core_fns!("yars_revenge", "c5930d0e8cdae3e037349bfa08e871be");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xE2, 0xE1, 0xE0);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x9E) >> 4;
        self.terminal = lives_byte == 0;
        self.lives = i32::from(lives_byte);
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
        vec![Action::Fire]
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 0x20, 0x40, 0x60]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        env.press_select(self, 2);
        select_mode(self, env, mode, 0xE3, 1)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Zaxxon.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Zaxxon {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Zaxxon {
    core_fns!("zaxxon", "eea0da9b987d661264cce69a7c13c3bd");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0xE9, 0xE8);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xEA) & 0x7;
        self.terminal = lives_byte == 0;
        self.lives = i32::from(lives_byte);
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
        vec![0, 8, 16, 24]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x82, 10)
    }
}
