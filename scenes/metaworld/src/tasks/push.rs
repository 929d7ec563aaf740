//! push-v3: push the puck within 5 cm of a goal on the table.

use rapier3d::prelude::*;

use super::{Caging, Episode, Frame, Setup, TARGET_RADIUS, gripper_caging_reward};
use crate::objects;
use crate::reward::{Sigmoid, tolerance};

/// Lower bounds of `rand_vec` = (puck xyz, goal xyz).
pub const LOW: [f32; 6] = [-0.1, 0.6, 0.02, -0.1, 0.8, 0.01];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 6] = [0.1, 0.7, 0.02, 0.1, 0.9, 0.02];

/// Places the puck; the goal lies on the table at the puck's height.
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let objects = objects::puck(world, v[0], v[1]);
    let z = objects::PUCK_HALF_HEIGHT;
    Setup {
        objects,
        episode: Episode {
            target: [v[3], v[4], z],
            obj_init: [v[0], v[1], z],
            ..Default::default()
        },
    }
}

/// `2 * caging` (high density); when the tcp is within 2 cm of the puck with the gripper
/// open, `reward += 1 + reward + 5 * in_place`; 10 once the puck is within 5 cm of the goal.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let obj = f.obj();
    let tcp_to_obj = (obj - f.tcp()).length();
    let target_to_obj = (obj - f.target()).length();
    let target_to_obj_init = (Vector::from(f.episode.obj_init) - f.target()).length();
    let in_place = tolerance(
        target_to_obj,
        (0.0, TARGET_RADIUS),
        target_to_obj_init,
        Sigmoid::LongTail,
    );
    let object_grasped = gripper_caging_reward(
        f,
        obj,
        Caging {
            obj_radius: 0.015,
            pad_success_thresh: 0.05,
            object_reach_radius: 0.01,
            xz_thresh: 0.005,
            desired_gripper_effort: 1.0,
            high_density: true,
            medium_density: false,
        },
    );
    let mut reward = 2.0 * object_grasped;
    if tcp_to_obj < 0.02 && f.opening() > 0.0 {
        reward += 1.0 + reward + 5.0 * in_place;
    }
    if target_to_obj < TARGET_RADIUS {
        reward = 10.0;
    }
    (reward, target_to_obj <= TARGET_RADIUS)
}
