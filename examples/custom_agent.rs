//! A complete new agent plugin in one file: linear Q-learning with epsilon-greedy
//! exploration, trained on the STEM scene's discrete task.
//!
//! Q(s, a) = w_a . phi(s), with phi(s) = [1, s, s_i s_j] (quadratic features, so the value of
//! "beam towards neighbour i" can depend on the product of the neighbour's direction and
//! the goal offset). One semi-gradient Q-learning step per transition (Sutton & Barto,
//! eq. 10.2 with the max over next actions).
//!
//! Run with `cargo run --release --example custom_agent`.

use arcadia::prelude::*;
use arcadia_engine::checkpoint::{load_value, save_value};
use arcadia_stem::config::ActionKind;
use bevy::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The agent's whole state: a resource, so Bevy systems can reach it and checkpoints save it.
#[derive(Resource, Clone, Serialize, Deserialize)]
struct LinearQ {
    actions: usize,
    features: usize,
    /// `actions x features`, row-major.
    weights: Vec<f32>,
    step_size: f32,
    gamma: f32,
    epsilon: f32,
    /// Per env: the features and action of the step in flight.
    pending: Vec<Option<(Vec<f32>, usize)>>,
}

impl LinearQ {
    fn new(obs_dim: usize, actions: usize, envs: usize) -> Self {
        let features = 1 + obs_dim + obs_dim * (obs_dim + 1) / 2;
        LinearQ {
            actions,
            features,
            weights: vec![0.0; actions * features],
            step_size: 0.05,
            gamma: 0.9,
            epsilon: 0.1,
            pending: vec![None; envs],
        }
    }

    fn phi(obs: &[f32]) -> Vec<f32> {
        // Goal offsets are in Angstroms: scale them to about unit size.
        let s: Vec<f32> = obs.iter().map(|&x| x.clamp(-50.0, 50.0) / 10.0).collect();
        let mut phi = Vec::with_capacity(1 + s.len() * (s.len() + 3) / 2);
        phi.push(1.0);
        phi.extend_from_slice(&s);
        for i in 0..s.len() {
            for j in i..s.len() {
                phi.push(s[i] * s[j]);
            }
        }
        phi
    }

    fn q(&self, phi: &[f32], action: usize) -> f32 {
        let w = &self.weights[action * self.features..(action + 1) * self.features];
        w.iter().zip(phi).map(|(a, b)| a * b).sum()
    }

    fn greedy(&self, phi: &[f32]) -> (usize, f32) {
        (0..self.actions)
            .map(|a| (a, self.q(phi, a)))
            .fold(
                (0, f32::NEG_INFINITY),
                |best, x| if x.1 > best.1 { x } else { best },
            )
    }
}

/// The plugin: one system per agent set, plus its checkpoint entry.
struct LinearQPlugin;

impl Plugin for LinearQPlugin {
    fn build(&self, app: &mut App) {
        let scene = app.world().resource::<SceneInfo>().clone();
        let obs_dim = scene.observation_space.flat_dim();
        let actions = scene.action_space.discrete_n().expect("a discrete scene") as usize;
        app.insert_resource(LinearQ::new(obs_dim, actions, scene.num_envs))
            .add_systems(Update, observe.in_set(ArcadiaSet::AgentObserve))
            .add_systems(Update, act.in_set(ArcadiaSet::AgentAct));
        app.world_mut()
            .resource_mut::<CheckpointRegistry>()
            .register(
                "agent",
                Box::new(|world, dir| {
                    save_value(&dir.join("linear_q.bin"), world.resource::<LinearQ>())
                }),
                Box::new(|world, dir| {
                    let agent: LinearQ = load_value(&dir.join("linear_q.bin"))?;
                    world.insert_resource(agent);
                    Ok(())
                }),
            );
    }
}

