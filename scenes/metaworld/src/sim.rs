//! The physics world of one env: table, robot, task objects, and the mocap target.

use rapier3d::prelude::*;
use serde::{Deserialize, Serialize};

use crate::objects::{self, Objects};
use crate::robot::{FINGER_LAG, FINGER_SPEED, Robot};
use crate::tasks::{Episode, MOCAP_HIGH, MOCAP_LOW, Task};

/// Control steps the scene settles for after a reset, with the hand held at its initial
/// position and the gripper opening (Meta-World runs 50 such steps; the hand here starts
/// where it should be, so a few are enough for contacts to settle).
pub const SETTLE_STEPS: usize = 5;

/// One env's physics: rapier world, robot and task objects.
#[derive(Serialize, Deserialize)]
pub struct Sim {
    /// The rapier world (pipelines are rebuilt after deserialization).
    pub world: PhysicsWorld,
    /// The robot's handles.
    pub robot: Robot,
    /// The task's movable objects.
    pub objects: Objects,
    /// The mocap target the hand follows.
    pub mocap: [f32; 3],
    /// Rapier pipeline steps (collision-detection passes) per control step.
    pub passes: usize,
    /// The fingers' commanded closing speed, m/s (lags the gripper command).
    pub finger_speed: f32,
}

impl Sim {
    /// Builds the scene of `task` for `rand_vec` `v` (a control step of `substeps` solver
    /// substeps of `dt`, split into `passes` collision-detection passes), settles it, and
    /// returns it with the episode's values.
    pub fn build(
        task: Task,
        v: &[f32],
        substeps: usize,
        dt: f32,
        passes: usize,
    ) -> (Self, Episode) {
        let passes = passes.clamp(1, substeps.max(1));
        let mut world = PhysicsWorld::new();
        world.gravity = Vector::new(0.0, 0.0, -9.81);
        world.integration_parameters.dt = dt * substeps.max(1) as f32 / passes as f32;
        world.integration_parameters.num_solver_iterations = (substeps / passes).max(1);
        objects::table(&mut world);
        let hand_init = task.hand_init();
        let robot = Robot::build(&mut world, Vector::from(hand_init));
        let setup = task.setup(&mut world, v);
        let mut sim = Sim {
            world,
            robot,
            objects: setup.objects,
            mocap: hand_init,
            passes,
            finger_speed: -FINGER_SPEED,
        };
        for _ in 0..SETTLE_STEPS {
            sim.control_step([0.0, 0.0, 0.0], -1.0);
        }
        let mut episode = setup.episode;
        episode.hand_init = hand_init;
        episode.init_tcp = sim.robot.tcp(&sim.world).into();
        episode.init_left_pad = sim.robot.left_pad(&sim.world).into();
        episode.init_right_pad = sim.robot.right_pad(&sim.world).into();
        task.after_reset(&sim.world, &sim.objects, &mut episode);
        (sim, episode)
    }

    /// Moves the mocap by `delta` (already scaled, metres), clipped to the mocap bounds,
    /// sets the gripper effort and runs the substeps.
    pub fn control_step(&mut self, delta: [f32; 3], gripper: f32) {
        for i in 0..3 {
            self.mocap[i] = (self.mocap[i] + delta[i]).clamp(MOCAP_LOW[i], MOCAP_HIGH[i]);
        }
        let gripper = gripper.clamp(-1.0, 1.0);
        let dt = self.world.integration_parameters.dt * self.passes as f32;
        let blend = 1.0 - (-dt / FINGER_LAG).exp();
        self.finger_speed += (gripper * FINGER_SPEED - self.finger_speed) * blend;
        self.robot
            .set_gripper(&mut self.world, self.finger_speed, gripper);
        let target = Vector::from(self.mocap);
        for _ in 0..self.passes {
            self.robot.track(&mut self.world, target);
            self.world.step();
        }
    }

    /// True when every body's position is finite.
    pub fn is_finite(&self) -> bool {
        self.world
            .bodies
            .iter()
            .all(|(_, b)| b.translation().is_finite())
    }
}
