//! Graphene geometry: an infinite honeycomb lattice of carbon sites with a random rotation.
//!
//! Positions are in Angstroms in the material frame. A site is `(i, j, sublattice)`; the
//! A site `(i, j)` sits at `origin + R(theta) (i a1 + j a2)` and its B partner one bond
//! further along `d1`. Atom positions never move: a transition swaps the silicon with a
//! neighbour, so the simulator only tracks which site holds the silicon.

use std::ops::{Add, Mul, Neg, Sub};

use serde::{Deserialize, Serialize};

/// C-C bond length in graphene, Angstroms.
pub const BOND_LENGTH: f64 = 1.42;
/// Lattice constant of graphene (`sqrt(3)` bonds), Angstroms.
pub const LATTICE_CONSTANT: f64 = BOND_LENGTH * 1.732_050_807_568_877_2;
/// Atomic number of carbon.
pub const Z_CARBON: u32 = 6;
/// Atomic number of silicon.
pub const Z_SILICON: u32 = 14;

/// A 2-D vector (Angstroms unless said otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Vec2 {
    /// x component.
    pub x: f64,
    /// y component.
    pub y: f64,
}

impl Vec2 {
    /// The vector `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Vec2 { x, y }
    }
    /// The zero vector.
    pub const ZERO: Vec2 = Vec2::new(0.0, 0.0);
    /// Euclidean length.
    pub fn length(self) -> f64 {
        self.x.hypot(self.y)
    }
    /// Squared length.
    pub fn length_squared(self) -> f64 {
        self.x * self.x + self.y * self.y
    }
    /// Dot product.
    pub fn dot(self, other: Vec2) -> f64 {
        self.x * other.x + self.y * other.y
    }
    /// Angle from +x, in `(-pi, pi]`.
    pub fn angle(self) -> f64 {
        self.y.atan2(self.x)
    }
    /// This vector rotated counter-clockwise by `angle` radians.
    pub fn rotated(self, angle: f64) -> Vec2 {
        let (s, c) = angle.sin_cos();
        self.rotated_sc(s, c)
    }
    /// This vector rotated by the angle whose sine and cosine are `s` and `c`.
    pub fn rotated_sc(self, s: f64, c: f64) -> Vec2 {
        Vec2::new(c * self.x - s * self.y, s * self.x + c * self.y)
    }
    /// This vector divided by its length (zero stays zero).
    pub fn normalized(self) -> Vec2 {
        let l = self.length();
        if l > 0.0 { self * (1.0 / l) } else { self }
    }
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x + o.x, self.y + o.y)
    }
}
impl Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x - o.x, self.y - o.y)
    }
}
impl Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, s: f64) -> Vec2 {
        Vec2::new(self.x * s, self.y * s)
    }
}
impl Neg for Vec2 {
    type Output = Vec2;
    fn neg(self) -> Vec2 {
        Vec2::new(-self.x, -self.y)
    }
}

/// One lattice site: A site `(i, j)` or its B partner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Site {
    /// Coordinate along `a1`.
    pub i: i32,
    /// Coordinate along `a2`.
    pub j: i32,
    /// `false`: sublattice A, `true`: sublattice B.
    pub b: bool,
}

impl Site {
    /// The site `(i, j)` of sublattice A (`b = false`) or B (`b = true`).
    pub const fn new(i: i32, j: i32, b: bool) -> Self {
        Site { i, j, b }
    }
}

/// An axis-aligned rectangle of the material frame (a field of view).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Lower-left corner.
    pub min: Vec2,
    /// Upper-right corner.
    pub max: Vec2,
}

