//! Task variations as Meta-World makes them: a fixed list of `rand_vec`s per task, drawn
//! uniformly from the task's reset space (resampling rejected ones) by a seeded
//! generator; each reset picks one of them at random.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::tasks::Task;

/// The `count` (at least one) fixed variations of `task` for `seed`; the same for every
/// env of the task.
pub fn variations(task: Task, seed: u64, count: usize) -> Vec<Vec<f32>> {
    let count = count.max(1);
    let index = crate::tasks::MT10
        .iter()
        .position(|&t| t == task)
        .unwrap_or(0) as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index + 1));
    let (low, high) = task.reset_space();
    (0..count)
        .map(|_| {
            loop {
                let v: Vec<f32> = low
                    .iter()
                    .zip(&high)
                    .map(|(&l, &h)| if h > l { rng.random_range(l..h) } else { l })
                    .collect();
                if task.accepts(&v) {
                    break v;
                }
            }
        })
        .collect()
}

/// Picks one of the variations.
pub fn pick<R: Rng + ?Sized>(rng: &mut R, count: usize) -> usize {
    rng.random_range(0..count.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::MT10;

    #[test]
    fn variations_are_fixed_by_the_seed_and_inside_the_reset_space() {
        for task in MT10 {
            let a = variations(task, 3, 50);
            assert_eq!(a, variations(task, 3, 50));
            assert_eq!(a.len(), 50);
            let (low, high) = task.reset_space();
            for v in &a {
                assert!(task.accepts(v));
                for i in 0..v.len() {
                    assert!(v[i] >= low[i] && v[i] <= high[i], "{task:?} {v:?}");
                }
            }
        }
        assert_ne!(variations(Task::Reach, 3, 5), variations(Task::Reach, 4, 5));
    }
}
