//! The scene's configuration, embedded in an experiment RON as `scene: Stem(...)`.
//!
//! Every default is the paper's (Schwarzer et al. 2023) or its simulator's (google/putting-dune).
//! Out-of-range values are rejected while parsing, with their line and column; cross-field
//! checks are in [`StemConfig::validate`].

use arcadia_engine::config::check;
use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize};

use crate::lattice::BOND_LENGTH;

/// A `(low, high)` range with `0 <= low <= high`, both finite.
pub fn non_negative_range<'de, D: Deserializer<'de>>(d: D) -> Result<(f64, f64), D::Error> {
    let (lo, hi) = <(f64, f64)>::deserialize(d)?;
    if !(lo.is_finite() && hi.is_finite() && lo >= 0.0 && lo <= hi) {
        return Err(D::Error::custom(format!(
            "expected a range (low, high) with 0 <= low <= high, found ({lo}, {hi})"
        )));
    }
    Ok((lo, hi))
}

/// A `(low, high)` range with `0 < low <= high`, both finite.
pub fn positive_range<'de, D: Deserializer<'de>>(d: D) -> Result<(f64, f64), D::Error> {
    let (lo, hi) = <(f64, f64)>::deserialize(d)?;
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi) {
        return Err(D::Error::custom(format!(
            "expected a range (low, high) with 0 < low <= high, found ({lo}, {hi})"
        )));
    }
    Ok((lo, hi))
}

fn optional_probability<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = Option::<f64>::deserialize(d)?;
    if let Some(v) = value
        && !(0.0..=1.0).contains(&v)
    {
        return Err(D::Error::custom(format!(
            "expected None or Some(p) with p in [0, 1], found {v}"
        )));
    }
    Ok(value)
}

/// Which transition-rate model moves the silicon.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum RateModelConfig {
    /// `lambda = 1 / ((4 d)^2 + 1)` s^-1, `d` the beam-neighbour distance in bonds.
    #[default]
    Canonical,
    /// A Gaussian per neighbour peaked 0.85 bonds out, covariance 0.1 I, peak ln2/3 s^-1.
    HumanPrior,
    /// A random Gaussian mixture, drawn anew each episode (domain randomization).
    GaussianMixture,
    /// A learned MLP read from a safetensors file (path relative to the working directory).
    Learned {
        /// The safetensors file.
        path: String,
    },
}

/// What the agent observes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ObservationKind {
    /// 10 floats: silicon position in the field of view (2, in [0, 1]), unit vectors to the
    /// 3 neighbours counter-clockwise from +x (6), goal offset in Angstroms (2).
    #[default]
    State,
    /// `State` and 3 more floats: the goal offset projected on each neighbour's unit
    /// vector, Angstroms (`n_k . g`, the same order as the neighbours). The neighbour with
    /// the largest projection is the one nearest the goal, so the choice is linear.
    StateWithProjections,
    /// A simulated HAADF frame (`u8`, 1 x resolution x resolution) and the goal offset in
    /// Angstroms as 2 auxiliary floats.
    Image,
}

/// How the agent places the beam.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ActionKind {
    /// `(dx, dy)` in `[-1, 1]^2` times `max_beam_distance_bonds` bonds from the silicon, and
    /// when `dwell_s` is a proper range a third value in `[0, 1]` choosing the dwell time.
    #[default]
    Continuous,
    /// Beam on the line to one of the 3 neighbours (counter-clockwise from +x) at one of
    /// `discrete_radii_bonds`, for one of `discrete_dwells` dwell times:
    /// `(dwell * 3 + neighbour) * radii + radius` indexes the action.
    Discrete,
}

/// The beam's physical settings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BeamConfig {
    /// Accelerating voltage, kV.
    #[serde(deserialize_with = "check::positive")]
    pub voltage_kv: f64,
    /// Probe current, nA.
    #[serde(deserialize_with = "check::positive")]
    pub current_na: f64,
}

impl Default for BeamConfig {
    fn default() -> Self {
        BeamConfig {
            voltage_kv: 60.0,
            current_na: 0.1,
        }
    }
}

