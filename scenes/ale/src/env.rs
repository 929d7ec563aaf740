//! The ALE environment: ALE 0.12's `StellaEnvironment` + `ALEInterface` semantics on the
//! stella emulator.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Controls, PADDLE_MAX, PADDLE_MIN, PlayerInput};
use crate::error::AleError;
use crate::games::{Game, GameSettings, ModeEnv, Ram};
use crate::rng::Mt19937;
use crate::roms::md5_hex;

/// Frames a soft reset holds the RESET switch (ALE's `m_num_reset_steps`).
const RESET_FRAMES: usize = 4;
/// NOOP frames after the system reset in `reset()`.
const RESET_NOOP_FRAMES: usize = 60;

/// ALE's settings for one environment (`setInt`/`setFloat`/`setBool` before `loadROM`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AleConfig {
    /// Seed of the sticky-action mt19937 (`random_seed`, ALE default 0).
    pub random_seed: u32,
    /// Probability that the previous action repeats each frame (`repeat_action_probability`,
    /// ALE default 0.25).
    pub repeat_action_probability: f32,
    /// Frames emulated per `act` (`frame_skip`, default 1; rewards are summed).
    pub frame_skip: u32,
    /// Episode frame budget; 0 means unlimited (`max_num_frames_per_episode`).
    pub max_num_frames_per_episode: u64,
    /// Game mode, applied before the first episode; `None` keeps the default mode.
    pub mode: Option<u32>,
    /// Difficulty switches, applied before the first episode; `None` keeps 0.
    pub difficulty: Option<u32>,
    /// Truncate when a life is lost (`truncate_on_loss_of_life`).
    pub truncate_on_loss_of_life: bool,
}

impl Default for AleConfig {
    fn default() -> Self {
        Self {
            random_seed: 0,
            repeat_action_probability: 0.25,
            frame_skip: 1,
            max_num_frames_per_episode: 0,
            mode: None,
            difficulty: None,
            truncate_on_loss_of_life: false,
        }
    }
}

impl AleConfig {
    /// Checks the values ALE would reject or silently fix.
    pub fn validate(&self) -> Result<(), AleError> {
        if self.frame_skip == 0 {
            return Err(AleError::Config(
                "frame_skip must be at least 1".to_string(),
            ));
        }
        let p = self.repeat_action_probability;
        if !(0.0..=1.0).contains(&p) {
            return Err(AleError::Config(format!(
                "repeat_action_probability must be in [0, 1], got {p}"
            )));
        }
        Ok(())
    }
}

/// Everything of the environment except the game settings, so a game's `set_mode` can
/// drive it while the game itself is borrowed.
#[derive(Serialize, Deserialize)]
struct Core {
    console: stella::Console,
    config: AleConfig,
    rng: Mt19937,
    controls: Controls,
    use_paddles: bool,
    paddle_range: (i32, i32),
    player_a: Action,
    player_b: Action,
    strength_a: f32,
    strength_b: f32,
    frame_number: u64,
    episode_frame_number: u64,
    mode: u32,
    difficulty: u32,
    max_lives: i32,
    ram: Vec<u8>,
}

impl Clone for Core {
    fn clone(&self) -> Self {
        Core {
            console: self.console.clone(),
            config: self.config.clone(),
            rng: self.rng.clone(),
            ram: self.ram.clone(),
            ..*self
        }
    }

    /// Reuses the buffers (emulator, RNG, RAM copy): no allocation for the same ROM.
    fn clone_from(&mut self, src: &Self) {
        self.copy_state_from(src);
        self.console.clone_from(&src.console);
    }
}

