//! Games beyond the Atari-57, Mario Bros. .. Word Zapper.

use serde::{Deserialize, Serialize};

use super::{
    FULL, GameSettings, ModeEnv, Ram, actions, core_fns, decimal1, decimal2, decimal3,
    lives_unless_terminal, select_mode, select_until,
};
use crate::action::{Action, PlayerInput};
use crate::error::AleError;

fn stuck(game: &'static str, mode: u32, presses: usize) -> AleError {
    AleError::ModeNotReached {
        game,
        mode,
        presses,
    }
}

/// Mario Bros.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MarioBros {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for MarioBros {
    core_fns!("mario_bros", "e908611d99890733be31733a979c62d8");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 100 * decimal2(ram, 0x8A, 0x89);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0x87));
        self.terminal = self.lives == 0;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Noop; 10];
        v.extend([Action::Fire; 7]);
        v
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 2, 4, 6]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 5)
    }
}

/// Miniature Golf (reward: par minus strokes per hole).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MiniatureGolf {
    reward: i32,
    terminal: bool,
    level: i32,
    par: i32,
    hits: i32,
    left_status: i32,
    hits_at_level_start: i32,
}

impl GameSettings for MiniatureGolf {
    core_fns!("miniature_golf", "df62a658496ac98a3aa4a6ee5719c251");
    fn step(&mut self, ram: &mut dyn Ram) {
        self.reward = 0;
        let left = decimal1(ram, 0x87);
        let right = decimal1(ram, 0x88);
        let level = decimal1(ram, 0xAF);
        if level != self.level {
            let total = self.left_status + self.hits;
            let previous_level_hits = total - self.hits_at_level_start;
            if previous_level_hits > 0 {
                self.reward = self.par - previous_level_hits;
            }
            if level == 0 {
                self.terminal = true;
            }
            self.level = level;
            self.hits = 0;
            self.hits_at_level_start = self.left_status;
        }
        if right != 0 {
            self.par = right;
        } else {
            if left < self.left_status {
                self.hits += self.left_status;
            }
            self.left_status = left;
        }
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Mr. Do!
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MrDo {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for MrDo {
    core_fns!("mr_do", "aa7bb54d2c189a31bb1fa20099e42859");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = 10 * decimal2(ram, 0x82, 0x83);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xDB));
        self.terminal = ram.read_ram(0xDA) == 0x40;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpFire, RightFire, LeftFire, DownFire
        )
        .contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x80, 5)
    }
}

/// Othello.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Othello {
    reward: i32,
    score: i32,
    terminal: bool,
    no_input: i32,
}

impl GameSettings for Othello {
    core_fns!("othello", "113cd09c9771ac278544b7e90efe7df2");
    fn step(&mut self, ram: &mut dyn Ram) {
        let white = decimal1(ram, 0xCE);
        let black = decimal1(ram, 0xD0);
        let score = white - black;
        self.reward = score - self.score;
        self.score = score;
        if ram.read_ram(0xC0) == 0 {
            self.no_input += 1;
        } else {
            self.no_input = 0;
        }
        self.terminal = self.no_input > 50;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft
        )
        .contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0, 1, 2]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 3 {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xDE, 2, |v| {
            u32::from(v.wrapping_sub(1)) == mode
        })?;
        env.soft_reset(self);
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 2]
    }
}

