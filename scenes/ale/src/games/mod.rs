//! ALE's per-game settings: reward, terminal, lives, action sets, modes, difficulties.
//!
//! Every game reads the console RAM through [`Ram::read_ram`], which must be a bus
//! `peek` (reads update the data bus, exactly as ALE's `readRam`), in the same order
//! ALE reads it. Facts (RAM addresses, score encodings, mode lists) come from ALE 0.12's
//! `src/ale/games/supported/*.cpp`.

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::error::AleError;

mod a_c;
mod d_k;
mod extra_a;
mod extra_b;
mod extra_c;
mod l_r;
mod s_z;

/// Read access to the console RAM as ALE's `readRam` does it: `peek(0x80 + (offset & 0x7F))`.
pub trait Ram {
    /// Reads RAM byte `offset & 0x7F` through the bus (side effects included).
    fn read_ram(&mut self, offset: u16) -> u8;
    /// Reads any bus address (ALE's `readMappedRam`, e.g. cartridge RAM).
    fn read_mapped(&mut self, addr: u16) -> u8;
}

/// What a game's `set_mode` may do with the environment (ALE's `StellaEnvironmentWrapper`).
///
/// Each call takes the game being configured, since the frames it emulates step that
/// game's settings (as in ALE, where the wrapper and the settings share state).
pub trait ModeEnv: Ram {
    /// Holds SELECT for `frames` frames (no game step), then one NOOP frame (counted).
    fn press_select(&mut self, game: &mut dyn GameSettings, frames: usize);
    /// Holds RESET for 4 frames, then forgets the last actions.
    fn soft_reset(&mut self, game: &mut dyn GameSettings);
    /// A full `act` for player A (player B NOOP, paddle strengths 1.0), sticky actions and
    /// frame skip included; returns the reward.
    fn act(&mut self, game: &mut dyn GameSettings, action: Action) -> i32;
    /// A raw draw from the environment's sticky-action mt19937 (`getEnvironmentRNG`).
    fn rng_next(&mut self) -> u32;
}

/// One ALE game: how it is scored and controlled.
pub trait GameSettings {
    /// ALE's ROM name (`"space_invaders"`).
    fn rom(&self) -> &'static str;
    /// MD5 of the ROM dump ALE supports.
    fn md5(&self) -> &'static str;
    /// Processes the latest frame (called after every emulated frame).
    fn step(&mut self, ram: &mut dyn Ram);
    /// Reward of the latest step.
    fn reward(&self) -> i32;
    /// Whether the game is over.
    fn is_terminal(&self) -> bool;
    /// Lives left (ALE default: 0 when terminal, else 1).
    fn lives(&self) -> i32 {
        if self.is_terminal() { 0 } else { 1 }
    }
    /// Resets the episode bookkeeping (not the console).
    fn reset(&mut self);
    /// Whether `a` is in the game's minimal action set.
    fn is_minimal(&self, a: Action) -> bool;
    /// Whether `a` is legal (illegal actions become NOOP).
    fn is_legal(&self, _a: Action) -> bool {
        true
    }
    /// Actions played, one frame each, at the end of every reset.
    fn starting_actions(&self) -> Vec<Action> {
        Vec::new()
    }
    /// Starting inputs, which may also press the console RESET switch (a few games);
    /// by default [`GameSettings::starting_actions`].
    fn starting_inputs(&self) -> Vec<crate::action::PlayerInput> {
        self.starting_actions()
            .into_iter()
            .map(crate::action::PlayerInput::Act)
            .collect()
    }
    /// Game modes ALE exposes.
    fn available_modes(&self) -> Vec<u32> {
        vec![0]
    }
    /// Mode used unless another is chosen: the first available one.
    fn default_mode(&self) -> u32 {
        self.available_modes().first().copied().unwrap_or(0)
    }
    /// Selects `mode` by driving the console (SELECT presses, soft resets).
    fn set_mode(&mut self, mode: u32, _env: &mut dyn ModeEnv) -> Result<(), AleError> {
        if mode == 0 {
            Ok(())
        } else {
            Err(self.invalid_mode(mode))
        }
    }
    /// Difficulty switch settings ALE exposes (bit 0 left A, bit 1 right A).
    fn available_difficulties(&self) -> Vec<u32> {
        vec![0]
    }
    /// Paddle resistance range (ALE's `paddle_min`/`paddle_max`, changed by a few games'
    /// `modifyEnvironmentSettings`).
    fn paddle_range(&self) -> (i32, i32) {
        (crate::action::PADDLE_MIN, crate::action::PADDLE_MAX)
    }
    /// The error for an unavailable mode.
    fn invalid_mode(&self, mode: u32) -> AleError {
        AleError::InvalidMode {
            game: self.rom(),
            mode,
            available: self.available_modes(),
        }
    }
    /// Legal actions in ALE order (`getLegalActionSet`).
    fn legal_actions(&self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.is_legal(*a))
            .collect()
    }
    /// Minimal actions in ALE order (`getMinimalActionSet`).
    fn minimal_actions(&self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.is_minimal(*a) && self.is_legal(*a))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the games.

