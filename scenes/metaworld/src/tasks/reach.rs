//! reach-v3: move the tcp within 5 cm of a goal point; the puck sits on the table.

use rapier3d::prelude::*;

use super::{Episode, Frame, Setup, TARGET_RADIUS};
use crate::objects;
use crate::reward::{Sigmoid, tolerance};

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

/// `10 * tolerance(|tcp - goal|, (0, 0.05), margin = |hand_init - goal|, long tail)`;
/// success within 5 cm.
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let tcp_to_target = (f.tcp() - f.target()).length();
    let margin = (Vector::from(f.episode.hand_init) - f.target()).length();
    let in_place = tolerance(
        tcp_to_target,
        (0.0, TARGET_RADIUS),
        margin,
        Sigmoid::LongTail,
    );
    (10.0 * in_place, tcp_to_target <= 0.05)
}
