//! Policies for the articulated tasks: door, drawer, button and window.

use rapier3d::prelude::*;

use super::{View, action, move_to};
use crate::objects::{DOOR_HANDLE, DOOR_HINGE};

fn xy_dist(a: Vector, b: Vector) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Where the hand holds the door, in the door link frame: between the panel and the grip
/// bar, beside the bar's standoff.
const DOOR_GRIP: [f32; 2] = [0.40, -0.08];
/// How far ahead of the door the waypoint leads it along its arc, radians.
const DOOR_LEAD: f32 = 0.35;

/// Door-open: with the gripper closed, rise above the grip point (between the panel and
/// the grip bar), centre on it within 1 cm, lower into the gap and then follow a waypoint
/// that leads the grip point
/// along the door's arc, so that the fingers pull the bar (Meta-World's waypoints push the
/// bar's standoff sideways, which relies on MuJoCo's soft contacts), p = 10.
pub fn door_open(v: &View) -> [f32; 4] {
    let hinge = v.base + Vector::from(DOOR_HINGE);
    let rel = v.obj - hinge;
    let theta = rel.y.atan2(rel.x) - DOOR_HANDLE[1].atan2(DOOR_HANDLE[0]);
    let at = |angle: f32| {
        let (s, c) = angle.sin_cos();
        hinge
            + Vector::new(
                c * DOOR_GRIP[0] - s * DOOR_GRIP[1],
                s * DOOR_GRIP[0] + c * DOOR_GRIP[1],
                0.0,
            )
    };
    let grip = at(theta);
    let height = v.base.z;
    let to = if v.hand.z > height + 0.03 {
        if xy_dist(v.hand, grip) > 0.01 {
            Vector::new(grip.x, grip.y, height + 0.12)
        } else {
            Vector::new(grip.x, grip.y, height)
        }
    } else if theta > -0.05 && xy_dist(v.hand, grip) > 0.03 {
        Vector::new(v.hand.x, v.hand.y, height + 0.12)
    } else {
        let lead = at(theta - DOOR_LEAD);
        Vector::new(lead.x, lead.y, height)
    };
    action(move_to(v.hand, to, 10.0), 1.0)
}

/// Drawer-open (Meta-World's waypoints and gains): with the fingers open, go above the
/// handle (p = 4), lower to it once within 1.2 cm in x-y (Meta-World: 6 cm; this model's
/// fingers would land on the bar or catch the drawer case), then pull towards the robot
/// (p = 50).
pub fn drawer_open(v: &View) -> [f32; 4] {
    let drawer = v.obj + Vector::new(0.0, 0.0, -0.02);
    let xyz = if xy_dist(v.hand, drawer) > 0.012 && v.hand.z > drawer.z + 0.04 {
        move_to(v.hand, drawer + Vector::new(0.0, 0.0, 0.3), 4.0)
    } else if (v.hand.z - drawer.z).abs() > 0.04 {
        move_to(v.hand, drawer, 4.0)
    } else {
        move_to(v.hand, drawer + Vector::new(0.0, -0.06, 0.0), 50.0)
    };
    action(xyz, -1.0)
}

/// Drawer-close (Meta-World's waypoints, the last one 5 cm further in so the fingers press
/// the handle bar): get in front of the handle from above, lower, push, p = 25.
pub fn drawer_close(v: &View) -> [f32; 4] {
    let drawer = v.obj + Vector::new(0.0, 0.0, -0.02);
    let to = if v.hand.y > drawer.y {
        if v.hand.z < drawer.z + 0.23 {
            Vector::new(v.hand.x, v.hand.y, drawer.z + 0.5)
        } else {
            drawer + Vector::new(0.0, -0.075, 0.23)
        }
    } else if (v.hand.z - drawer.z).abs() > 0.04 {
        drawer + Vector::new(0.0, -0.075, 0.0)
    } else {
        drawer + Vector::new(0.0, 0.05, 0.0)
    };
    action(move_to(v.hand, to, 25.0), 1.0)
}

/// Button-press-topdown (Meta-World's waypoints): with the gripper closed, go 10 cm above
/// the button, then press down on it, p = 25.
pub fn button_press_topdown(v: &View) -> [f32; 4] {
    let to = if xy_dist(v.hand, v.obj) > 0.04 {
        v.obj + Vector::new(0.0, 0.0, 0.1)
    } else {
        v.obj
    };
    action(move_to(v.hand, to, 25.0), 1.0)
}

fn window(v: &View, dx: f32, hover: f32, push: f32) -> [f32; 4] {
    let wndw = v.obj + Vector::new(dx, -0.03, -0.08);
    let to = if xy_dist(v.hand, wndw) > 0.04 {
        wndw + Vector::new(0.0, 0.0, hover)
    } else if (v.hand.z - wndw.z).abs() > 0.02 {
        wndw
    } else {
        wndw + Vector::new(push, 0.0, 0.0)
    };
    action(move_to(v.hand, to, 25.0), 1.0)
}

/// Window-open (Meta-World's waypoints): go 3 cm left of and in front of the handle, low,
/// then push right, so the hand's rail shoves the handle, p = 25.
pub fn window_open(v: &View) -> [f32; 4] {
    window(v, -0.03, 0.3, 0.1)
}

/// Window-close (Meta-World's waypoints): as window-open mirrored, starting 3 cm right of
/// the `handleCloseStart` site and pushing left.
pub fn window_close(v: &View) -> [f32; 4] {
    window(v, 0.03, 0.25, -0.1)
}
