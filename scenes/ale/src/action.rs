//! The 18 ALE joystick actions and how ALE turns them into controller events.

use serde::{Deserialize, Serialize};

/// One of ALE's 18 player actions, in ALE's numbering (`PLAYER_A_NOOP = 0` ...
/// `PLAYER_A_DOWNLEFTFIRE = 17`). Player B uses the same set, offset by 18 inside ALE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Action {
    Noop = 0,
    Fire = 1,
    Up = 2,
    Right = 3,
    Left = 4,
    Down = 5,
    UpRight = 6,
    UpLeft = 7,
    DownRight = 8,
    DownLeft = 9,
    UpFire = 10,
    RightFire = 11,
    LeftFire = 12,
    DownFire = 13,
    UpRightFire = 14,
    UpLeftFire = 15,
    DownRightFire = 16,
    DownLeftFire = 17,
}

/// Number of ALE player actions.
pub const NUM_ACTIONS: usize = 18;

impl Action {
    /// All 18 actions in ALE's order.
    pub const ALL: [Action; NUM_ACTIONS] = [
        Action::Noop,
        Action::Fire,
        Action::Up,
        Action::Right,
        Action::Left,
        Action::Down,
        Action::UpRight,
        Action::UpLeft,
        Action::DownRight,
        Action::DownLeft,
        Action::UpFire,
        Action::RightFire,
        Action::LeftFire,
        Action::DownFire,
        Action::UpRightFire,
        Action::UpLeftFire,
        Action::DownRightFire,
        Action::DownLeftFire,
    ];

    /// The action with ALE id `id` (0..=17), or `None`.
    pub fn from_id(id: u8) -> Option<Action> {
        Self::ALL.get(id as usize).copied()
    }

    /// ALE id of this action.
    pub fn id(self) -> u8 {
        self as u8
    }

