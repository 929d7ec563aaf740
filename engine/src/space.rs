//! Observation and action spaces.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::components::Action;

/// The set of values an observation or an action can take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Space {
    /// Integers `0..n`.
    Discrete {
        /// Number of values.
        n: u32,
    },
    /// A box of `f32` values, each in `[low[i], high[i]]`, laid out row-major with `shape`.
    Box {
        /// Lower bound per element.
        low: Vec<f32>,
        /// Upper bound per element.
        high: Vec<f32>,
        /// Tensor shape; the product equals `low.len()`.
        shape: Vec<usize>,
    },
    /// `u8` image frames of `channels x height x width` (channel-major), with an optional
    /// vector of `aux` extra `f32` features beside the image (a goal offset, say).
    Image {
        /// Rows.
        height: usize,
        /// Columns.
        width: usize,
        /// Channels (stacked frames or colour planes).
        channels: usize,
        /// Length of the auxiliary `f32` vector (0 when none).
        aux: usize,
    },
}

/// Why an action does not belong to a space.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionError {
    /// No action was set for this step.
    #[error("no action was set")]
    Unset,
    /// A discrete action was given to a continuous space or the reverse.
    #[error("action kind {found} does not match the space {expected}")]
    WrongKind {
        /// What the space expects.
        expected: &'static str,
        /// What was given.
        found: &'static str,
    },
    /// A discrete action outside `0..n`.
    #[error("discrete action {action} is outside 0..{n}")]
    OutOfRange {
        /// The action given.
        action: u32,
        /// The number of actions.
        n: u32,
    },
    /// A continuous action of the wrong length.
    #[error("continuous action has {found} values, the space has {expected}")]
    WrongLength {
        /// Elements the space has.
        expected: usize,
        /// Elements given.
        found: usize,
    },
    /// A NaN or infinite value in a continuous action.
    #[error("continuous action element {index} is not finite ({value})")]
    NotFinite {
        /// Index of the element.
        index: usize,
        /// The value.
        value: f32,
    },
}

impl Space {
    /// A box with the same bounds for every element.
    pub fn uniform_box(low: f32, high: f32, dim: usize) -> Self {
        Space::Box {
            low: vec![low; dim],
            high: vec![high; dim],
            shape: vec![dim],
        }
    }

    /// Number of scalar elements (for `Discrete`, 1).
    pub fn flat_dim(&self) -> usize {
        match self {
            Space::Discrete { .. } => 1,
            Space::Box { low, .. } => low.len(),
            Space::Image {
                height,
                width,
                channels,
                ..
            } => height * width * channels,
        }
    }

    /// Number of discrete actions, if the space is discrete.
    pub fn discrete_n(&self) -> Option<u32> {
        match self {
            Space::Discrete { n } => Some(*n),
            _ => None,
        }
    }

    /// A short name of the space's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Space::Discrete { .. } => "discrete",
            Space::Box { .. } => "box",
            Space::Image { .. } => "image",
        }
    }

    /// Draws a uniform random action (an image space has no actions: `Unset`).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Action {
        match self {
            Space::Discrete { n } => Action::Discrete(rng.random_range(0..(*n).max(1))),
            Space::Box { low, high, .. } => Action::Continuous(
                low.iter()
                    .zip(high)
                    .map(|(&l, &h)| l + (h - l) * rng.random::<f32>())
                    .collect(),
            ),
            Space::Image { .. } => Action::Unset,
        }
    }

    /// Checks that `action` belongs to this space (finite values of the right length for a
    /// box; bounds are not enforced, since scenes clip as their reference does).
    pub fn check(&self, action: &Action) -> Result<(), ActionError> {
        match (self, action) {
            (_, Action::Unset) => Err(ActionError::Unset),
            (Space::Discrete { n }, Action::Discrete(a)) => {
                if a < n {
                    Ok(())
                } else {
                    Err(ActionError::OutOfRange { action: *a, n: *n })
                }
            }
            (Space::Box { low, .. }, Action::Continuous(values)) => {
                if values.len() != low.len() {
                    return Err(ActionError::WrongLength {
                        expected: low.len(),
                        found: values.len(),
                    });
                }
                match values.iter().position(|v| !v.is_finite()) {
                    Some(index) => Err(ActionError::NotFinite {
                        index,
                        value: values[index],
                    }),
                    None => Ok(()),
                }
            }
            (space, action) => Err(ActionError::WrongKind {
                expected: space.kind(),
                found: action.kind(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn samples_belong_to_their_space() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let spaces = [Space::Discrete { n: 5 }, Space::uniform_box(-1.0, 1.0, 3)];
        for space in &spaces {
            for _ in 0..100 {
                let a = space.sample(&mut rng);
                assert_eq!(space.check(&a), Ok(()));
                if let Action::Continuous(v) = &a {
                    assert!(v.iter().all(|x| (-1.0..=1.0).contains(x)));
                }
            }
        }
    }

    #[test]
    fn check_rejects_bad_actions_with_reasons() {
        let d = Space::Discrete { n: 3 };
        assert_eq!(
            d.check(&Action::Discrete(3)),
            Err(ActionError::OutOfRange { action: 3, n: 3 })
        );
        let b = Space::uniform_box(-1.0, 1.0, 2);
        assert!(matches!(
            b.check(&Action::Continuous(vec![0.0, f32::NAN])),
            Err(ActionError::NotFinite { index: 1, .. })
        ));
        assert!(matches!(
            b.check(&Action::Discrete(0)),
            Err(ActionError::WrongKind { .. })
        ));
        assert_eq!(b.check(&Action::Unset), Err(ActionError::Unset));
    }
}
