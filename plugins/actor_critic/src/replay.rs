//! A uniform replay of continuous-action transitions `(s, a, r, terminated, s', task)` for
//! SAC and MT-SAC: one ring over all envs, filled in env-index order, so a seed fixes its
//! contents. (The `arcadia-nn` replay stores discrete actions only.) Bootstrapping goes
//! through truncation: a truncated transition stores the final observation as `s'` and
//! `terminated = false`. Pixel observations (the SAC encoder) are kept as `u8` beside the
//! `f32` values (an image's auxiliary features), and converted to `f32` only per batch.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{ActorCriticError, Result};

/// The replay: flat `f32` rows, grown on demand up to `capacity`, then overwritten oldest
/// first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitionReplay {
    capacity: usize,
    obs_dim: usize,
    act_dim: usize,
    pixel_dim: usize,
    obs: Vec<f32>,
    next_obs: Vec<f32>,
    pixels: Vec<u8>,
    next_pixels: Vec<u8>,
    actions: Vec<f32>,
    rewards: Vec<f32>,
    terminated: Vec<bool>,
    tasks: Vec<u32>,
    next: usize,
    added: u64,
}

/// A sampled batch, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitionBatch {
    /// `s`, `[batch, obs_dim]`.
    pub obs: Vec<f32>,
    /// `a`, `[batch, act_dim]`.
    pub actions: Vec<f32>,
    /// `r`, `[batch]`.
    pub rewards: Vec<f32>,
    /// `1 - terminated`, `[batch]`.
    pub not_terminated: Vec<f32>,
    /// `s'`, `[batch, obs_dim]`.
    pub next_obs: Vec<f32>,
    /// Task indices, `[batch]`.
    pub tasks: Vec<u32>,
    /// Pixels of `s`, `[batch, pixel_dim]` (empty without pixels).
    pub pixels: Vec<u8>,
    /// Pixels of `s'`, `[batch, pixel_dim]` (empty without pixels).
    pub next_pixels: Vec<u8>,
}

impl TransitionReplay {
    /// An empty replay of `capacity` transitions of vector observations.
    pub fn new(capacity: usize, obs_dim: usize, act_dim: usize) -> Result<Self> {
        Self::with_pixels(capacity, 0, obs_dim, act_dim)
    }

    /// An empty replay of `capacity` transitions whose observations are `pixel_dim` bytes
    /// and `obs_dim` floats (either may be 0, not both).
    pub fn with_pixels(
        capacity: usize,
        pixel_dim: usize,
        obs_dim: usize,
        act_dim: usize,
    ) -> Result<Self> {
        if capacity == 0 || obs_dim + pixel_dim == 0 || act_dim == 0 {
            return Err(ActorCriticError::Config(format!(
                "replay needs capacity, observation and action sizes >= 1 (got {capacity}, {}, {act_dim})",
                obs_dim + pixel_dim
            )));
        }
        Ok(TransitionReplay {
            capacity,
            obs_dim,
            act_dim,
            pixel_dim,
            obs: Vec::new(),
            next_obs: Vec::new(),
            pixels: Vec::new(),
            next_pixels: Vec::new(),
            actions: Vec::new(),
            rewards: Vec::new(),
            terminated: Vec::new(),
            tasks: Vec::new(),
            next: 0,
            added: 0,
        })
    }

    /// Transitions held.
    pub fn len(&self) -> usize {
        self.rewards.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.rewards.is_empty()
    }

    /// Transitions ever added.
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Stores one transition of vector observations (slices of the configured sizes).
    pub fn push(
        &mut self,
        obs: &[f32],
        action: &[f32],
        reward: f32,
        terminated: bool,
        next_obs: &[f32],
        task: u32,
    ) -> Result<()> {
        self.push_with_pixels(
            (&[], obs),
            action,
            reward,
            terminated,
            (&[], next_obs),
            task,
        )
    }

