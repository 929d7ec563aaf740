//! The log of the paint passes that drew a frame buffer, so that a pass that would paint
//! exactly what the buffer already shows is skipped.
//!
//! The TIA draws into two frame buffers in turn, so a buffer still holds the frame before the
//! previous one when drawing starts in it. Most lines of most games are drawn the same way
//! two frames apart: the same runs of pixels, with the same registers. Each paint pass of a
//! frame is logged by its position in the frame's sequence of passes, with a key holding
//! everything its pixels depend on. When the pass at the same position two frames later has
//! the same key, and nothing but that pass wrote its pixels since, the pixels are already
//! right: only its collisions are needed, and they are logged too.
//!
//! A frame's passes are logged anew as it is drawn (a pass skipped is logged again), and that
//! log becomes the buffer's when the frame ends. Pixels written outside the logged passes
//! drop what the log says of them: greying a partial frame or a reset clears the log. The
//! HMOVE blank that overwrites the start of a pass right after it is part of the pass's key;
//! the passes drawn over pixels it blanked ahead of the drawing are not skipped.

/// Everything a paint pass's pixels and collisions depend on: where it starts in the frame
/// buffer, its length and first pixel, the drawing registers (the masks of objects that draw
/// nothing left out, so that they do not spoil a match) and the HMOVE blank after it.
#[derive(Clone, Copy, Eq, Debug)]
pub(crate) struct PaintKey(pub [u64; 4]);

impl PartialEq for PaintKey {
    /// Word by word, the first (position, length, objects, graphics: the likeliest to differ)
    /// first. (The derived comparison loaded the key with vector loads just after it was
    /// stored word by word, which missed the store-to-load forwarding and stalled.)
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        let [a0, a1, a2, a3] = self.0;
        let [b0, b1, b2, b3] = other.0;
        if a0 != b0 || a1 != b1 {
            return false;
        }
        a2 == b2 && a3 == b3
    }
}

/// The most passes of a frame logged (about 120 to 360 in the games measured); the passes of
/// a frame past them are always painted.
pub(crate) const LOG_CAPACITY: usize = 1024;

/// One logged pass: its key and, if it found them, its collisions.
#[derive(Clone, Copy, Debug)]
struct Record {
    key: PaintKey,
    collisions: Option<u16>,
}

/// The logged paint passes of one frame buffer, in the order of the frame that drew it.
#[derive(Default, Debug)]
pub(crate) struct PaintLog {
    records: Vec<Record>,
}

impl Clone for PaintLog {
    fn clone(&self) -> Self {
        PaintLog {
            records: self.records.clone(),
        }
    }

    /// Reuses the allocation (a console's `clone_from` allocates nothing).
    fn clone_from(&mut self, source: &Self) {
        self.records.clone_from(&source.records);
    }
}

/// What the log knows of a pass about to paint.
pub(crate) enum Logged {
    /// The pass is not logged with this key: paint it.
    No,
    /// The buffer already shows its pixels; its collisions, if they were found.
    Same(Option<u16>),
}

impl PaintLog {
    /// Whether pass `index` of the frame has `key` in the log.
    #[inline(always)]
    pub(crate) fn lookup(&self, index: usize, key: &PaintKey) -> Logged {
        match self.records.get(index) {
            Some(record) if record.key == *key => Logged::Same(record.collisions),
            _ => Logged::No,
        }
    }

    /// Logs pass `index`. Passes are logged in order from the first of a frame; one past
    /// the next (after a state copied in the middle of a frame), or past the first
    /// [`LOG_CAPACITY`], is not logged.
    #[inline(always)]
    pub(crate) fn record(&mut self, index: usize, key: PaintKey, collisions: Option<u16>) {
        let record = Record { key, collisions };
        if let Some(slot) = self.records.get_mut(index) {
            *slot = record;
            return;
        }
        if index != self.records.len() || index >= LOG_CAPACITY {
            return;
        }
        if self.records.len() == self.records.capacity() {
            // At most one allocation per log, for all it will hold: none while frames run.
            self.records
                .reserve_exact(LOG_CAPACITY - self.records.len());
        }
        self.records.push(record);
    }

    /// Drops every pass (the buffer was written outside the logged passes).
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.records.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_matches_only_its_own_key_at_its_own_index() {
        let mut log = PaintLog::default();
        let (a, b) = (PaintKey([1, 2, 3, 4]), PaintKey([1, 2, 3, 5]));
        log.record(0, a, Some(0x10));
        log.record(1, b, None);
        assert!(matches!(log.lookup(0, &a), Logged::Same(Some(0x10))));
        assert!(matches!(log.lookup(1, &b), Logged::Same(None)));
        assert!(matches!(log.lookup(1, &a), Logged::No));
        assert!(matches!(log.lookup(2, &a), Logged::No));
        log.record(0, b, None);
        assert!(matches!(log.lookup(0, &a), Logged::No));
        log.record(3, a, None);
        assert!(
            matches!(log.lookup(3, &a), Logged::No),
            "not logged past the next pass"
        );
        log.clear();
        assert!(matches!(log.lookup(0, &b), Logged::No));
    }
}
