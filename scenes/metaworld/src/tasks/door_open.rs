//! door-open-v3: pull a door open on its hinge until its handle is within 8 cm (in x) of
//! the goal.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup};
use crate::objects::{self, DOOR_HANDLE, Objects};
use crate::reward::{Sigmoid, hamacher_product, tolerance};

use std::f32::consts::PI;

/// Lower bounds of `rand_vec` = door position.
pub const LOW: [f32; 3] = [0.0, 0.85, 0.15];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 3] = [0.1, 0.95, 0.15];

/// Builds the door; the goal is the door position + (-0.3, -0.45, 0).
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let pos = Vector::new(v[0], v[1], v[2]);
    let objects = objects::door(world, pos);
    Setup {
        objects,
        episode: Episode {
            target: (pos + Vector::new(-0.3, -0.45, 0.0)).into(),
            obj_init: pos.into(),
            ..Default::default()
        },
    }
}

/// The handle geom's world position.
pub fn handle(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + objects.rot(world) * Vector::from(DOOR_HANDLE)
}

/// `(ready_to_open, opened)` of Meta-World's `_reward_pos`.
fn reward_pos(hand: Vector, handle: Vector, theta: f32) -> (f32, f32) {
    let door = handle + Vector::new(-0.05, 0.0, 0.0);
    let threshold = 0.12;
    let radius = ((hand.x - door.x).powi(2) + (hand.y - door.y).powi(2)).sqrt();
    let floor = if radius <= threshold {
        0.0
    } else {
        0.04 * (radius - threshold).ln() + 0.4
    };
    let above_floor = if hand.z >= floor {
        1.0
    } else {
        tolerance(floor - hand.z, (0.0, 0.01), floor / 2.0, Sigmoid::LongTail)
    };
    let in_place = tolerance(
        (hand - door - Vector::new(0.05, 0.03, -0.01)).length(),
        (0.0, threshold / 2.0),
        0.5,
        Sigmoid::LongTail,
    );
    let ready_to_open = hamacher_product(above_floor, in_place);
    let door_angle = -theta;
    let opened = 0.2 * f32::from(u8::from(theta < -PI / 90.0))
        + 0.8
            * tolerance(
                PI / 2.0 + PI / 6.0 - door_angle,
                (0.0, 0.5),
                PI / 3.0,
                Sigmoid::LongTail,
            );
    (ready_to_open, opened)
}

/// `2 * hamacher(ready_to_open, grab_effort) + 8 * opened`, 10 on success; success when
/// the handle's x is within 8 cm of the goal's.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let theta = f.objects.angle(f.world);
    let grab = (f.action[3].clamp(-1.0, 1.0) + 1.0) / 2.0;
    let (ready, opened) = reward_pos(f.hand(), f.obj(), theta);
    let success = (f.obs[4] - f.episode.target[0]).abs() <= 0.08;
    let reward = if success {
        10.0
    } else {
        2.0 * hamacher_product(ready, grab) + 8.0 * opened
    };
    (reward, success)
}
