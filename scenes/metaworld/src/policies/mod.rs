//! Scripted policies: one proportional controller per task that moves the hand towards
//! waypoints chosen from the observation, as Meta-World's `policies/sawyer_*_policy.py`
//! do. Where this model's geometry differs (the hand's rail, the door handle, the table
//! stop), waypoints are adapted; each module says how.

mod articulated;
mod grasping;

use rapier3d::prelude::*;

use crate::sim::Sim;
use crate::tasks::{Episode, Task};

/// What a policy reads: the observation's parts and the goal.
pub struct View<'a> {
    /// Hand position.
    pub hand: Vector,
    /// Gripper opening in `[0, 1]`.
    pub opening: f32,
    /// First object slot position.
    pub obj: Vector,
    /// The goal (from the episode, so that it is known even when hidden).
    pub goal: Vector,
    /// The episode values (object base positions for the articulated tasks).
    pub episode: &'a Episode,
    /// The objects' fixed base position.
    pub base: Vector,
}

/// `p * (to - from)`, the xyz part of an action (the env clips it to `[-1, 1]`).
pub fn move_to(from: Vector, to: Vector, p: f32) -> [f32; 3] {
    let d = (to - from) * p;
    [d.x, d.y, d.z]
}

/// An action from an xyz move and a gripper effort, clipped to `[-1, 1]`.
pub fn action(xyz: [f32; 3], grab: f32) -> [f32; 4] {
    [
        xyz[0].clamp(-1.0, 1.0),
        xyz[1].clamp(-1.0, 1.0),
        xyz[2].clamp(-1.0, 1.0),
        grab.clamp(-1.0, 1.0),
    ]
}

/// The scripted action of `task` for observation `obs`.
pub fn act(task: Task, obs: &[f32], sim: &Sim, episode: &Episode) -> [f32; 4] {
    let v = View {
        hand: Vector::new(obs[0], obs[1], obs[2]),
        opening: obs[3],
        obj: Vector::new(obs[4], obs[5], obs[6]),
        goal: Vector::from(episode.target),
        episode,
        base: Vector::from(sim.objects.base),
    };
    match task {
        Task::Reach => grasping::reach(&v),
        Task::Push => grasping::push(&v),
        Task::PickPlace => grasping::pick_place(&v),
        Task::PegInsertSide => grasping::peg_insert_side(&v),
        Task::DoorOpen => articulated::door_open(&v),
        Task::DrawerOpen => articulated::drawer_open(&v),
        Task::DrawerClose => articulated::drawer_close(&v),
        Task::ButtonPressTopdown => articulated::button_press_topdown(&v),
        Task::WindowOpen => articulated::window_open(&v),
        Task::WindowClose => articulated::window_close(&v),
    }
}
