//! Experience replay for many envs: uniform or prioritized (Schaul et al. 2016), n-step
//! returns that stop at episode ends, and frame-stacked observations stored one frame per
//! step.
//!
//! ## Layout
//! Each env has its own ring of step records and its own ring of frames. An observation made
//! of `stack` frames (`[stack * c, h, w]`, the newest frame last, as Atari frame stacks are)
//! is stored as the id of its newest frame: an episode's first observation pushes all its
//! frames, every later observation pushes only its newest one, so the frames of an episode
//! are contiguous and any observation is the `stack` frames ending at its id. When a new
//! observation is not the previous one shifted by a frame (a scene that does not stack, say)
//! all of its frames are pushed, so the stored observations are always exact. A 1M-transition
//! Atari replay (84x84 frames) takes `(1 + 1/16) * 1M * 7056` bytes = 7.0 GiB of frames;
//! when episodes are shorter than about 64 steps the oldest records are dropped before the
//! record ring is full (their frames are gone). Vector observations are the case
//! `stack = 1`, with room for two frames per record.
//!
//! ## n-step returns
//! A record `t` holds `(o_t, a_t, r_t, terminated_t, truncated_t, o_{t+1})`. Sampling it gives
//! `R = sum_{k<K} gamma^k r_{t+k}` where `K` is `n` or the steps to the end of the episode,
//! the bootstrap observation `o_{t+K}`, and the discount `gamma^K` (0 when the episode
//! terminated; on truncation the final observation is bootstrapped from). A record becomes
//! sampleable once its `n` steps (or its episode's end) are stored.
//!
//! ## Priorities
//! Uniform replay is a sum tree whose sampleable leaves all hold 1; prioritized replay gives
//! new records the largest priority seen so far and takes new priorities from the learner.
//! Sampling is stratified by mass either way; [`importance_weights`] gives
//! `w_i = (P(i))^-beta / max_j w_j` (Schaul et al. eq. 1 and section 3.4).

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result};
use crate::sum_tree::SumTree;

/// What the replay stores and how it samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayConfig {
    /// Transitions kept over all envs (each env keeps `capacity / num_envs`).
    pub capacity: usize,
    /// Number of envs feeding the replay.
    pub num_envs: usize,
    /// Elements of one observation (all stacked frames).
    pub observation_len: usize,
    /// Frames stacked in one observation (1 for vectors).
    pub stack: usize,
    /// Auxiliary `f32` features per observation.
    pub aux: usize,
    /// Observations are `u8` images (else `f32`).
    pub pixels: bool,
    /// Discount per step.
    pub gamma: f64,
    /// Steps of the n-step return.
    pub n_step: usize,
    /// Prioritized sampling (else uniform).
    pub prioritized: bool,
}

/// An observation handed to the replay.
#[derive(Clone, Copy, Debug)]
pub enum ObsRef<'a> {
    /// A vector or tensor of `f32`.
    F32(&'a [f32]),
    /// An image of `u8`.
    U8(&'a [u8]),
}

impl ObsRef<'_> {
    fn len(&self) -> usize {
        match self {
            ObsRef::F32(v) => v.len(),
            ObsRef::U8(v) => v.len(),
        }
    }
}

/// Observations of a sampled batch, `[batch, observation_len]` row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchObs {
    /// `f32` observations.
    F32(Vec<f32>),
    /// `u8` images.
    U8(Vec<u8>),
}

/// A sampled batch of n-step transitions.
#[derive(Clone, Debug, PartialEq)]
pub struct SampledBatch {
    /// `o_t`.
    pub obs: BatchObs,
    /// Auxiliary features of `o_t`, `[batch, aux]`.
    pub aux: Vec<f32>,
    /// `a_t`.
    pub actions: Vec<u32>,
    /// n-step returns.
    pub returns: Vec<f32>,
    /// `gamma^K`, or 0 when the episode terminated within the `n` steps.
    pub discounts: Vec<f32>,
    /// The bootstrap observations `o_{t+K}`.
    pub next_obs: BatchObs,
    /// Auxiliary features of `o_{t+K}`.
    pub next_aux: Vec<f32>,
    /// Replay slots, for [`Replay::update_priorities`].
    pub slots: Vec<usize>,
    /// Sampling probabilities `P(i) = p_i / sum p`.
    pub probabilities: Vec<f64>,
}

