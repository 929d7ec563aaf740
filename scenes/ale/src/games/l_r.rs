//! Games Montezuma's Revenge .. Robotank.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal2, decimal3, lives_unless_terminal,
    select_mode,
};
use crate::action::Action;
use crate::error::AleError;

/// Montezuma's Revenge.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MontezumaRevenge {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for MontezumaRevenge {
    core_fns!("montezuma_revenge", "3347a6dd59049b15a38394aa2dafa585");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x95, 0x94, 0x93);
        self.reward = score - self.score;
        self.score = score;
        let new_lives = ram.read_ram(0xBA);
        let some_byte = ram.read_ram(0xFE);
        self.terminal = new_lives == 0 && some_byte == 0x60;
        self.lives = i32::from(new_lives & 0x7) + 1;
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
}

/// Ms. Pac-Man.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MsPacman {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for MsPacman {
    core_fns!("ms_pacman", "87e79cd41ce136fd4f72cc6e2c161bee");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xF8, 0xF9, 0xFA);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xFB) & 0xF;
        let death_timer = ram.read_ram(0xA7);
        self.terminal = lives_byte == 0 && death_timer == 0x53;
        self.lives = i32::from(lives_byte & 0x7) + 1;
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
    fn available_modes(&self) -> Vec<u32> {
        (0..4).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 4 {
            return Err(self.invalid_mode(mode));
        }
        // Mode 0 is game 1 with variation 1; mode m > 0 is game m with variation 0.
        let (want_mode, want_var) = if mode == 0 {
            (1u8, 1u8)
        } else {
            (mode as u8, 0)
        };
        let mut presses = 0;
        loop {
            let m = env.read_ram(0x99);
            let var = env.read_ram(0xA1);
            if m == want_mode && var == want_var {
                break;
            }
            if presses >= super::MAX_SELECT_PRESSES {
                return Err(AleError::ModeNotReached {
                    game: self.rom(),
                    mode,
                    presses,
                });
            }
            env.press_select(self, 10);
            presses += 1;
        }
        env.soft_reset(self);
        Ok(())
    }
}

/// Name This Game.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NameThisGame {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for NameThisGame {
    core_fns!("name_this_game", "36306070f0c90a72461551a7a4f3a209");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xC6, 0xC5, 0xC4);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xC7) & 0x7);
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left, RightFire, LeftFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0x08, 0x18, 0x28]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xDE, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Phoenix.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Phoenix {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Phoenix {
    core_fns!("phoenix", "7e52a95074a66640fcfde124fffd491a");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 10 * decimal2(ram, 0xC8, 0xC9);
        score += i32::from(ram.read_ram(0xC7) >> 4);
        score *= 10;
        self.reward = score - self.score;
        self.score = score;
        let state = ram.read_ram(0xCC);
        self.terminal = state == 0x80;
        self.lives = i32::from(ram.read_ram(0xCB) & 0x7);
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 5,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left, Down, RightFire, LeftFire, DownFire).contains(&a)
    }
}

/// Pitfall!
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pitfall {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Pitfall {
    core_fns!("pitfall", "3e90cf23106f2e08b2781e41299de556");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xD7, 0xD6, 0xD5);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x80) >> 4;
        let logo_timer = ram.read_ram(0x9E);
        self.terminal = lives_byte == 0 && logo_timer != 0;
        self.lives = match lives_byte {
            0xA => 3,
            0x8 => 2,
            _ => 1,
        };
    }
    fn reset(&mut self) {
        *self = Self {
            score: 2000,
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Up]
    }
}

