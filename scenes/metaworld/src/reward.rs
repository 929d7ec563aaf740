//! The reward building blocks of Meta-World's "v2" reward functions (ported by Meta-World
//! from dm_control): sigmoid tolerances, the Hamacher t-norm and rectangular-prism
//! tolerances. The gripper caging reward, which needs the simulator, is in
//! [`crate::tasks`].

/// The value a tolerance takes at one margin past its bounds, unless told otherwise.
pub const DEFAULT_VALUE_AT_MARGIN: f32 = 0.1;

/// The shape of a tolerance's fall-off outside its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sigmoid {
    /// `1 / ((d s)^2 + 1)` with `s = sqrt(1 / v - 1)`: a heavy tail that still rewards
    /// progress far from the bounds.
    LongTail,
    /// `exp(-0.5 (d s)^2)` with `s = sqrt(-2 ln v)`.
    Gaussian,
}

impl Sigmoid {
    /// Maps a distance `d` (in margins) to `(0, 1]`, equal to `value_at_1` at `d = 1`.
    pub fn eval(self, d: f32, value_at_1: f32) -> f32 {
        match self {
            Sigmoid::LongTail => {
                let s = (1.0 / value_at_1 - 1.0).sqrt();
                1.0 / ((d * s) * (d * s) + 1.0)
            }
            Sigmoid::Gaussian => {
                let s = (-2.0 * value_at_1.ln()).sqrt();
                (-0.5 * (d * s) * (d * s)).exp()
            }
        }
    }
}

/// 1 when `x` lies in `[lower, upper]`; otherwise the sigmoid of the distance past the
/// nearest bound divided by `margin` (0 outside when `margin` is 0). The value one margin
/// past a bound is [`DEFAULT_VALUE_AT_MARGIN`].
pub fn tolerance(x: f32, bounds: (f32, f32), margin: f32, sigmoid: Sigmoid) -> f32 {
    tolerance_with(x, bounds, margin, sigmoid, DEFAULT_VALUE_AT_MARGIN)
}

/// [`tolerance`] with an explicit value at one margin.
pub fn tolerance_with(
    x: f32,
    bounds: (f32, f32),
    margin: f32,
    sigmoid: Sigmoid,
    value_at_margin: f32,
) -> f32 {
    let (lower, upper) = bounds;
    if lower <= x && x <= upper {
        return 1.0;
    }
    if margin <= 0.0 {
        return 0.0;
    }
    let d = if x < lower { lower - x } else { x - upper } / margin;
    sigmoid.eval(d, value_at_margin)
}

/// The Hamacher product (a t-norm), `a b / (a + b - a b)`, 0 when the denominator is 0.
/// Inputs are clamped to `[0, 1]`.
pub fn hamacher_product(a: f32, b: f32) -> f32 {
    let a = a.clamp(0.0, 1.0);
    let b = b.clamp(0.0, 1.0);
    let denominator = a + b - a * b;
    if denominator > 0.0 {
        (a * b / denominator).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// 1 when `curr` lies outside the axis-aligned prism spanned by `zero` and `one`; inside
/// it, the product over axes of how far `curr` has gone from `zero` towards `one`.
pub fn rect_prism_tolerance(curr: [f32; 3], zero: [f32; 3], one: [f32; 3]) -> f32 {
    let in_range = |a: f32, b: f32, c: f32| {
        if c >= b {
            b <= a && a <= c
        } else {
            c <= a && a <= b
        }
    };
    let inside = (0..3).all(|i| in_range(curr[i], zero[i], one[i]));
    if inside {
        (0..3)
            .map(|i| (curr[i] - zero[i]) / (one[i] - zero[i]))
            .product()
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn tolerance_is_one_inside_the_bounds() {
        assert_eq!(tolerance(0.03, (0.0, 0.05), 0.3, Sigmoid::LongTail), 1.0);
        assert_eq!(tolerance(0.0, (0.0, 0.05), 0.3, Sigmoid::Gaussian), 1.0);
        assert_eq!(tolerance(0.05, (0.0, 0.05), 0.0, Sigmoid::Gaussian), 1.0);
    }

    #[test]
    fn tolerance_is_value_at_margin_one_margin_out() {
        // d = 1: both sigmoids give 0.1 by construction.
        assert!(close(
            tolerance(0.35, (0.0, 0.05), 0.3, Sigmoid::LongTail),
            0.1
        ));
        assert!(close(
            tolerance(0.35, (0.0, 0.05), 0.3, Sigmoid::Gaussian),
            0.1
        ));
        assert!(close(
            tolerance(-0.3, (0.0, 0.05), 0.3, Sigmoid::Gaussian),
            0.1
        ));
    }

    #[test]
    fn tolerance_matches_hand_computed_values() {
        // long tail at d = 0.5: s^2 = 9, 1 / (0.25 * 9 + 1) = 1 / 3.25.
        assert!(close(
            tolerance(0.2, (0.0, 0.05), 0.3, Sigmoid::LongTail),
            1.0 / 3.25
        ));
        // gaussian at d = 0.5: s^2 = -2 ln 0.1, exp(-0.5 * 0.25 * s^2) = 0.1^0.25.
        assert!(close(
            tolerance(0.2, (0.0, 0.05), 0.3, Sigmoid::Gaussian),
            0.1f32.powf(0.25)
        ));
        // long tail at d = 2: 1 / (4 * 9 + 1) = 1 / 37.
        assert!(close(
            tolerance(0.65, (0.0, 0.05), 0.3, Sigmoid::LongTail),
            1.0 / 37.0
        ));
        // zero margin: 0 outside.
        assert_eq!(tolerance(0.06, (0.0, 0.05), 0.0, Sigmoid::LongTail), 0.0);
    }

    #[test]
    fn hamacher_product_matches_hand_computed_values() {
        assert!(close(hamacher_product(0.5, 0.5), 0.25 / 0.75));
        assert!(close(hamacher_product(1.0, 0.3), 0.3));
        assert!(close(hamacher_product(0.2, 0.4), 0.08 / 0.52));
        assert_eq!(hamacher_product(0.0, 0.0), 0.0);
        assert_eq!(hamacher_product(0.0, 0.7), 0.0);
    }

    #[test]
    fn rect_prism_tolerance_is_one_outside_and_scaled_inside() {
        let zero = [0.0, 0.0, 0.0];
        let one = [1.0, 2.0, -1.0];
        assert_eq!(rect_prism_tolerance([2.0, 1.0, -0.5], zero, one), 1.0);
        assert!(close(
            rect_prism_tolerance([0.5, 1.0, -0.5], zero, one),
            0.5 * 0.5 * 0.5
        ));
    }
}