impl Core {
    /// `clone_from` but for the emulator's frame buffer contents.
    fn copy_state_from(&mut self, src: &Self) {
        // Destructured without `..`, so a new field cannot be forgotten here.
        let Core {
            console,
            config,
            rng,
            controls,
            use_paddles,
            paddle_range,
            player_a,
            player_b,
            strength_a,
            strength_b,
            frame_number,
            episode_frame_number,
            mode,
            difficulty,
            max_lives,
            ram,
        } = self;
        console.copy_state_from(&src.console);
        config.clone_from(&src.config);
        rng.clone_from(&src.rng);
        ram.clone_from(&src.ram);
        *controls = src.controls;
        *use_paddles = src.use_paddles;
        *paddle_range = src.paddle_range;
        *player_a = src.player_a;
        *player_b = src.player_b;
        *strength_a = src.strength_a;
        *strength_b = src.strength_b;
        *frame_number = src.frame_number;
        *episode_frame_number = src.episode_frame_number;
        *mode = src.mode;
        *difficulty = src.difficulty;
        *max_lives = src.max_lives;
    }
}

impl Ram for Core {
    fn read_ram(&mut self, offset: u16) -> u8 {
        self.console.peek(0x80 + (offset & 0x7F))
    }
    fn read_mapped(&mut self, addr: u16) -> u8 {
        self.console.peek(addr)
    }
}

impl Core {
    fn push_controls(&mut self) {
        let inputs = self.console.inputs_mut();
        for (j, s) in inputs.joysticks.iter_mut().zip(self.controls.joysticks) {
            j.up = s.up;
            j.down = s.down;
            j.left = s.left;
            j.right = s.right;
            j.fire = s.fire;
        }
        for i in 0..2 {
            inputs.paddles[i].resistance = self.controls.paddle_resistance[i];
            inputs.paddles[i].fire = self.controls.paddle_fire[i];
        }
        inputs.switches.reset = self.controls.reset;
        inputs.switches.select = self.controls.select;
        inputs.switches.left_difficulty_a = self.controls.left_difficulty_a;
        inputs.switches.right_difficulty_a = self.controls.right_difficulty_a;
    }

    /// ALE's `processScreen` + `processRAM` (128 bus reads).
    /// (The screen is not copied: every path that runs frames ends here, so the emulator's
    /// frame buffer is what ALE's copy would hold.)
    fn capture(&mut self) {
        for i in 0..128u16 {
            let v = self.console.peek(0x80 + i);
            self.ram[usize::from(i)] = v;
        }
    }

    /// ALE's `emulate`: `frames` frames with these inputs, stepping the game after each.
    fn emulate(
        &mut self,
        game: &mut dyn GameSettings,
        a: PlayerInput,
        b: PlayerInput,
        strengths: (f32, f32),
        frames: usize,
    ) {
        if self.use_paddles {
            for _ in 0..frames {
                self.controls.apply_paddles(
                    (a, strengths.0),
                    (b, strengths.1),
                    self.difficulty,
                    self.paddle_range,
                );
                self.push_controls();
                self.console.run_frame();
                game.step(self);
            }
        } else {
            self.controls.apply_joysticks(a, b, self.difficulty);
            self.push_controls();
            for _ in 0..frames {
                self.console.run_frame();
                game.step(self);
            }
        }
        self.capture();
    }

    fn truncated(&self, game: &dyn GameSettings) -> bool {
        let max = self.config.max_num_frames_per_episode;
        (max > 0 && self.episode_frame_number >= max)
            || (self.config.truncate_on_loss_of_life && game.lives() < self.max_lives)
    }

    fn is_terminal(&self, game: &dyn GameSettings) -> bool {
        game.is_terminal() || self.truncated(game)
    }

    /// ALE's `oneStepAct`.
    fn one_step(&mut self, game: &mut dyn GameSettings, a: Action, b: Action) -> i32 {
        if self.is_terminal(game) {
            return 0;
        }
        let a = if game.is_legal(a) { a } else { Action::Noop };
        let b = if game.is_legal(b) { b } else { Action::Noop };
        let strengths = (self.strength_a, self.strength_b);
        self.emulate(game, PlayerInput::Act(a), PlayerInput::Act(b), strengths, 1);
        self.frame_number += 1;
        self.episode_frame_number += 1;
        game.reward()
    }

