//! The MT10 tasks: for each, its random reset space (the `rand_vec` of Meta-World), how it
//! builds its objects, what its object slots show, and its v2 reward and success.

pub mod button_press_topdown;
pub mod door_open;
pub mod drawer_close;
pub mod drawer_open;
pub mod peg_insert_side;
pub mod pick_place;
pub mod push;
pub mod reach;
pub mod window_close;
pub mod window_open;

use rapier3d::prelude::*;
use serde::{Deserialize, Serialize};

use crate::objects::Objects;
use crate::reward::{Sigmoid, hamacher_product, tolerance};
use crate::robot::Robot;

/// One of the ten MT10 tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Task {
    /// Move the tcp to a goal point.
    #[serde(rename = "reach")]
    Reach,
    /// Push the puck to a goal on the table.
    #[serde(rename = "push")]
    Push,
    /// Pick the puck up and place it at a goal in the air.
    #[serde(rename = "pick-place")]
    PickPlace,
    /// Pull a door open on its hinge.
    #[serde(rename = "door-open")]
    DoorOpen,
    /// Pull a drawer open.
    #[serde(rename = "drawer-open")]
    DrawerOpen,
    /// Push an open drawer closed.
    #[serde(rename = "drawer-close")]
    DrawerClose,
    /// Press a button down from above.
    #[serde(rename = "button-press-topdown")]
    ButtonPressTopdown,
    /// Insert a peg sideways into a hole.
    #[serde(rename = "peg-insert-side")]
    PegInsertSide,
    /// Slide a window open.
    #[serde(rename = "window-open")]
    WindowOpen,
    /// Slide an open window closed.
    #[serde(rename = "window-close")]
    WindowClose,
}

/// The MT10 task set in Meta-World's order.
pub const MT10: [Task; 10] = [
    Task::Reach,
    Task::Push,
    Task::PickPlace,
    Task::DoorOpen,
    Task::DrawerOpen,
    Task::DrawerClose,
    Task::ButtonPressTopdown,
    Task::PegInsertSide,
    Task::WindowOpen,
    Task::WindowClose,
];

/// Mocap (hand target) bounds shared by the MT10 tasks.
pub const MOCAP_LOW: [f32; 3] = [-0.5, 0.40, 0.05];
/// Upper mocap bounds.
pub const MOCAP_HIGH: [f32; 3] = [0.5, 1.0, 0.5];
/// Meta-World's `TARGET_RADIUS`.
pub const TARGET_RADIUS: f32 = 0.05;

/// What a task fixes at reset besides its objects: goal, initial positions and margins.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    /// The goal position (the observation's last three values).
    pub target: [f32; 3],
    /// The object's initial position as the reward sees it.
    pub obj_init: [f32; 3],
    /// The hand's initial position.
    pub hand_init: [f32; 3],
    /// The tcp after the hand reset.
    pub init_tcp: [f32; 3],
    /// The left pad after the hand reset.
    pub init_left_pad: [f32; 3],
    /// The right pad after the hand reset.
    pub init_right_pad: [f32; 3],
    /// A task-specific initial point (peg head, window handle).
    pub aux: [f32; 3],
}

/// Everything a reward function reads at one step.
pub struct Frame<'a> {
    /// The physics world.
    pub world: &'a PhysicsWorld,
    /// The robot.
    pub robot: &'a Robot,
    /// The task objects.
    pub objects: &'a Objects,
    /// The episode's fixed values.
    pub episode: &'a Episode,
    /// The current (clipped) observation, 39 values.
    pub obs: &'a [f32],
    /// The (clipped) action.
    pub action: [f32; 4],
}

impl Frame<'_> {
    /// The tool centre point.
    pub fn tcp(&self) -> Vector {
        self.robot.tcp(self.world)
    }
    /// The first object's position in the observation.
    pub fn obj(&self) -> Vector {
        Vector::new(self.obs[4], self.obs[5], self.obs[6])
    }
    /// The hand position in the observation.
    pub fn hand(&self) -> Vector {
        Vector::new(self.obs[0], self.obs[1], self.obs[2])
    }
    /// The gripper opening in the observation.
    pub fn opening(&self) -> f32 {
        self.obs[3]
    }
    /// The goal.
    pub fn target(&self) -> Vector {
        Vector::from(self.episode.target)
    }
}

/// Options of Meta-World's `_gripper_caging_reward`.
#[derive(Clone, Copy, Debug)]
pub struct Caging {
    /// Radius of the object's bounding sphere.
    pub obj_radius: f32,
    /// Pad-to-object distance that counts as caged.
    pub pad_success_thresh: f32,
    /// Tcp-to-object distance that counts as reached (medium density only).
    pub object_reach_radius: f32,
    /// Tcp-to-object distance in the x-z plane that counts as caged.
    pub xz_thresh: f32,
    /// Effort at which the gripper counts as fully closed.
    pub desired_gripper_effort: f32,
    /// Average with the caging term.
    pub high_density: bool,
    /// Average with a reach term.
    pub medium_density: bool,
}