/// Pac-Man.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pacman {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Pacman {
    core_fns!("pacman", "fc2233fc116faef0d3c31541717ca2db");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xCC, 0xCE, 0xD0);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0x98)) + 1;
        let animation_counter = ram.read_ram(0xE4);
        self.terminal = self.lives == 1 && animation_counter == 0x3F;
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
        (0..8).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode >= 8 {
            return Err(self.invalid_mode(mode));
        }
        let mut presses = 0;
        loop {
            let m = env.read_ram(0xCC).wrapping_sub(1);
            let one_player = env.read_ram(0xE6) == 0;
            if u32::from(m) == mode && one_player {
                break;
            }
            if presses >= super::MAX_SELECT_PRESSES {
                return Err(stuck(self.rom(), mode, presses));
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

/// Pitfall II: Lost Caverns.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pitfall2 {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Pitfall2 {
    core_fns!("pitfall2", "6d842c96d5a01967be9680080dd5be54");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xC9, 0xC8, 0xC7);
        self.reward = score - self.score;
        self.score = score;
        self.lives = 1;
        self.terminal = self.score == 199_000;
    }
    fn reset(&mut self) {
        *self = Self {
            score: 4000,
            lives: 1,
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

/// Pooyan.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pooyan {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Pooyan {
    core_fns!("pooyan", "4799a40b6e889370b7ee55c17ba65141");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0x8A, 0x89, 0x88);
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = ram.read_ram(0x96);
        let some_byte = ram.read_ram(0x98);
        self.terminal = lives_byte == 0 && some_byte == 0x05;
        self.lives = i32::from(lives_byte & 0x7) + 1;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 3,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Up, Down, UpFire, DownFire).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        vec![0x0A, 0x1E, 0x32, 0x46]
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        env.press_select(self, 2);
        select_mode(self, env, mode, 0xBD, 2)
    }
}

/// Sir Lancelot.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SirLancelot {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for SirLancelot {
    core_fns!("sir_lancelot", "dd0cbe5351551a538414fb9e37fc56e8");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xA0, 0x9F, 0x9E);
        self.reward = score - self.score;
        self.score = score;
        self.lives = i32::from(ram.read_ram(0xA9));
        self.terminal = self.lives == 0 && ram.read_ram(0xA7) == 0xA0;
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
    fn starting_inputs(&self) -> Vec<PlayerInput> {
        vec![PlayerInput::Reset, PlayerInput::Act(Action::Left)]
    }
}

/// Space War.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SpaceWar {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for SpaceWar {
    core_fns!("space_war", "b702641d698c60bcdc922dbd8c9dd49c");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal1(ram, 0xA7);
        self.reward = score - self.score;
        self.score = score;
        let timer = ram.read_ram(0x80);
        self.terminal = score == 10 || timer == 0;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (6..=17).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        select_until(self, env, mode, 0xA7, 2, |v| super::bcd(v) as u32 == mode)?;
        env.soft_reset(self);
        Ok(())
    }
}

/// Superman (reward: time left when the game is won).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Superman {
    reward: i32,
    terminal: bool,
    time_in_seconds: i32,
}

impl GameSettings for Superman {
    core_fns!("superman", "a9531c763077464307086ec9a1fd057d");
    fn step(&mut self, ram: &mut dyn Ram) {
        let seconds = decimal1(ram, 0xE2);
        let minutes = decimal1(ram, 0xE3);
        self.time_in_seconds = minutes * 60 + seconds;
        let lo = u32::from(ram.read_ram(0x80));
        let hi = u32::from(ram.read_ram(0x81));
        let room = lo + (hi << 8);
        let clark_kent = ram.read_ram(0x9F) & 0x40 != 0;
        self.terminal = clark_kent && room == 0xF2AC;
        const MAX_TIME: i32 = 99 * 60 + 59;
        self.reward = if self.terminal {
            MAX_TIME - self.time_in_seconds
        } else {
            0
        };
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

/// Tetris (homebrew).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Tetris {
    reward: i32,
    score: i32,
    terminal: bool,
    started: bool,
}

impl GameSettings for Tetris {
    core_fns!("tetris", "b0e1ee07fbc73493eac5651a52f90f00");
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal2(ram, 0x71, 0x72);
        self.reward = if score > self.score {
            score - self.score
        } else {
            0
        };
        self.score = score;
        self.started = true;
        let byte = ram.read_ram(0x73);
        self.terminal = self.started && byte & 0x80 != 0;
        if self.terminal {
            self.score = 0;
            self.started = false;
        }
    }
    fn lives(&self) -> i32 {
        0
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Noop, Fire, Right, Left, Down).contains(&a)
    }
}