    /// ALE's `StellaEnvironment::act` (frame skip, sticky actions).
    fn act(
        &mut self,
        game: &mut dyn GameSettings,
        a: Action,
        b: Action,
        strength_a: f32,
        strength_b: f32,
    ) -> i32 {
        let p = f64::from(self.config.repeat_action_probability);
        let mut sum: i32 = 0;
        for _ in 0..self.config.frame_skip {
            if self.rng.next_double() >= p {
                self.player_a = a;
                self.strength_a = strength_a;
            }
            if self.rng.next_double() >= p {
                self.player_b = b;
                self.strength_b = strength_b;
            }
            let (pa, pb) = (self.player_a, self.player_b);
            sum = sum.wrapping_add(self.one_step(game, pa, pb));
        }
        sum
    }

    fn soft_reset(&mut self, game: &mut dyn GameSettings) {
        self.emulate(
            game,
            PlayerInput::Reset,
            PlayerInput::Act(Action::Noop),
            (1.0, 1.0),
            RESET_FRAMES,
        );
        self.player_a = Action::Noop;
        self.player_b = Action::Noop;
    }

    fn press_select(&mut self, game: &mut dyn GameSettings, frames: usize) {
        self.controls.press_select(self.difficulty);
        self.push_controls();
        for _ in 0..frames {
            self.console.run_frame();
        }
        self.capture();
        let noop = PlayerInput::Act(Action::Noop);
        self.emulate(game, noop, noop, (1.0, 1.0), 1);
        self.frame_number += 1;
        self.episode_frame_number += 1;
    }

    /// ALE's `StellaEnvironment::reset`.
    fn reset(&mut self, game: &mut dyn GameSettings) -> Result<(), AleError> {
        self.episode_frame_number = 0;
        let (lo, hi) = self.paddle_range;
        self.controls.paddle_resistance = [(lo + hi) / 2; 2];
        self.console.system_reset();
        let noop = PlayerInput::Act(Action::Noop);
        self.emulate(game, noop, noop, (1.0, 1.0), RESET_NOOP_FRAMES);
        self.soft_reset(game);
        game.reset();
        let mode = self.mode;
        game.set_mode(mode, self)?;
        self.soft_reset(game);
        for input in game.starting_inputs() {
            self.emulate(game, input, noop, (1.0, 1.0), 1);
        }
        Ok(())
    }
}

impl ModeEnv for Core {
    fn press_select(&mut self, game: &mut dyn GameSettings, frames: usize) {
        Core::press_select(self, game, frames)
    }
    fn soft_reset(&mut self, game: &mut dyn GameSettings) {
        Core::soft_reset(self, game)
    }
    fn act(&mut self, game: &mut dyn GameSettings, action: Action) -> i32 {
        Core::act(self, game, action, Action::Noop, 1.0, 1.0)
    }
    fn rng_next(&mut self) -> u32 {
        self.rng.next_u32()
    }
}

/// An Arcade Learning Environment: one ROM, its game settings and the emulator, with
/// ALE 0.12's reset, sticky-action, frame-skip and truncation semantics.
///
/// `Clone` and serde give full save/restore (emulator, game settings, RNG, counters).
#[derive(Serialize, Deserialize)]
pub struct Ale {
    core: Core,
    game: Game,
    md5: String,
}

impl Clone for Ale {
    fn clone(&self) -> Self {
        Ale {
            core: self.core.clone(),
            game: self.game.clone(),
            md5: self.md5.clone(),
        }
    }

    /// A save state into an existing environment: reuses its buffers, so it does not
    /// allocate when `self` runs the same ROM (e.g. a snapshot made with `clone`).
    fn clone_from(&mut self, src: &Self) {
        self.core.clone_from(&src.core);
        self.game.clone_from(&src.game);
        self.md5.clone_from(&src.md5);
    }
}