/// The HAADF image simulator. Ranges are drawn uniformly once per episode (putting-dune's
/// `sample_image_parameters`); pixel quantities marked `px512` are in pixels of a 512-pixel
/// frame and scale with `resolution`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ImageConfig {
    /// Frame side, pixels.
    #[serde(deserialize_with = "check::at_least_one_usize")]
    pub resolution: usize,
    /// Exponent `e` of the per-atom intensity `Z^e`.
    #[serde(deserialize_with = "non_negative_range")]
    pub intensity_exponent: (f64, f64),
    /// Standard deviation of an atom's blur, Angstroms (putting-dune: `size / (2.15 FOV)`
    /// pixels, that is 1 / 2.15 A).
    #[serde(deserialize_with = "check::positive")]
    pub atom_sigma_a: f64,
    /// Apply the noise model (off: the clean, blurred frame).
    pub noise: bool,
    /// Extra Gaussian blur, px512.
    #[serde(deserialize_with = "non_negative_range")]
    pub blur_px512: (f64, f64),
    /// Poisson shot noise: counts have mean `intensity * (1 + Exp(mean = this))`.
    #[serde(deserialize_with = "check::non_negative")]
    pub poisson_extra_mean: f64,
    /// Row jitter: each row shifts by `Poisson(rate)` px512, rate drawn from this range.
    #[serde(deserialize_with = "non_negative_range")]
    pub jitter_rate_px512: (f64, f64),
    /// Fraction of pixels set to 0 or 1 (half each).
    #[serde(deserialize_with = "non_negative_range")]
    pub salt_and_pepper: (f64, f64),
    /// Contrast gamma.
    #[serde(deserialize_with = "positive_range")]
    pub gamma: (f64, f64),
    /// Additive uniform noise `U(0, s)`, `s` from this range.
    #[serde(deserialize_with = "non_negative_range")]
    pub uniform_noise: (f64, f64),
    /// Additive exponential noise with mean `s`, `s` from this range.
    #[serde(deserialize_with = "non_negative_range")]
    pub exponential_noise: (f64, f64),
    /// Additive Gaussian noise variance.
    #[serde(deserialize_with = "non_negative_range")]
    pub gaussian_variance: (f64, f64),
    /// Contrast-limited adaptive histogram equalization clip limit (`None`: off).
    #[serde(deserialize_with = "optional_probability")]
    pub clahe_clip: Option<f64>,
}

impl Default for ImageConfig {
    fn default() -> Self {
        ImageConfig {
            resolution: 128,
            intensity_exponent: (1.4, 2.0),
            atom_sigma_a: 1.0 / 2.15,
            noise: true,
            blur_px512: (0.0, 1.0),
            poisson_extra_mean: 15.0,
            jitter_rate_px512: (0.0, 5.0),
            salt_and_pepper: (0.0, 1e-3),
            gamma: (0.7, 1.3),
            uniform_noise: (0.0, 0.2),
            exponential_noise: (0.0, 0.2),
            gaussian_variance: (0.0, 5e-3),
            clahe_clip: Some(0.01),
        }
    }
}

/// The STEM scene: a silicon dopant in graphene, moved by the beam to a goal site.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StemConfig {
    /// The transition-rate model.
    pub rate_model: RateModelConfig,
    /// Beam voltage and current.
    pub beam: BeamConfig,
    /// State vector or image observations.
    pub observation: ObservationKind,
    /// Continuous or discrete actions.
    pub actions: ActionKind,
    /// Dwell time of the beam per step, seconds, as a range `(low, high)`. Equal ends: a
    /// fixed dwell. Otherwise continuous actions get a third value in `[0, 1]` choosing the
    /// dwell in the range; discrete actions choose among `discrete_dwells` levels of it;
    /// the greedy controller dwells `low`.
    #[serde(deserialize_with = "positive_range")]
    pub dwell_s: (f64, f64),
    /// Dwell levels of discrete actions, spread evenly over `dwell_s` (ends included); 1:
    /// every discrete action dwells `dwell_s.0`.
    pub discrete_dwells: usize,
    /// Largest beam offset from the silicon per axis for continuous actions, bonds.
    #[serde(deserialize_with = "check::positive")]
    pub max_beam_distance_bonds: f64,
    /// Beam distances from the silicon for discrete actions, bonds.
    pub discrete_radii_bonds: Vec<f64>,
    /// Time to acquire an image after each dwell, seconds.
    #[serde(deserialize_with = "check::non_negative")]
    pub image_duration_s: f64,
    /// Field-of-view width, Angstroms, drawn per episode.
    #[serde(deserialize_with = "positive_range")]
    pub fov_width_a: (f64, f64),
    /// The view re-centres on the silicon when it leaves `[margin, 1 - margin]` of the view.
    #[serde(deserialize_with = "check::probability")]
    pub recenter_margin: f64,
    /// Goals are lattice sites in the view at a distance from the silicon in this range, A.
    #[serde(deserialize_with = "non_negative_range")]
    pub goal_distance_a: (f64, f64),
    /// Success: silicon within this distance of the goal, Angstroms.
    #[serde(deserialize_with = "check::positive")]
    pub success_radius_a: f64,
    /// Per-second discount of the success reward `gamma^elapsed_s`.
    #[serde(deserialize_with = "check::probability")]
    pub gamma_per_second: f64,
    /// Episode time limit, simulated seconds (truncation).
    #[serde(deserialize_with = "check::positive")]
    pub timeout_s: f64,
    /// The image simulator.
    pub image: ImageConfig,
}

