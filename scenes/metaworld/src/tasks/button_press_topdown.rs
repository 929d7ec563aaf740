//! button-press-topdown-v3: press a button down from above until it is within 2.4 cm of
//! its hole.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup};
use crate::objects::{self, Objects};
use crate::reward::{Sigmoid, hamacher_product, tolerance};

/// Lower bounds of `rand_vec` = box position.
pub const LOW: [f32; 3] = [-0.1, 0.8, 0.115];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 3] = [0.1, 0.9, 0.115];
/// Height of the observed button point above the button body origin.
pub const BUTTON_TOP: f32 = 0.193;
/// Height of the `hole` site (the goal) above the box position.
pub const HOLE: f32 = 0.1;
/// Height of the `buttonStart` site above the box position.
pub const BUTTON_START: f32 = 0.1935;

/// Builds the button box; the goal is its hole site.
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let pos = Vector::new(v[0], v[1], v[2]);
    let objects = objects::button(world, pos);
    Setup {
        objects,
        episode: Episode {
            target: (pos + Vector::new(0.0, 0.0, HOLE)).into(),
            obj_init: pos.into(),
            ..Default::default()
        },
    }
}

/// The observed button point: the button body + (0, 0, 0.193).
pub fn button(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + Vector::new(0.0, 0.0, BUTTON_TOP)
}

/// `5 * hamacher(tcp closed, near button)`, `+ 5 * pressed` once the tcp is within 3 cm;
/// success when the button is within 2.4 cm (in z) of the hole.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let obj = f.obj();
    let tcp = f.tcp();
    let tcp_to_obj = (obj - tcp).length();
    let tcp_to_obj_init = (obj - Vector::from(f.episode.init_tcp)).length();
    let obj_to_target = (f.episode.target[2] - obj.z).abs();
    let obj_to_target_init = BUTTON_START - HOLE;
    let tcp_closed = 1.0 - f.opening();
    let near_button = tolerance(tcp_to_obj, (0.0, 0.01), tcp_to_obj_init, Sigmoid::LongTail);
    let pressed = tolerance(
        obj_to_target,
        (0.0, 0.005),
        obj_to_target_init,
        Sigmoid::LongTail,
    );
    let mut reward = 5.0 * hamacher_product(tcp_closed, near_button);
    if tcp_to_obj <= 0.03 {
        reward += 5.0 * pressed;
    }
    (reward, obj_to_target <= 0.024)
}