/// 3-D Tic-Tac-Toe.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TicTacToe3d {
    reward: i32,
    terminal: bool,
}

impl GameSettings for TicTacToe3d {
    core_fns!("tic_tac_toe_3d", "0db4f4150fecf77e4ce72ca4d04c052f");
    fn step(&mut self, ram: &mut dyn Ram) {
        self.reward = 0;
        let lo = ram.read_ram(0xFE);
        let hi = ram.read_ram(0xFF);
        let winner = ram.read_ram(0xE1);
        if hi == 0xF3 && lo == 0x10 {
            self.reward = if winner == 0x08 { 1 } else { -1 };
            self.terminal = true;
        }
        for addr in 0x9A..=0xD9 {
            if ram.read_ram(addr) == 0 {
                return;
            }
        }
        self.terminal = true;
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft
        )
        .contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..9).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0x88, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 2]
    }
}

/// Tron: Deadly Discs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Trondead {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Trondead {
    core_fns!("trondead", "fb27afe896e7c928089307b32e5642ee");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let score = decimal3(ram, 0xBF, 0xBE, 0xBD);
        self.reward = score - self.score;
        self.score = score;
        let hits = i32::from(ram.read_ram(0xC8));
        self.terminal = hits == 5;
        self.lives = 5 - hits;
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
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Turmoil.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Turmoil {
    reward: i32,
    score: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for Turmoil {
    core_fns!("turmoil", "7a5463545dfb2dcfdafa6074b2f2c15e");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut score = decimal2(ram, 0x89, 0x8A);
        score += i32::from(ram.read_ram(0xD3));
        score *= 10;
        self.reward = score - self.score;
        self.score = score;
        let lives_byte = i32::from(ram.read_ram(0xB9));
        self.terminal = lives_byte == 0 && ram.read_ram(0xC5) == 0x01;
        self.lives = lives_byte;
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 4,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft, RightFire,
            LeftFire
        )
        .contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        vec![Action::Fire]
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..9).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xEA, 2)
    }
}

/// Video Checkers (+1 / -1 when one side has no pieces left).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct VideoCheckers {
    reward: i32,
    terminal: bool,
    reverse_checkers: bool,
}

impl GameSettings for VideoCheckers {
    core_fns!("video_checkers", "539d26b6e9df0da8e7465f0f5ad863b7");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut black = 0u8;
        let mut white = 0u8;
        let squares = (0x80..=0x87)
            .chain(0x89..=0x90)
            .chain(0x92..=0x99)
            .chain(0x9B..=0xA2);
        for addr in squares {
            match ram.read_ram(addr) {
                0x10 | 0x20 => black = black.wrapping_add(1),
                0x90 | 0xA0 => white = white.wrapping_add(1),
                _ => {}
            }
        }
        if black == 0 {
            self.reward = if self.reverse_checkers { 1 } else { -1 };
            self.terminal = true;
        } else if white == 0 {
            self.reward = if self.reverse_checkers { -1 } else { 1 };
            self.terminal = true;
        }
    }
    fn reset(&mut self) {
        // ALE's reset keeps the variant chosen by the last mode selection.
        *self = Self {
            reverse_checkers: self.reverse_checkers,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(Fire, UpRight, UpLeft, DownRight, DownLeft).contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (1..=9).chain(11..=19).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        self.reverse_checkers = mode >= 11;
        let target = if self.reverse_checkers {
            mode + 6
        } else {
            mode
        };
        select_until(self, env, mode, 0xF6, 1, |v| u32::from(v) == target)?;
        env.soft_reset(self);
        Ok(())
    }
}

/// Video Chess (+1 / -1 on checkmate).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct VideoChess {
    reward: i32,
    terminal: bool,
    lives: i32,
}

