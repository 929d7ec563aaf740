//! The task objects, built as rapier bodies: the table, the puck, the door, the drawer,
//! the button box, the sliding window, the peg and its holed block.
//!
//! Collision geometry follows the boxes, cylinders and capsules of Meta-World's XML
//! assets (`objects/assets/*.xml`); visual meshes are left out. Articulated parts hang on
//! rapier impulse joints from a fixed base body; joint damping is approximated by body
//! damping.

use rapier3d::prelude::*;
use serde::{Deserialize, Serialize};

use std::f32::consts::FRAC_PI_2;

/// The movable part of a task's scene and how to read its joint.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Objects {
    /// The free object or the articulated link (`None` when the task has none).
    pub body: Option<RigidBodyHandle>,
    /// The link's world position at joint coordinate 0.
    pub rest: [f32; 3],
    /// The unit axis of a prismatic joint (zero for a revolute or no joint).
    pub axis: [f32; 3],
    /// The object's base position (door, drawer, box or window frame position).
    pub base: [f32; 3],
}

impl Objects {
    /// The movable body's position (zero when there is none).
    pub fn pos(&self, world: &PhysicsWorld) -> Vector {
        self.body
            .and_then(|h| world.bodies.get(h))
            .map(|b| b.translation())
            .unwrap_or(Vector::ZERO)
    }

    /// The movable body's orientation (identity when there is none).
    pub fn rot(&self, world: &PhysicsWorld) -> Rotation {
        self.body
            .and_then(|h| world.bodies.get(h))
            .map(|b| *b.rotation())
            .unwrap_or(Rotation::IDENTITY)
    }

    /// The prismatic joint coordinate: displacement from rest along the axis.
    pub fn slide(&self, world: &PhysicsWorld) -> f32 {
        (self.pos(world) - Vector::from(self.rest)).dot(Vector::from(self.axis))
    }

    /// The revolute joint angle about +z (for the door).
    pub fn angle(&self, world: &PhysicsWorld) -> f32 {
        let q = self.rot(world);
        2.0 * q.z.atan2(q.w)
    }
}

fn fixed_base(world: &mut PhysicsWorld) -> RigidBodyHandle {
    world.insert_body(RigidBodyBuilder::fixed())
}

fn add_box(world: &mut PhysicsWorld, body: RigidBodyHandle, center: Vector, half: [f32; 3]) {
    world.insert_collider(
        ColliderBuilder::cuboid(half[0], half[1], half[2]).translation(center),
        Some(body),
    );
}

/// A collider shape along an axis: `0` = x, `1` = y, `2` = z.
fn rotation_to_axis(axis: usize) -> Vector {
    // rapier cylinders and capsules are built along y.
    match axis {
        0 => Vector::new(0.0, 0.0, FRAC_PI_2),
        2 => Vector::new(FRAC_PI_2, 0.0, 0.0),
        _ => Vector::ZERO,
    }
}

fn add_cylinder(
    world: &mut PhysicsWorld,
    body: RigidBodyHandle,
    center: Vector,
    axis: usize,
    radius: f32,
    half_height: f32,
) {
    world.insert_collider(
        ColliderBuilder::cylinder(half_height, radius)
            .position(Pose::new(center, rotation_to_axis(axis))),
        Some(body),
    );
}

fn add_capsule(
    world: &mut PhysicsWorld,
    body: RigidBodyHandle,
    center: Vector,
    axis: usize,
    radius: f32,
    half_height: f32,
) {
    world.insert_collider(
        ColliderBuilder::capsule_y(half_height, radius)
            .position(Pose::new(center, rotation_to_axis(axis))),
        Some(body),
    );
}

/// The table: a fixed slab whose top is the plane z = 0, with Meta-World's 12 cm
/// retaining walls around its edge (so objects cannot fall off).
pub fn table(world: &mut PhysicsWorld) {
    let body = fixed_base(world);
    world.insert_collider(
        ColliderBuilder::cuboid(0.7, 0.4, 0.05)
            .translation(Vector::new(0.0, 0.6, -0.05))
            .friction(1.0),
        Some(body),
    );
    let walls = [
        (Vector::new(0.0, 0.21, 0.06), [0.7, 0.01, 0.06]),
        (Vector::new(0.0, 0.99, 0.06), [0.7, 0.01, 0.06]),
        (Vector::new(-0.69, 0.6, 0.06), [0.01, 0.38, 0.06]),
        (Vector::new(0.69, 0.6, 0.06), [0.01, 0.38, 0.06]),
    ];
    for (center, half) in walls {
        add_box(world, body, center, half);
    }
}

