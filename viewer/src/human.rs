//! Human play for Atari scenes: the keyboard as a joystick.
//!
//! Arrow keys (or WASD) push the stick, Space (or Z, or Ctrl) presses fire. The stick
//! position is turned into one of the 18 ALE actions, then into the closest action the
//! game's minimal action set holds (Pong has no UP, say: its paddle moves with RIGHT and
//! LEFT, which is the game's own wiring).

use arcadia_ale::Action as AleAction;

/// The joystick as the keyboard holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stick {
    /// -1 left, 0 centre, +1 right.
    pub horizontal: i8,
    /// -1 down, 0 centre, +1 up.
    pub vertical: i8,
    /// Fire button.
    pub fire: bool,
}

impl Stick {
    /// The stick for the pressed directions (opposite keys cancel out).
    pub fn from_keys(left: bool, right: bool, up: bool, down: bool, fire: bool) -> Self {
        Stick {
            horizontal: right as i8 - left as i8,
            vertical: up as i8 - down as i8,
            fire,
        }
    }

    /// The ALE action of this stick position.
    pub fn action(self) -> AleAction {
        AleAction::from_parts(self.horizontal, self.vertical, self.fire)
    }
}

/// The index into `actions` (a game's action set) that plays `stick`: the exact action if
/// the set has it, else the closest one dropping first the vertical, then the horizontal
/// direction, then fire; NOOP (index 0 when absent) as the last resort.
pub fn action_index(actions: &[AleAction], stick: Stick) -> usize {
    let Stick {
        horizontal: h,
        vertical: v,
        fire: f,
    } = stick;
    let candidates = [
        (h, v, f),
        (h, 0, f),
        (0, v, f),
        (h, v, false),
        (h, 0, false),
        (0, v, false),
        (0, 0, f),
        (0, 0, false),
    ];
    candidates
        .iter()
        .find_map(|&(h, v, f)| {
            let wanted = AleAction::from_parts(h, v, f);
            actions.iter().position(|&a| a == wanted)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AleAction::*;

    const PONG: [AleAction; 6] = [Noop, Fire, Right, Left, RightFire, LeftFire];

    #[test]
    fn keys_make_a_stick() {
        let s = Stick::from_keys(true, false, true, false, true);
        assert_eq!(s.action(), UpLeftFire);
        let cancelled = Stick::from_keys(true, true, false, false, false);
        assert_eq!(cancelled.action(), Noop);
    }

    #[test]
    fn exact_actions_are_found() {
        let stick = Stick::from_keys(false, true, false, false, true);
        assert_eq!(PONG[action_index(&PONG, stick)], RightFire);
        let stick = Stick::from_keys(true, false, false, false, false);
        assert_eq!(PONG[action_index(&PONG, stick)], Left);
    }

    #[test]
    fn missing_actions_fall_back_to_the_closest() {
        // UPRIGHT is not in Pong's set: RIGHT is the closest.
        let stick = Stick::from_keys(false, true, true, false, false);
        assert_eq!(PONG[action_index(&PONG, stick)], Right);
        // UP alone: nothing moves; FIRE held keeps firing.
        let stick = Stick::from_keys(false, false, true, false, true);
        assert_eq!(PONG[action_index(&PONG, stick)], Fire);
        let stick = Stick::from_keys(false, false, false, true, false);
        assert_eq!(PONG[action_index(&PONG, stick)], Noop);
    }

    #[test]
    fn full_action_set_is_exact() {
        let all: Vec<AleAction> = (0..18).filter_map(AleAction::from_id).collect();
        for id in 0..18u8 {
            let a = AleAction::from_id(id).unwrap();
            let stick = stick_of(a);
            assert_eq!(all[action_index(&all, stick)], a, "{}", a.name());
        }
    }

    fn stick_of(a: AleAction) -> Stick {
        for h in -1..=1 {
            for v in -1..=1 {
                for fire in [false, true] {
                    if AleAction::from_parts(h, v, fire) == a {
                        return Stick {
                            horizontal: h,
                            vertical: v,
                            fire,
                        };
                    }
                }
            }
        }
        unreachable!("every ALE action has a stick position")
    }
}
