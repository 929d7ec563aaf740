//! The log of the paint passes that drew a frame buffer, so that a pass that would paint
//! exactly what the buffer already shows is skipped.
//!
//! The TIA draws into two frame buffers in turn, so a buffer still holds the frame before the
//! previous one when drawing starts in it. Most lines of most games are drawn the same way
//! two frames apart: the same runs of pixels, with the same registers. Each paint pass of a
//! frame is logged in the frame's order (which is the order of the buffer positions it
//! starts at), with a key holding everything its pixels depend on, its start included. When
//! a pass two frames later has the key of the pass logged at the same start, and nothing but
//! that pass wrote its pixels since, the pixels are already right: only its collisions are
//! needed, and they are logged too. Passes are found by their start, not by their number in
//! the frame, so that a pass more or fewer early in a frame (an object that appears on a
//! line) does not spoil the matches of the passes after it.
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

impl PaintKey {
    /// The frame-buffer position of the pass's first pixel (the low 20 bits of the first
    /// word: see `Tia::paint_key`).
    #[inline(always)]
    fn start(&self) -> u64 {
        self.0[0] & 0xF_FFFF
    }
}

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
    /// Whether the pass logged at the start of `key` has `key`. `cursor` is where the last
    /// lookup of this frame stopped (0 for the first one): the passes of a frame are looked
    /// up in the order of their starts, so each lookup goes on from there.
    #[inline(always)]
    pub(crate) fn lookup(&self, cursor: &mut usize, key: &PaintKey) -> Logged {
        let start = key.start();
        while let Some(record) = self.records.get(*cursor)
            && record.key.start() < start
        {
            *cursor += 1;
        }
        match self.records.get(*cursor) {
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
    fn a_pass_matches_only_its_own_key_at_its_own_start() {
        let mut log = PaintLog::default();
        // Passes starting at pixels 10, 20 and 30 (the low 20 bits of the first word).
        let key = |start: u64, word: u64| PaintKey([start | 7 << 20, 2, 3, word]);
        log.record(0, key(10, 4), Some(0x10));
        log.record(1, key(20, 5), None);
        log.record(2, key(30, 6), None);
        let mut cursor = 0;
        assert!(matches!(
            log.lookup(&mut cursor, &key(10, 4)),
            Logged::Same(Some(0x10))
        ));
        assert!(matches!(log.lookup(&mut cursor, &key(20, 4)), Logged::No));
        assert!(matches!(
            log.lookup(&mut cursor, &key(30, 6)),
            Logged::Same(None)
        ));
        // A pass the log does not have (start 15) does not spoil the one after it.
        let mut cursor = 0;
        assert!(matches!(log.lookup(&mut cursor, &key(15, 4)), Logged::No));
        assert!(matches!(
            log.lookup(&mut cursor, &key(20, 5)),
            Logged::Same(None)
        ));
        // Nor does one fewer (no lookup at 20).
        let mut cursor = 0;
        assert!(matches!(
            log.lookup(&mut cursor, &key(10, 4)),
            Logged::Same(Some(0x10))
        ));
        assert!(matches!(
            log.lookup(&mut cursor, &key(30, 6)),
            Logged::Same(None)
        ));
        assert!(matches!(log.lookup(&mut cursor, &key(40, 6)), Logged::No));
        log.record(0, key(10, 5), None);
        assert!(matches!(log.lookup(&mut 0, &key(10, 4)), Logged::No));
        log.record(4, key(50, 4), None);
        assert!(
            matches!(log.lookup(&mut 0, &key(50, 4)), Logged::No),
            "not logged past the next pass"
        );
        log.clear();
        assert!(matches!(log.lookup(&mut 0, &key(20, 5)), Logged::No));
    }
}