impl Rect {
    /// The square of side `width` centred on `center`.
    pub fn square(center: Vec2, width: f64) -> Self {
        let h = Vec2::new(width / 2.0, width / 2.0);
        Rect {
            min: center - h,
            max: center + h,
        }
    }
    /// Width (x extent).
    pub fn width(&self) -> f64 {
        self.max.x - self.min.x
    }
    /// Height (y extent).
    pub fn height(&self) -> f64 {
        self.max.y - self.min.y
    }
    /// Whether `p` lies inside (bounds included).
    pub fn contains(&self, p: Vec2) -> bool {
        p.x >= self.min.x && p.x <= self.max.x && p.y >= self.min.y && p.y <= self.max.y
    }
    /// `p` in normalized coordinates: `(0, 0)` at `min`, `(1, 1)` at `max`.
    pub fn normalize(&self, p: Vec2) -> Vec2 {
        Vec2::new(
            (p.x - self.min.x) / self.width(),
            (p.y - self.min.y) / self.height(),
        )
    }
    /// `p` clamped into the rectangle.
    pub fn clamp(&self, p: Vec2) -> Vec2 {
        Vec2::new(
            p.x.clamp(self.min.x, self.max.x),
            p.y.clamp(self.min.y, self.max.y),
        )
    }
}

/// A graphene sheet: an infinite honeycomb lattice with a rotation and an origin.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Graphene {
    /// Rotation of the lattice, radians.
    pub rotation: f64,
    /// Position of A site `(0, 0)`.
    pub origin: Vec2,
    a1: Vec2,
    a2: Vec2,
    d1: Vec2,
    /// Inverse of the matrix `[a1 a2]`, row-major.
    inv: [f64; 4],
}

impl Default for Graphene {
    fn default() -> Self {
        Graphene::new(0.0, Vec2::ZERO)
    }
}

impl Graphene {
    /// A sheet rotated by `rotation` radians with A site `(0, 0)` at `origin`.
    pub fn new(rotation: f64, origin: Vec2) -> Self {
        let (s, c) = rotation.sin_cos();
        let h = 3f64.sqrt() / 2.0;
        // In the unrotated frame the A site's neighbours are at d1 = (1, 0),
        // d2 = (-1/2, sqrt3/2) and d3 = (-1/2, -sqrt3/2) bonds; a1 = d1 - d2, a2 = d1 - d3.
        let a1 = Vec2::new(1.5, -h).rotated_sc(s, c) * BOND_LENGTH;
        let a2 = Vec2::new(1.5, h).rotated_sc(s, c) * BOND_LENGTH;
        let d1 = Vec2::new(1.0, 0.0).rotated_sc(s, c) * BOND_LENGTH;
        let det = a1.x * a2.y - a2.x * a1.y;
        let inv = [a2.y / det, -a2.x / det, -a1.y / det, a1.x / det];
        Graphene {
            rotation,
            origin,
            a1,
            a2,
            d1,
            inv,
        }
    }

    /// Position of `site` in the material frame.
    pub fn position(&self, site: Site) -> Vec2 {
        let p = self.origin + self.a1 * site.i as f64 + self.a2 * site.j as f64;
        if site.b { p + self.d1 } else { p }
    }

    /// The three nearest neighbours of `site` (the other sublattice), in a fixed lattice
    /// order (not sorted by angle).
    pub fn neighbours(&self, site: Site) -> [Site; 3] {
        let Site { i, j, b } = site;
        if b {
            [
                Site::new(i, j, false),
                Site::new(i + 1, j, false),
                Site::new(i, j + 1, false),
            ]
        } else {
            [
                Site::new(i, j, true),
                Site::new(i - 1, j, true),
                Site::new(i, j - 1, true),
            ]
        }
    }

    /// The three neighbours of `site` sorted counter-clockwise by angle from +x (in
    /// `[0, 2 pi)`), with their offsets from `site`.
    pub fn neighbours_by_angle(&self, site: Site) -> [(Site, Vec2); 3] {
        let p = self.position(site);
        let mut n = self.neighbours(site).map(|s| (s, self.position(s) - p));
        let key = |v: Vec2| v.angle().rem_euclid(std::f64::consts::TAU);
        n.sort_by(|a, b| key(a.1).total_cmp(&key(b.1)));
        n
    }

    /// The lattice site nearest to `p`.
    pub fn nearest_site(&self, p: Vec2) -> Site {
        let q = p - self.origin;
        let u = self.inv[0] * q.x + self.inv[1] * q.y;
        let v = self.inv[2] * q.x + self.inv[3] * q.y;
        let (i0, j0) = (u.floor() as i32, v.floor() as i32);
        let mut best = (f64::INFINITY, Site::default());
        for di in -1..=2 {
            for dj in -1..=2 {
                for b in [false, true] {
                    let s = Site::new(i0 + di, j0 + dj, b);
                    let d = (self.position(s) - p).length_squared();
                    if d < best.0 {
                        best = (d, s);
                    }
                }
            }
        }
        best.1
    }

