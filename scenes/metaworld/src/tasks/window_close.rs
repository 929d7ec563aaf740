//! window-close-v3: slide a window that starts 0.2 m open until its handle is within 5 cm
//! (in x) of the goal.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup};
use crate::objects::{self, Objects, WINDOW_CLOSE_HANDLE};
use crate::reward::Sigmoid;

/// Lower bounds of `rand_vec` = window position.
pub const LOW: [f32; 3] = [0.0, 0.75, 0.2];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 3] = [0.0, 0.9, 0.2];

/// Builds the window slid open by 0.2; the goal is the window position.
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let pos = Vector::new(v[0], v[1], v[2]);
    let objects = objects::window(world, pos, objects::WINDOW_TRAVEL);
    Setup {
        objects,
        episode: Episode {
            target: pos.into(),
            obj_init: pos.into(),
            ..Default::default()
        },
    }
}

/// The `handleCloseStart` site.
pub fn handle(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + Vector::from(WINDOW_CLOSE_HANDLE)
}

/// As window-open on the `handleCloseStart` site, with the initial x distance of the
/// starting handle and a gaussian reach.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let init = (f.episode.aux[0] - f.episode.target[0]).abs();
    super::window_open::window_reward(f, handle(f.world, f.objects), init, Sigmoid::Gaussian)
}