/// Puck radius (Meta-World's `objGeom` cylinder).
pub const PUCK_RADIUS: f32 = 0.02;
/// Puck half height.
pub const PUCK_HALF_HEIGHT: f32 = 0.02;

/// The cylindrical puck of reach, push and pick-place, resting on the table at `xy`.
pub fn puck(world: &mut PhysicsWorld, x: f32, y: f32) -> Objects {
    let body = world.insert_body(
        RigidBodyBuilder::dynamic()
            .translation(Vector::new(x, y, PUCK_HALF_HEIGHT))
            .angular_damping(0.5),
    );
    world.insert_collider(
        ColliderBuilder::cylinder(PUCK_HALF_HEIGHT, PUCK_RADIUS)
            .rotation(rotation_to_axis(2))
            .mass(0.2)
            .friction(1.0),
        Some(body),
    );
    Objects {
        body: Some(body),
        rest: [x, y, PUCK_HALF_HEIGHT],
        ..Default::default()
    }
}

/// The hinge of the door relative to the door's position.
pub const DOOR_HINGE: [f32; 3] = [-0.185, -0.1, 0.0];
/// The handle geom's frame (`handle`) in the door link frame. The XML places the handle
/// mesh at (0.325, -0.062, 0); MuJoCo re-centres mesh geoms on their centroid, which puts
/// the observed handle on the grip bar: these values are read off Metaworld's reset
/// observation.
pub const DOOR_HANDLE: [f32; 3] = [0.3757, -0.1072, 0.0];
/// The handle geom's orientation in the door link frame (x, y, z, w), read off
/// Metaworld's reset observation (MuJoCo aligns mesh geoms with their principal axes).
pub const DOOR_HANDLE_QUAT: [f32; 4] = [0.6908, -0.1506, 0.6909, 0.1512];

/// The door of door-open: a fixed frame at `pos` and a door link on a vertical hinge
/// (range -2..0 rad; negative opens towards the robot) with a pull handle.
pub fn door(world: &mut PhysicsWorld, pos: Vector) -> Objects {
    let base = fixed_base(world);
    add_box(
        world,
        base,
        pos + Vector::new(-0.204, 0.0, 0.0),
        [0.016, 0.106, 0.15],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.204, 0.0, 0.0),
        [0.016, 0.106, 0.15],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.0, 0.138),
        [0.188, 0.106, 0.012],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.0, -0.138),
        [0.189, 0.106, 0.012],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.094, 0.0),
        [0.188, 0.012, 0.126],
    );
    let hinge = pos + Vector::from(DOOR_HINGE);
    let link = world.insert_body(
        RigidBodyBuilder::dynamic()
            .translation(hinge)
            // MuJoCo's hinge damping of 2 N m s on a door of about 0.08 kg m^2.
            .angular_damping(25.0)
            .gravity_scale(0.0),
    );
    add_box(
        world,
        link,
        Vector::new(0.185, 0.0, 0.0),
        [0.18, 0.01, 0.123],
    );
    add_cylinder(
        world,
        link,
        Vector::new(0.325, -0.006, 0.0),
        1,
        0.028,
        0.012,
    );
    add_cylinder(
        world,
        link,
        Vector::new(0.325, -0.065, 0.0),
        1,
        0.013,
        0.047,
    );
    add_cylinder(world, link, Vector::new(0.381, -0.12, 0.0), 0, 0.019, 0.075);
    let joint = RevoluteJointBuilder::new(Vector::Z)
        .local_anchor1(hinge)
        .local_anchor2(Vector::ZERO)
        .limits([-2.0, 0.0])
        .contacts_enabled(false);
    world.insert_impulse_joint(base, link, joint);
    Objects {
        body: Some(link),
        rest: hinge.into(),
        axis: [0.0; 3],
        base: pos.into(),
    }
}

/// The drawer link's origin relative to the drawer position (closed).
pub const DRAWER_LINK: [f32; 3] = [0.0, -0.01, 0.09];
/// How far the drawer slides out. MuJoCo's joint range is 0.16, which puts the fully
/// opened handle exactly on drawer-open's 3 cm success boundary; MuJoCo's soft limit
/// yields a little under the pull, rapier's barely does, so this model allows 0.17.
pub const DRAWER_TRAVEL: f32 = 0.17;
/// The point Meta-World observes on the drawer link (`get_body_com`, which is the body's
/// frame origin), relative to the link origin.
pub const DRAWER_COM: [f32; 3] = [0.0, 0.0, 0.0];

