//! Keeps glibc's heap from shrinking and regrowing between gradient updates.
//!
//! An update allocates and frees the same few-megabyte buffers every time (candle's
//! gradient tensors: a zeroed tensor plus a sum for every gradient, the converted
//! observations, the layers' outputs). With glibc's defaults the freed memory at the top of
//! the heap is given back to the kernel (`brk`) once it exceeds the trim threshold, and
//! buffers above the mmap threshold are mapped and unmapped each time, so every update
//! page-faults its buffers in again: 12 to 17% of a Nature CNN update's CPU time,
//! measured. On its first use the fused CPU path raises both thresholds once
//! ([`keep_heap`]): freed memory stays with the process for reuse (at most what an update
//! already held at its peak, plus what the rest of the program frees), buffers up to
//! 32 MiB come from the heap. `ARCADIA_NN_KEEP_HEAP=0` leaves glibc's defaults.
//!
//! Only on Linux with glibc; elsewhere [`keep_heap`] does nothing.
// `mallopt` is a C function; this module only calls it with constant, documented arguments.
#![allow(unsafe_code)]

use std::sync::OnceLock;

/// Largest allocation served from the heap rather than its own mapping (glibc's ceiling for
/// `M_MMAP_THRESHOLD` on 64-bit is 32 MiB).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory at the heap's top that glibc keeps before giving it back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 1 << 30;

/// Raises glibc's mmap and trim thresholds, once per process (see the module docs), unless
/// `ARCADIA_NN_KEEP_HEAP=0`. Returns whether the thresholds are set.
pub(crate) fn keep_heap() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        let wanted = std::env::var("ARCADIA_NN_KEEP_HEAP").map_or(true, |v| v.trim() != "0");
        wanted && set_thresholds()
    })
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_thresholds() -> bool {
    // glibc's `mallopt` parameter numbers (malloc.h).
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: `mallopt` takes two integers, changes only the allocator's tuning (it is
    // thread-safe: glibc takes the arena lock) and returns 1 on success.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
            && mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_thresholds() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thresholds_are_set_once_where_glibc_runs() {
        let first = keep_heap();
        assert_eq!(keep_heap(), first, "the second call changes nothing");
        if cfg!(all(target_os = "linux", target_env = "gnu"))
            && std::env::var("ARCADIA_NN_KEEP_HEAP").map_or(true, |v| v.trim() != "0")
        {
            assert!(first, "mallopt accepted the thresholds");
        }
    }
}
