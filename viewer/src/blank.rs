//! Is a screenshot blank? A frame of one flat colour (a window that never drew, a black
//! swapchain) has few distinct colours; a drawn viewer has text, plots and env pictures.

use std::collections::HashSet;

/// Colour statistics of an RGB(A) frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColourStats {
    /// Distinct colours.
    pub distinct: usize,
    /// Fraction of pixels of the most frequent colour.
    pub dominant_fraction: f64,
}

impl ColourStats {
    /// Statistics of `pixels`, `channels` bytes per pixel (3 or 4; alpha is ignored).
    pub fn of(pixels: &[u8], channels: usize) -> Self {
        let channels = channels.max(3);
        let mut counts = std::collections::HashMap::<[u8; 3], usize>::new();
        let mut total = 0usize;
        for p in pixels.chunks_exact(channels) {
            *counts.entry([p[0], p[1], p[2]]).or_default() += 1;
            total += 1;
        }
        let top = counts.values().copied().max().unwrap_or(0);
        ColourStats {
            distinct: counts.len(),
            dominant_fraction: if total == 0 {
                1.0
            } else {
                top as f64 / total as f64
            },
        }
    }

    /// Blank: fewer than `MIN_COLOURS` distinct colours, or one colour covering more than
    /// `MAX_DOMINANT` of the frame.
    pub fn is_blank(&self) -> bool {
        self.distinct < Self::MIN_COLOURS || self.dominant_fraction > Self::MAX_DOMINANT
    }

    /// Fewest distinct colours of a frame that is not blank.
    pub const MIN_COLOURS: usize = 16;
    /// Largest share of one colour in a frame that is not blank.
    pub const MAX_DOMINANT: f64 = 0.98;
}

/// Distinct colours of an RGB(A) frame (a quick measure for logs).
pub fn distinct_colours(pixels: &[u8], channels: usize) -> usize {
    let channels = channels.max(3);
    pixels
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect::<HashSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_frame_is_blank() {
        let frame = vec![30u8; 64 * 64 * 4];
        let stats = ColourStats::of(&frame, 4);
        assert_eq!(stats.distinct, 1);
        assert!(stats.is_blank());
    }

    #[test]
    fn a_gradient_is_not_blank() {
        let frame: Vec<u8> = (0..64 * 64)
            .flat_map(|i| [(i % 256) as u8, (i / 256) as u8, 7])
            .collect();
        let stats = ColourStats::of(&frame, 3);
        assert!(stats.distinct > 100);
        assert!(!stats.is_blank());
        assert_eq!(distinct_colours(&frame, 3), stats.distinct);
    }

    #[test]
    fn a_few_pixels_on_a_flat_frame_are_still_blank() {
        let mut frame = vec![0u8; 100 * 100 * 3];
        for (i, px) in frame.chunks_exact_mut(3).take(100).enumerate() {
            px.copy_from_slice(&[i as u8, 1, 2]);
        }
        let stats = ColourStats::of(&frame, 3);
        assert!(stats.distinct >= 100);
        assert!(stats.dominant_fraction > 0.98);
        assert!(stats.is_blank());
    }
}