    /// ALE's upper-case name (`"UPRIGHTFIRE"`), as in `action_to_string`.
    pub fn name(self) -> &'static str {
        const NAMES: [&str; NUM_ACTIONS] = [
            "NOOP",
            "FIRE",
            "UP",
            "RIGHT",
            "LEFT",
            "DOWN",
            "UPRIGHT",
            "UPLEFT",
            "DOWNRIGHT",
            "DOWNLEFT",
            "UPFIRE",
            "RIGHTFIRE",
            "LEFTFIRE",
            "DOWNFIRE",
            "UPRIGHTFIRE",
            "UPLEFTFIRE",
            "DOWNRIGHTFIRE",
            "DOWNLEFTFIRE",
        ];
        NAMES[self as usize]
    }

    /// The joystick directions and button this action holds.
    pub fn stick(self) -> Stick {
        use Action::*;
        let up = matches!(
            self,
            Up | UpRight | UpLeft | UpFire | UpRightFire | UpLeftFire
        );
        let down = matches!(
            self,
            Down | DownRight | DownLeft | DownFire | DownRightFire | DownLeftFire
        );
        let right = matches!(
            self,
            Right | UpRight | DownRight | RightFire | UpRightFire | DownRightFire
        );
        let left = matches!(
            self,
            Left | UpLeft | DownLeft | LeftFire | UpLeftFire | DownLeftFire
        );
        let fire = matches!(
            self,
            Fire | UpFire
                | RightFire
                | LeftFire
                | DownFire
                | UpRightFire
                | UpLeftFire
                | DownRightFire
                | DownLeftFire
        );
        Stick {
            up,
            down,
            left,
            right,
            fire,
        }
    }

    /// The CALE mapping from a continuous action to a discrete one: `x = r cos(theta)`,
    /// `y = r sin(theta)`; horizontal is left when `x < -threshold`, right when
    /// `x > threshold`; vertical is down when `y < -threshold`, up when `y > threshold`;
    /// fire when `fire_value > threshold`.
    pub fn from_continuous(r: f32, theta: f32, fire_value: f32, threshold: f32) -> Action {
        let x = r * theta.cos();
        let y = r * theta.sin();
        let horizontal = if x < -threshold {
            -1
        } else if x > threshold {
            1
        } else {
            0
        };
        let vertical = if y < -threshold {
            -1
        } else if y > threshold {
            1
        } else {
            0
        };
        let fire = fire_value > threshold;
        Self::from_parts(horizontal, vertical, fire)
    }

    /// The action for a horizontal (-1 left, 0, +1 right) and vertical (-1 down, 0,
    /// +1 up) direction and a fire flag.
    pub fn from_parts(horizontal: i8, vertical: i8, fire: bool) -> Action {
        use Action::*;
        match (horizontal.signum(), vertical.signum(), fire) {
            (0, 0, false) => Noop,
            (0, 0, true) => Fire,
            (0, 1, false) => Up,
            (1, 0, false) => Right,
            (-1, 0, false) => Left,
            (0, -1, false) => Down,
            (1, 1, false) => UpRight,
            (-1, 1, false) => UpLeft,
            (1, -1, false) => DownRight,
            (-1, -1, false) => DownLeft,
            (0, 1, true) => UpFire,
            (1, 0, true) => RightFire,
            (-1, 0, true) => LeftFire,
            (0, -1, true) => DownFire,
            (1, 1, true) => UpRightFire,
            (-1, 1, true) => UpLeftFire,
            (1, -1, true) => DownRightFire,
            _ => DownLeftFire,
        }
    }

    /// Paddle movement for this action: right turns the paddle by `-23000 |s|`, left by
    /// `+23000 |s|` (ALE's `PADDLE_DELTA`), anything else by 0.
    pub fn paddle_delta(self, strength: f32) -> i32 {
        let s = self.stick();
        let magnitude = f64::from(PADDLE_DELTA) * f64::from(strength.abs());
        if s.right {
            (-magnitude) as i32
        } else if s.left {
            magnitude as i32
        } else {
            0
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Joystick state held by an action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stick {
    /// Up held.
    pub up: bool,
    /// Down held.
    pub down: bool,
    /// Left held.
    pub left: bool,
    /// Right held.
    pub right: bool,
    /// Fire held.
    pub fire: bool,
}

/// ALE's paddle step per frame at full strength.
pub const PADDLE_DELTA: i32 = 23_000;
/// ALE's minimal paddle resistance.
pub const PADDLE_MIN: i32 = 27_450;
/// ALE's maximal paddle resistance.
pub const PADDLE_MAX: i32 = 790_196;
/// ALE's paddle resistance after a reset (mid-range).
pub const PADDLE_DEFAULT: i32 = (PADDLE_MIN + PADDLE_MAX) / 2;

/// What one player does during an emulated frame: an action, or pressing the console
/// RESET switch (ALE's `RESET` pseudo-action, used by soft resets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlayerInput {
    /// A joystick/paddle action.
    Act(Action),
    /// Hold the console RESET switch.
    Reset,
}

/// The full controller and console-switch state for one frame, as ALE's event object
/// holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controls {
    /// Joysticks of player A (0) and B (1).
    pub joysticks: [Stick; 2],
    /// Paddle resistances of paddle 0 and 1.
    pub paddle_resistance: [i32; 2],
    /// Paddle fire buttons of paddle 0 and 1.
    pub paddle_fire: [bool; 2],
    /// Console RESET switch held.
    pub reset: bool,
    /// Console SELECT switch held.
    pub select: bool,
    /// Left difficulty switch in position A.
    pub left_difficulty_a: bool,
    /// Right difficulty switch in position A.
    pub right_difficulty_a: bool,
}

impl Default for Controls {
    fn default() -> Self {
        Self {
            joysticks: [Stick::default(); 2],
            paddle_resistance: [PADDLE_DEFAULT; 2],
            paddle_fire: [false; 2],
            reset: false,
            select: false,
            left_difficulty_a: false,
            right_difficulty_a: false,
        }
    }
}

impl Controls {
    /// ALE's `resetKeys`: releases every button and switch and sets the difficulty
    /// switches from `difficulty` (bit 0 left A, bit 1 right A). Paddle resistances stay.
    pub fn release_all(&mut self, difficulty: u32) {
        self.joysticks = [Stick::default(); 2];
        self.paddle_fire = [false; 2];
        self.reset = false;
        self.select = false;
        self.left_difficulty_a = difficulty & 1 != 0;
        self.right_difficulty_a = difficulty & 2 != 0;
    }

    /// ALE's `applyActionJoysticks`: joystick 0 from player A, joystick 1 from player B.
    pub fn apply_joysticks(&mut self, a: PlayerInput, b: PlayerInput, difficulty: u32) {
        self.release_all(difficulty);
        for (i, input) in [a, b].into_iter().enumerate() {
            match input {
                PlayerInput::Act(action) => self.joysticks[i] = action.stick(),
                PlayerInput::Reset => self.reset = true,
            }
        }
    }