/// Meta-World's gripper caging reward: how well the two pads cage `obj` (y caging from the
/// pads, x-z caging from the tcp) combined with the closing effort once caged.
pub fn gripper_caging_reward(frame: &Frame, obj: Vector, c: Caging) -> f32 {
    let ep = frame.episode;
    let left = frame.robot.left_pad(frame.world);
    let right = frame.robot.right_pad(frame.world);
    let obj_init = Vector::from(ep.obj_init);
    let init_tcp = Vector::from(ep.init_tcp);
    let mut caging_lr = [0.0f32; 2];
    for (i, pad) in [left, right].into_iter().enumerate() {
        let pad_to_obj = (pad.y - obj.y).abs();
        let pad_to_obj_init = (pad.y - obj_init.y).abs();
        let margin = (pad_to_obj_init - c.pad_success_thresh).abs();
        caging_lr[i] = tolerance(
            pad_to_obj,
            (c.obj_radius, c.pad_success_thresh),
            margin,
            Sigmoid::LongTail,
        );
    }
    let caging_y = hamacher_product(caging_lr[0], caging_lr[1]);
    let tcp = frame.tcp();
    let xz = |v: Vector| Vector::new(v.x, 0.0, v.z);
    let xz_margin = (xz(obj_init) - xz(init_tcp)).length() - c.xz_thresh;
    let caging_xz = tolerance(
        (xz(tcp) - xz(obj)).length(),
        (0.0, c.xz_thresh),
        xz_margin,
        Sigmoid::LongTail,
    );
    let gripper_closed =
        frame.action[3].max(0.0).min(c.desired_gripper_effort) / c.desired_gripper_effort;
    let caging = hamacher_product(caging_y, caging_xz);
    let gripping = if caging > 0.97 { gripper_closed } else { 0.0 };
    let mut caging_and_gripping = hamacher_product(caging, gripping);
    if c.high_density {
        caging_and_gripping = (caging_and_gripping + caging) / 2.0;
    }
    if c.medium_density {
        let tcp_to_obj = (obj - tcp).length();
        let tcp_to_obj_init = (obj_init - init_tcp).length();
        let reach_margin = (tcp_to_obj_init - c.object_reach_radius).abs();
        let reach = tolerance(
            tcp_to_obj,
            (0.0, c.object_reach_radius),
            reach_margin,
            Sigmoid::LongTail,
        );
        caging_and_gripping = (caging_and_gripping + reach) / 2.0;
    }
    caging_and_gripping
}

/// A task's reset: its objects and its episode values (robot-dependent ones are filled in
/// by the env after the hand reset).
pub struct Setup {
    /// The movable objects.
    pub objects: Objects,
    /// Goal and initial object position.
    pub episode: Episode,
}