    /// Calls `f` with every site inside `rect` and its position (bounds included).
    pub fn for_each_site_in(&self, rect: &Rect, mut f: impl FnMut(Site, Vec2)) {
        let corners = [
            rect.min,
            rect.max,
            Vec2::new(rect.min.x, rect.max.y),
            Vec2::new(rect.max.x, rect.min.y),
        ];
        let (mut umin, mut umax, mut vmin, mut vmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for c in corners {
            let q = c - self.origin;
            let u = self.inv[0] * q.x + self.inv[1] * q.y;
            let v = self.inv[2] * q.x + self.inv[3] * q.y;
            umin = umin.min(u);
            umax = umax.max(u);
            vmin = vmin.min(v);
            vmax = vmax.max(v);
        }
        // B sites sit at A + d1 = A + (a1 + a2) / 3: widen the index range by one.
        let (i0, i1) = (umin.floor() as i32 - 1, umax.ceil() as i32 + 1);
        let (j0, j1) = (vmin.floor() as i32 - 1, vmax.ceil() as i32 + 1);
        for i in i0..=i1 {
            let row = self.origin + self.a1 * i as f64;
            for j in j0..=j1 {
                let a = row + self.a2 * j as f64;
                if rect.contains(a) {
                    f(Site::new(i, j, false), a);
                }
                let b = a + self.d1;
                if rect.contains(b) {
                    f(Site::new(i, j, true), b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_are_one_bond_away_and_symmetric() {
        let g = Graphene::new(0.7, Vec2::new(0.3, -0.2));
        for site in [
            Site::new(0, 0, false),
            Site::new(3, -2, true),
            Site::new(-5, 7, false),
        ] {
            let p = g.position(site);
            for n in g.neighbours(site) {
                let d = (g.position(n) - p).length();
                assert!((d - BOND_LENGTH).abs() < 1e-9, "bond {d}");
                assert!(
                    g.neighbours(n).contains(&site),
                    "neighbour relation not symmetric"
                );
            }
            let by_angle = g.neighbours_by_angle(site);
            for k in 0..3 {
                let a = by_angle[k].1.angle().rem_euclid(std::f64::consts::TAU);
                let b = by_angle[(k + 1) % 3]
                    .1
                    .angle()
                    .rem_euclid(std::f64::consts::TAU);
                let gap = (b - a).rem_euclid(std::f64::consts::TAU);
                assert!((gap - 2.0 * std::f64::consts::PI / 3.0).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn nearest_site_recovers_every_site() {
        let g = Graphene::new(2.1, Vec2::new(-0.5, 0.4));
        for i in -4..4 {
            for j in -4..4 {
                for b in [false, true] {
                    let s = Site::new(i, j, b);
                    let p = g.position(s) + Vec2::new(0.2, -0.3);
                    assert_eq!(g.nearest_site(p), s);
                }
            }
        }
    }

    #[test]
    fn site_enumeration_matches_graphene_density() {
        // Graphene has 2 atoms per hexagonal cell of area (sqrt3 / 2) a^2.
        let g = Graphene::new(0.3, Vec2::ZERO);
        let rect = Rect::square(Vec2::new(1.0, 2.0), 40.0);
        let mut n = 0;
        let mut seen = std::collections::HashSet::new();
        g.for_each_site_in(&rect, |s, p| {
            assert!(rect.contains(p));
            assert!(seen.insert(s), "site listed twice");
            n += 1;
        });
        let expected = 1600.0 * 2.0 / (3f64.sqrt() / 2.0 * LATTICE_CONSTANT.powi(2));
        assert!(
            ((n as f64) - expected).abs() / expected < 0.03,
            "{n} vs {expected}"
        );
        // Every site inside the rectangle is listed (checked against a brute-force scan).
        let mut brute = 0;
        for i in -40..40 {
            for j in -40..40 {
                for b in [false, true] {
                    if rect.contains(g.position(Site::new(i, j, b))) {
                        brute += 1;
                    }
                }
            }
        }
        assert_eq!(n, brute);
    }
}