/// Most presses a mode search tries before giving up (ALE loops forever).
pub const MAX_SELECT_PRESSES: usize = 512;

/// Two BCD digits of one byte as a number (`0x42` -> 42), ALE's `getDecimalScore(i)`.
pub fn bcd(value: u8) -> i32 {
    10 * i32::from(value >> 4) + i32::from(value & 0x0F)
}

/// ALE's one-byte decimal score.
pub fn decimal1(ram: &mut dyn Ram, index: u16) -> i32 {
    bcd(ram.read_ram(index))
}

/// ALE's two-byte decimal score: `lower` holds the units and tens, `higher` hundreds and
/// thousands.
pub fn decimal2(ram: &mut dyn Ram, lower: u16, higher: u16) -> i32 {
    let lo = ram.read_ram(lower);
    let hi = ram.read_ram(higher);
    bcd(lo) + 100 * bcd(hi)
}

/// ALE's three-byte decimal score (up to 999999).
pub fn decimal3(ram: &mut dyn Ram, lower: u16, middle: u16, higher: u16) -> i32 {
    let low = decimal2(ram, lower, middle);
    low + 10_000 * bcd(ram.read_ram(higher))
}

/// Presses SELECT (`frames` frames each) until `done(ram[addr])`, as ALE's mode loops do.
pub fn select_until(
    game: &mut dyn GameSettings,
    env: &mut dyn ModeEnv,
    mode: u32,
    addr: u16,
    frames: usize,
    done: impl Fn(u8) -> bool,
) -> Result<(), AleError> {
    let mut value = env.read_ram(addr);
    let mut presses = 0;
    while !done(value) {
        if presses >= MAX_SELECT_PRESSES {
            return Err(AleError::ModeNotReached {
                game: game.rom(),
                mode,
                presses,
            });
        }
        env.press_select(game, frames);
        presses += 1;
        value = env.read_ram(addr);
    }
    Ok(())
}

/// The common ALE mode routine: check `mode` is available, press SELECT until
/// `ram[addr] == mode`, then soft-reset.
pub fn select_mode(
    game: &mut dyn GameSettings,
    env: &mut dyn ModeEnv,
    mode: u32,
    addr: u16,
    frames: usize,
) -> Result<(), AleError> {
    if !game.available_modes().contains(&mode) {
        return Err(game.invalid_mode(mode));
    }
    select_until(game, env, mode, addr, frames, |v| u32::from(v) == mode)?;
    env.soft_reset(game);
    Ok(())
}

/// All 18 actions are minimal.
pub(crate) const FULL: &[Action] = &Action::ALL;

/// Builds a minimal action set from ALE ids.
macro_rules! actions {
    ($($a:ident),* $(,)?) => { &[$(crate::action::Action::$a),*] };
}
pub(crate) use actions;

/// Implements `reward` and `is_terminal` from `self.reward` / `self.terminal`.
macro_rules! core_fns {
    ($rom:literal, $md5:literal) => {
        fn rom(&self) -> &'static str {
            $rom
        }
        fn md5(&self) -> &'static str {
            $md5
        }
        fn reward(&self) -> i32 {
            self.reward
        }
        fn is_terminal(&self) -> bool {
            self.terminal
        }
    };
}
pub(crate) use core_fns;

