//! pick-place-v3: pick the puck up and bring it within 7 cm of a goal in the air.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup, TARGET_RADIUS};
use crate::objects;
use crate::reward::{Sigmoid, hamacher_product, tolerance};

/// Lower bounds of `rand_vec` = (puck xyz, goal xyz).
pub const LOW: [f32; 6] = [-0.1, 0.6, 0.02, -0.1, 0.8, 0.05];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 6] = [0.1, 0.7, 0.02, 0.1, 0.9, 0.3];

/// Places the puck and the goal.
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let objects = objects::puck(world, v[0], v[1]);
    Setup {
        objects,
        episode: Episode {
            target: [v[3], v[4], v[5]],
            obj_init: [v[0], v[1], v[2]],
            ..Default::default()
        },
    }
}

/// Pick-place's own caging reward: pad-to-puck y tolerances with margins from the pads'
/// initial positions, x-z tolerance of the tcp, gripping once caged, high density.
fn caging_reward(f: &Frame, obj: Vector) -> f32 {
    const PAD_SUCCESS_MARGIN: f32 = 0.05;
    const XZ_SUCCESS_MARGIN: f32 = 0.005;
    const OBJ_RADIUS: f32 = 0.015;
    let ep = f.episode;
    let tcp = f.tcp();
    let left = f.robot.left_pad(f.world);
    let right = f.robot.right_pad(f.world);
    let right_margin = ((obj.y - ep.init_right_pad[1]).abs() - PAD_SUCCESS_MARGIN).abs();
    let left_margin = ((obj.y - ep.init_left_pad[1]).abs() - PAD_SUCCESS_MARGIN).abs();
    let right_caging = tolerance(
        obj.y - right.y,
        (OBJ_RADIUS, PAD_SUCCESS_MARGIN),
        right_margin,
        Sigmoid::LongTail,
    );
    let left_caging = tolerance(
        left.y - obj.y,
        (OBJ_RADIUS, PAD_SUCCESS_MARGIN),
        left_margin,
        Sigmoid::LongTail,
    );
    let y_caging = hamacher_product(left_caging, right_caging);
    let xz = |v: Vector| Vector::new(v.x, 0.0, v.z);
    let xz_margin = (xz(Vector::from(ep.obj_init)) - xz(Vector::from(ep.init_tcp))).length()
        - XZ_SUCCESS_MARGIN;
    let x_z_caging = tolerance(
        (xz(tcp) - xz(obj)).length(),
        (0.0, XZ_SUCCESS_MARGIN),
        xz_margin,
        Sigmoid::LongTail,
    );
    let gripper_closed = f.action[3].clamp(0.0, 1.0);
    let caging = hamacher_product(y_caging, x_z_caging);
    let gripping = if caging > 0.97 { gripper_closed } else { 0.0 };
    (hamacher_product(caging, gripping) + caging) / 2.0
}

/// `hamacher(caging, in_place)`; `+ 1 + 5 * in_place` once grasped (tcp within 2 cm, gripper
/// open reading > 0) and lifted 1 cm; 10 within 5 cm of the goal; success within 7 cm.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let obj = f.obj();
    let target = f.target();
    let obj_to_target = (obj - target).length();
    let tcp_to_obj = (obj - f.tcp()).length();
    let margin = (Vector::from(f.episode.obj_init) - target).length();
    let in_place = tolerance(
        obj_to_target,
        (0.0, TARGET_RADIUS),
        margin,
        Sigmoid::LongTail,
    );
    let object_grasped = caging_reward(f, obj);
    let mut reward = hamacher_product(object_grasped, in_place);
    if tcp_to_obj < 0.02 && f.opening() > 0.0 && obj.z - 0.01 > f.episode.obj_init[2] {
        reward += 1.0 + 5.0 * in_place;
    }
    if obj_to_target < TARGET_RADIUS {
        reward = 10.0;
    }
    (reward, obj_to_target <= 0.07)
}
