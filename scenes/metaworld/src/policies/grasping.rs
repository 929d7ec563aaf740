//! Policies for the free-object tasks: reach, push, pick-place and peg-insert-side.

use rapier3d::prelude::*;

use super::{View, action, move_to};
use crate::robot::TCP_DROP;

fn xy_dist(a: Vector, b: Vector) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Reach: move so that the tcp (4.5 cm below the hand) lands on the goal, p = 5 (Meta-World
/// moves the hand itself to the goal; its tcp is then 4.5 cm off, inside the 5 cm band).
pub fn reach(v: &View) -> [f32; 4] {
    action(move_to(v.hand, v.goal + Vector::new(0.0, 0.0, TCP_DROP), 5.0), 0.0)
}

/// Push: hover over the puck, lower onto it, close lightly (0.6) and drag it to the goal,
/// p = 10.
pub fn push(v: &View) -> [f32; 4] {
    let puck = v.obj + Vector::new(-0.005, 0.0, 0.0);
    let to = if xy_dist(v.hand, puck) > 0.02 {
        puck + Vector::new(0.0, 0.0, 0.2)
    } else if (v.hand.z - puck.z).abs() > 0.04 {
        puck + Vector::new(0.0, 0.0, 0.03)
    } else {
        v.goal
    };
    let grab = if xy_dist(v.hand, v.obj) > 0.02 || (v.hand.z - v.obj.z).abs() > 0.1 {
        0.0
    } else {
        0.6
    };
    action(move_to(v.hand, to, 10.0), grab)
}

/// Pick-place: hover over the puck, lower, close, wait until the fingers have closed
/// (opening <= 0.73), then carry it to the goal, p = 10.
pub fn pick_place(v: &View) -> [f32; 4] {
    let puck = v.obj + Vector::new(-0.005, 0.0, 0.0);
    let to = if xy_dist(v.hand, puck) > 0.02 {
        puck + Vector::new(0.0, 0.0, 0.1)
    } else if (v.hand.z - puck.z).abs() > 0.05 && puck.z < 0.04 {
        puck + Vector::new(0.0, 0.0, 0.03)
    } else if v.opening > 0.73 {
        v.hand
    } else {
        v.goal
    };
    let grab = if (v.hand - v.obj).length() < 0.07 { 1.0 } else { 0.0 };
    action(move_to(v.hand, to, 10.0), grab)
}

/// Peg-insert-side: hover over the grasp point, lower (within 3 cm, Meta-World's 2.5 cm
/// sits exactly on this model's table stop), close (0.6), carry the peg in front of the
/// hole at x = 0.05, then push it in towards x = -0.35, p = 25.
pub fn peg_insert_side(v: &View) -> [f32; 4] {
    let peg = v.obj;
    let hole = Vector::new(-0.35, v.goal.y, 0.16);
    let to = if xy_dist(v.hand, peg) > 0.04 {
        peg + Vector::new(0.0, 0.0, 0.3)
    } else if (v.hand.z - peg.z).abs() > 0.03 && v.opening > 0.6 {
        peg
    } else if v.opening > 0.6 {
        v.hand
    } else if ((peg.y - hole.y).powi(2) + (peg.z - hole.z).powi(2)).sqrt() > 0.03 {
        hole + Vector::new(0.4, 0.0, 0.0)
    } else {
        hole
    };
    let grab = if xy_dist(v.hand, peg) > 0.04 || (v.hand.z - peg.z).abs() > 0.15 {
        -1.0
    } else {
        0.6
    };
    action(move_to(v.hand, to, 25.0), grab)
}