/// Importance-sampling weights `w_i = P(i)^-beta`, normalised by their maximum.
pub fn importance_weights(probabilities: &[f64], beta: f64) -> Vec<f32> {
    let raw: Vec<f64> = probabilities
        .iter()
        .map(|&p| (p + 1e-10).powf(-beta))
        .collect();
    let max = raw.iter().cloned().fold(0.0, f64::max);
    raw.iter().map(|&w| (w / max) as f32).collect()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Record {
    frame: u64,
    next_frame: u64,
    action: u32,
    reward: f32,
    terminated: bool,
    truncated: bool,
}

/// The frame ring of one env. Rings are allocated whole up front, so a checkpoint of a
/// replay that is still filling would be mostly zeros: frames, records and priorities are
/// written without their unused tails (see [`compact`]) and grown back when read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum FrameData {
    F32(#[serde(with = "compact")] Vec<f32>),
    U8(#[serde(with = "compact")] Vec<u8>),
}

/// Serializes a vector as its length and its values up to the last non-default one.
pub(crate) mod compact {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `(len, values[..last non-default + 1])`.
    pub fn serialize<T, S>(values: &[T], s: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize + Default + PartialEq,
        S: Serializer,
    {
        let zero = T::default();
        let used = values.iter().rposition(|v| *v != zero).map_or(0, |i| i + 1);
        (values.len(), &values[..used]).serialize(s)
    }

    /// Reads what [`serialize`] wrote and pads it with defaults to its length.
    pub fn deserialize<'de, T, D>(d: D) -> Result<Vec<T>, D::Error>
    where
        T: Deserialize<'de> + Default + Clone,
        D: Deserializer<'de>,
    {
        use serde::de::Error;
        let (len, mut values): (usize, Vec<T>) = Deserialize::deserialize(d)?;
        if values.len() > len {
            return Err(D::Error::custom(format!(
                "a store of {len} values holds {}",
                values.len()
            )));
        }
        values.resize(len, T::default());
        Ok(values)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct EnvBuffer {
    #[serde(with = "compact")]
    records: Vec<Record>,
    next_record: u64,
    oldest: u64,
    pending: u64,
    frames: FrameData,
    aux: Vec<f32>,
    next_frame: u64,
    current: Option<u64>,
}

/// The replay (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    config: ReplayConfig,
    per_env: usize,
    frame_capacity: usize,
    frame_len: usize,
    envs: Vec<EnvBuffer>,
    tree: SumTree,
    added: u64,
}

impl Replay {
    /// An empty replay; errors when the sizes do not fit together.
    pub fn new(config: ReplayConfig) -> Result<Self> {
        let c = &config;
        if c.num_envs == 0 || c.stack == 0 || c.n_step == 0 {
            return Err(NnError::Config(
                "replay needs num_envs, stack and n_step >= 1".into(),
            ));
        }
        if c.observation_len == 0 || !c.observation_len.is_multiple_of(c.stack) {
            return Err(NnError::Config(format!(
                "observation of {} elements does not split into {} stacked frames",
                c.observation_len, c.stack
            )));
        }
        let per_env = c.capacity / c.num_envs;
        if per_env < c.n_step + 1 {
            return Err(NnError::Config(format!(
                "replay capacity {} over {} envs leaves {per_env} per env, fewer than n_step + 1 = {}",
                c.capacity,
                c.num_envs,
                c.n_step + 1
            )));
        }
        if !(0.0..=1.0).contains(&c.gamma) {
            return Err(NnError::Config(format!(
                "gamma {} is not in [0, 1]",
                c.gamma
            )));
        }
        let frame_len = c.observation_len / c.stack;
        // Every episode stores `stack` frames more than it has steps. Image stacks get 1/16
        // of slack (about 4 frames per 64-step episode) to stay inside the memory budget;
        // unstacked observations get room for the shortest (1-step) episodes.
        let frame_capacity = if c.stack == 1 {
            2 * per_env + 2
        } else {
            per_env + per_env / 16 + 4 * c.stack + 2
        };
        let frames = if c.pixels {
            FrameData::U8(vec![0; frame_capacity * frame_len])
        } else {
            FrameData::F32(vec![0.0; frame_capacity * frame_len])
        };
        let empty = Record {
            frame: 0,
            next_frame: 0,
            action: 0,
            reward: 0.0,
            terminated: false,
            truncated: false,
        };
        let env = EnvBuffer {
            records: vec![empty; per_env],
            next_record: 0,
            oldest: 0,
            pending: 0,
            frames,
            aux: vec![0.0; frame_capacity * c.aux],
            next_frame: 0,
            current: None,
        };
        Ok(Replay {
            tree: SumTree::new(per_env * c.num_envs),
            envs: vec![env; c.num_envs],
            per_env,
            frame_capacity,
            frame_len,
            added: 0,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ReplayConfig {
        &self.config
    }

    /// Transitions added so far (over all envs, including overwritten ones).
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Transitions that can be sampled now.
    pub fn sampleable(&self) -> usize {
        self.envs
            .iter()
            .map(|e| (e.pending - e.oldest) as usize)
            .sum()
    }

    fn check_obs(&self, obs: ObsRef, aux: &[f32]) -> Result<()> {
        let kind_ok = matches!(
            (obs, self.config.pixels),
            (ObsRef::U8(_), true) | (ObsRef::F32(_), false)
        );
        if !kind_ok || obs.len() != self.config.observation_len || aux.len() != self.config.aux {
            return Err(NnError::Mismatch(format!(
                "observation of {} {} elements with {} aux values; the replay holds {} {} elements with {} aux",
                obs.len(),
                if matches!(obs, ObsRef::U8(_)) {
                    "u8"
                } else {
                    "f32"
                },
                aux.len(),
                self.config.observation_len,
                if self.config.pixels { "u8" } else { "f32" },
                self.config.aux
            )));
        }
        Ok(())
    }

    /// Starts an episode of env `env` at observation `obs`: all of its frames are stored.
    /// An episode still in progress (the env was restarted) ends as a truncation at its
    /// last stored step.
    pub fn start_episode(&mut self, env: usize, obs: ObsRef, aux: &[f32]) -> Result<()> {
        self.check_obs(obs, aux)?;
        self.close_cut_episode(env);
        let id = self.push_frames(env, obs, aux, self.config.stack);
        self.envs[env].current = Some(id);
        self.evict(env);
        Ok(())
    }

    /// Stores the step of env `env` from its current observation with `action`, `reward`
    /// and flags, landing on `next_obs` (the final observation when the episode ended). When
    /// the episode ended, `reset_obs` is the first observation of the next one; a
    /// `terminated` step without `reset_obs` is a terminal inside a stream that goes on (a
    /// lost life under Dopamine's Atari protocol): returns stop there, frames continue.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        env: usize,
        action: u32,
        reward: f32,
        terminated: bool,
        truncated: bool,
        next_obs: (ObsRef, &[f32]),
        reset_obs: Option<(ObsRef, &[f32])>,
    ) -> Result<()> {
        self.check_obs(next_obs.0, next_obs.1)?;
        let Some(frame) = self.envs[env].current else {
            return Err(NnError::Mismatch(format!(
                "env {env} added a step before its episode started"
            )));
        };
        let new_frames = if self.continues(env, frame, next_obs.0) {
            1
        } else {
            self.config.stack
        };
        let next_frame = self.push_frames(env, next_obs.0, next_obs.1, new_frames);
        self.evict(env);
        // A record may be written only once the slot's previous record is gone.
        let e = &mut self.envs[env];
        if e.next_record - e.oldest >= self.per_env as u64 {
            let slot = env * self.per_env + (e.oldest % self.per_env as u64) as usize;
            self.tree.set(slot, 0.0);
            e.oldest += 1;
            e.pending = e.pending.max(e.oldest);
        }
        let e = &mut self.envs[env];
        let index = e.next_record;
        e.records[(index % self.per_env as u64) as usize] = Record {
            frame,
            next_frame,
            action,
            reward,
            terminated,
            truncated,
        };
        e.next_record += 1;
        e.current = Some(next_frame);
        self.added += 1;
        let done = reset_obs.is_some();
        if truncated && !done {
            return Err(NnError::Mismatch(format!(
                "env {env} truncated an episode without a reset observation"
            )));
        }
        let ready = if done || terminated {
            index + 1
        } else {
            (index + 2).saturating_sub(self.config.n_step as u64)
        };
        let priority = if self.config.prioritized {
            self.tree.max_priority()
        } else {
            1.0
        };
        let e = &mut self.envs[env];
        while e.pending < ready {
            let slot = env * self.per_env + (e.pending % self.per_env as u64) as usize;
            self.tree.set(slot, priority);
            e.pending += 1;
        }
        if let Some((obs, aux)) = reset_obs {
            self.start_episode(env, obs, aux)?;
        }
        Ok(())
    }

    /// Marks the last record of env `env` as a truncation when its episode had not ended,
    /// and makes its records sampleable: n-step returns then stop there and bootstrap from
    /// its next observation instead of running into the next episode.
    fn close_cut_episode(&mut self, env: usize) {
        let per_env = self.per_env as u64;
        let priority = if self.config.prioritized {
            self.tree.max_priority()
        } else {
            1.0
        };
        let e = &mut self.envs[env];
        if e.next_record == e.oldest {
            return;
        }
        let last = &mut e.records[((e.next_record - 1) % per_env) as usize];
        if last.terminated || last.truncated {
            return;
        }
        last.truncated = true;
        while e.pending < e.next_record {
            let slot = env * self.per_env + (e.pending % per_env) as usize;
            self.tree.set(slot, priority);
            e.pending += 1;
        }
    }

    /// Whether `obs` is the observation ending at frame `frame` shifted by one frame.
    fn continues(&self, env: usize, frame: u64, obs: ObsRef) -> bool {
        let stack = self.config.stack;
        if stack == 1 {
            return true;
        }
        let fl = self.frame_len;
        (1..stack).all(|k| {
            let id = frame + 1 + k as u64 - stack as u64;
            let start = (id % self.frame_capacity as u64) as usize * fl;
            let part = (k - 1) * fl..k * fl;
            match (&self.envs[env].frames, obs) {
                (FrameData::U8(f), ObsRef::U8(o)) => f[start..start + fl] == o[part],
                (FrameData::F32(f), ObsRef::F32(o)) => f[start..start + fl] == o[part],
                _ => false,
            }
        })
    }

    /// Pushes the last `count` frames of `obs`; returns the id of the newest.
    fn push_frames(&mut self, env: usize, obs: ObsRef, aux: &[f32], count: usize) -> u64 {
        let (fl, cap, stack, naux) = (
            self.frame_len,
            self.frame_capacity as u64,
            self.config.stack,
            self.config.aux,
        );
        let e = &mut self.envs[env];
        for k in stack - count..stack {
            let slot = (e.next_frame % cap) as usize;
            match (&mut e.frames, obs) {
                (FrameData::U8(f), ObsRef::U8(o)) => {
                    f[slot * fl..(slot + 1) * fl].copy_from_slice(&o[k * fl..(k + 1) * fl])
                }
                (FrameData::F32(f), ObsRef::F32(o)) => {
                    f[slot * fl..(slot + 1) * fl].copy_from_slice(&o[k * fl..(k + 1) * fl])
                }
                _ => unreachable!("observation kind checked by check_obs"),
            }
            e.aux[slot * naux..(slot + 1) * naux].copy_from_slice(aux);
            e.next_frame += 1;
        }
        e.next_frame - 1
    }

    /// Drops records whose frames were overwritten.
    fn evict(&mut self, env: usize) {
        let stack = self.config.stack as u64;
        let cap = self.frame_capacity as u64;
        let e = &mut self.envs[env];
        while e.oldest < e.next_record {
            let first = e.records[(e.oldest % self.per_env as u64) as usize].frame + 1 - stack;
            if e.next_frame - first <= cap {
                break;
            }
            let slot = env * self.per_env + (e.oldest % self.per_env as u64) as usize;
            self.tree.set(slot, 0.0);
            e.oldest += 1;
        }
        e.pending = e.pending.max(e.oldest);
    }

    fn record(&self, env: usize, index: u64) -> Record {
        self.envs[env].records[(index % self.per_env as u64) as usize]
    }

    fn copy_obs(&self, env: usize, newest: u64, obs: &mut BatchObs, aux: &mut Vec<f32>) {
        let (fl, cap, stack, naux) = (
            self.frame_len,
            self.frame_capacity as u64,
            self.config.stack as u64,
            self.config.aux,
        );
        let e = &self.envs[env];
        for id in newest + 1 - stack..=newest {
            let slot = (id % cap) as usize;
            match (&e.frames, &mut *obs) {
                (FrameData::U8(f), BatchObs::U8(o)) => {
                    o.extend_from_slice(&f[slot * fl..(slot + 1) * fl])
                }
                (FrameData::F32(f), BatchObs::F32(o)) => {
                    o.extend_from_slice(&f[slot * fl..(slot + 1) * fl])
                }
                _ => unreachable!("batch kind follows the storage"),
            }
        }
        let slot = (newest % cap) as usize;
        aux.extend_from_slice(&e.aux[slot * naux..(slot + 1) * naux]);
    }

    /// Samples `batch` transitions (stratified by priority mass) with their n-step returns.
    pub fn sample(&self, batch: usize, rng: &mut impl Rng) -> Result<SampledBatch> {
        let slots = self
            .tree
            .sample_stratified(batch, rng)
            .ok_or(NnError::EmptyReplay)?;
        let total = self.tree.total();
        let empty = || {
            if self.config.pixels {
                BatchObs::U8(Vec::with_capacity(batch * self.config.observation_len))
            } else {
                BatchObs::F32(Vec::with_capacity(batch * self.config.observation_len))
            }
        };
        let mut out = SampledBatch {
            obs: empty(),
            aux: Vec::with_capacity(batch * self.config.aux),
            actions: Vec::with_capacity(batch),
            returns: Vec::with_capacity(batch),
            discounts: Vec::with_capacity(batch),
            next_obs: empty(),
            next_aux: Vec::with_capacity(batch * self.config.aux),
            probabilities: slots.iter().map(|&s| self.tree.get(s) / total).collect(),
            slots,
        };
        let per_env = self.per_env as u64;
        for i in 0..batch {
            let slot = out.slots[i];
            let env = slot / self.per_env;
            let ring = (slot % self.per_env) as u64;
            let last = self.envs[env].next_record - 1;
            let index = ring + per_env * ((last - ring) / per_env);
            let first = self.record(env, index);
            let (ret, discount, next) = self.n_step(env, index);
            out.actions.push(first.action);
            out.returns.push(ret);
            out.discounts.push(discount);
            self.copy_obs(env, first.frame, &mut out.obs, &mut out.aux);
            self.copy_obs(env, next, &mut out.next_obs, &mut out.next_aux);
        }
        Ok(out)
    }

    /// `(R, discount, bootstrap frame)` of record `index` of env `env`.
    fn n_step(&self, env: usize, index: u64) -> (f32, f32, u64) {
        let gamma = self.config.gamma;
        let mut ret = 0f64;
        let mut scale = 1f64;
        let last = self.envs[env].next_record - 1;
        let mut rec = self.record(env, index);
        for k in 0..self.config.n_step as u64 {
            rec = self.record(env, index + k);
            ret += scale * rec.reward as f64;
            scale *= gamma;
            if rec.terminated {
                return (ret as f32, 0.0, rec.next_frame);
            }
            if rec.truncated || index + k == last {
                break;
            }
        }
        (ret as f32, scale as f32, rec.next_frame)
    }

    /// Sets the priorities of sampled `slots` (already raised to the priority exponent).
    pub fn update_priorities(&mut self, slots: &[usize], priorities: &[f64]) {
        for (&slot, &p) in slots.iter().zip(priorities) {
            if self.tree.get(slot) > 0.0 {
                self.tree.set(slot, p.max(1e-10));
            }
        }
    }

    /// Frames written so far over all envs (one per step plus `stack` per episode start when
    /// observations are shifted stacks).
    pub fn frames_written(&self) -> u64 {
        self.envs.iter().map(|e| e.next_frame).sum()
    }

    /// Bytes held by frames, records and the tree (for sizing).
    pub fn memory_bytes(&self) -> usize {
        let per_frame = if self.config.pixels { 1 } else { 4 };
        self.envs.len()
            * (self.frame_capacity * (self.frame_len * per_frame + 4 * self.config.aux)
                + self.per_env * std::mem::size_of::<Record>())
            + self.tree.capacity().next_power_of_two() * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn vector_replay(n_step: usize, gamma: f64, capacity: usize) -> Replay {
        Replay::new(ReplayConfig {
            capacity,
            num_envs: 1,
            observation_len: 1,
            stack: 1,
            aux: 0,
            pixels: false,
            gamma,
            n_step,
            prioritized: false,
        })
        .unwrap()
    }

    /// Plays `rewards` with observations 0, 1, 2, ...; `ends[t]` = (terminated, truncated).
    fn play(replay: &mut Replay, rewards: &[f32], ends: &[(bool, bool)]) {
        let mut obs = 0f32;
        replay.start_episode(0, ObsRef::F32(&[obs]), &[]).unwrap();
        for (t, (&r, &(term, trunc))) in rewards.iter().zip(ends).enumerate() {
            obs += 1.0;
            let next = [obs];
            let reset = [100.0 + t as f32];
            let done = term || trunc;
            replay
                .add(
                    0,
                    t as u32,
                    r,
                    term,
                    trunc,
                    (ObsRef::F32(&next), &[]),
                    done.then_some((ObsRef::F32(&reset), &[][..])),
                )
                .unwrap();
            if done {
                obs = 100.0 + t as f32;
            }
        }
    }

    fn by_action(replay: &Replay) -> std::collections::BTreeMap<u32, (f32, f32, f32, f32)> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..200 {
            let b = replay.sample(8, &mut rng).unwrap();
            let (BatchObs::F32(o), BatchObs::F32(n)) = (&b.obs, &b.next_obs) else {
                panic!()
            };
            for i in 0..8 {
                seen.insert(b.actions[i], (o[i], b.returns[i], b.discounts[i], n[i]));
            }
        }
        seen
    }

    #[test]
    fn n_step_returns_stop_at_terminal_and_truncation() {
        let mut r = vector_replay(3, 0.5, 100);
        // Steps 0..=2 end terminated at step 2; steps 3..=4 end truncated at step 4; 5..=9 go on.
        let rewards = [1.0, 2.0, 4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let mut ends = [(false, false); 10];
        ends[2] = (true, false);
        ends[4] = (false, true);
        play(&mut r, &rewards, &ends);
        let s = by_action(&r);
        // Step 0: 1 + 0.5*2 + 0.25*4 = 3, terminal within 3 steps: discount 0.
        assert_eq!(s[&0], (0.0, 3.0, 0.0, 3.0));
        // Step 1: 2 + 0.5*4 = 4, terminal.
        assert_eq!(s[&1], (1.0, 4.0, 0.0, 3.0));
        assert_eq!(s[&2], (2.0, 4.0, 0.0, 3.0));
        // Step 3 starts the new episode at obs 102: 1 + 0.5 = 1.5, truncated after 2 steps:
        // bootstrap from the final observation (104) with gamma^2.
        assert_eq!(s[&3], (102.0, 1.5, 0.25, 104.0));
        assert_eq!(s[&4], (103.0, 1.0, 0.5, 104.0));
        // Step 5 from the reset obs 104: a full 3-step return 1.75, discount 1/8.
        assert_eq!(s[&5], (104.0, 1.75, 0.125, 107.0));
        // Steps 8 and 9 have no 3 steps stored yet and no end: not sampleable.
        assert!(!s.contains_key(&8) && !s.contains_key(&9), "{s:?}");
        assert_eq!(r.sampleable(), 8);
    }

    #[test]
    fn a_restarted_episode_ends_as_a_truncation() {
        let mut replay = vector_replay(3, 0.5, 64);
        replay.start_episode(0, ObsRef::F32(&[0.0]), &[]).unwrap();
        for t in 0..2 {
            let next = [t as f32 + 1.0];
            let next = (ObsRef::F32(&next), &[][..]);
            replay.add(0, t, 1.0, false, false, next, None).unwrap();
        }
        // Neither step is sampleable yet: their 3-step returns are not complete.
        assert_eq!(replay.sampleable(), 0);
        // The env restarts mid-episode: both steps close at the cut, and the next
        // episode's rewards never leak into them.
        replay.start_episode(0, ObsRef::F32(&[100.0]), &[]).unwrap();
        let next = (ObsRef::F32(&[101.0]), &[][..]);
        replay.add(0, 7, 10.0, false, false, next, None).unwrap();
        let returns = by_action(&replay);
        // (obs, return, discount, bootstrap obs): both bootstrap from the cut at obs 2.
        assert_eq!(returns[&0], (0.0, 1.5, 0.25, 2.0));
        assert_eq!(returns[&1], (1.0, 1.0, 0.5, 2.0));
        assert!(!returns.contains_key(&7));
    }

    #[test]
    fn a_lost_life_ends_returns_but_not_the_frame_stream() {
        let mut r = Replay::new(ReplayConfig {
            capacity: 100,
            num_envs: 1,
            observation_len: 4,
            stack: 4,
            aux: 0,
            pixels: true,
            gamma: 0.5,
            n_step: 3,
            prioritized: false,
        })
        .unwrap();
        // One-byte frames numbered by step; a stack is the last four.
        let stack = |t: u8| -> Vec<u8> { (0..4).map(|k| t + k).collect() };
        r.start_episode(0, ObsRef::U8(&stack(0)), &[]).unwrap();
        for t in 1..=6u8 {
            // Step 3 (landing on stack 3) loses a life: terminal, no reset observation.
            let terminal = t == 3;
            let next = stack(t);
            r.add(
                0,
                t as u32,
                1.0,
                terminal,
                false,
                (ObsRef::U8(&next), &[]),
                None,
            )
            .unwrap();
        }
        // The frames went on one per step: no new episode was started at the lost life.
        assert_eq!(r.envs[0].next_frame, 4 + 6);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..100 {
            let b = r.sample(4, &mut rng).unwrap();
            let BatchObs::U8(o) = &b.obs else { panic!() };
            for i in 0..4 {
                let a = b.actions[i];
                assert_eq!(&o[i * 4..(i + 1) * 4], &stack(a as u8 - 1)[..]);
                seen.insert(a, (b.returns[i], b.discounts[i]));
            }
        }
        // Steps 1..=3 stop at the lost life: 1 + 0.5 + 0.25, 1 + 0.5, 1, all with discount 0.
        assert_eq!(seen[&1], (1.75, 0.0));
        assert_eq!(seen[&2], (1.5, 0.0));
        assert_eq!(seen[&3], (1.0, 0.0));
        // Step 4 starts after it: a full 3-step return that bootstraps.
        assert_eq!(seen[&4], (1.75, 0.125));
        // A truncation without a reset observation is an error, not a silent cut.
        let next = stack(7);
        assert!(
            r.add(0, 7, 0.0, false, true, (ObsRef::U8(&next), &[]), None)
                .is_err()
        );
    }

    #[test]
    fn a_filling_replay_serializes_without_its_empty_frames() {
        let config = ReplayConfig {
            capacity: 10_000,
            num_envs: 1,
            observation_len: 4 * 1024,
            stack: 4,
            aux: 0,
            pixels: true,
            gamma: 0.9,
            n_step: 1,
            prioritized: false,
        };
        let mut r = Replay::new(config).unwrap();
        let obs = |t: u8| vec![t.max(1); 4 * 1024];
        r.start_episode(0, ObsRef::U8(&obs(1)), &[]).unwrap();
        for t in 2..12u8 {
            r.add(0, 0, 1.0, false, false, (ObsRef::U8(&obs(t)), &[]), None)
                .unwrap();
        }
        let bytes = postcard::to_stdvec(&r).unwrap();
        let full = r.frame_capacity * r.frame_len;
        assert!(
            bytes.len() < full / 10,
            "{} bytes for {full} frame bytes",
            bytes.len()
        );
        let back: Replay = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, r, "the frame store is grown back to its full size");
    }

    #[test]
    fn frame_stacks_are_stored_once_and_rebuilt_exactly() {
        let mut r = Replay::new(ReplayConfig {
            capacity: 1000,
            num_envs: 1,
            observation_len: 8,
            stack: 4,
            aux: 1,
            pixels: true,
            gamma: 0.9,
            n_step: 1,
            prioritized: false,
        })
        .unwrap();
        // Frames are 2 bytes holding the frame number; stacks are the last four frames.
        let stack = |t: u8| -> Vec<u8> { (0..4).flat_map(|k| [t + k, t + k]).collect() };
        r.start_episode(0, ObsRef::U8(&stack(0)), &[0.5]).unwrap();
        for t in 1..=20u8 {
            r.add(
                0,
                t as u32,
                0.0,
                false,
                false,
                (ObsRef::U8(&stack(t)), &[t as f32]),
                None,
            )
            .unwrap();
        }
        assert_eq!(
            r.envs[0].next_frame,
            4 + 20,
            "one frame per step after the first stack"
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let b = r.sample(16, &mut rng).unwrap();
        let (BatchObs::U8(o), BatchObs::U8(n)) = (&b.obs, &b.next_obs) else {
            panic!()
        };
        for i in 0..16 {
            let t = b.actions[i] as u8;
            assert_eq!(&o[i * 8..(i + 1) * 8], &stack(t - 1)[..]);
            assert_eq!(&n[i * 8..(i + 1) * 8], &stack(t)[..]);
            assert_eq!(b.next_aux[i], t as f32);
        }
    }

    #[test]
    fn atari_sized_replay_fits_in_8_gib() {
        // Sizes only: build the bookkeeping for a 1M-transition 84x84x4 replay on paper.
        let per_env = 1_000_000usize;
        let frames = per_env + per_env / 16 + 4 * 4 + 2;
        let bytes = frames * 84 * 84 + per_env * std::mem::size_of::<Record>() + (1 << 20) * 16;
        assert!((bytes as f64) < 8.0 * (1u64 << 30) as f64, "{bytes} bytes");
    }

    #[test]
    fn old_records_are_evicted_with_their_priorities() {
        let mut r = vector_replay(1, 0.9, 10);
        play(&mut r, &[0.0; 25], &[(false, false); 25]);
        assert_eq!(r.sampleable(), 10);
        let s = by_action(&r);
        assert_eq!(
            s.keys().copied().collect::<Vec<_>>(),
            (15..25).collect::<Vec<_>>()
        );
    }

    #[test]
    fn one_step_episodes_keep_the_full_capacity_for_vectors() {
        let mut r = vector_replay(3, 0.9, 10);
        play(&mut r, &[1.0; 25], &[(true, false); 25]);
        assert_eq!(r.sampleable(), 10);
        let s = by_action(&r);
        assert_eq!(
            s.keys().copied().collect::<Vec<_>>(),
            (15..25).collect::<Vec<_>>()
        );
        assert!(
            s.values()
                .all(|&(_, ret, disc, _)| ret == 1.0 && disc == 0.0)
        );
    }

    #[test]
    fn importance_weights_are_normalised_inverse_powers() {
        let w = importance_weights(&[0.1, 0.4, 0.2], 0.5);
        assert!((w[0] - 1.0).abs() < 1e-6);
        assert!((w[1] - 0.5).abs() < 1e-6);
        assert!((w[2] - (0.5f64).sqrt() as f32).abs() < 1e-6);
    }

    #[test]
    fn prioritized_replay_samples_by_updated_priority() {
        let mut r = Replay::new(ReplayConfig {
            prioritized: true,
            ..vector_replay(1, 0.9, 10).config
        })
        .unwrap();
        play(&mut r, &[0.0; 4], &[(false, false); 4]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let b = r.sample(4, &mut rng).unwrap();
        // New records all start at the max priority: uniform.
        assert!(b.probabilities.iter().all(|&p| (p - 0.25).abs() < 1e-12));
        // Give action 2 nine times the priority of the others.
        let slots: Vec<usize> = (0..4).collect();
        r.update_priorities(&slots, &[1.0, 1.0, 9.0, 1.0]);
        let mut count = 0;
        for _ in 0..500 {
            count += r
                .sample(4, &mut rng)
                .unwrap()
                .actions
                .iter()
                .filter(|&&a| a == 2)
                .count();
        }
        let freq = count as f64 / 2000.0;
        assert!((freq - 0.75).abs() < 0.03, "frequency {freq}");
    }
}
