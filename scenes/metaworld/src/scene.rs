//! The Bevy side: a thin [`EnvPlugin`] over [`MetaWorldEnv`].

use arcadia_engine::prelude::*;

use crate::config::MetaWorldConfig;
use crate::env::MetaWorldEnv;

/// The scene plugin: `num_envs` envs, env `i` running task `i % tasks.len()` of the config
/// (with all ten MT10 tasks by default, so `num_envs = 10` is one env per task), each
/// tagged with its [`TaskId`] and the task names registered with the scene.
pub fn plugin(config: &MetaWorldConfig, num_envs: usize) -> EnvPlugin<MetaWorldEnv> {
    let config = config.clone();
    let names = config.task_names();
    EnvPlugin::new("metaworld", num_envs, move |index, _rng| {
        let n = config.tasks.len().max(1);
        let task_index = index.0 % n;
        let task = config
            .tasks
            .get(task_index)
            .copied()
            .unwrap_or(crate::tasks::Task::Reach);
        MetaWorldEnv::new(task, task_index, &config)
    })
    .with_tasks(names)
}

/// The MT10 multi-task plugin: one env per MT10 task per `envs_per_task`.
pub fn mt10_plugin(envs_per_task: usize) -> EnvPlugin<MetaWorldEnv> {
    plugin(&MetaWorldConfig::default(), 10 * envs_per_task.max(1))
}