impl Ale {
    /// Copies the whole state of `src` (an environment of the same ROM, e.g. a snapshot made
    /// with `clone`) except the contents of the emulator's two frame buffers, without
    /// allocating: for replaying frames that ran undrawn, see
    /// [`stella::Console::copy_state_from`] and [`Ale::set_render`].
    pub fn copy_state_from(&mut self, src: &Ale) {
        self.core.copy_state_from(&src.core);
        self.game.clone_from(&src.game);
        self.md5.clone_from(&src.md5);
    }
}

impl std::fmt::Debug for Ale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ale")
            .field("rom", &self.game.rom())
            .field("md5", &self.md5)
            .field("frame_number", &self.core.frame_number)
            .field("episode_frame_number", &self.core.episode_frame_number)
            .finish_non_exhaustive()
    }
}

impl Ale {
    /// Loads a ROM recognised by its MD5 (ALE's `loadROM`, including the first reset);
    /// then applies `config.mode` / `config.difficulty` and resets again if given.
    pub fn new(rom: &[u8], config: AleConfig) -> Result<Ale, AleError> {
        let md5 = md5_hex(rom);
        let game = match Game::from_md5(&md5) {
            Some(g) => g,
            None => {
                return Err(match crate::roms::info_by_md5(&md5) {
                    Some(info) => AleError::UnsupportedRom(info.name.to_string()),
                    None => AleError::UnknownMd5(md5),
                });
            }
        };
        Self::with_game(rom, game, config)
    }

    /// Loads a ROM with the settings of the game named `name` (ALE matches a dump whose
    /// MD5 differs by its snake-case file name).
    pub fn with_game_name(rom: &[u8], name: &str, config: AleConfig) -> Result<Ale, AleError> {
        let md5 = md5_hex(rom);
        let game = Game::from_md5(&md5)
            .or_else(|| Game::from_rom_name(name))
            .ok_or_else(|| AleError::UnknownGame(name.to_string()))?;
        Self::with_game(rom, game, config)
    }

    fn with_game(rom: &[u8], mut game: Game, config: AleConfig) -> Result<Ale, AleError> {
        config.validate()?;
        let md5 = md5_hex(rom);
        let props = stella::Properties::for_md5(&md5);
        let use_paddles = props.left_controller == stella::ControllerKind::Paddles
            || props.right_controller == stella::ControllerKind::Paddles;
        let console =
            stella::Console::new(rom, props).map_err(|e| AleError::Emulator(e.to_string()))?;
        let mode = game.default_mode();
        let max_lives = game.lives();
        let mut core = Core {
            console,
            rng: Mt19937::new(config.random_seed),
            config: config.clone(),
            controls: Controls::default(),
            use_paddles,
            // ALE applies the game's paddle limits only to paddle games.
            paddle_range: if use_paddles {
                game.paddle_range()
            } else {
                (PADDLE_MIN, PADDLE_MAX)
            },
            player_a: Action::Noop,
            player_b: Action::Noop,
            strength_a: 0.0,
            strength_b: 0.0,
            frame_number: 0,
            episode_frame_number: 0,
            mode,
            difficulty: 0,
            max_lives,
            ram: vec![0; 128],
        };
        core.reset(&mut game)?;
        let mut ale = Ale { core, game, md5 };
        if config.mode.is_some() || config.difficulty.is_some() {
            if let Some(m) = config.mode {
                ale.set_mode(m)?;
            }
            if let Some(d) = config.difficulty {
                ale.set_difficulty(d)?;
            }
            ale.reset()?;
        }
        Ok(ale)
    }

    /// ALE's `reset_game`: a new episode (system reset, 60 NOOPs, soft resets, mode,
    /// starting actions). Errors only if the mode cannot be selected.
    pub fn reset(&mut self) -> Result<(), AleError> {
        self.core.reset(&mut self.game)
    }