    /// Stores one transition whose observations are `(pixels, values)`.
    pub fn push_with_pixels(
        &mut self,
        (pixels, obs): (&[u8], &[f32]),
        action: &[f32],
        reward: f32,
        terminated: bool,
        (next_pixels, next_obs): (&[u8], &[f32]),
        task: u32,
    ) -> Result<()> {
        if pixels.len() != self.pixel_dim || next_pixels.len() != self.pixel_dim {
            return Err(ActorCriticError::Scene(format!(
                "an image of {} bytes, the replay was built for {}",
                pixels.len().max(next_pixels.len()),
                self.pixel_dim
            )));
        }
        if obs.len() != self.obs_dim || next_obs.len() != self.obs_dim {
            return Err(ActorCriticError::Scene(format!(
                "observation of {} values, the replay was built for {}",
                obs.len().max(next_obs.len()),
                self.obs_dim
            )));
        }
        if action.len() != self.act_dim {
            return Err(ActorCriticError::Scene(format!(
                "action of {} values, the replay was built for {}",
                action.len(),
                self.act_dim
            )));
        }
        let i = self.next;
        if self.len() < self.capacity {
            self.obs.extend_from_slice(obs);
            self.next_obs.extend_from_slice(next_obs);
            self.pixels.extend_from_slice(pixels);
            self.next_pixels.extend_from_slice(next_pixels);
            self.actions.extend_from_slice(action);
            self.rewards.push(reward);
            self.terminated.push(terminated);
            self.tasks.push(task);
        } else {
            let (o, a, p) = (self.obs_dim, self.act_dim, self.pixel_dim);
            self.obs[i * o..(i + 1) * o].copy_from_slice(obs);
            self.pixels[i * p..(i + 1) * p].copy_from_slice(pixels);
            self.next_pixels[i * p..(i + 1) * p].copy_from_slice(next_pixels);
            self.next_obs[i * o..(i + 1) * o].copy_from_slice(next_obs);
            self.actions[i * a..(i + 1) * a].copy_from_slice(action);
            self.rewards[i] = reward;
            self.terminated[i] = terminated;
            self.tasks[i] = task;
        }
        self.next = (i + 1) % self.capacity;
        self.added += 1;
        Ok(())
    }

    /// `batch` transitions drawn uniformly with replacement.
    pub fn sample(&self, batch: usize, rng: &mut impl Rng) -> Result<TransitionBatch> {
        let n = self.len();
        if n == 0 {
            return Err(ActorCriticError::Nn(
                arcadia_nn::error::NnError::EmptyReplay,
            ));
        }
        let (o, a, p) = (self.obs_dim, self.act_dim, self.pixel_dim);
        let mut out = TransitionBatch {
            pixels: Vec::with_capacity(batch * p),
            next_pixels: Vec::with_capacity(batch * p),
            obs: Vec::with_capacity(batch * o),
            actions: Vec::with_capacity(batch * a),
            rewards: Vec::with_capacity(batch),
            not_terminated: Vec::with_capacity(batch),
            next_obs: Vec::with_capacity(batch * o),
            tasks: Vec::with_capacity(batch),
        };
        for _ in 0..batch {
            let i = rng.random_range(0..n);
            out.obs.extend_from_slice(&self.obs[i * o..(i + 1) * o]);
            out.pixels
                .extend_from_slice(&self.pixels[i * p..(i + 1) * p]);
            out.next_pixels
                .extend_from_slice(&self.next_pixels[i * p..(i + 1) * p]);
            out.next_obs
                .extend_from_slice(&self.next_obs[i * o..(i + 1) * o]);
            out.actions
                .extend_from_slice(&self.actions[i * a..(i + 1) * a]);
            out.rewards.push(self.rewards[i]);
            out.not_terminated
                .push(if self.terminated[i] { 0.0 } else { 1.0 });
            out.tasks.push(self.tasks[i]);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ring_overwrites_the_oldest_and_samples_whole_rows() {
        let mut r = TransitionReplay::new(3, 2, 1).unwrap();
        for t in 0..5 {
            let x = t as f32;
            r.push(&[x, x], &[x], x, t == 4, &[x + 0.5, x + 0.5], t as u32)
                .unwrap();
        }
        assert_eq!(r.len(), 3);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let b = r.sample(64, &mut rng).unwrap();
        for k in 0..64 {
            let x = b.rewards[k];
            assert!(x >= 2.0, "transition {x} should have been overwritten");
            assert_eq!(b.obs[2 * k], x);
            assert_eq!(b.next_obs[2 * k + 1], x + 0.5);
            assert_eq!(b.actions[k], x);
            assert_eq!(b.tasks[k], x as u32);
            assert_eq!(b.not_terminated[k], if x == 4.0 { 0.0 } else { 1.0 });
        }
        assert!(r.push(&[0.0], &[0.0], 0.0, false, &[0.0], 0).is_err());
    }

    #[test]
    fn pixels_travel_with_their_transition() {
        let mut r = TransitionReplay::with_pixels(4, 3, 0, 1).unwrap();
        for t in 0..6u8 {
            r.push_with_pixels(
                (&[t, t, t], &[]),
                &[t as f32],
                t as f32,
                false,
                (&[t + 100, t, t], &[]),
                0,
            )
            .unwrap();
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let b = r.sample(32, &mut rng).unwrap();
        assert!(b.obs.is_empty() && b.pixels.len() == 96);
        for k in 0..32 {
            let t = b.rewards[k] as u8;
            assert!(t >= 2);
            assert_eq!(&b.pixels[3 * k..3 * k + 3], &[t, t, t]);
            assert_eq!(b.next_pixels[3 * k], t + 100);
        }
        assert!(
            r.push_with_pixels((&[1, 2], &[]), &[0.0], 0.0, false, (&[1, 2], &[]), 0)
                .is_err()
        );
        assert!(TransitionReplay::with_pixels(4, 0, 0, 1).is_err());
    }
}