/// The drawer of drawer-open/close: a fixed case at `pos` and a sliding drawer with a
/// handle bar, pulled out by `open` metres (0..0.16).
pub fn drawer(world: &mut PhysicsWorld, pos: Vector, open: f32) -> Objects {
    let base = fixed_base(world);
    let case = pos + Vector::new(0.0, 0.0, 0.084);
    add_box(
        world,
        base,
        case + Vector::new(-0.11, 0.0, 0.0),
        [0.008, 0.1, 0.084],
    );
    add_box(
        world,
        base,
        case + Vector::new(0.11, 0.0, 0.0),
        [0.008, 0.1, 0.084],
    );
    add_box(
        world,
        base,
        case + Vector::new(0.0, 0.092, -0.008),
        [0.102, 0.008, 0.076],
    );
    add_box(
        world,
        base,
        case + Vector::new(0.0, -0.008, -0.07),
        [0.102, 0.092, 0.014],
    );
    add_box(
        world,
        base,
        case + Vector::new(0.0, 0.0, 0.076),
        [0.102, 0.1, 0.008],
    );
    let rest = pos + Vector::from(DRAWER_LINK);
    let link = world.insert_body(
        RigidBodyBuilder::dynamic()
            .translation(rest - Vector::new(0.0, open, 0.0))
            .lock_rotations()
            .linear_damping(4.0),
    );
    add_box(
        world,
        link,
        Vector::new(0.0, -0.082, 0.008),
        [0.1, 0.008, 0.052],
    );
    add_box(
        world,
        link,
        Vector::new(0.0, 0.082, 0.008),
        [0.1, 0.008, 0.052],
    );
    add_box(
        world,
        link,
        Vector::new(-0.092, 0.0, 0.008),
        [0.008, 0.074, 0.052],
    );
    add_box(
        world,
        link,
        Vector::new(0.092, 0.0, 0.008),
        [0.008, 0.074, 0.052],
    );
    add_box(
        world,
        link,
        Vector::new(0.0, 0.0, -0.052),
        [0.1, 0.09, 0.008],
    );
    add_capsule(world, link, Vector::new(-0.05, -0.12, 0.0), 1, 0.009, 0.03);
    add_capsule(world, link, Vector::new(0.05, -0.12, 0.0), 1, 0.009, 0.03);
    add_capsule(world, link, Vector::new(0.0, -0.15, 0.0), 0, 0.009, 0.05);
    let joint = PrismaticJointBuilder::new(Vector::Y)
        .local_anchor1(rest)
        .local_anchor2(Vector::ZERO)
        .limits([-DRAWER_TRAVEL, 0.0])
        .contacts_enabled(false);
    world.insert_impulse_joint(base, link, joint);
    Objects {
        body: Some(link),
        rest: rest.into(),
        axis: [0.0, 1.0, 0.0],
        base: pos.into(),
    }
}

/// How far the button can be pressed. Meta-World's joint range is 0.06 m, but its
/// success band (within 0.024 of the hole site, 0.0935 below the rest position) needs
/// about 0.07 m of travel; MuJoCo's soft joint limit yields that far under the stiff
/// mocap weld. This model gives the button 0.08 m of hard travel instead.
pub const BUTTON_TRAVEL: f32 = 0.08;

/// The button box of button-press-topdown at `pos`: a fixed box with a vertical slot and
/// a spring-loaded button that is pressed downwards.
pub fn button(world: &mut PhysicsWorld, pos: Vector) -> Objects {
    let base = fixed_base(world);
    // The box spans z from pos.z - 0.114 to pos.z + 0.09 around a 5.2 x 4.8 cm slot.
    let zc = -0.012;
    add_box(
        world,
        base,
        pos + Vector::new(0.0, -0.072, zc),
        [0.12, 0.048, 0.102],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.072, zc),
        [0.12, 0.048, 0.102],
    );
    add_box(
        world,
        base,
        pos + Vector::new(-0.073, 0.0, zc),
        [0.047, 0.024, 0.102],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.073, 0.0, zc),
        [0.047, 0.024, 0.102],
    );
    let body = world.insert_body(
        RigidBodyBuilder::dynamic()
            .translation(pos)
            .lock_rotations()
            .gravity_scale(0.0)
            .linear_damping(2.0),
    );
    add_cylinder(world, body, Vector::new(0.0, 0.0, 0.128), 2, 0.021, 0.039);
    add_cylinder(world, body, Vector::new(0.0, 0.0, 0.166), 2, 0.026, 0.008);
    add_cylinder(world, body, Vector::new(0.0, 0.0, 0.183), 2, 0.043, 0.011);
    let joint = PrismaticJointBuilder::new(Vector::Z)
        .local_anchor1(pos)
        .local_anchor2(Vector::ZERO)
        .limits([-BUTTON_TRAVEL, 0.0])
        .motor_position(0.0, 0.5, 0.5)
        .contacts_enabled(false);
    world.insert_impulse_joint(base, body, joint);
    Objects {
        body: Some(body),
        rest: pos.into(),
        axis: [0.0, 0.0, 1.0],
        base: pos.into(),
    }
}