    /// ALE's `act(action, paddle_strength)` for player A (player B NOOP): returns the
    /// reward summed over `frame_skip` frames. Illegal actions act as NOOP; once the game is
    /// over or truncated nothing is emulated and the reward is 0 (the sticky-action draws
    /// still happen).
    pub fn act(&mut self, action: Action, strength: f32) -> i32 {
        self.core
            .act(&mut self.game, action, Action::Noop, strength, 0.0)
    }

    /// Like [`Ale::act`] with an ALE action id (0..=17).
    pub fn act_id(&mut self, id: u8, strength: f32) -> Result<i32, AleError> {
        let action = Action::from_id(id).ok_or(AleError::InvalidAction(i64::from(id)))?;
        Ok(self.act(action, strength))
    }

    /// Both players at once (ALE's two-player `act`).
    pub fn act_two_players(
        &mut self,
        a: Action,
        b: Action,
        strength_a: f32,
        strength_b: f32,
    ) -> i32 {
        self.core.act(&mut self.game, a, b, strength_a, strength_b)
    }

    /// CALE: maps `(r, theta, fire_value)` to a discrete action with `threshold` (0.5 in
    /// CALE) and acts with `r` as the paddle strength.
    pub fn act_continuous(&mut self, r: f32, theta: f32, fire_value: f32, threshold: f32) -> i32 {
        let action = Action::from_continuous(r, theta, fire_value, threshold);
        self.act(action, r)
    }

    /// Lives left (game-defined; ALE default 0 if terminal else 1).
    pub fn lives(&self) -> i32 {
        self.game.lives()
    }

    /// Whether the episode is over; with `with_truncation` truncation counts too.
    pub fn game_over(&self, with_truncation: bool) -> bool {
        if with_truncation {
            self.core.is_terminal(&self.game)
        } else {
            self.game.is_terminal()
        }
    }

    /// Whether the episode was truncated (frame budget, or a lost life if configured).
    pub fn truncated(&self) -> bool {
        self.core.truncated(&self.game)
    }

    /// Frames emulated by `act` since the ROM was loaded (`getFrameNumber`).
    pub fn frame_number(&self) -> u64 {
        self.core.frame_number
    }

    /// Frames emulated by `act` in this episode (`getEpisodeFrameNumber`).
    pub fn episode_frame_number(&self) -> u64 {
        self.core.episode_frame_number
    }

    /// The legal action set (`getLegalActionSet`).
    pub fn legal_actions(&self) -> Vec<Action> {
        self.game.legal_actions()
    }

    /// The minimal action set (`getMinimalActionSet`).
    pub fn minimal_actions(&self) -> Vec<Action> {
        self.game.minimal_actions()
    }

    /// Modes the game supports.
    pub fn available_modes(&self) -> Vec<u32> {
        self.game.available_modes()
    }

    /// Difficulties the game supports.
    pub fn available_difficulties(&self) -> Vec<u32> {
        self.game.available_difficulties()
    }

    /// Current mode (applied at the next reset).
    pub fn mode(&self) -> u32 {
        self.core.mode
    }

    /// Current difficulty.
    pub fn difficulty(&self) -> u32 {
        self.core.difficulty
    }

    /// ALE's `setMode`: validated now, applied at the next [`Ale::reset`].
    pub fn set_mode(&mut self, mode: u32) -> Result<(), AleError> {
        if !self.game.available_modes().contains(&mode) {
            return Err(self.game.invalid_mode(mode));
        }
        self.core.mode = mode;
        Ok(())
    }

    /// ALE's `setDifficulty`: validated now, takes effect with the next emulated frame.
    pub fn set_difficulty(&mut self, difficulty: u32) -> Result<(), AleError> {
        let available = self.game.available_difficulties();
        if !available.contains(&difficulty) {
            return Err(AleError::InvalidDifficulty {
                game: self.game.rom(),
                difficulty,
                available,
            });
        }
        self.core.difficulty = difficulty;
        Ok(())
    }

