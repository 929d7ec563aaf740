//! The CPU's instruction fetches from the cartridge, one load per instruction: for each address,
//! the opcode there and the two bytes after it in one word, or [`NOT_PLAIN`] where reading them
//! is not three plain ROM reads (a hotspot, cartridge RAM, the TIA, the RIOT, RAM).
//!
//! The words of the cartridge's current banks are kept in a table indexed by the address, so the
//! CPU needs no range check per instruction: the table says whether the fast fetch applies.

use std::ops::Range;
use std::sync::Arc;

/// A fetch word for an address whose instruction bytes are not all plain ROM reads: the CPU
/// fetches them through the bus. Never a real word, whose top byte is 0.
pub const NOT_PLAIN: u32 = u32::MAX;

/// Bytes in a segment of the cartridge window (the unit of E0 switching; 4K banks are four).
const SEGMENT: usize = 1024;

/// Fetch words for addresses `$0000-$1FFF` (the 6507's 13 address lines) with the current banks.
pub struct FetchWords {
    /// The word of each address `& 0x1FFF`: the lower half (TIA, RIOT, RAM) is all
    /// [`NOT_PLAIN`], the upper half follows the cartridge window.
    table: Box<[u32; 8192]>,
    /// For each image offset, the image's bytes there and the two after it (zeros past the
    /// end): a segment's words, but for its last two, whose bytes may come from the next segment.
    /// Empty after a deserialisation (nothing here is serialised), when every word is
    /// [`NOT_PLAIN`] until [`FetchWords::rebuild`].
    image_words: Arc<[u32]>,
}

impl Default for FetchWords {
    fn default() -> Self {
        FetchWords {
            table: Box::new([NOT_PLAIN; 8192]),
            image_words: Arc::from([]),
        }
    }
}

impl Clone for FetchWords {
    fn clone(&self) -> Self {
        FetchWords {
            table: self.table.clone(),
            image_words: Arc::clone(&self.image_words),
        }
    }

    /// Copies the table into the existing one: no allocation.
    fn clone_from(&mut self, src: &Self) {
        *self.table = *src.table;
        self.image_words = Arc::clone(&src.image_words);
    }
}

/// Bytes `offset..offset + 3` of `bytes` (zeros past the end), little endian.
fn word_at(bytes: &[u8], offset: usize) -> u32 {
    let byte = |i: usize| u32::from(bytes.get(offset + i).copied().unwrap_or(0));
    byte(0) | byte(1) << 8 | byte(2) << 16
}

impl FetchWords {
    /// The words of a cartridge `image`, to be filled segment by segment
    /// ([`FetchWords::fill_segment`]).
    pub fn new(image: &[u8]) -> FetchWords {
        FetchWords {
            image_words: (0..image.len()).map(|o| word_at(image, o)).collect(),
            ..FetchWords::default()
        }
    }

    /// The opcode at `pc` and the two bytes after it (low byte first), or [`NOT_PLAIN`].
    #[inline(always)]
    pub fn word(&self, pc: u16) -> u32 {
        self.table[(pc & 0x1FFF) as usize]
    }

    /// Whether the table holds the window's words (see [`FetchWords::rebuild`]): whether it was
    /// built from an image (never empty: `Cart::new` refuses one).
    pub fn is_ready(&self) -> bool {
        !self.image_words.is_empty()
    }

    /// Window offsets whose three bytes are plain reads, given the plain offsets `plain`.
    fn code_range(plain: &Range<usize>) -> Range<usize> {
        plain.start..plain.end.saturating_sub(2).max(plain.start)
    }

    /// Recomputes the words of window offsets `offsets` from the `window` bytes.
    fn refresh(&mut self, offsets: Range<usize>, window: &[u8], plain: &Range<usize>) {
        let code = Self::code_range(plain);
        for o in offsets {
            self.table[0x1000 + o] = if code.contains(&o) {
                word_at(window, o)
            } else {
                NOT_PLAIN
            };
        }
    }

    /// Updates the words after segment `s` of the `window` was filled from image offset `from`;
    /// `plain`: the window offsets whose reads are plain ROM reads.
    pub fn fill_segment(&mut self, s: usize, from: usize, window: &[u8], plain: &Range<usize>) {
        let segment = s * SEGMENT..(s + 1) * SEGMENT;
        match self.image_words.get(from..from + SEGMENT) {
            Some(words) => {
                self.table[0x1000 + segment.start..0x1000 + segment.end].copy_from_slice(words);
                let code = Self::code_range(plain);
                for o in segment.start..segment.end.min(code.start) {
                    self.table[0x1000 + o] = NOT_PLAIN;
                }
                for o in segment.start.max(code.end)..segment.end {
                    self.table[0x1000 + o] = NOT_PLAIN;
                }
                // The words whose bytes cross into the next segment.
                self.refresh(segment.end - 2..segment.end, window, plain);
            }
            None => self.refresh(segment.clone(), window, plain),
        }
        // The words of the previous segment whose bytes cross into this one.
        self.refresh(
            segment.start.saturating_sub(2)..segment.start,
            window,
            plain,
        );
    }

    /// Recomputes every word from the cartridge `image` and `window` (after a deserialisation).
    pub fn rebuild(&mut self, image: &[u8], window: &[u8], plain: &Range<usize>) {
        *self = FetchWords::new(image);
        self.refresh(0..4 * SEGMENT, window, plain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_fills_match_words_read_from_the_window() {
        // Two 4K banks of distinct bytes, shown segment by segment in every order, with a
        // plain range like a RAM cartridge's (neither end at a segment boundary).
        let image: Vec<u8> = (0..8192u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let plain = 0x0100..0x0FC0;
        let mut window = vec![0u8; 4096 + 3];
        let mut fetch = FetchWords::new(&image);
        let mut seg = [0usize; 4];
        for s in 0..4 {
            seg[s] = s * SEGMENT;
            window[seg[s]..seg[s] + SEGMENT].copy_from_slice(&image[seg[s]..seg[s] + SEGMENT]);
            fetch.fill_segment(s, seg[s], &window, &plain);
        }
        let mut state = 12345u32;
        for _ in 0..200 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let s = (state >> 16) as usize % 4;
            let slice = (state >> 20) as usize % 8;
            seg[s] = slice * SEGMENT;
            window[s * SEGMENT..(s + 1) * SEGMENT]
                .copy_from_slice(&image[seg[s]..seg[s] + SEGMENT]);
            fetch.fill_segment(s, seg[s], &window, &plain);
            let mut expected = FetchWords::default();
            expected.refresh(0..4096, &window, &plain);
            assert!(
                fetch.table[..] == expected.table[..],
                "after filling segment {s}"
            );
        }
        assert_eq!(fetch.word(0x0F80), NOT_PLAIN, "RAM is never a fetch word");
        assert_eq!(fetch.word(0xF0FF), NOT_PLAIN, "below the plain range");
        assert_eq!(fetch.word(0xFFBE), NOT_PLAIN, "bytes reaching the hotspots");
        assert_eq!(fetch.word(0xF100), word_at(&window, 0x100));
        assert_eq!(fetch.word(0x1FBD), word_at(&window, 0xFBD));
    }
}
