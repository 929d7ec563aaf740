//! Evaluation phases: training pauses, every env starts a fresh episode, agents act with
//! their evaluation policy and learn nothing, and the episodes are recorded apart from
//! training episodes (`eval_episodes.csv`, the `eval` rounds of `summary.json`).
//!
//! An [`EvalSchedule`] starts a phase every `every` training env steps (and once more when
//! the budget is spent, with `at_end`). A phase asks for `episodes` episodes, spread evenly
//! over the envs (env `i` of `n` runs `episodes / n` of them, one more when
//! `i < episodes % n`), so long episodes count as much as short ones: an env that has run
//! its share waits (its [`Action`] is cleared, so the scene skips it) until the others are
//! done. Episodes in progress when a phase starts or ends are cut short and not recorded.
//!
//! Agents read [`Phase`]: in [`Phase::Eval`] they act with their evaluation policy
//! (greedy, `epsilon_eval`, the mean action) and neither store transitions nor update.
//! In the update after a phase change every env has been restarted ([`EnvRestart`] is
//! true and no env has `Stepped`): agents that keep per-env episode state (rollouts, frame
//! stacks) treat it as a truncation.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{Action, EnvIndex, Stepped, TaskId};
use crate::config::check;
use crate::record::{EpisodeEnd, MetricsFiles, RunStats, TaskTotals, book_episode, count_steps};
use crate::scene::{EnvOrder, SceneInfo};

/// Whether the run is training or evaluating.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Agents explore, store transitions and learn; steps count toward the budget.
    #[default]
    Train,
    /// Agents act with their evaluation policy and learn nothing; steps are not counted.
    Eval,
}

impl Phase {
    /// True during an evaluation phase.
    pub fn is_eval(self) -> bool {
        self == Phase::Eval
    }
}

/// When to evaluate (the experiment's `eval: (every: 50000, episodes: 10)`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalSchedule {
    /// Training env steps (all envs together) between the starts of evaluation phases.
    #[serde(deserialize_with = "check::at_least_one")]
    pub every: u64,
    /// Episodes per evaluation phase, spread evenly over the envs.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub episodes: usize,
    /// Evaluate once more when the budget is spent, unless a phase just ran (default true).
    #[serde(default = "yes")]
    pub at_end: bool,
}

fn yes() -> bool {
    true
}

/// True in the update in which every env was restarted because the phase changed; the
/// scene restarts its envs when it is raised at the start of an update.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvRestart(pub bool);

/// Totals of one evaluation phase.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalRound {
    /// Training env steps taken when the phase started.
    pub train_step: u64,
    /// Env steps taken during the phase.
    pub env_steps: u64,
    /// Episodes recorded.
    pub episodes: u64,
    /// Totals per task, indexed by task id.
    pub tasks: Vec<TaskTotals>,
}

/// Where evaluation stands: the phase in progress and the finished ones.
#[derive(Resource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalState {
    /// Training step at which the next scheduled phase starts (set from the schedule).
    next_at: Option<u64>,
    /// Episodes each env (by index) still owes the phase in progress.
    remaining: Vec<u64>,
    /// The phase in progress.
    current: Option<EvalRound>,
    /// Finished phases, in order.
    pub rounds: Vec<EvalRound>,
}

impl EvalState {
    /// The training step of the last finished phase.
    pub fn last_train_step(&self) -> Option<u64> {
        self.rounds.last().map(|r| r.train_step)
    }

    /// The phase in progress, if any.
    pub fn current(&self) -> Option<&EvalRound> {
        self.current.as_ref()
    }
}

/// Starts an evaluation phase now (at the end of this update): the next update restarts
/// every env under [`Phase::Eval`]. Does nothing while a phase runs or without envs.
pub fn begin(world: &mut World) {
    let schedule = world.get_resource::<EvalSchedule>().cloned();
    let num_envs = world.get_resource::<EnvOrder>().map_or(0, |o| o.0.len());
    let train_step = world.resource::<RunStats>().env_steps;
    let Some(schedule) = schedule else { return };
    let mut state = world.resource_mut::<EvalState>();
    if state.current.is_some() || num_envs == 0 {
        return;
    }
    start_round(&mut state, &schedule, num_envs, train_step);
    *world.resource_mut::<Phase>() = Phase::Eval;
    world.resource_mut::<EnvRestart>().0 = true;
}

fn start_round(state: &mut EvalState, schedule: &EvalSchedule, num_envs: usize, train_step: u64) {
    let base = (schedule.episodes / num_envs) as u64;
    let extra = schedule.episodes % num_envs;
    state.remaining = (0..num_envs).map(|i| base + u64::from(i < extra)).collect();
    state.current = Some(EvalRound {
        train_step,
        ..Default::default()
    });
}