impl Default for StemConfig {
    fn default() -> Self {
        StemConfig {
            rate_model: RateModelConfig::Canonical,
            beam: BeamConfig::default(),
            observation: ObservationKind::State,
            actions: ActionKind::Continuous,
            dwell_s: (1.5, 1.5),
            discrete_dwells: 1,
            max_beam_distance_bonds: 1.0,
            discrete_radii_bonds: vec![0.85, 1.0, 1.32, 1.53],
            image_duration_s: 2.0,
            fov_width_a: (15.0, 30.0),
            recenter_margin: 0.25,
            goal_distance_a: (0.1, 50.0),
            success_radius_a: 0.71,
            gamma_per_second: 0.9967,
            timeout_s: 600.0,
            image: ImageConfig::default(),
        }
    }
}

impl StemConfig {
    /// Cross-field checks; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be a finite number > 0, found {v}"))
            }
        };
        positive("beam.voltage_kv", self.beam.voltage_kv)?;
        positive("beam.current_na", self.beam.current_na)?;
        positive("timeout_s", self.timeout_s)?;
        positive("success_radius_a", self.success_radius_a)?;
        positive("image.atom_sigma_a", self.image.atom_sigma_a)?;
        if !(self.image_duration_s.is_finite() && self.image_duration_s >= 0.0) {
            return Err(format!(
                "image_duration_s must be >= 0, found {}",
                self.image_duration_s
            ));
        }
        if !(self.max_beam_distance_bonds > 0.0 && self.max_beam_distance_bonds <= 3.0) {
            return Err(format!(
                "max_beam_distance_bonds must be in (0, 3] (the paper used 1 to 3), found {}",
                self.max_beam_distance_bonds
            ));
        }
        let (dlo, dhi) = self.dwell_s;
        if !(dlo.is_finite() && dhi.is_finite() && dlo > 0.0 && dlo <= dhi) {
            return Err(format!(
                "dwell_s must satisfy 0 < low <= high, found ({dlo}, {dhi})"
            ));
        }
        if self.discrete_dwells == 0 || self.discrete_dwells > 64 {
            return Err(format!(
                "discrete_dwells must be in 1..=64, found {}",
                self.discrete_dwells
            ));
        }
        if self.discrete_dwells > 1 && dlo == dhi {
            return Err(format!(
                "discrete_dwells: {} needs a dwell range, but dwell_s is the single value {dlo}",
                self.discrete_dwells
            ));
        }
        if self.discrete_radii_bonds.is_empty() {
            return Err("discrete_radii_bonds must list at least one radius".into());
        }
        if let Some(r) = self
            .discrete_radii_bonds
            .iter()
            .find(|r| !(r.is_finite() && **r >= 0.0 && **r <= 5.0))
        {
            return Err(format!("discrete_radii_bonds: {r} is outside [0, 5] bonds"));
        }
        let (fmin, fmax) = self.fov_width_a;
        if !(fmin > 0.0 && fmin <= fmax && fmax.is_finite()) {
            return Err(format!(
                "fov_width_a must satisfy 0 < low <= high, found ({fmin}, {fmax})"
            ));
        }
        if fmax > 200.0 {
            return Err(format!("fov_width_a: {fmax} A is wider than 200 A"));
        }
        if !(self.recenter_margin > 0.0 && self.recenter_margin < 0.5) {
            return Err(format!(
                "recenter_margin must be in (0, 0.5), found {}",
                self.recenter_margin
            ));
        }
        // Any ring of width 2 bonds holds a lattice site (every point is within a bond of
        // one), and that site must fit in the smallest view.
        let (gmin, gmax) = self.goal_distance_a;
        if gmax - gmin < 2.0 * BOND_LENGTH {
            return Err(format!(
                "goal_distance_a ({gmin}, {gmax}) must span at least 2 bonds ({} A) so a goal site always exists",
                2.0 * BOND_LENGTH
            ));
        }
        if gmin + 2.0 * BOND_LENGTH > fmin / 2.0 {
            return Err(format!(
                "goal_distance_a low end {gmin} A leaves no goal site inside a {fmin} A view; lower it or widen fov_width_a"
            ));
        }
        if !(self.gamma_per_second > 0.0 && self.gamma_per_second <= 1.0) {
            return Err(format!(
                "gamma_per_second must be in (0, 1], found {}",
                self.gamma_per_second
            ));
        }
        let img = &self.image;
        if !(8..=1024).contains(&img.resolution) {
            return Err(format!(
                "image.resolution must be in 8..=1024, found {}",
                img.resolution
            ));
        }
        if img.intensity_exponent.1 > 4.0 {
            return Err(format!(
                "image.intensity_exponent above 4 ({}) is not physical",
                img.intensity_exponent.1
            ));
        }
        if img.salt_and_pepper.1 > 1.0 {
            return Err(format!(
                "image.salt_and_pepper is a fraction of pixels, found {}",
                img.salt_and_pepper.1
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Result<StemConfig, String> {
        arcadia_engine::config::parse_ron::<StemConfig>(text, Path::new("exp.ron"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn empty_config_is_the_paper_default_and_valid() {
        let c = parse("()").unwrap();
        assert_eq!(c, StemConfig::default());
        c.validate().unwrap();
        let back = parse(&arcadia_engine::config::to_ron(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn bad_values_are_reported_with_their_position() {
        let e = parse("(\n  dwell_s: (-1.0, 2.0),\n)").unwrap_err();
        assert!(e.starts_with("exp.ron:2:"), "{e}");
        assert!(e.contains("0 < low") && e.contains("-1"), "{e}");
        let e = parse("(timeout_s: 0.0)").unwrap_err();
        assert!(e.contains("> 0"), "{e}");
        let e = parse("(fov_width_a: (0.0, 0.0))").unwrap_err();
        assert!(e.contains("0 < low <= high"), "{e}");
        let e = parse("(rate_model: Quantum)").unwrap_err();
        assert!(e.contains("Quantum") && e.contains("Canonical"), "{e}");
        let e = parse("(dwel_s: 1.0)").unwrap_err();
        assert!(e.contains("dwel_s"), "{e}");
        let e = parse("(image: (resolution: 0))").unwrap_err();
        assert!(e.contains(">= 1"), "{e}");
    }

    #[test]
    fn every_rate_model_and_option_parses() {
        let c = parse(
            r#"(rate_model: Learned(path: "w.safetensors"), observation: Image, actions: Discrete,
                dwell_s: (1.0, 10.0), image: (noise: false, clahe_clip: None))"#,
        )
        .unwrap();
        assert_eq!(
            c.rate_model,
            RateModelConfig::Learned {
                path: "w.safetensors".into()
            }
        );
        assert_eq!(c.dwell_s, (1.0, 10.0));
        let back = parse(&arcadia_engine::config::to_ron(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        c.validate().unwrap();
        for m in ["Canonical", "HumanPrior", "GaussianMixture"] {
            parse(&format!("(rate_model: {m})")).unwrap();
        }
    }

    #[test]
    fn validate_catches_cross_field_problems() {
        let mut c = StemConfig {
            max_beam_distance_bonds: 4.0,
            ..Default::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .contains("max_beam_distance_bonds")
        );
        c = StemConfig {
            goal_distance_a: (20.0, 50.0),
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().contains("goal"));
        c = StemConfig {
            discrete_radii_bonds: vec![],
            ..Default::default()
        };
        assert!(c.validate().is_err());
        c = StemConfig {
            dwell_s: (f64::NAN, 1.0),
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().contains("dwell_s"));
    }
}