/// `lives()` as `0` when terminal, else `self.lives`.
macro_rules! lives_unless_terminal {
    () => {
        fn lives(&self) -> i32 {
            if self.terminal { 0 } else { self.lives }
        }
    };
}
pub(crate) use lives_unless_terminal;

macro_rules! game_table {
    ($($variant:ident => $module:ident :: $ty:ident),* $(,)?) => {
        /// Settings of every supported game, one variant per game (Clone + serde, so an
        /// environment can be saved and restored).
        #[derive(Clone, Debug, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub enum Game {
            $($variant($module::$ty)),*
        }

        impl Game {
            /// Fresh settings (after `reset`) for ALE ROM name `rom`.
            pub fn from_rom_name(rom: &str) -> Option<Game> {
                $(
                    {
                        let g = <$module::$ty>::default();
                        if g.rom() == rom {
                            let mut g = g;
                            g.reset();
                            return Some(Game::$variant(g));
                        }
                    }
                )*
                None
            }

            /// Fresh settings for the ROM with this MD5 (lower-case hex).
            pub fn from_md5(md5: &str) -> Option<Game> {
                $(
                    {
                        let g = <$module::$ty>::default();
                        if g.md5() == md5 {
                            let mut g = g;
                            g.reset();
                            return Some(Game::$variant(g));
                        }
                    }
                )*
                None
            }

            /// ROM names of every supported game.
            pub fn supported() -> Vec<&'static str> {
                vec![$(<$module::$ty>::default().rom()),*]
            }

            fn inner(&self) -> &dyn GameSettings {
                match self { $(Game::$variant(g) => g),* }
            }

            fn inner_mut(&mut self) -> &mut dyn GameSettings {
                match self { $(Game::$variant(g) => g),* }
            }
        }
    };
}

