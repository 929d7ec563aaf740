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
    action(
        move_to(v.hand, v.goal + Vector::new(0.0, 0.0, TCP_DROP), 5.0),
        0.0,
    )
}

/// Push: hover over the puck, lower onto it with the fingers open, close lightly (0.6)
/// and wait for the fingers, then drag it to the goal, p = 10. (Meta-World starts
/// closing 10 cm above the puck and drags at once; here the fingers close only once the
/// hand is down, so they close around the puck rather than on its rim.)
pub fn push(v: &View) -> [f32; 4] {
    let puck = v.obj + Vector::new(-0.005, 0.0, 0.0);
    let (to, grab) = if xy_dist(v.hand, puck) > 0.02 {
        (puck + Vector::new(0.0, 0.0, 0.2), -1.0)
    } else if v.opening > 0.6 && (v.hand.z - puck.z).abs() > 0.045 {
        (puck + Vector::new(0.0, 0.0, 0.02), -1.0)
    } else if v.opening > 0.6 {
        (v.obj + Vector::new(0.0, 0.0, 0.02), 0.6)
    } else {
        (v.goal, 0.6)
    };
    action(move_to(v.hand, to, 10.0), grab)
}

/// Pick-place: hover over the puck, lower with the fingers open (to within 3.5 cm of its
/// centre; Meta-World stops at 5 cm, where this model's pads hold only the puck's rim),
/// close once within 4 cm and centred within 8 mm, keep centred until the fingers have closed
/// (opening <= 0.73), then carry it to the goal, p = 10.
pub fn pick_place(v: &View) -> [f32; 4] {
    let puck = v.obj + Vector::new(-0.005, 0.0, 0.0);
    let low = v.hand.z - puck.z;
    let near = xy_dist(v.hand, puck) <= 0.02;
    let open = v.opening > 0.73;
    let to = if !near {
        puck + Vector::new(0.0, 0.0, 0.1)
    } else if open && low > 0.035 && puck.z < 0.04 {
        puck + Vector::new(0.0, 0.0, 0.02)
    } else if open {
        v.obj + Vector::new(0.0, 0.0, 0.02)
    } else {
        v.goal
    };
    // Close only once centred on the puck (a pad landing on its side spins it away).
    let aligned = xy_dist(v.hand, puck) <= 0.008;
    let grab = if near && ((aligned && low < 0.04) || !open) {
        1.0
    } else {
        -1.0
    };
    action(move_to(v.hand, to, 10.0), grab)
}

/// Peg-insert-side: hover over the grasp point, lower with the fingers open (to within
/// 3 cm: Meta-World's 2.5 cm sits exactly on this model's table stop), close (0.6) and
/// wait for the fingers, then steer the peg itself (the hand moves by the peg's error, so
/// the grasp height does not matter): first to 30 cm in front of the hole, aligned in y
/// and z, then into it, p = 25. Meta-World steers the hand to fixed points instead.
pub fn peg_insert_side(v: &View) -> [f32; 4] {
    let peg = v.obj;
    // Where the grasp point is when the peg head sits on the goal.
    let inserted = v.goal + Vector::new(0.13, 0.0, 0.01);
    let (to, grab) = if xy_dist(v.hand, peg) > 0.04 {
        (peg + Vector::new(0.0, 0.0, 0.3), -1.0)
    } else if v.opening > 0.6 && (v.hand.z - peg.z).abs() > 0.03 {
        (peg, -1.0)
    } else if v.opening > 0.6 {
        (v.hand, 0.6)
    } else if ((peg.y - inserted.y).powi(2) + (peg.z - inserted.z).powi(2)).sqrt() > 0.01 {
        (v.hand + (inserted + Vector::new(0.3, 0.0, 0.0) - peg), 0.6)
    } else {
        (v.hand + (inserted - Vector::new(0.05, 0.0, 0.0) - peg), 0.6)
    };
    action(move_to(v.hand, to, 25.0), grab)
}