/// The `handleOpenStart` site in the sliding pane's frame (window-open's object).
pub const WINDOW_HANDLE: [f32; 3] = [-0.04, -0.095, 0.0];
/// The `handleCloseStart` site in the sliding pane's frame (window-close's object).
pub const WINDOW_CLOSE_HANDLE: [f32; 3] = [0.01, -0.095, 0.0];
/// How far the window slides (joint range 0..0.2 along +x).
pub const WINDOW_TRAVEL: f32 = 0.2;

/// The horizontal sliding window of window-open/close at `pos`, slid open by `open`
/// metres (0..0.2).
pub fn window(world: &mut PhysicsWorld, pos: Vector, open: f32) -> Objects {
    let base = fixed_base(world);
    add_box(
        world,
        base,
        pos + Vector::new(-0.216, 0.0, 0.0),
        [0.015, 0.03, 0.181],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.216, 0.0, 0.0),
        [0.015, 0.03, 0.181],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.0, 0.166),
        [0.201, 0.03, 0.015],
    );
    // The fixed pane sits behind the sliding one.
    add_box(
        world,
        base,
        pos + Vector::new(0.1, 0.013, 0.0),
        [0.09, 0.012, 0.15],
    );
    let pane = world.insert_body(
        RigidBodyBuilder::dynamic()
            .translation(pos + Vector::new(open, 0.0, 0.0))
            .lock_rotations()
            .gravity_scale(0.0)
            .linear_damping(4.0),
    );
    add_capsule(
        world,
        pane,
        Vector::new(-0.014, -0.095, 0.0),
        2,
        0.008,
        0.045,
    );
    add_capsule(
        world,
        pane,
        Vector::new(-0.014, -0.06, 0.045),
        1,
        0.008,
        0.035,
    );
    add_capsule(
        world,
        pane,
        Vector::new(-0.014, -0.06, -0.045),
        1,
        0.008,
        0.035,
    );
    add_box(
        world,
        pane,
        Vector::new(-0.104, -0.013, 0.0),
        [0.09, 0.012, 0.15],
    );
    let joint = PrismaticJointBuilder::new(Vector::X)
        .local_anchor1(pos)
        .local_anchor2(Vector::ZERO)
        .limits([0.0, WINDOW_TRAVEL])
        .contacts_enabled(false);
    world.insert_impulse_joint(base, pane, joint);
    Objects {
        body: Some(pane),
        rest: pos.into(),
        axis: [1.0, 0.0, 0.0],
        base: pos.into(),
    }
}

/// Half extents of the peg (long along x).
pub const PEG_HALF: [f32; 3] = [0.12, 0.015, 0.015];
/// The `pegGrasp` site in the peg frame.
pub const PEG_GRASP: [f32; 3] = [0.03, 0.0, 0.01];
/// The `pegHead` site in the peg frame.
pub const PEG_HEAD: [f32; 3] = [-0.1, 0.0, 0.0];

/// The peg of peg-insert-side, resting on the table at `xy`. Its rotations are locked:
/// Meta-World gives it a rotational inertia of 1e5, so it never turns there either.
pub fn peg(world: &mut PhysicsWorld, x: f32, y: f32) -> Objects {
    let body = world.insert_body(
        RigidBodyBuilder::dynamic()
            .translation(Vector::new(x, y, PEG_HALF[2]))
            .lock_rotations(),
    );
    world.insert_collider(
        ColliderBuilder::cuboid(PEG_HALF[0], PEG_HALF[1], PEG_HALF[2])
            .mass(0.1)
            .friction(1.0),
        Some(body),
    );
    Objects {
        body: Some(body),
        rest: [x, y, PEG_HALF[2]],
        ..Default::default()
    }
}

/// The block with the side hole at `pos` (already turned so the hole runs along x and
/// opens towards +x): the hole is 6 cm wide (y) and spans z 0.10..0.16.
pub fn peg_block(world: &mut PhysicsWorld, pos: Vector) {
    let base = fixed_base(world);
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.0, 0.195),
        [0.1, 0.09, 0.005],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.0, 0.05),
        [0.096, 0.09, 0.05],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.06, 0.13),
        [0.096, 0.03, 0.03],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, -0.06, 0.13),
        [0.096, 0.03, 0.03],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.0, 0.175),
        [0.096, 0.09, 0.015],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, 0.095, 0.1),
        [0.1, 0.005, 0.1],
    );
    add_box(
        world,
        base,
        pos + Vector::new(0.0, -0.095, 0.1),
        [0.1, 0.005, 0.1],
    );
}
