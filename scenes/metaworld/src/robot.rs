//! The Sawyer-like end effector: a hand body that follows a mocap target, and two fingers
//! on prismatic joints driven by opposite gripper controls.
//!
//! Geometry follows Meta-World's `xyz_base.xml` gripper: the fingers close along the world
//! y axis; each finger is a 9 cm tall pad (centred at the hand's height) 5 cm to either
//! side of the hand when open; the tool centre point (`tcp`) is the midpoint of the two
//! fingertips, 4.5 cm below the hand. The right finger travels 4 cm, the left 3 cm, as in
//! the MuJoCo model. A thin rail 5 cm above the hand (MuJoCo's `rail` geom) gives the hand the
//! bulk that pushes the handle in the window tasks.
//!
//! Physics choices (documented in the README): the hand is a dynamic body with locked
//! rotations and no gravity whose velocity is set before every rapier step to close the gap to the
//! mocap target within [`TRACKING_TIME`] (a stiff weld, like MuJoCo's mocap weld), so the
//! table and fixed scenery stop it; the fingers are dynamic bodies on prismatic joints
//! whose velocity motors follow the gripper command through a first-order lag
//! ([`FINGER_LAG`]) with a force cap proportional to the gripper effort, and their pads
//! have a friction coefficient of 2 (MuJoCo's pad friction).

use rapier3d::prelude::*;
use serde::{Deserialize, Serialize};

/// Half extents of a finger collider (x, y, z), metres.
pub const FINGER_HALF: [f32; 3] = [0.015, 0.0045, 0.045];
/// Distance of an open finger (claw) from the hand centre along y.
pub const FINGER_OFFSET: f32 = 0.05;
/// Travel of the right finger (towards +y) when closing.
pub const RIGHT_TRAVEL: f32 = 0.04;
/// Travel of the left finger (towards -y) when closing.
pub const LEFT_TRAVEL: f32 = 0.03;
/// The pad's offset from its claw towards the other finger.
pub const PAD_OFFSET: f32 = 0.003;
/// Height of the fingertips (and so of the tcp) below the hand.
pub const TCP_DROP: f32 = 0.045;
/// Time constant of the hand's tracking of the mocap target, seconds.
pub const TRACKING_TIME: f32 = 0.02;
/// Fastest the hand may move, m/s.
pub const MAX_HAND_SPEED: f32 = 1.0;
/// Finger speed at full gripper effort, m/s: MuJoCo's actuator gain over the joint
/// damping (400 / 1000).
pub const FINGER_SPEED: f32 = 0.4;
/// Time constant of the fingers' speed, s: MuJoCo's joint armature over its damping
/// (100 / 1000), so the fingers start slowly as they do there.
pub const FINGER_LAG: f32 = 0.1;
/// Finger force cap at full gripper effort, N.
pub const FINGER_FORCE: f32 = 30.0;
/// Friction coefficient of the finger pads.
pub const PAD_FRICTION: f32 = 2.0;

/// Collision group of the robot's bodies (they never collide with one another).
pub const ROBOT_GROUP: Group = Group::GROUP_1;
/// Collision group of everything else.
pub const WORLD_GROUP: Group = Group::GROUP_2;

/// Handles of the robot's bodies and joints in the physics world.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Robot {
    /// The hand.
    pub hand: RigidBodyHandle,
    /// The right finger (at -y, closes towards +y).
    pub right: RigidBodyHandle,
    /// The left finger (at +y, closes towards -y).
    pub left: RigidBodyHandle,
    /// The right finger's prismatic joint.
    pub right_joint: ImpulseJointHandle,
    /// The left finger's prismatic joint.
    pub left_joint: ImpulseJointHandle,
}

fn robot_groups() -> InteractionGroups {
    InteractionGroups::new(ROBOT_GROUP, WORLD_GROUP, InteractionTestMode::And)
}