    /// ALE's `applyActionPaddles`: moves paddles 0 and 1 (clamped to `[min, max]`),
    /// then sets RESET and the paddle fire buttons.
    pub fn apply_paddles(
        &mut self,
        a: (PlayerInput, f32),
        b: (PlayerInput, f32),
        difficulty: u32,
        limits: (i32, i32),
    ) {
        self.release_all(difficulty);
        for (i, (input, strength)) in [a, b].into_iter().enumerate() {
            let delta = match input {
                PlayerInput::Act(action) => action.paddle_delta(strength),
                PlayerInput::Reset => 0,
            };
            let moved = self.paddle_resistance[i].saturating_add(delta);
            self.paddle_resistance[i] = moved.max(limits.0).min(limits.1);
        }
        for (i, (input, _)) in [a, b].into_iter().enumerate() {
            match input {
                PlayerInput::Reset => self.reset = true,
                PlayerInput::Act(action) => {
                    if action.stick().fire {
                        self.paddle_fire[i] = true;
                    }
                }
            }
        }
    }

    /// ALE's `pressSelect`: releases everything and holds SELECT.
    pub fn press_select(&mut self, difficulty: u32) {
        self.release_all(difficulty);
        self.select = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_order_matches_ale() {
        for (i, a) in Action::ALL.iter().enumerate() {
            assert_eq!(a.id() as usize, i);
            assert_eq!(Action::from_id(i as u8), Some(*a));
        }
        assert_eq!(Action::from_id(18), None);
        assert_eq!(Action::UpRight.id(), 6);
        assert_eq!(Action::DownLeftFire.name(), "DOWNLEFTFIRE");
    }

    #[test]
    fn from_parts_inverts_stick() {
        for a in Action::ALL {
            let s = a.stick();
            let h = i8::from(s.right) - i8::from(s.left);
            let v = i8::from(s.up) - i8::from(s.down);
            assert_eq!(Action::from_parts(h, v, s.fire), a);
        }
    }

    #[test]
    fn continuous_mapping_follows_cale_thresholds() {
        assert_eq!(Action::from_continuous(1.0, 0.0, 0.0, 0.5), Action::Right);
        assert_eq!(
            Action::from_continuous(1.0, std::f32::consts::PI, 1.0, 0.5),
            Action::LeftFire
        );
        assert_eq!(
            Action::from_continuous(1.0, std::f32::consts::FRAC_PI_4, 0.0, 0.5),
            Action::UpRight
        );
        assert_eq!(Action::from_continuous(0.4, 1.0, 0.5, 0.5), Action::Noop);
        assert_eq!(
            Action::from_continuous(1.0, -std::f32::consts::FRAC_PI_2, 0.0, 0.5),
            Action::Down
        );
    }

    #[test]
    fn paddles_move_and_clamp_like_ale() {
        let mut c = Controls::default();
        let lim = (PADDLE_MIN, PADDLE_MAX);
        c.apply_paddles(
            (PlayerInput::Act(Action::RightFire), 1.0),
            (PlayerInput::Act(Action::Noop), 0.0),
            0,
            lim,
        );
        assert_eq!(c.paddle_resistance[0], PADDLE_DEFAULT - 23_000);
        assert!(c.paddle_fire[0] && !c.paddle_fire[1]);
        c.apply_paddles(
            (PlayerInput::Act(Action::Left), -0.5),
            (PlayerInput::Reset, 1.0),
            3,
            lim,
        );
        assert_eq!(c.paddle_resistance[0], PADDLE_DEFAULT - 23_000 + 11_500);
        assert!(c.reset && !c.paddle_fire[0]);
        assert!(c.left_difficulty_a && c.right_difficulty_a);
        for _ in 0..100 {
            c.apply_paddles(
                (PlayerInput::Act(Action::Left), 1.0),
                (PlayerInput::Act(Action::Right), 1.0),
                0,
                lim,
            );
        }
        assert_eq!(c.paddle_resistance, [PADDLE_MAX, PADDLE_MIN]);
    }

    #[test]
    fn joysticks_map_player_b_to_second_stick() {
        let mut c = Controls::default();
        c.apply_joysticks(
            PlayerInput::Act(Action::UpLeftFire),
            PlayerInput::Act(Action::Down),
            1,
        );
        assert!(c.joysticks[0].up && c.joysticks[0].left && c.joysticks[0].fire);
        assert!(c.joysticks[1].down && !c.joysticks[1].fire);
        assert!(c.left_difficulty_a && !c.right_difficulty_a);
        assert_eq!(PADDLE_DEFAULT, 408_823);
    }
}
