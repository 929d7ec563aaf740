//! A sum tree (Schaul et al. 2016, "Prioritized Experience Replay", appendix B.2.1): leaves
//! hold priorities, inner nodes the sums of their children, so setting a priority and finding
//! the leaf at a prefix sum both take `O(log n)`.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// A binary sum tree over `capacity` leaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SumTree {
    capacity: usize,
    leaves: usize,
    #[serde(with = "crate::replay::compact")]
    nodes: Vec<f64>,
    max_priority: f64,
}

impl SumTree {
    /// A tree of `capacity` zero priorities.
    pub fn new(capacity: usize) -> Self {
        let leaves = capacity.max(1).next_power_of_two();
        SumTree {
            capacity,
            leaves,
            nodes: vec![0.0; 2 * leaves],
            max_priority: 1.0,
        }
    }

    /// Number of leaves.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sum of all priorities.
    pub fn total(&self) -> f64 {
        self.nodes[1]
    }

    /// The largest priority ever set (1 before any), the priority new items get.
    pub fn max_priority(&self) -> f64 {
        self.max_priority
    }

    /// The priority of leaf `index`.
    pub fn get(&self, index: usize) -> f64 {
        self.nodes[self.leaves + index]
    }

    /// Sets leaf `index` to `priority` (>= 0; NaN and negative values count as 0).
    pub fn set(&mut self, index: usize, priority: f64) {
        assert!(index < self.capacity, "sum-tree index {index} out of range");
        let p = if priority.is_finite() && priority > 0.0 {
            priority
        } else {
            0.0
        };
        self.max_priority = self.max_priority.max(p);
        let mut node = self.leaves + index;
        self.nodes[node] = p;
        while node > 1 {
            node /= 2;
            self.nodes[node] = self.nodes[2 * node] + self.nodes[2 * node + 1];
        }
    }

    /// The leaf where the running sum of priorities passes `mass` (in `[0, total)`); never a
    /// zero-priority leaf while the total is positive.
    pub fn find(&self, mass: f64) -> usize {
        let mut mass = mass.clamp(0.0, self.total());
        let mut node = 1;
        while node < self.leaves {
            let left = 2 * node;
            if mass < self.nodes[left] || self.nodes[left + 1] <= 0.0 {
                node = left;
            } else {
                mass -= self.nodes[left];
                node = left + 1;
            }
        }
        let mut index = node - self.leaves;
        // Rounding can land on an empty leaf at the very end; step back to a filled one.
        while self.get(index) <= 0.0 && index > 0 {
            index -= 1;
        }
        index
    }

    /// Stratified sampling (Dopamine's `stratified_sample`): the total mass is cut into
    /// `batch` equal segments and one leaf is drawn uniformly by mass in each. `None` when the
    /// total is zero.
    pub fn sample_stratified(&self, batch: usize, rng: &mut impl Rng) -> Option<Vec<usize>> {
        let total = self.total();
        if total <= 0.0 || batch == 0 {
            return None;
        }
        let segment = total / batch as f64;
        Some(
            (0..batch)
                .map(|i| {
                    let u: f64 = rng.random();
                    self.find((i as f64 + u) * segment)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn sums_follow_updates() {
        let mut t = SumTree::new(5);
        t.set(0, 1.0);
        t.set(3, 2.5);
        t.set(4, 0.5);
        assert_eq!(t.total(), 4.0);
        t.set(3, 0.0);
        assert_eq!(t.total(), 1.5);
        assert_eq!(t.find(0.2), 0);
        assert_eq!(t.find(1.2), 4);
        assert_eq!(t.max_priority(), 2.5);
    }

    #[test]
    fn sampling_proportions_match_priorities() {
        // Priorities 1:2:3:4 (and zeros that must never be drawn): with 200k draws the
        // frequencies are within 0.5% of p_i / sum p.
        let mut t = SumTree::new(7);
        let p = [1.0, 0.0, 2.0, 3.0, 0.0, 4.0, 0.0];
        for (i, &x) in p.iter().enumerate() {
            t.set(i, x);
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let mut counts = [0usize; 7];
        let draws = 200_000;
        for _ in 0..draws / 32 {
            for i in t.sample_stratified(32, &mut rng).unwrap() {
                counts[i] += 1;
            }
        }
        let n: usize = counts.iter().sum();
        for i in 0..7 {
            let freq = counts[i] as f64 / n as f64;
            let expected = p[i] / 10.0;
            assert!(
                (freq - expected).abs() < 0.005,
                "leaf {i}: frequency {freq}, expected {expected}"
            );
        }
    }

    #[test]
    fn empty_tree_samples_nothing() {
        let t = SumTree::new(4);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        assert!(t.sample_stratified(4, &mut rng).is_none());
    }
}