/// Pong.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pong {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for Pong {
    core_fns!("pong", "60e0ea3cbe0913d39803477945e9e5ec");
    fn step(&mut self, ram: &mut dyn Ram) {
        let cpu = i32::from(ram.read_ram(13));
        let player = i32::from(ram.read_ram(14));
        let score = player - cpu;
        self.reward = score - self.score;
        self.score = score;
        self.terminal = cpu == 21 || player == 21;
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
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x96, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Private Eye.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PrivateEye {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for PrivateEye {
    core_fns!("private_eye", "ef3a4f64b6494ba770862768caf04b86");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xCA, 0xC9, 0xC8);
        self.reward = score - self.score;
        self.score = score;
        let copyright_timer = ram.read_ram(0xC2);
        self.terminal = copyright_timer != 0 && copyright_timer != 1;
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self {
            score: 1000,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Up]
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..5).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}

/// Q*bert.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Qbert {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
    last_lives: i32,
}

impl GameSettings for Qbert {
    core_fns!("qbert", "484b0076816a104875e00467d431c2d2");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let lives_value = ram.read_ram(0x88);
        self.terminal = lives_value == 0xFE || (lives_value == 0x02 && self.last_lives == -1);
        let lives_signed = i32::from(lives_value as i8);
        if self.last_lives - 1 == lives_signed {
            self.lives -= 1;
        }
        self.last_lives = lives_signed;
        if self.terminal {
            self.reward = 0;
        } else {
            let score = decimal3(ram, 0xDB, 0xDA, 0xD9);
            self.reward = score - self.score;
            self.score = score;
        }
    }
    fn reset(&mut self) {
        *self = Self {
            last_lives: 2,
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Right, Left, Down).contains(&a)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// River Raid.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RiverRaid {
    reward: i32,
    score: i32,
    terminal: bool,
    lives_byte: u8,
}

/// River Raid draws digit `d` with RAM value `8 d`; other values count as 0.
fn river_raid_digit(value: u8) -> i32 {
    if value.is_multiple_of(8) && value <= 72 {
        i32::from(value / 8)
    } else {
        0
    }
}

impl GameSettings for RiverRaid {
    core_fns!("riverraid", "393948436d1f4cc3192410bb918f9724");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 0;
        let mut mult = 1;
        for addr in [87u16, 85, 83, 81, 79, 77] {
            score += mult * river_raid_digit(ram.read_ram(addr));
            mult *= 10;
        }
        self.reward = score - self.score;
        self.score = score;
        let byte = ram.read_ram(0xC0);
        self.terminal = byte == 0x58 && self.lives_byte == 0x59;
        self.lives_byte = byte;
    }
    fn lives(&self) -> i32 {
        if self.terminal {
            0
        } else {
            match self.lives_byte {
                0x58 => 4,
                0x59 => 1,
                b => i32::from(b / 8) + 1,
            }
        }
    }
    fn reset(&mut self) {
        *self = Self {
            lives_byte: 0x58,
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

/// Road Runner.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RoadRunner {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for RoadRunner {
    core_fns!("road_runner", "ce5cc62608be2cd3ed8abd844efb8919");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = 0;
        let mut mult = 1;
        for digit in 0..4 {
            let mut v = i32::from(ram.read_ram(0xC9 + digit) & 0xF);
            if v == 0xA {
                v = 0;
            }
            score += mult * v;
            mult *= 10;
        }
        score *= 100;
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0xC4) & 0x7;
        let y_vel = ram.read_ram(0xB9);
        let x_vel_death = ram.read_ram(0xBD);
        self.terminal = lives_byte == 0 && (y_vel != 0 || x_vel_death != 0);
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
}

/// Robotank.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RoboTank {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for RoboTank {
    core_fns!("robotank", "4f618c2429138e0280969193ed6c107e");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let dead_squadrons = i32::from(ram.read_ram(0xB6));
        let dead_tanks = i32::from(ram.read_ram(0xB5));
        let score = dead_squadrons * 12 + dead_tanks;
        self.reward = score - self.score;
        self.score = score;
        let termination_flag = ram.read_ram(0xB4);
        let lives = ram.read_ram(0xA8);
        self.terminal = lives == 0 && termination_flag == 0xFF;
        self.lives = i32::from(lives & 0xF) + 1;
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
}