/// Starts phases on schedule, books evaluation episodes, parks envs that have run their
/// share, and returns to training when every env has. Runs in `Record`, after
/// [`crate::record::record`].
#[allow(clippy::too_many_arguments)]
pub fn track(
    schedule: Option<Res<EvalSchedule>>,
    mut phase: ResMut<Phase>,
    mut state: ResMut<EvalState>,
    mut restart: ResMut<EnvRestart>,
    stats: Res<RunStats>,
    scene: Option<Res<SceneInfo>>,
    order: Option<Res<EnvOrder>>,
    mut envs: Query<(&EnvIndex, &TaskId, &Stepped, &mut Action)>,
    mut ends: MessageReader<EpisodeEnd>,
    mut files: Option<ResMut<MetricsFiles>>,
) {
    // A restart raised earlier was carried out by the scene at the start of this update.
    restart.0 = false;
    let Some(schedule) = schedule else {
        ends.clear();
        return;
    };
    let num_envs = order.as_ref().map_or(0, |o| o.0.len());
    if *phase == Phase::Train {
        ends.clear();
        let next_at = *state.next_at.get_or_insert(schedule.every);
        if stats.env_steps >= next_at && num_envs > 0 {
            state.next_at = Some((stats.env_steps / schedule.every + 1) * schedule.every);
            start_round(&mut state, &schedule, num_envs, stats.env_steps);
            *phase = Phase::Eval;
            restart.0 = true;
        }
        return;
    }

    let EvalState {
        remaining,
        current,
        rounds,
        ..
    } = &mut *state;
    let Some(round) = current.as_mut() else {
        // An evaluation phase without its bookkeeping (a hand-set `Phase`): end it.
        *phase = Phase::Train;
        restart.0 = true;
        return;
    };
    let task_count = scene.as_ref().map_or(1, |s| s.tasks.len().max(1));
    if round.tasks.len() < task_count {
        round.tasks.resize(task_count, TaskTotals::default());
    }
    round.env_steps += count_steps(
        &mut round.tasks,
        envs.iter().map(|(_, task, stepped, _)| (task, stepped)),
    );
    let mut finished: Vec<&EpisodeEnd> = ends.read().collect();
    finished.sort_by_key(|e| e.env);
    for end in finished {
        let Some(owed) = remaining.get_mut(end.env).filter(|owed| **owed > 0) else {
            continue;
        };
        *owed -= 1;
        let episode = round.episodes;
        round.episodes += 1;
        book_episode(&mut round.tasks, end);
        if let Some(files) = files.as_mut() {
            let task = end.task_name(scene.as_deref());
            let success = end.success_field();
            files.write_eval_row(format_args!(
                "{},{},{},{task},{episode},{},{},{success}",
                round.train_step,
                rounds.len(),
                end.env,
                end.episode_return,
                end.length
            ));
        }
    }
    for (index, _, _, mut action) in &mut envs {
        if remaining.get(index.0).is_none_or(|owed| *owed == 0) {
            *action = Action::Unset;
        }
    }
    if remaining.iter().all(|owed| *owed == 0) {
        rounds.extend(current.take());
        remaining.clear();
        *phase = Phase::Train;
        restart.0 = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_are_spread_evenly_over_envs() {
        let schedule = EvalSchedule {
            every: 10,
            episodes: 10,
            at_end: true,
        };
        let mut state = EvalState::default();
        start_round(&mut state, &schedule, 4, 30);
        assert_eq!(state.remaining, vec![3, 3, 2, 2]);
        assert_eq!(state.current().map(|r| r.train_step), Some(30));
        start_round(&mut state, &schedule, 20, 30);
        assert_eq!(state.remaining.iter().sum::<u64>(), 10);
        assert_eq!(state.remaining[9..11], [1, 0]);
    }

    #[test]
    fn schedule_rejects_zero_values() {
        let parse = |text: &str| {
            crate::config::parse_ron::<EvalSchedule>(text, std::path::Path::new("eval.ron"))
        };
        assert!(parse("(every: 100, episodes: 5)").unwrap().at_end);
        let error = parse("(every: 0, episodes: 5)").unwrap_err().to_string();
        assert!(error.contains("eval.ron:1:"), "{error}");
        assert!(parse("(every: 10, episodes: 0)").is_err());
        assert!(parse("(every: 10, episodes: 2, often: true)").is_err());
    }
}
