//! How many threads the CPU layer kernels ([`crate::fused`]) split their work over.
//!
//! Work is split into as many parts as threads, by rows of the output (never along a sum), so
//! every value is computed by one thread in a fixed order: results do not depend on thread
//! timing. Part 0 runs on the calling thread, the others on scoped threads that end with the
//! call (no pool spins between calls, which matters on a loaded machine).
//!
//! The count is, in order: [`set_threads`], the `ARCADIA_NN_THREADS` environment variable,
//! or the machine's available parallelism, capped at [`MAX_THREADS`].

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most threads a kernel uses.
pub const MAX_THREADS: usize = 16;

/// Set by [`set_threads`] (0: not set).
static OVERRIDE: AtomicUsize = AtomicUsize::new(0);

fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        std::env::var("ARCADIA_NN_THREADS")
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            })
            .min(MAX_THREADS)
    })
}

/// The number of threads the kernels use now.
pub fn threads() -> usize {
    match OVERRIDE.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

/// Sets the number of threads (1 to [`MAX_THREADS`]; 0 goes back to the default).
pub fn set_threads(n: usize) {
    OVERRIDE.store(n.min(MAX_THREADS), Ordering::Relaxed);
}

/// Splits `0..len` into `parts` contiguous ranges of nearly equal size (the first ones one
/// longer), each a multiple of `align` except the last.
pub(crate) fn split(len: usize, parts: usize, align: usize) -> Vec<std::ops::Range<usize>> {
    let align = align.max(1);
    let units = len.div_ceil(align);
    let parts = parts.clamp(1, units.max(1));
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 0..parts {
        let count = units / parts + usize::from(p < units % parts);
        let end = (start + count * align).min(len);
        out.push(start..end);
        start = end;
    }
    out
}

/// The number of parts worth splitting `work` multiply-adds into: one below about a million
/// (a thread start costs more than it saves), else [`threads`].
pub(crate) fn parts_for(work: usize) -> usize {
    if work < 1 << 20 { 1 } else { threads() }
}

/// Runs `f(i)` for every part `i` in `0..parts`, part 0 on this thread and the others on
/// scoped threads; returns when all are done.
pub(crate) fn run_parts<F: Fn(usize) + Sync>(parts: usize, f: F) {
    if parts <= 1 {
        f(0);
        return;
    }
    std::thread::scope(|s| {
        for i in 1..parts {
            let f = &f;
            s.spawn(move || f(i));
        }
        f(0);
    });
}

/// Cuts `data` into consecutive chunks of the lengths of `ranges` (which must start at 0,
/// follow each other and end at `data.len()`).
pub(crate) fn chunks_mut<'a, T>(
    data: &'a mut [T],
    ranges: &[std::ops::Range<usize>],
) -> Vec<&'a mut [T]> {
    let mut rest = data;
    let mut chunks = Vec::with_capacity(ranges.len());
    for r in ranges {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(r.len());
        chunks.push(head);
        rest = tail;
    }
    chunks
}

/// Runs `f(i, item)` for every item, item 0 on this thread and the others on scoped threads;
/// returns when all are done.
pub(crate) fn run_each<I: Send, F: Fn(usize, I) + Sync>(items: Vec<I>, f: F) {
    let mut iter = items.into_iter().enumerate();
    let Some((i0, first)) = iter.next() else {
        return;
    };
    if iter.len() == 0 {
        f(i0, first);
        return;
    }
    std::thread::scope(|s| {
        for (i, item) in iter {
            let f = &f;
            s.spawn(move || f(i, item));
        }
        f(i0, first);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_the_range_in_aligned_consecutive_parts() {
        for (len, parts, align) in [(10, 3, 1), (32, 2, 4), (7, 4, 2), (3, 8, 1), (0, 2, 1)] {
            let r = split(len, parts, align);
            assert_eq!(r[0].start, 0);
            assert_eq!(r.last().unwrap().end, len);
            for w in r.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(w[0].len() % align, 0);
            }
            assert!(r.len() <= parts.max(1));
        }
        assert_eq!(split(10, 3, 1), vec![0..4, 4..7, 7..10]);
    }

    #[test]
    fn chunks_run_on_their_own_threads_and_visit_every_element_once() {
        let mut v = vec![0u32; 101];
        let ranges = split(v.len(), 3, 1);
        run_each(chunks_mut(&mut v, &ranges), |i, c| {
            for x in c.iter_mut() {
                *x += 1 + i as u32;
            }
        });
        assert_eq!(v.iter().filter(|&&x| x == 1).count(), 34);
        assert_eq!(v.iter().filter(|&&x| x == 3).count(), 33);
    }
}