game_table! {
    Alien => a_c::Alien,
    Amidar => a_c::Amidar,
    Assault => a_c::Assault,
    Asterix => a_c::Asterix,
    Asteroids => a_c::Asteroids,
    Atlantis => a_c::Atlantis,
    BankHeist => a_c::BankHeist,
    BattleZone => a_c::BattleZone,
    BeamRider => a_c::BeamRider,
    Berzerk => a_c::Berzerk,
    Bowling => a_c::Bowling,
    Boxing => a_c::Boxing,
    Breakout => a_c::Breakout,
    Centipede => a_c::Centipede,
    ChopperCommand => a_c::ChopperCommand,
    CrazyClimber => a_c::CrazyClimber,
    Defender => d_k::Defender,
    DemonAttack => d_k::DemonAttack,
    DoubleDunk => d_k::DoubleDunk,
    Enduro => d_k::Enduro,
    FishingDerby => d_k::FishingDerby,
    Freeway => d_k::Freeway,
    Frostbite => d_k::Frostbite,
    Gopher => d_k::Gopher,
    Gravitar => d_k::Gravitar,
    Hero => d_k::Hero,
    IceHockey => d_k::IceHockey,
    JamesBond => d_k::JamesBond,
    Kangaroo => d_k::Kangaroo,
    Krull => d_k::Krull,
    KungFuMaster => d_k::KungFuMaster,
    MontezumaRevenge => l_r::MontezumaRevenge,
    MsPacman => l_r::MsPacman,
    NameThisGame => l_r::NameThisGame,
    Phoenix => l_r::Phoenix,
    Pitfall => l_r::Pitfall,
    Pong => l_r::Pong,
    PrivateEye => l_r::PrivateEye,
    Qbert => l_r::Qbert,
    RiverRaid => l_r::RiverRaid,
    RoadRunner => l_r::RoadRunner,
    RoboTank => l_r::RoboTank,
    Seaquest => s_z::Seaquest,
    Skiing => s_z::Skiing,
    Solaris => s_z::Solaris,
    SpaceInvaders => s_z::SpaceInvaders,
    StarGunner => s_z::StarGunner,
    Surround => s_z::Surround,
    Tennis => s_z::Tennis,
    TimePilot => s_z::TimePilot,
    Tutankham => s_z::Tutankham,
    UpNDown => s_z::UpNDown,
    Venture => s_z::Venture,
    VideoPinball => s_z::VideoPinball,
    WizardOfWor => s_z::WizardOfWor,
    YarsRevenge => s_z::YarsRevenge,
    Zaxxon => s_z::Zaxxon,
    Adventure => extra_a::Adventure,
    AirRaid => extra_a::AirRaid,
    Atlantis2 => extra_a::Atlantis2,
    Backgammon => extra_a::Backgammon,
    BasicMath => extra_a::BasicMath,
    Blackjack => extra_a::Blackjack,
    Carnival => extra_a::Carnival,
    Casino => extra_a::Casino,
    Crossbow => extra_a::Crossbow,
    DarkChambers => extra_a::DarkChambers,
    DonkeyKong => extra_a::DonkeyKong,
    Earthworld => extra_a::Earthworld,
    ElevatorAction => extra_a::ElevatorAction,
    Entombed => extra_a::Entombed,
    Et => extra_a::Et,
    FlagCapture => extra_a::FlagCapture,
    Frogger => extra_a::Frogger,
    Galaxian => extra_b::Galaxian,
    Hangman => extra_b::Hangman,
    HauntedHouse => extra_b::HauntedHouse,
    HumanCannonball => extra_b::HumanCannonball,
    JourneyEscape => extra_b::JourneyEscape,
    Kaboom => extra_b::Kaboom,
    KeystoneKapers => extra_b::KeystoneKapers,
    KingKong => extra_b::KingKong,
    Klax => extra_b::Klax,
    Koolaid => extra_b::Koolaid,
    LaserGates => extra_b::LaserGates,
    LostLuggage => extra_b::LostLuggage,
    MarioBros => extra_c::MarioBros,
    MiniatureGolf => extra_c::MiniatureGolf,
    MrDo => extra_c::MrDo,
    Othello => extra_c::Othello,
    Pacman => extra_c::Pacman,
    Pitfall2 => extra_c::Pitfall2,
    Pooyan => extra_c::Pooyan,
    SirLancelot => extra_c::SirLancelot,
    SpaceWar => extra_c::SpaceWar,
    Superman => extra_c::Superman,
    Tetris => extra_c::Tetris,
    TicTacToe3d => extra_c::TicTacToe3d,
    Trondead => extra_c::Trondead,
    Turmoil => extra_c::Turmoil,
    VideoCheckers => extra_c::VideoCheckers,
    VideoChess => extra_c::VideoChess,
    VideoCube => extra_c::VideoCube,
    WordZapper => extra_c::WordZapper,
}

impl GameSettings for Game {
    fn rom(&self) -> &'static str {
        self.inner().rom()
    }
    fn md5(&self) -> &'static str {
        self.inner().md5()
    }
    fn step(&mut self, ram: &mut dyn Ram) {
        self.inner_mut().step(ram)
    }
    fn reward(&self) -> i32 {
        self.inner().reward()
    }
    fn is_terminal(&self) -> bool {
        self.inner().is_terminal()
    }
    fn lives(&self) -> i32 {
        self.inner().lives()
    }
    fn reset(&mut self) {
        self.inner_mut().reset()
    }
    fn is_minimal(&self, a: Action) -> bool {
        self.inner().is_minimal(a)
    }
    fn is_legal(&self, a: Action) -> bool {
        self.inner().is_legal(a)
    }
    fn starting_actions(&self) -> Vec<Action> {
        self.inner().starting_actions()
    }
    fn starting_inputs(&self) -> Vec<crate::action::PlayerInput> {
        self.inner().starting_inputs()
    }
    fn available_modes(&self) -> Vec<u32> {
        self.inner().available_modes()
    }
    fn default_mode(&self) -> u32 {
        self.inner().default_mode()
    }
    fn set_mode(&mut self, mode: u32, env: &mut dyn ModeEnv) -> Result<(), AleError> {
        self.inner_mut().set_mode(mode, env)
    }
    fn available_difficulties(&self) -> Vec<u32> {
        self.inner().available_difficulties()
    }
    fn paddle_range(&self) -> (i32, i32) {
        self.inner().paddle_range()
    }
}

#[cfg(test)]
mod tests;
