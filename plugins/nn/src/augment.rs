//! Random-shift augmentation (DrQ, Kostrikov et al. 2021, section 3.1; Dopamine's DrQ uses
//! `pad = 4`): each image is padded by repeating its border pixels, then cropped back to its
//! size at a random offset in `0..=2 pad` per axis. The same shift applies to all channels of
//! one sample.

use rand::Rng;

/// Shifts every image of `batch` (`[n, c, h, w]`, row-major, any element type) in place.
pub fn random_shift<T: Copy>(
    batch: &mut [T],
    shape: (usize, usize, usize),
    pad: usize,
    rng: &mut impl Rng,
) {
    let (c, h, w) = shape;
    let size = c * h * w;
    if size == 0 || pad == 0 {
        return;
    }
    let mut scratch = Vec::with_capacity(size);
    for image in batch.chunks_exact_mut(size) {
        let dy = rng.random_range(0..=2 * pad) as isize - pad as isize;
        let dx = rng.random_range(0..=2 * pad) as isize - pad as isize;
        scratch.clear();
        scratch.extend_from_slice(image);
        for ch in 0..c {
            let plane = &scratch[ch * h * w..(ch + 1) * h * w];
            for y in 0..h {
                let sy = (y as isize + dy).clamp(0, h as isize - 1) as usize;
                for x in 0..w {
                    let sx = (x as isize + dx).clamp(0, w as isize - 1) as usize;
                    image[ch * h * w + y * w + x] = plane[sy * w + sx];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn shift_moves_pixels_and_repeats_the_border() {
        let (h, w) = (6, 6);
        let original: Vec<u8> = (0..(h * w) as u8).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut saw_shift = false;
        for _ in 0..20 {
            let mut img = original.clone();
            random_shift(&mut img, (1, h, w), 2, &mut rng);
            // Every output pixel is some input pixel, and rows stay monotone (a shift).
            for y in 0..h {
                for x in 1..w {
                    assert!(img[y * w + x] >= img[y * w + x - 1]);
                }
            }
            saw_shift |= img != original;
        }
        assert!(saw_shift);
    }
}