/// Learns from the transition each env just made: a TD(0) step towards
/// r + gamma max_a' Q(s', a') (no bootstrap on termination; on truncation bootstrap from
/// the final observation).
#[allow(clippy::type_complexity)]
fn observe(
    order: Res<EnvOrder>,
    envs: Query<(
        &Observation,
        &FinalObservation,
        &Reward,
        &Terminated,
        &Truncated,
        &Stepped,
    )>,
    mut agent: ResMut<LinearQ>,
    mut log: ResMut<ScalarLog>,
) {
    let mut td_sum = 0.0;
    let mut count = 0;
    for (i, &entity) in order.0.iter().enumerate() {
        let Ok((obs, last, reward, term, trunc, stepped)) = envs.get(entity) else {
            continue;
        };
        if !stepped.0 {
            continue;
        }
        let Some((phi, action)) = agent.pending[i].take() else {
            continue;
        };
        let next = if is_done(term, trunc) { &last.0 } else { obs };
        let bootstrap = if term.0 {
            0.0
        } else {
            agent.greedy(&LinearQ::phi(next.as_f32().unwrap_or(&[]))).1
        };
        let target = reward.0 + agent.gamma * bootstrap;
        let td = target - agent.q(&phi, action);
        let (features, step) = (agent.features, agent.step_size);
        let row = &mut agent.weights[action * features..(action + 1) * features];
        for (w, x) in row.iter_mut().zip(&phi) {
            *w += step * td * x;
        }
        td_sum += td.abs() as f64;
        count += 1;
    }
    if count > 0 {
        log.log("td_error", td_sum / count as f64);
    }
}

/// Epsilon-greedy actions for every env, in env order.
fn act(
    order: Res<EnvOrder>,
    mut envs: Query<(&Observation, &mut AgentRng, &mut Action)>,
    mut agent: ResMut<LinearQ>,
) {
    for (i, &entity) in order.0.iter().enumerate() {
        let Ok((obs, mut rng, mut action)) = envs.get_mut(entity) else {
            continue;
        };
        let phi = LinearQ::phi(obs.as_f32().unwrap_or(&[]));
        let a = if rng.random::<f32>() < agent.epsilon {
            rng.random_range(0..agent.actions)
        } else {
            agent.greedy(&phi).0
        };
        *action = Action::Discrete(a as u32);
        agent.pending[i] = Some((phi, a));
    }
}

fn success_rate(app: &App) -> f64 {
    let stats = app.world().resource::<RunStats>();
    let t = &stats.tasks[0];
    t.successes as f64 / t.episodes.max(1) as f64
}

fn main() {
    let config = arcadia_stem::StemConfig {
        actions: ActionKind::Discrete,
        goal_distance_a: (1.0, 6.0),
        timeout_s: 60.0,
        ..Default::default()
    };
    let run = |learn: bool| {
        let mut app = headless_app(0);
        app.add_plugins(arcadia_stem::plugin(&config, 8).expect("valid STEM config"));
        if learn {
            app.add_plugins(LinearQPlugin);
        } else {
            app.add_plugins(RandomAgentPlugin);
        }
        app.finish();
        app.cleanup();
        arcadia_engine::run::use_single_threaded_executors(&mut app);
        for _ in 0..25_000 {
            app.update();
        }
        // Evaluate on the last stretch only.
        let before = app.world().resource::<RunStats>().tasks[0].clone();
        for _ in 0..5_000 {
            app.update();
        }
        let after = &app.world().resource::<RunStats>().tasks[0];
        let episodes = after.episodes - before.episodes;
        let successes = after.successes - before.successes;
        (
            successes as f64 / episodes.max(1) as f64,
            episodes,
            success_rate(&app),
        )
    };
    let (random, n_random, _) = run(false);
    let (learned, n_learned, _) = run(true);
    println!("STEM discrete task, goals 1-6 A, 60 s timeout, 8 envs, 240k env steps:");
    println!(
        "  random agent:    success {:.1}% over the last {n_random} episodes",
        100.0 * random
    );
    println!(
        "  linear Q agent:  success {:.1}% over the last {n_learned} episodes",
        100.0 * learned
    );
}
