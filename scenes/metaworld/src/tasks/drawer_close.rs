//! drawer-close-v3: push a drawer that starts 15 cm open until its handle is within
//! 6.5 cm of the goal.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup, TARGET_RADIUS};
use crate::objects::{self, DRAWER_COM, Objects};
use crate::reward::{Sigmoid, hamacher_product, tolerance};

/// Lower bounds of `rand_vec` = drawer position.
pub const LOW: [f32; 3] = [-0.1, 0.9, 0.0];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 3] = [0.1, 0.9, 0.0];
/// How far the drawer starts open (Meta-World's `maxDist`).
pub const MAX_DIST: f32 = 0.15;

/// Builds the drawer pulled out by 0.15; the goal is the drawer position + (0, -0.16, 0.09).
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let pos = Vector::new(v[0], v[1], v[2]);
    let objects = objects::drawer(world, pos, MAX_DIST);
    Setup {
        objects,
        episode: Episode {
            target: (pos + Vector::new(0.0, -0.16, 0.09)).into(),
            obj_init: pos.into(),
            ..Default::default()
        },
    }
}

/// The observed handle: the drawer link's frame origin + (0, -0.16, 0.05).
pub fn handle(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + Vector::from(DRAWER_COM) + Vector::new(0.0, -0.16, 0.05)
}

/// `10 * hamacher(hamacher(reach (gaussian), gripper closed), in_place)`, 10 on success;
/// success within 6.5 cm.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let obj = f.obj();
    let tcp = f.tcp();
    let target = f.target();
    let obj_init = Vector::from(f.episode.obj_init);
    let target_to_obj = (obj - target).length();
    let target_to_obj_init = (obj_init - target).length();
    let in_place = tolerance(
        target_to_obj,
        (0.0, TARGET_RADIUS),
        (target_to_obj_init - TARGET_RADIUS).abs(),
        Sigmoid::LongTail,
    );
    let handle_reach_radius = 0.005;
    let tcp_to_obj = (obj - tcp).length();
    let tcp_to_obj_init = (obj_init - Vector::from(f.episode.init_tcp)).length();
    let reach = tolerance(
        tcp_to_obj,
        (0.0, handle_reach_radius),
        (tcp_to_obj_init - handle_reach_radius).abs(),
        Sigmoid::Gaussian,
    );
    let gripper_closed = f.action[3].clamp(0.0, 1.0);
    let reach = hamacher_product(reach, gripper_closed);
    let success = target_to_obj <= TARGET_RADIUS + 0.015;
    let reward = if success {
        1.0
    } else {
        hamacher_product(reach, in_place)
    };
    (10.0 * reward, success)
}
