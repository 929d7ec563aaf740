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

/// One of the ten MT10 tasks; written in configs by its Meta-World name (`"pick-place"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Task {
    /// Move the tcp to a goal point.
    Reach,
    /// Push the puck to a goal on the table.
    Push,
    /// Pick the puck up and place it at a goal in the air.
    PickPlace,
    /// Pull a door open on its hinge.
    DoorOpen,
    /// Pull a drawer open.
    DrawerOpen,
    /// Push an open drawer closed.
    DrawerClose,
    /// Press a button down from above.
    ButtonPressTopdown,
    /// Insert a peg sideways into a hole.
    PegInsertSide,
    /// Slide a window open.
    WindowOpen,
    /// Slide an open window closed.
    WindowClose,
}

/// A task name that is not one of the MT10 tasks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "unknown task `{0}`; expected one of reach, push, pick-place, door-open, drawer-open, drawer-close, button-press-topdown, peg-insert-side, window-open, window-close"
)]
pub struct UnknownTask(pub String);

impl TryFrom<String> for Task {
    type Error = UnknownTask;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Task::from_name(&name).ok_or(UnknownTask(name))
    }
}

impl From<Task> for String {
    fn from(task: Task) -> String {
        task.name().to_string()
    }
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

/// The positions the gripper caging reward reads.
#[derive(Clone, Copy, Debug)]
pub struct CagingInputs {
    /// Left pad position.
    pub left_pad: Vector,
    /// Right pad position.
    pub right_pad: Vector,
    /// Tool centre point.
    pub tcp: Vector,
    /// Object position.
    pub obj: Vector,
    /// Object position at reset.
    pub obj_init: Vector,
    /// Tcp at reset.
    pub init_tcp: Vector,
    /// The gripper action (4th action component).
    pub grip_action: f32,
}

/// Meta-World's gripper caging reward: how well the two pads cage the object (y caging from
/// the pads, x-z caging from the tcp) combined with the closing effort once caged (> 0.97).
pub fn caging_reward(i: CagingInputs, c: Caging) -> f32 {
    let mut caging_lr = [0.0f32; 2];
    for (k, pad) in [i.left_pad, i.right_pad].into_iter().enumerate() {
        let pad_to_obj = (pad.y - i.obj.y).abs();
        let pad_to_obj_init = (pad.y - i.obj_init.y).abs();
        let margin = (pad_to_obj_init - c.pad_success_thresh).abs();
        caging_lr[k] = tolerance(
            pad_to_obj,
            (c.obj_radius, c.pad_success_thresh),
            margin,
            Sigmoid::LongTail,
        );
    }
    let caging_y = hamacher_product(caging_lr[0], caging_lr[1]);
    let xz = |v: Vector| Vector::new(v.x, 0.0, v.z);
    let xz_margin = (xz(i.obj_init) - xz(i.init_tcp)).length() - c.xz_thresh;
    let caging_xz = tolerance(
        (xz(i.tcp) - xz(i.obj)).length(),
        (0.0, c.xz_thresh),
        xz_margin,
        Sigmoid::LongTail,
    );
    let gripper_closed =
        i.grip_action.max(0.0).min(c.desired_gripper_effort) / c.desired_gripper_effort;
    let caging = hamacher_product(caging_y, caging_xz);
    let gripping = if caging > 0.97 { gripper_closed } else { 0.0 };
    let mut caging_and_gripping = hamacher_product(caging, gripping);
    if c.high_density {
        caging_and_gripping = (caging_and_gripping + caging) / 2.0;
    }
    if c.medium_density {
        let tcp_to_obj = (i.obj - i.tcp).length();
        let tcp_to_obj_init = (i.obj_init - i.init_tcp).length();
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

/// [`caging_reward`] on the current frame.
pub fn gripper_caging_reward(frame: &Frame, obj: Vector, c: Caging) -> f32 {
    caging_reward(
        CagingInputs {
            left_pad: frame.robot.left_pad(frame.world),
            right_pad: frame.robot.right_pad(frame.world),
            tcp: frame.tcp(),
            obj,
            obj_init: Vector::from(frame.episode.obj_init),
            init_tcp: Vector::from(frame.episode.init_tcp),
            grip_action: frame.action[3],
        },
        c,
    )
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
            Task::ButtonPressTopdown => (&button_press_topdown::LOW, &button_press_topdown::HIGH),
            Task::PegInsertSide => (&peg_insert_side::LOW, &peg_insert_side::HIGH),
            Task::WindowOpen => (&window_open::LOW, &window_open::HIGH),
            Task::WindowClose => (&window_close::LOW, &window_close::HIGH),
        };
        (low.to_vec(), high.to_vec())
    }

    /// Whether a sampled `rand_vec` is acceptable (Meta-World resamples otherwise).
    pub fn accepts(self, v: &[f32]) -> bool {
        let gap =
            |a: usize, b: usize| ((v[a] - v[b]).powi(2) + (v[a + 1] - v[b + 1]).powi(2)).sqrt();
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
            // Both measure reach margins from their handle site where the episode starts.
            Task::WindowOpen => episode.aux = window_open::handle(world, objects).into(),
            Task::WindowClose => episode.aux = window_close::handle(world, objects).into(),
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
            Task::DoorOpen => {
                let [x, y, z, w] = crate::objects::DOOR_HANDLE_QUAT;
                let local = Rotation::from_xyzw(x, y, z, w).normalize();
                (
                    door_open::handle(world, objects).into(),
                    xyzw(objects.rot(world) * local),
                )
            }
            Task::DrawerOpen => {
                // Meta-World reports the drawer link's body quaternion (w, x, y, z).
                let q = objects.rot(world);
                (
                    drawer_open::handle(world, objects).into(),
                    [q.w, q.x, q.y, q.z],
                )
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
            Task::WindowOpen => (window_open::handle(world, objects).into(), [0.0; 4]),
            Task::WindowClose => (window_close::handle(world, objects).into(), [0.0; 4]),
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

#[cfg(test)]
mod tests {
    use super::*;

    const PUSH: Caging = Caging {
        obj_radius: 0.015,
        pad_success_thresh: 0.05,
        object_reach_radius: 0.01,
        xz_thresh: 0.005,
        desired_gripper_effort: 1.0,
        high_density: true,
        medium_density: false,
    };

    fn inputs() -> CagingInputs {
        CagingInputs {
            left_pad: Vector::new(0.0, 0.62, 0.02),
            right_pad: Vector::new(0.0, 0.58, 0.02),
            tcp: Vector::new(0.0, 0.6, 0.02),
            obj: Vector::new(0.0, 0.6, 0.02),
            obj_init: Vector::new(0.0, 0.6, 0.02),
            init_tcp: Vector::new(0.0, 0.6, 0.15),
            grip_action: 0.5,
        }
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn caging_reward_when_caged_counts_the_grip() {
        // Both pads 2 cm from the puck (inside (0.015, 0.05)), tcp on it: caging = 1,
        // gripping = 0.5, hamacher(1, 0.5) = 0.5, high density (0.5 + 1) / 2.
        assert!(close(caging_reward(inputs(), PUSH), 0.75));
        let open = CagingInputs {
            grip_action: -1.0,
            ..inputs()
        };
        assert!(close(caging_reward(open, PUSH), 0.5));
    }

    #[test]
    fn caging_reward_matches_hand_computed_xz_falloff() {
        // xz distance 0.105, margin |(0, 0.02) - (0, 0.15)| - 0.005 = 0.125, d = 0.8,
        // long tail 1 / (0.64 * 9 + 1); not caged (< 0.97), so no gripping term.
        let i = CagingInputs {
            tcp: Vector::new(0.105, 0.6, 0.02),
            ..inputs()
        };
        let caging = 1.0 / (0.64 * 9.0 + 1.0);
        assert!(close(caging_reward(i, PUSH), caging / 2.0));
    }

    #[test]
    fn caging_reward_matches_hand_computed_pad_falloff() {
        // Left pad 10 cm away: margin |0.1 - 0.05| = 0.05, d = 1, tolerance 0.1; right pad
        // 4 cm away is inside the bounds (1). caging_y = hamacher(0.1, 1) = 0.1.
        let i = CagingInputs {
            left_pad: Vector::new(0.0, 0.7, 0.02),
            right_pad: Vector::new(0.0, 0.56, 0.02),
            ..inputs()
        };
        assert!(close(caging_reward(i, PUSH), 0.05));
    }

    #[test]
    fn medium_density_averages_a_reach_term() {
        // tcp on the object: reach = 1; caged with grip 0.5: (0.5 + 1) / 2.
        let c = Caging {
            high_density: false,
            medium_density: true,
            ..PUSH
        };
        assert!(close(caging_reward(inputs(), c), 0.75));
    }

    #[test]
    fn task_names_round_trip() {
        for task in MT10 {
            assert_eq!(Task::from_name(task.name()), Some(task));
        }
        assert_eq!(Task::from_name("reach-v3"), None);
    }
}
