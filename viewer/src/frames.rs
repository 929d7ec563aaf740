//! What an env looks like: pictures built from an env's own state, with no Bevy types, so
//! they are tested without a window.
//!
//! - STEM: the HAADF frame (the agent's image observation when it has one, else a clean
//!   frame rendered from the sample's state with this episode's image parameters), with the
//!   silicon, the goal and the last beam position marked;
//! - ALE: the emulator's RGB screen (160 x 210 NTSC, before the agent's preprocessing);
//! - Meta-World: the physics bodies as a top view and a front view (a 2D projection of
//!   every collider: cuboids by their corners, other shapes by their bounding box).

use arcadia_engine::prelude::Observation;
use arcadia_metaworld::MetaWorldEnv;
use arcadia_stem::StemEnv;
use arcadia_stem::imaging::Renderer;
use arcadia_stem::lattice::Vec2;
use rapier3d::prelude::*;

/// An RGBA image, row-major, top row first.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 4` bytes.
    pub data: Vec<u8>,
}

impl Rgba {
    /// An image from grey levels.
    pub fn from_gray(width: usize, height: usize, gray: &[u8]) -> Self {
        Rgba {
            width,
            height,
            data: gray.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        }
    }

    /// An image from RGB triples.
    pub fn from_rgb(width: usize, height: usize, rgb: &[u8]) -> Self {
        Rgba {
            width,
            height,
            data: rgb
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
        }
    }
}

/// What a marker on a STEM frame shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// The silicon dopant.
    Silicon,
    /// The goal site.
    Goal,
    /// Where the beam dwelt at the last step.
    Beam,
}

/// A marker at a position of the frame, `[0, 1]^2` from the top-left corner (a position
/// outside the view is clamped to its edge, with `inside` false).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    /// What it marks.
    pub kind: MarkKind,
    /// Horizontal position, 0 left, 1 right.
    pub x: f32,
    /// Vertical position, 0 top, 1 bottom.
    pub y: f32,
    /// Whether the point lies in the field of view.
    pub inside: bool,
}

/// A STEM frame and its markers.
#[derive(Clone, Debug, PartialEq)]
pub struct StemPicture {
    /// The HAADF frame.
    pub image: Rgba,
    /// Silicon, goal and beam.
    pub marks: Vec<Mark>,
    /// Distance from the silicon to the goal, Angstroms.
    pub goal_distance_a: f64,
}

/// Renders a STEM env: the image observation if the agent sees one, else a clean frame.
pub fn stem_picture(env: &StemEnv, obs: &Observation, renderer: &mut Renderer) -> StemPicture {
    let image = match (obs.as_u8(), obs.shape.as_slice()) {
        (Some(bytes), [1, h, w]) if bytes.len() == h * w => Rgba::from_gray(*w, *h, bytes),
        _ => {
            let params = env.image_params();
            let si = env.silicon();
            renderer.render_clean(env.lattice(), si, &env.view(), params);
            let n = params.resolution;
            let gray: Vec<u8> = renderer
                .frame()
                .iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8)
                .collect();
            Rgba::from_gray(n, n, &gray)
        }
    };
    let lattice = env.lattice();
    let view = env.view();
    let mark = |kind, p: Vec2| {
        let x = ((p.x - view.min.x) / view.width()) as f32;
        let y = ((view.max.y - p.y) / view.height()) as f32;
        let inside = (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y);
        Mark {
            kind,
            x: x.clamp(0.0, 1.0),
            y: y.clamp(0.0, 1.0),
            inside,
        }
    };
    let mut marks = vec![
        mark(MarkKind::Silicon, lattice.position(env.silicon())),
        mark(MarkKind::Goal, lattice.position(env.goal())),
    ];
    let last = env.last_step();
    if last.dwell_s > 0.0 {
        marks.push(mark(MarkKind::Beam, last.beam));
    }
    StemPicture {
        image,
        marks,
        goal_distance_a: env.goal_distance(),
    }
}

/// The ALE screen of an env as RGBA.
pub fn ale_picture(env: &arcadia_ale::scene::AleEnv, rgb: &mut Vec<u8>) -> Rgba {
    let ale = env.inner().ale();
    ale.screen_rgb_into(rgb);
    Rgba::from_rgb(ale.width(), ale.height(), rgb)
}

/// What a Meta-World body is, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// Fixed scenery (the table, walls, fixed parts of task objects).
    Fixed,
    /// The gripper's hand and fingers.
    Robot,
    /// A movable task object.
    Object,
}

/// One collider as 3D points to project: a cuboid's 8 corners, or another shape's
/// bounding-box corners.
#[derive(Clone, Debug, PartialEq)]
pub struct Solid {
    /// What it belongs to.
    pub kind: BodyKind,
    /// Its corners, world frame (metres, z up).
    pub corners: Vec<[f32; 3]>,
}

/// A Meta-World env's bodies, hand and goal.
#[derive(Clone, Debug, PartialEq)]
pub struct MetaWorldPicture {
    /// Every collider.
    pub solids: Vec<Solid>,
    /// The hand's tool-centre point.
    pub tcp: [f32; 3],
    /// The task's goal position.
    pub goal: [f32; 3],
    /// The task's name.
    pub task: String,
}