impl GameSettings for VideoChess {
    core_fns!("video_chess", "f0b7db930ca0e548c41a97160b9f6275");
    lives_unless_terminal!();
    fn step(&mut self, ram: &mut dyn Ram) {
        self.reward = 0;
        if ram.read_ram(0xE1) == 0x82 {
            match ram.read_ram(0xEE) {
                0x00 => {
                    self.reward += 1;
                    self.terminal = true;
                }
                0x01 => {
                    self.reward -= 1;
                    self.terminal = true;
                }
                _ => {}
            }
        }
    }
    fn reset(&mut self) {
        *self = Self {
            lives: 1,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        actions!(
            Noop, Fire, Up, Right, Left, Down, UpRight, UpLeft, DownRight, DownLeft
        )
        .contains(&a)
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..5).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xEA, 1)
    }
}

/// Video Cube. Modes are `100 * cube + variant` (cube 0..=50, variant 0..3).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct VideoCube {
    reward: i32,
    terminal: bool,
    cube_number: i32,
    face_count: i32,
    timer: [i32; 2],
}

impl GameSettings for VideoCube {
    core_fns!("video_cube", "3f540a30fdee0b20aed7288e4a5ea528");
    fn step(&mut self, ram: &mut dyn Ram) {
        let mut complete = 0;
        for face in 0..6u16 {
            let base = 0xA0 + face * 9;
            let first = ram.read_ram(base);
            let mut all_match = true;
            for block in 1..9 {
                all_match = ram.read_ram(base + block) == first;
                if !all_match {
                    break;
                }
            }
            if all_match {
                complete += 1;
            }
        }
        self.timer[1] = self.timer[0];
        self.timer[0] = i32::from(ram.read_ram(0xDB));
        let timed_out = self.timer[0] == 0 && self.timer[1] == 255;
        self.reward = if timed_out {
            -1
        } else {
            complete - self.face_count
        };
        self.face_count = complete;
        self.terminal = timed_out || complete == 6;
    }
    fn reset(&mut self) {
        // ALE does not reset its timer history here.
        *self = Self {
            cube_number: 1,
            timer: self.timer,
            ..Self::default()
        };
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Noop; 61];
        v.extend([Action::Fire, Action::Noop, Action::Noop]);
        v
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..=50u32)
            .flat_map(|c| (0..3).map(move |i| c * 100 + i))
            .collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        const VARIANTS: [u8; 3] = [1, 3, 9];
        if !self.available_modes().contains(&mode) {
            return Err(self.invalid_mode(mode));
        }
        if mode >= 100 {
            self.cube_number = (mode / 100) as i32;
        }
        let required = VARIANTS[(mode % 100) as usize] - 1;
        select_until(self, env, mode, 0xFB, 2, |v| v & 0x1F == required)?;
        env.soft_reset(self);
        // ALE keeps the cube number in an unsigned char and loops without limit;
        // reaching cube 50 takes a few thousand frames.
        let mut moves = 0;
        while i32::from(decimal1(env, 0x9F) as u8) != self.cube_number {
            if moves >= 100_000 {
                return Err(stuck(self.rom(), mode, moves));
            }
            env.act(self, Action::Right);
            moves += 1;
        }
        Ok(())
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1]
    }
}

/// Word Zapper.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WordZapper {
    reward: i32,
    score: i32,
    terminal: bool,
}

impl GameSettings for WordZapper {
    core_fns!("word_zapper", "ec3beb6d8b5689e867bafb5d5f507491");
    fn step(&mut self, ram: &mut dyn Ram) {
        let wall_clock = decimal1(ram, 0xCF);
        if wall_clock > 0 {
            let score = 2 - i32::from(ram.read_ram(0xDC) as i8);
            self.reward = score - self.score;
            self.score = score;
            let time_remaining = decimal1(ram, 0xDE);
            self.terminal = score == 3 || time_remaining == 0;
        }
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn is_minimal(&self, a: Action) -> bool {
        FULL.contains(&a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Noop; 486];
        v.extend([Action::Fire, Action::Noop, Action::Noop]);
        v
    }
    fn available_modes(&self) -> Vec<u32> {
        (0..24).collect()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        select_mode(self, env, mode, 0xDB, 2)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0, 1, 2, 3]
    }
}
