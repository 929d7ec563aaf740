//! peg-insert-side-v3: grasp a peg and insert its head sideways into a hole.

use rapier3d::prelude::*;

use super::{Caging, Episode, Frame, Setup, TARGET_RADIUS, gripper_caging_reward};
use crate::objects::{self, Objects, PEG_GRASP, PEG_HEAD};
use crate::reward::{Sigmoid, hamacher_product, rect_prism_tolerance, tolerance};

/// Lower bounds of `rand_vec` = (peg xyz, box xyz).
pub const LOW: [f32; 6] = [0.0, 0.5, 0.02, -0.35, 0.4, -0.001];
/// Upper bounds of `rand_vec`.
pub const HIGH: [f32; 6] = [0.2, 0.7, 0.02, -0.25, 0.7, 0.001];
/// The goal relative to the box.
pub const GOAL_OFFSET: [f32; 3] = [0.03, 0.0, 0.13];

/// Places the peg and the holed block; the goal is inside the hole's mouth.
pub fn setup(world: &mut PhysicsWorld, v: &[f32]) -> Setup {
    let objects = objects::peg(world, v[0], v[1]);
    let block = Vector::new(v[3], v[4], v[5]);
    objects::peg_block(world, block);
    let mut objects = objects;
    objects.base = block.into();
    Setup {
        objects,
        episode: Episode {
            target: (block + Vector::from(GOAL_OFFSET)).into(),
            obj_init: [v[0], v[1], v[2]],
            ..Default::default()
        },
    }
}

/// The `pegGrasp` site (the observed object position).
pub fn grasp_point(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + objects.rot(world) * Vector::from(PEG_GRASP)
}

/// The `pegHead` site.
pub fn head(world: &PhysicsWorld, objects: &Objects) -> Vector {
    objects.pos(world) + objects.rot(world) * Vector::from(PEG_HEAD)
}

/// In-place on the peg head with scale (1, 2, 2), cut by the two collision prisms in
/// front of the block; caging (high density, 1 once grasped and lifted); `+ 1 + 5 *
/// in_place` once grasped; 10 on success (scaled distance within 7 cm).
pub fn evaluate(f: &Frame) -> (f32, bool) {
    let tcp = f.tcp();
    let obj = f.obj();
    let head = head(f.world, f.objects);
    let target = f.target();
    let tcp_to_obj = (obj - tcp).length();
    let scale = Vector::new(1.0, 2.0, 2.0);
    let obj_to_target = ((head - target) * scale).length();
    let margin = ((Vector::from(f.episode.aux) - target) * scale).length();
    let mut in_place = tolerance(
        obj_to_target,
        (0.0, TARGET_RADIUS),
        margin,
        Sigmoid::LongTail,
    );
    let b = Vector::from(f.objects.base);
    let corner = |x: f32, y: f32, z: f32| -> [f32; 3] { (b + Vector::new(x, y, z)).into() };
    let box1 = rect_prism_tolerance(
        head.into(),
        corner(0.11, 0.1, 0.01),
        corner(0.15, -0.1, 0.096),
    );
    let box2 = rect_prism_tolerance(
        head.into(),
        corner(0.11, 0.1, 0.16),
        corner(0.17, -0.1, 0.19),
    );
    in_place = hamacher_product(in_place, hamacher_product(box2, box1));
    let mut object_grasped = gripper_caging_reward(
        f,
        obj,
        Caging {
            obj_radius: 0.0075,
            pad_success_thresh: 0.03,
            object_reach_radius: 0.01,
            xz_thresh: 0.005,
            desired_gripper_effort: 1.0,
            high_density: true,
            medium_density: false,
        },
    );
    let grasped = tcp_to_obj < 0.08 && f.opening() > 0.0 && obj.z - 0.01 > f.episode.obj_init[2];
    if grasped {
        object_grasped = 1.0;
    }
    let mut reward = hamacher_product(object_grasped, in_place);
    if grasped {
        reward += 1.0 + 5.0 * in_place;
    }
    let success = obj_to_target <= 0.07;
    if success {
        reward = 10.0;
    }
    (reward, success)
}
