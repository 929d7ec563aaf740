//! Generalized advantage estimation (Schulman et al. 2016, "High-Dimensional Continuous
//! Control Using Generalized Advantage Estimation", eq. 16):
//! `delta_t = r_t + gamma (1 - done_t) V(s_{t+1}) - V(s_t)`,
//! `A_t = delta_t + gamma lambda (1 - done_t) A_{t+1}`, computed backwards over one env's
//! rollout. `done_t` cuts both sums at an episode end; a truncated step should carry
//! `gamma V(final observation)` in its reward, so truncation still bootstraps.
//!
//! Input: one env's `T` rewards, values and done flags, and `V(s_T)`; output: `T` advantages
//! (returns are `A_t + V(s_t)`).

/// The advantages of one env's rollout.
pub fn gae(
    rewards: &[f32],
    values: &[f32],
    dones: &[bool],
    last_value: f32,
    gamma: f32,
    lambda: f32,
) -> Vec<f32> {
    let t_max = rewards.len();
    let mut advantages = vec![0f32; t_max];
    let mut next_advantage = 0f32;
    let mut next_value = last_value;
    for t in (0..t_max).rev() {
        let keep = if dones[t] { 0.0 } else { 1.0 };
        let delta = rewards[t] + gamma * keep * next_value - values[t];
        next_advantage = delta + gamma * lambda * keep * next_advantage;
        advantages[t] = next_advantage;
        next_value = values[t];
    }
    advantages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gae_matches_a_hand_computed_rollout_with_an_episode_end() {
        // gamma 0.5, lambda 0.5; rollout r = (1, 2, 3), V = (0.5, 1, 1.5), done after step 1,
        // V(s_3) = 2.
        // t=2: delta = 3 + 0.5*2 - 1.5 = 2.5; A_2 = 2.5
        // t=1: done: delta = 2 - 1 = 1; A_1 = 1
        // t=0: delta = 1 + 0.5*1 - 0.5 = 1; A_0 = 1 + 0.25*1 = 1.25
        let a = gae(
            &[1.0, 2.0, 3.0],
            &[0.5, 1.0, 1.5],
            &[false, true, false],
            2.0,
            0.5,
            0.5,
        );
        assert_eq!(a, vec![1.25, 1.0, 2.5]);
    }

    #[test]
    fn lambda_one_gives_discounted_returns_minus_values_and_zero_gives_td() {
        let r = [1.0f32, 1.0, 1.0];
        let v = [0.0f32, 0.0, 0.0];
        let a = gae(&r, &v, &[false; 3], 0.0, 0.9, 1.0);
        assert!((a[0] - (1.0 + 0.9 + 0.81)).abs() < 1e-6);
        let td = gae(&r, &[0.2, 0.4, 0.6], &[false; 3], 1.0, 0.9, 0.0);
        assert!((td[0] - (1.0 + 0.9 * 0.4 - 0.2)).abs() < 1e-6);
        assert!((td[2] - (1.0 + 0.9 * 1.0 - 0.6)).abs() < 1e-6);
    }
}