impl Task {
    /// Meta-World's name of the task (without the version suffix).
    pub fn name(self) -> &'static str {
        match self {
            Task::Reach => "reach",
            Task::Push => "push",
            Task::PickPlace => "pick-place",
            Task::DoorOpen => "door-open",
            Task::DrawerOpen => "drawer-open",
            Task::DrawerClose => "drawer-close",
            Task::ButtonPressTopdown => "button-press-topdown",
            Task::PegInsertSide => "peg-insert-side",
            Task::WindowOpen => "window-open",
            Task::WindowClose => "window-close",
        }
    }

    /// Looks a task up by its name.
    pub fn from_name(name: &str) -> Option<Task> {
        MT10.into_iter().find(|t| t.name() == name)
    }

    /// The hand's initial position.
    pub fn hand_init(self) -> [f32; 3] {
        match self {
            Task::ButtonPressTopdown | Task::WindowOpen | Task::WindowClose => [0.0, 0.4, 0.2],
            _ => [0.0, 0.6, 0.2],
        }
    }

    /// The random reset space (`low`, `high`) of the task's `rand_vec`.
    pub fn reset_space(self) -> (Vec<f32>, Vec<f32>) {
        let (low, high): (&[f32], &[f32]) = match self {
            Task::Reach => (&reach::LOW, &reach::HIGH),
            Task::Push => (&push::LOW, &push::HIGH),
            Task::PickPlace => (&pick_place::LOW, &pick_place::HIGH),
            Task::DoorOpen => (&door_open::LOW, &door_open::HIGH),
            Task::DrawerOpen => (&drawer_open::LOW, &drawer_open::HIGH),
            Task::DrawerClose => (&drawer_close::LOW, &drawer_close::HIGH),
            Task::ButtonPressTopdown => {
                (&button_press_topdown::LOW, &button_press_topdown::HIGH)
            }
            Task::PegInsertSide => (&peg_insert_side::LOW, &peg_insert_side::HIGH),
            Task::WindowOpen => (&window_open::LOW, &window_open::HIGH),
            Task::WindowClose => (&window_close::LOW, &window_close::HIGH),
        };
        (low.to_vec(), high.to_vec())
    }

    /// Whether a sampled `rand_vec` is acceptable (Meta-World resamples otherwise).
    pub fn accepts(self, v: &[f32]) -> bool {
        let gap = |a: usize, b: usize| ((v[a] - v[b]).powi(2) + (v[a + 1] - v[b + 1]).powi(2)).sqrt();
        match self {
            Task::Reach | Task::Push | Task::PickPlace => gap(0, 3) >= 0.15,
            Task::PegInsertSide => gap(0, 3) >= 0.1,
            _ => true,
        }
    }

    /// Builds the task's objects for `rand_vec` `v`.
    pub fn setup(self, world: &mut PhysicsWorld, v: &[f32]) -> Setup {
        match self {
            Task::Reach => reach::setup(world, v),
            Task::Push => push::setup(world, v),
            Task::PickPlace => pick_place::setup(world, v),
            Task::DoorOpen => door_open::setup(world, v),
            Task::DrawerOpen => drawer_open::setup(world, v),
            Task::DrawerClose => drawer_close::setup(world, v),
            Task::ButtonPressTopdown => button_press_topdown::setup(world, v),
            Task::PegInsertSide => peg_insert_side::setup(world, v),
            Task::WindowOpen => window_open::setup(world, v),
            Task::WindowClose => window_close::setup(world, v),
        }
    }

    /// Fills in episode values that need the settled scene (after the hand reset).
    pub fn after_reset(self, world: &PhysicsWorld, objects: &Objects, episode: &mut Episode) {
        match self {
            Task::DrawerClose => {
                episode.obj_init = drawer_close::handle(world, objects).into();
            }
            Task::PegInsertSide => {
                episode.aux = peg_insert_side::head(world, objects).into();
            }
            Task::WindowOpen | Task::WindowClose => {
                // Both measure reach margins from the handle where the episode starts.
                episode.aux = window_open::handle(world, objects).into();
            }
            _ => {}
        }
    }

    /// The first object slot: position and quaternion.
    pub fn object_obs(self, world: &PhysicsWorld, objects: &Objects) -> ([f32; 3], [f32; 4]) {
        let xyzw = |q: Rotation| [q.x, q.y, q.z, q.w];
        match self {
            Task::Reach | Task::Push | Task::PickPlace => {
                (objects.pos(world).into(), xyzw(objects.rot(world)))
            }
            Task::DoorOpen => (
                door_open::handle(world, objects).into(),
                xyzw(objects.rot(world)),
            ),
            Task::DrawerOpen => {
                // Meta-World reports the drawer link's body quaternion (w, x, y, z).
                let q = objects.rot(world);
                (drawer_open::handle(world, objects).into(), [q.w, q.x, q.y, q.z])
            }
            Task::DrawerClose => (drawer_close::handle(world, objects).into(), [0.0; 4]),
            Task::ButtonPressTopdown => {
                // The button body's quaternion (w, x, y, z) of the box turned by -90 deg
                // about x.
                let h = std::f32::consts::FRAC_1_SQRT_2;
                (
                    button_press_topdown::button(world, objects).into(),
                    [h, -h, 0.0, 0.0],
                )
            }
            Task::PegInsertSide => (
                peg_insert_side::grasp_point(world, objects).into(),
                xyzw(objects.rot(world)),
            ),
            Task::WindowOpen | Task::WindowClose => {
                (window_open::handle(world, objects).into(), [0.0; 4])
            }
        }
    }

    /// The v2 reward (in `[0, 10]`) and success of one step.
    pub fn evaluate(self, frame: &Frame) -> (f32, bool) {
        match self {
            Task::Reach => reach::evaluate(frame),
            Task::Push => push::evaluate(frame),
            Task::PickPlace => pick_place::evaluate(frame),
            Task::DoorOpen => door_open::evaluate(frame),
            Task::DrawerOpen => drawer_open::evaluate(frame),
            Task::DrawerClose => drawer_close::evaluate(frame),
            Task::ButtonPressTopdown => button_press_topdown::evaluate(frame),
            Task::PegInsertSide => peg_insert_side::evaluate(frame),
            Task::WindowOpen => window_open::evaluate(frame),
            Task::WindowClose => window_close::evaluate(frame),
        }
    }
}