impl Robot {
    /// Builds the hand at `hand_pos` with the fingers open.
    pub fn build(world: &mut PhysicsWorld, hand_pos: Vector) -> Self {
        let hand = world.insert_body(
            RigidBodyBuilder::dynamic()
                .translation(hand_pos)
                .lock_rotations()
                .gravity_scale(0.0)
                .can_sleep(false)
                .additional_mass(2.0),
        );
        // The rail 5 cm above the hand.
        world.insert_collider(
            ColliderBuilder::cuboid(0.005, 0.055, 0.005)
                .translation(Vector::new(0.0, 0.0, 0.05))
                .density(0.0)
                .collision_groups(robot_groups()),
            Some(hand),
        );
        let mut finger = |side: f32, travel: f32| {
            let pos = hand_pos + Vector::new(0.0, side * FINGER_OFFSET, 0.0);
            let body = world.insert_body(
                RigidBodyBuilder::dynamic()
                    .translation(pos)
                    .lock_rotations()
                    .gravity_scale(0.0)
                    .can_sleep(false)
                    .additional_mass(0.1),
            );
            // The claw and its pad as one box whose inner face is PAD_OFFSET + 0.003 from
            // the claw centre.
            world.insert_collider(
                ColliderBuilder::cuboid(FINGER_HALF[0], FINGER_HALF[1], FINGER_HALF[2])
                    .translation(Vector::new(0.0, -side * 0.0015, 0.0))
                    .density(0.0)
                    .friction(PAD_FRICTION)
                    .friction_combine_rule(CoefficientCombineRule::Max)
                    .collision_groups(robot_groups()),
                Some(body),
            );
            let joint = PrismaticJointBuilder::new(Vector::new(0.0, -side, 0.0))
                .local_anchor1(Vector::new(0.0, side * FINGER_OFFSET, 0.0))
                .local_anchor2(Vector::ZERO)
                .limits([0.0, travel])
                .motor_velocity(0.0, 1.0e3)
                .motor_max_force(1.0)
                .contacts_enabled(false);
            let handle = world.insert_impulse_joint(hand, body, joint);
            (body, handle)
        };
        let (right, right_joint) = finger(-1.0, RIGHT_TRAVEL);
        let (left, left_joint) = finger(1.0, LEFT_TRAVEL);
        Robot {
            hand,
            right,
            left,
            right_joint,
            left_joint,
        }
    }

    /// Sets the finger motors: closing speed `velocity` (m/s, negative opens) with a force
    /// cap for the gripper `effort` in `[-1, 1]`.
    pub fn set_gripper(&self, world: &mut PhysicsWorld, velocity: f32, effort: f32) {
        let force = FINGER_FORCE * effort.clamp(-1.0, 1.0).abs() + 0.5;
        for handle in [self.right_joint, self.left_joint] {
            if let Some(joint) = world.impulse_joints.get_mut(handle, false) {
                joint
                    .data
                    .set_motor_velocity(JointAxis::LinX, velocity, 1.0e3)
                    .set_motor_max_force(JointAxis::LinX, force);
            }
        }
    }

    /// Sets the hand's velocity so that it closes on `target` (called every substep).
    pub fn track(&self, world: &mut PhysicsWorld, target: Vector) {
        if let Some(hand) = world.bodies.get_mut(self.hand) {
            let mut v = (target - hand.translation()) / TRACKING_TIME;
            let speed = v.length();
            if speed > MAX_HAND_SPEED {
                v *= MAX_HAND_SPEED / speed;
            }
            hand.set_linvel(v, true);
        }
    }

    fn pos(world: &PhysicsWorld, handle: RigidBodyHandle) -> Vector {
        world
            .bodies
            .get(handle)
            .map(|b| b.translation())
            .unwrap_or(Vector::ZERO)
    }

    /// The hand's position.
    pub fn hand_pos(&self, world: &PhysicsWorld) -> Vector {
        Self::pos(world, self.hand)
    }

    /// The right claw's position.
    pub fn right_claw(&self, world: &PhysicsWorld) -> Vector {
        Self::pos(world, self.right)
    }

    /// The left claw's position.
    pub fn left_claw(&self, world: &PhysicsWorld) -> Vector {
        Self::pos(world, self.left)
    }

    /// The right pad's position (the claw moved towards the other finger).
    pub fn right_pad(&self, world: &PhysicsWorld) -> Vector {
        self.right_claw(world) + Vector::new(0.0, PAD_OFFSET, 0.0)
    }

    /// The left pad's position.
    pub fn left_pad(&self, world: &PhysicsWorld) -> Vector {
        self.left_claw(world) - Vector::new(0.0, PAD_OFFSET, 0.0)
    }

    /// The tool centre point: the midpoint of the two fingertips.
    pub fn tcp(&self, world: &PhysicsWorld) -> Vector {
        (self.right_claw(world) + self.left_claw(world)) * 0.5 - Vector::new(0.0, 0.0, TCP_DROP)
    }

    /// Gripper opening: claw distance / 0.1, clipped to `[0, 1]`.
    pub fn opening(&self, world: &PhysicsWorld) -> f32 {
        ((self.right_claw(world) - self.left_claw(world)).length() / 0.1).clamp(0.0, 1.0)
    }
}
