//! Exploration schedules.

/// Dopamine's `linearly_decaying_epsilon`: 1 during the first `warmup_steps`, then linear
/// decay to `epsilon` over `decay_period` steps, then `epsilon`.
///
/// `steps_left = decay_period + warmup_steps - step`,
/// `bonus = clip((1 - epsilon) steps_left / decay_period, 0, 1 - epsilon)`,
/// result `epsilon + bonus`.
pub fn linearly_decaying_epsilon(
    decay_period: u64,
    step: u64,
    warmup_steps: u64,
    epsilon: f64,
) -> f64 {
    if decay_period == 0 {
        return if step < warmup_steps { 1.0 } else { epsilon };
    }
    let steps_left = decay_period as f64 + warmup_steps as f64 - step as f64;
    let bonus = ((1.0 - epsilon) * steps_left / decay_period as f64).clamp(0.0, 1.0 - epsilon);
    epsilon + bonus
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsilon_is_one_in_warmup_then_decays_linearly_to_its_floor() {
        assert_eq!(linearly_decaying_epsilon(100, 0, 50, 0.1), 1.0);
        assert_eq!(linearly_decaying_epsilon(100, 50, 50, 0.1), 1.0);
        assert!((linearly_decaying_epsilon(100, 100, 50, 0.1) - 0.55).abs() < 1e-12);
        assert!((linearly_decaying_epsilon(100, 150, 50, 0.1) - 0.1).abs() < 1e-12);
        assert!((linearly_decaying_epsilon(100, 10_000, 50, 0.1) - 0.1).abs() < 1e-12);
    }
}
