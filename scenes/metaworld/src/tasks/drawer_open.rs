//! drawer-open-v3: pull a drawer open until its handle is within 3 cm of the goal.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup};
use crate::objects::{self, DRAWER_COM, Objects};
use crate::reward::{Sigmoid, tolerance};

/// Lower bounds of `rand_vec` = drawer position.
pub const LOW: [f32; 3] = [-0.1, 0.9, 0.0];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 3] = [0.1, 0.9, 0.0];
/// Meta-World's `maxDist`.
pub const MAX_DIST: f32 = 0.2;

/// Builds the closed drawer; the goal is the drawer position + (0, -0.36, 0.09).
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let pos = Vector::new(v[0], v[1], v[2]);
    let objects = objects::drawer(world, pos, 0.0);
    Setup {
        objects,
        episode: Episode {
            target: (pos + Vector::new(0.0, -0.16 - MAX_DIST, 0.09)).into(),
            obj_init: pos.into(),
            ..Default::default()
        },
    }
}

/// The observed handle: the drawer link's frame origin (Meta-World's `get_body_com`) + (0, -0.16, 0).
pub fn handle(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + Vector::from(DRAWER_COM) + Vector::new(0.0, -0.16, 0.0)
}

/// `5 * (caging + opening)`: opening = tolerance(handle error, (0, 0.02), 0.2); caging =
/// tolerance of the (3, 3, 1)-scaled hand-to-handle error; success within 3 cm.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let gripper = f.hand();
    let handle = f.obj();
    let target = f.target();
    let handle_error = (handle - target).length();
    let opening = tolerance(handle_error, (0.0, 0.02), MAX_DIST, Sigmoid::LongTail);
    let handle_init = target + Vector::new(0.0, MAX_DIST, 0.0);
    let scale = Vector::new(3.0, 3.0, 1.0);
    let gripper_error = (handle - gripper) * scale;
    let gripper_error_init = (handle_init - Vector::from(f.episode.init_tcp)) * scale;
    let caging = tolerance(
        gripper_error.length(),
        (0.0, 0.01),
        gripper_error_init.length(),
        Sigmoid::LongTail,
    );
    (5.0 * (caging + opening), handle_error <= 0.03)
}