    /// The screen as palette indices, `height() x width()` row-major (`getScreen`).
    pub fn screen(&self) -> &[u8] {
        self.core.console.screen()
    }

    /// Turns the drawing of frames on (the default) or off: see [`stella::Console::set_render`].
    /// Frames emulated without drawing change nothing but the screen, which may then be stale
    /// ([`Ale::screen_exact`]).
    pub fn set_render(&mut self, on: bool) {
        self.core.console.set_render(on);
    }

    /// Whether [`Ale::screen`] is what it would be had every frame been drawn (always true
    /// unless [`Ale::set_render`] turned drawing off).
    pub fn screen_exact(&self) -> bool {
        self.core.console.screen_exact()
    }

    /// Screen height in lines (210 for NTSC games).
    pub fn height(&self) -> usize {
        self.core.console.height()
    }

    /// Screen width (160).
    pub fn width(&self) -> usize {
        self.core.console.width()
    }

    /// Whether the ROM was detected as PAL.
    pub fn is_pal(&self) -> bool {
        self.core.console.is_pal()
    }

    /// Writes the grayscale screen (`getScreenGrayscale`) into `out` (resized to fit).
    pub fn screen_grayscale_into(&self, out: &mut Vec<u8>) {
        let pal = self.is_pal();
        out.clear();
        out.extend(self.screen().iter().map(|&i| stella::palette::gray(i, pal)));
    }

    /// The grayscale screen (`getScreenGrayscale`).
    pub fn screen_grayscale(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.screen().len());
        self.screen_grayscale_into(&mut v);
        v
    }

    /// Writes the RGB screen (`getScreenRGB`, 3 bytes a pixel) into `out`.
    pub fn screen_rgb_into(&self, out: &mut Vec<u8>) {
        let pal = self.is_pal();
        out.clear();
        for &i in self.screen() {
            out.extend_from_slice(&stella::palette::rgb(i, pal));
        }
    }

    /// The RGB screen (`getScreenRGB`).
    pub fn screen_rgb(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.screen().len() * 3);
        self.screen_rgb_into(&mut v);
        v
    }

    /// The 128 RAM bytes as of the last emulated frame (`getRAM`).
    pub fn ram(&self) -> &[u8] {
        &self.core.ram
    }

    /// ALE's `setRAM`: writes RAM byte `index` (0..128) through the bus.
    pub fn set_ram(&mut self, index: usize, value: u8) -> Result<(), AleError> {
        if index >= 128 {
            return Err(AleError::Config(format!(
                "RAM index {index} out of range 0..128"
            )));
        }
        self.core.console.poke(0x80 + index as u16, value);
        self.core.ram[index] = value;
        Ok(())
    }

    /// The game settings (reward, lives, action sets).
    pub fn game(&self) -> &Game {
        &self.game
    }

    /// ALE's ROM name.
    pub fn rom_name(&self) -> &'static str {
        self.game.rom()
    }

    /// MD5 of the loaded ROM.
    pub fn md5(&self) -> &str {
        &self.md5
    }

    /// The configuration this environment was built with.
    pub fn config(&self) -> &AleConfig {
        &self.core.config
    }

    /// The emulator (read-only).
    pub fn console(&self) -> &stella::Console {
        &self.core.console
    }

    /// A compact binary snapshot of the whole environment (postcard); see
    /// [`Ale::from_snapshot`]. `Clone` is the in-memory equivalent.
    pub fn snapshot(&self) -> Result<Vec<u8>, AleError> {
        postcard::to_allocvec(self)
            .map_err(|e| AleError::Config(format!("cannot serialise the environment: {e}")))
    }

    /// Restores an environment from [`Ale::snapshot`] bytes.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Ale, AleError> {
        postcard::from_bytes(bytes)
            .map_err(|e| AleError::Config(format!("not an arcadia-ale snapshot: {e}")))
    }
}