fn box_corners(f: impl Fn([f32; 3]) -> [f32; 3], half: [f32; 3]) -> Vec<[f32; 3]> {
    (0..8)
        .map(|i| {
            let s = |bit: usize, h: f32| if i >> bit & 1 == 1 { h } else { -h };
            f([s(0, half[0]), s(1, half[1]), s(2, half[2])])
        })
        .collect()
}

/// The bodies of a Meta-World env.
pub fn metaworld_picture(env: &MetaWorldEnv) -> MetaWorldPicture {
    let sim = env.sim();
    let world = &sim.world;
    let robot = [sim.robot.hand, sim.robot.left, sim.robot.right];
    let mut solids = Vec::new();
    for (_, collider) in world.colliders.iter() {
        let kind = match collider.parent() {
            Some(h) if robot.contains(&h) => BodyKind::Robot,
            Some(h) if world.bodies.get(h).is_some_and(|b| b.is_dynamic()) => BodyKind::Object,
            Some(h) if Some(h) == sim.objects.body => BodyKind::Object,
            _ => BodyKind::Fixed,
        };
        let corners = match collider.shape().as_cuboid() {
            Some(cuboid) => {
                let pose = collider.position();
                let he = cuboid.half_extents;
                box_corners(
                    |[x, y, z]| {
                        let p = pose.transform_point(Vector::new(x, y, z));
                        [p.x, p.y, p.z]
                    },
                    [he.x, he.y, he.z],
                )
            }
            None => {
                let aabb = collider.compute_aabb();
                let c = (aabb.mins + aabb.maxs) * 0.5;
                let h = (aabb.maxs - aabb.mins) * 0.5;
                box_corners(|[x, y, z]| [c.x + x, c.y + y, c.z + z], [h.x, h.y, h.z])
            }
        };
        solids.push(Solid { kind, corners });
    }
    let tcp = sim.robot.tcp(world);
    MetaWorldPicture {
        solids,
        tcp: [tcp.x, tcp.y, tcp.z],
        goal: env.episode().target,
        task: env.task_kind().name().to_string(),
    }
}

/// The convex hull of 2D points, counter-clockwise (Andrew's monotone chain).
pub fn convex_hull(points: &[[f32; 2]]) -> Vec<[f32; 2]> {
    let mut p: Vec<[f32; 2]> = points.to_vec();
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: [f32; 2], a: [f32; 2], b: [f32; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f32; 2]> = Vec::with_capacity(2 * p.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &[f32; 2]>> = if pass == 0 {
            Box::new(p.iter())
        } else {
            Box::new(p.iter().rev())
        };
        for &q in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0
            {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    hull
}

#[cfg(test)]
mod tests {
    use super::*;
    use arcadia_engine::prelude::{EnvRng, Environment, StreamKind, stream};

    #[test]
    fn hull_of_a_square_with_an_inner_point() {
        let pts = [
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [0.5, 0.5],
            [1.0, 0.5],
        ];
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4, "{hull:?}");
        assert!(!hull.contains(&[0.5, 0.5]));
    }

    #[test]
    fn stem_frame_marks_silicon_inside_the_view() {
        let config = arcadia_stem::StemConfig::default();
        let mut env = StemEnv::new(&config).expect("default config builds");
        let mut rng = EnvRng(stream(3, StreamKind::Env, 0));
        let mut obs = Observation::zeros(&env.observation_space());
        env.reset(&mut rng, &mut obs);
        let mut renderer = Renderer::new();
        let pic = stem_picture(&env, &obs, &mut renderer);
        let n = config.image.resolution;
        assert_eq!((pic.image.width, pic.image.height), (n, n));
        assert_eq!(pic.image.data.len(), n * n * 4);
        let si = pic
            .marks
            .iter()
            .find(|m| m.kind == MarkKind::Silicon)
            .unwrap();
        assert!(si.inside, "the view is centred on the silicon: {si:?}");
        assert!(pic.marks.iter().any(|m| m.kind == MarkKind::Goal));
        // The silicon is the brightest atom: the pixel under its marker is bright.
        let (x, y) = ((si.x * n as f32) as usize, (si.y * n as f32) as usize);
        let v = pic.image.data[(y.min(n - 1) * n + x.min(n - 1)) * 4];
        assert!(v > 200, "pixel under the silicon is {v}");
        // No beam before the first step.
        assert!(!pic.marks.iter().any(|m| m.kind == MarkKind::Beam));
    }

    #[test]
    fn metaworld_picture_has_robot_object_and_scenery() {
        let config = arcadia_metaworld::MetaWorldConfig::default();
        let task = config.tasks[0];
        let mut env = MetaWorldEnv::new(task, 0, &config);
        let mut rng = EnvRng(stream(1, StreamKind::Env, 0));
        let mut obs = Observation::zeros(&env.observation_space());
        env.reset(&mut rng, &mut obs);
        let pic = metaworld_picture(&env);
        for kind in [BodyKind::Fixed, BodyKind::Robot, BodyKind::Object] {
            assert!(
                pic.solids.iter().any(|s| s.kind == kind),
                "no {kind:?} body"
            );
        }
        assert!(pic.solids.iter().all(|s| s.corners.len() == 8));
        assert!(pic.tcp.iter().all(|v| v.is_finite()));
    }
}
