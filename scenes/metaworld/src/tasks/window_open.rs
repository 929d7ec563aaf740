//! window-open-v3: slide a window open until its handle is within 5 cm (in x) of the goal.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup, TARGET_RADIUS};
use crate::objects::{self, Objects, WINDOW_HANDLE};
use crate::reward::{Sigmoid, hamacher_product, tolerance};

/// Lower bounds of `rand_vec` = window position.
pub const LOW: [f32; 3] = [-0.1, 0.7, 0.16];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 3] = [0.1, 0.9, 0.16];

/// Builds the closed window; the goal is the window position + (0.2, 0, 0).
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let pos = Vector::new(v[0], v[1], v[2]);
    let objects = objects::window(world, pos, 0.0);
    Setup {
        objects,
        episode: Episode {
            target: (pos + Vector::new(0.2, 0.0, 0.0)).into(),
            obj_init: pos.into(),
            ..Default::default()
        },
    }
}

/// The `handleOpenStart` site.
pub fn handle(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + Vector::from(WINDOW_HANDLE)
}

/// `10 * hamacher(reach, in_place)` with an x-only in-place distance from the handle
/// site `obj`; `reach` uses `sigmoid`. Shared with window-close, which passes its own
/// site and initial x distance.
pub fn window_reward(
    f: &Frame,
    obj: Vector,
    target_to_obj_init: f32,
    sigmoid: Sigmoid,
) -> (f32, bool) {
    let tcp = f.tcp();
    let target_to_obj = (obj.x - f.episode.target[0]).abs();
    let in_place = tolerance(
        target_to_obj,
        (0.0, TARGET_RADIUS),
        (target_to_obj_init - TARGET_RADIUS).abs(),
        Sigmoid::LongTail,
    );
    let handle_radius = 0.02;
    let tcp_to_obj = (obj - tcp).length();
    let tcp_to_obj_init = (Vector::from(f.episode.aux) - Vector::from(f.episode.init_tcp)).length();
    let reach = tolerance(
        tcp_to_obj,
        (0.0, handle_radius),
        (tcp_to_obj_init - handle_radius).abs(),
        sigmoid,
    );
    (
        10.0 * hamacher_product(reach, in_place),
        target_to_obj <= TARGET_RADIUS,
    )
}

/// Window-open's reward: margins from the window position to the goal (0.2 in x).
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let init = (f.episode.obj_init[0] - f.episode.target[0]).abs();
    window_reward(f, handle(f.world, f.objects), init, Sigmoid::LongTail)
}
