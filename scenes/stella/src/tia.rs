//! The TIA as Stella 2.x (inside ALE 0.12) emulates it: table-driven object drawing, poke delays,
//! HMOVE applied at once, frame boundaries found from VSYNC.

use serde::{Deserialize, Serialize};

use crate::paint::LineObjects;
use crate::paint_log::{Logged, PaintKey, PaintLog};
use crate::tables::*;

const HBLANK: i32 = 68;
/// Frame buffer size (160 x 300), as Stella allocates it.
pub const FB_SIZE: usize = 160 * 300;

/// What the TIA reads from the controller ports when the CPU reads INPT0-5.
pub trait PortReader {
    /// Analog pin of a port: 0 = left, 1 = right; `nine` = pin 9 (INPT0/2), else pin 5 (INPT1/3).
    fn analog(&self, port: usize, nine: bool) -> i32;
    /// Pin 6 (fire) of a port: true = not pressed (line high).
    fn fire_high(&self, port: usize) -> bool;
}

/// Minimum and maximum paddle resistance (Stella's `Controller::minimumResistance`/`maximumResistance`).
pub const MIN_RESISTANCE: i32 = 0;
/// See [`MIN_RESISTANCE`].
pub const MAX_RESISTANCE: i32 = 0x7FFF_FFFF;

/// TIA state.
#[derive(Serialize, Deserialize)]
pub struct Tia {
    // frame
    pub(crate) current_fb: Vec<u8>,
    pub(crate) previous_fb: Vec<u8>,
    frame_pointer: usize,
    pub(crate) y_start: u32,
    pub(crate) height: u32,
    start_display_offset: u32,
    stop_display_offset: u32,
    clock_when_frame_started: i32,
    clock_start_display: i32,
    clock_stop_display: i32,
    clock_at_last_update: i32,
    clocks_to_end_of_scan_line: i32,
    scanline_count_for_last_frame: i32,
    current_scanline: i32,
    max_scanlines: i32,
    vsync_finish_clock: i32,
    pub(crate) partial_frame: bool,
    frame_greyed: bool,
    pub(crate) frame_counter: u32,
    color_loss: bool,
    allow_hmove_blanks: bool,
    /// Per register, which written values change nothing the drawing reads (see
    /// [`Tia::poke_quiet`]); derived from the registers, so not saved: all "none" after a
    /// load, until the next frame starts.
    #[serde(skip)]
    quiet: QuietWrites,
    // registers
    enabled_objects: u8,
    vsync: u8,
    vblank: u8,
    nusiz0: u8,
    nusiz1: u8,
    pf_priority_and_score: u8,
    /// BK, PF, P0, P1.
    color: Colours,
    ctrlpf: u8,
    refp0: bool,
    refp1: bool,
    pf: u32,
    grp0: u8,
    grp1: u8,
    dgrp0: u8,
    dgrp1: u8,
    enam0: bool,
    enam1: bool,
    enabl: bool,
    denabl: bool,
    hmp0: u8,
    hmp1: u8,
    hmm0: u8,
    hmm1: u8,
    hmbl: u8,
    vdelp0: bool,
    vdelp1: bool,
    vdelbl: bool,
    resmp0: bool,
    resmp1: bool,
    /// The collision latches (15 bits, in a whole word: read and written at the same width).
    collision: u32,
    posp0: i16,
    posp1: i16,
    posm0: i16,
    posm1: i16,
    posbl: i16,
    current_grp0: u8,
    current_grp1: u8,
    bl_mask: usize,
    m0_mask: usize,
    m1_mask: usize,
    p0_mask: usize,
    p1_mask: usize,
    pf_mask: usize,
    dump_disabled_cycle: i32,
    dump_enabled: bool,
    last_hmove_clock: i32,
    hmove_blank_enabled: bool,
    m0_cosmic_ark_enabled: bool,
    m0_cosmic_ark_counter: u32,
    /// Whether the playfield or player masks may differ from what a new line resets them to
    /// (a CTRLPF write late in a line, a RESPx's starting copy, a reset, a loaded state): if
    /// not, the line start leaves them as they are.
    #[serde(skip, default = "yes")]
    line_masks_stale: bool,
    /// Whether an object's mask may differ from what its position gives (a reset, a RESPx's
    /// starting copy, the Cosmic Ark missile, a loaded state): if not, an HMOVE recomputes
    /// the masks of the objects it moves only.
    #[serde(skip, default = "yes")]
    hmove_masks_stale: bool,
    /// Colour clock up to which a write that changes nothing drawn (WSYNC, RSYNC, audio, unused
    /// addresses) asked for the frame to be drawn; the draw is deferred to the next update (the
    /// result is the same, in one run instead of two) or to [`Tia::flush`]. `NO_PENDING` if none.
    pending_clock: i32,
    /// Whether pixels are written (see [`Tia::set_render`]).
    render: bool,
    /// Pixels of `current_fb` that may differ from what rendering would have written: the
    /// frame-pointer range `[lo, hi)` (empty when `lo >= hi`), a superset of the pixels left
    /// unwritten while not rendering.
    unknown: (usize, usize),
    /// `unknown` of `previous_fb`.
    previous_unknown: (usize, usize),
    /// The paint passes that drew what `current_fb` showed when this frame started (see
    /// [`crate::paint_log`]).
    #[serde(skip)]
    shown_log: PaintLog,
    /// The paint passes that drew `previous_fb`.
    #[serde(skip)]
    previous_shown_log: PaintLog,
    /// The paint passes of this frame so far (into `current_fb`).
    #[serde(skip)]
    drawing_log: PaintLog,
    /// Number of paint passes so far in this frame.
    #[serde(skip)]
    paint_index: usize,
    /// Where the last lookup of this frame in `shown_log` stopped (see [`PaintLog::lookup`]).
    #[serde(skip)]
    log_cursor: usize,
    /// The same in `previous_shown_log`.
    #[serde(skip)]
    previous_log_cursor: usize,
    /// Frame-pointer position up to which the HMOVE blank wrote ahead of the drawing: a pass
    /// starting before it cannot be skipped.
    #[serde(skip)]
    blanked_until: usize,
    /// Whether this frame wrote any pixel (if not, `current_fb` still shows what `shown_log`
    /// says when the frame ends).
    #[serde(skip)]
    wrote_pixels: bool,
}

/// `true`, for fields whose serde default is.
fn yes() -> bool {
    true
}

/// An empty unknown range.
const KNOWN: (usize, usize) = (0, 0);

impl Clone for Tia {
    fn clone(&self) -> Self {
        Tia {
            current_fb: self.current_fb.clone(),
            previous_fb: self.previous_fb.clone(),
            shown_log: self.shown_log.clone(),
            previous_shown_log: self.previous_shown_log.clone(),
            drawing_log: self.drawing_log.clone(),
            ..*self
        }
    }

    /// Reuses the frame buffers: no allocation.
    fn clone_from(&mut self, src: &Self) {
        let mut current_fb = std::mem::take(&mut self.current_fb);
        let mut previous_fb = std::mem::take(&mut self.previous_fb);
        current_fb.clone_from(&src.current_fb);
        previous_fb.clone_from(&src.previous_fb);
        let mut logs = self.take_logs();
        for (log, src) in
            logs.iter_mut()
                .zip([&src.shown_log, &src.previous_shown_log, &src.drawing_log])
        {
            log.clone_from(src);
        }
        let [shown_log, previous_shown_log, drawing_log] = logs;
        *self = Tia {
            current_fb,
            previous_fb,
            shown_log,
            previous_shown_log,
            drawing_log,
            ..*src
        };
    }
}

const NO_PENDING: i32 = i32::MIN;

/// The values a write to one TIA register may have and change nothing the drawing reads:
/// those with `value & mask == expected`. Packed as `wsync << 24 | mask << 16 | 0x100 |
/// expected`; 0 (the default) allows none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct QuietWrite(u32);

impl QuietWrite {
    /// No value.
    const NONE: QuietWrite = QuietWrite(0);

    /// Every value, and the CPU waits for the end of the line (WSYNC).
    const WSYNC: QuietWrite = QuietWrite(1 << 24 | 0x100);

    /// The values whose bits in `mask` are those of `expected`.
    const fn new(mask: u8, expected: u8) -> QuietWrite {
        QuietWrite((mask as u32) << 16 | 0x100 | (expected & mask) as u32)
    }

    /// Whether writing `value` changes nothing drawn.
    #[inline(always)]
    fn allows(self, value: u8) -> bool {
        (u32::from(value & (self.0 >> 16) as u8) | 0x100) == self.0 & 0xFFFF
    }

    /// Whether the write is a WSYNC.
    #[inline(always)]
    fn waits_for_line_end(self) -> bool {
        self.0 & 1 << 24 != 0
    }
}

/// [`QuietWrite`] of every register.
#[derive(Clone, Copy, Debug)]
struct QuietWrites([QuietWrite; 64]);

impl Default for QuietWrites {
    fn default() -> Self {
        QuietWrites([QuietWrite::NONE; 64])
    }
}

/// The four colour registers (BK, PF, P0, P1, low byte first) in one word, read and written
/// whole. (As a byte array, the drawing read it with a 16-byte vector load spanning the
/// fields after it, often written just before.)
#[derive(Clone, Copy, Default, Serialize, Deserialize)]
struct Colours(u32);

impl Colours {
    /// Colour register `i` (`BK`, `PF`, `P0` or `P1`).
    #[inline(always)]
    fn get(self, i: usize) -> u8 {
        (self.0 >> (8 * i)) as u8
    }

    /// Sets colour register `i`.
    #[inline(always)]
    fn set(&mut self, i: usize, colour: u8) {
        self.0 = (self.0 & !(0xFF << (8 * i))) | (colour as u32) << (8 * i);
    }

    /// All four, BK, PF, P0, P1.
    #[inline(always)]
    fn all(self) -> [u8; 4] {
        self.0.to_le_bytes()
    }
}

/// The priority rules as up to four ordered overrides of the background colour, (object
/// mask, colour) each, the last group present winning: byte selects that vectorise. For the
/// CTRLPF priority and score bits `ps`, the colours BK, PF, P0, P1, and the colour of the
/// side of the screen (P0's left of pixel 80, P1's right of it). Same result as Stella's
/// priority table (`tables::priority`).
fn priority_steps(ps: u8, [_, cpf, c0, c1]: [u8; 4], side_colour: u8) -> [(u8, u8); 4] {
    const PM0: u8 = P0_BIT | M0_BIT;
    const PM1: u8 = P1_BIT | M1_BIT;
    if ps & PRIORITY_BIT != 0 {
        [(PM1, c1), (PM0, c0), (BL_BIT | PF_BIT, cpf), (0, 0)]
    } else if ps & SCORE_BIT != 0 {
        // The playfield takes the side's player colour and hides player 1 on the left.
        [(BL_BIT, cpf), (PM1, c1), (PF_BIT, side_colour), (PM0, c0)]
    } else {
        [(BL_BIT | PF_BIT, cpf), (PM1, c1), (PM0, c0), (0, 0)]
    }
}

const BK: usize = 0;
const PF: usize = 1;
const P0: usize = 2;
const P1: usize = 3;

#[inline]
fn pmask(pos: i16, enable: usize, nusiz: u8) -> usize {
    player_index((pos & 3) as usize, enable, (nusiz & 7) as usize) + 160 - (pos as usize & 0xFC)
}
/// For the enabled objects (the low six bits) and the score bit: the bytes of the colour
/// registers (as [`Colours`] packs them) that pixels may take. The background's always, an
/// object's if it is enabled; the playfield in score mode takes the players' colours.
const COLOURS_DRAWN: [u32; 128] = {
    let mut table = [0u32; 128];
    let mut i = 0;
    while i < 128 {
        let objects = i as u8;
        let score = objects & SCORE_BIT != 0 && objects & PF_BIT != 0;
        table[i] = colour_byte(true, BK)
            | colour_byte(objects & (PF_BIT | BL_BIT) != 0, PF)
            | colour_byte(objects & (P0_BIT | M0_BIT) != 0 || score, P0)
            | colour_byte(objects & (P1_BIT | M1_BIT) != 0 || score, P1);
        i += 1;
    }
    table
};

/// The bits of colour register `colour` in [`Colours`] if `used`, else 0.
const fn colour_byte(used: bool, colour: usize) -> u32 {
    if used { 0xFF << (8 * colour) } else { 0 }
}

/// Adds an HMOVE's `motion` to position `pos`, wrapped to the line; whether it changed.
#[inline(always)]
fn move_by(pos: &mut i16, motion: i8) -> bool {
    let old = *pos;
    *pos += i16::from(motion);
    if *pos >= 160 {
        *pos -= 160;
    } else if *pos < 0 {
        *pos += 160;
    }
    *pos != old
}

#[inline]
fn mmask(pos: i16, nusiz: u8) -> usize {
    missile_index(
        (pos & 3) as usize,
        (nusiz & 7) as usize,
        ((nusiz & 0x30) >> 4) as usize,
    ) + 160
        - (pos as usize & 0xFC)
}
#[inline]
fn bmask(pos: i16, ctrlpf: u8) -> usize {
    ball_index((pos & 3) as usize, ((ctrlpf & 0x30) >> 4) as usize) + 160 - (pos as usize & 0xFC)
}

impl Tia {
    /// A TIA as constructed (before any reset).
    pub fn new() -> Tia {
        let _ = &*TABLES;
        Tia {
            current_fb: vec![0; FB_SIZE],
            previous_fb: vec![0; FB_SIZE],
            frame_pointer: 0,
            y_start: 34,
            height: 210,
            start_display_offset: 0,
            stop_display_offset: 0,
            clock_when_frame_started: 0,
            clock_start_display: 0,
            clock_stop_display: 0,
            clock_at_last_update: 0,
            clocks_to_end_of_scan_line: 228,
            scanline_count_for_last_frame: 0,
            current_scanline: 0,
            max_scanlines: 262,
            vsync_finish_clock: 0x7FFF_FFFF,
            partial_frame: false,
            frame_greyed: false,
            frame_counter: 0,
            color_loss: false,
            allow_hmove_blanks: true,
            quiet: QuietWrites::default(),
            enabled_objects: 0,
            vsync: 0,
            vblank: 0,
            nusiz0: 0,
            nusiz1: 0,
            pf_priority_and_score: 0,
            color: Colours::default(),
            ctrlpf: 0,
            refp0: false,
            refp1: false,
            pf: 0,
            grp0: 0,
            grp1: 0,
            dgrp0: 0,
            dgrp1: 0,
            enam0: false,
            enam1: false,
            enabl: false,
            denabl: false,
            hmp0: 0,
            hmp1: 0,
            hmm0: 0,
            hmm1: 0,
            hmbl: 0,
            vdelp0: false,
            vdelp1: false,
            vdelbl: false,
            resmp0: false,
            resmp1: false,
            collision: 0,
            posp0: 0,
            posp1: 0,
            posm0: 0,
            posm1: 0,
            posbl: 0,
            current_grp0: 0,
            current_grp1: 0,
            bl_mask: 0,
            m0_mask: 0,
            m1_mask: 0,
            p0_mask: 0,
            p1_mask: 0,
            pf_mask: 0,
            dump_disabled_cycle: 0,
            dump_enabled: false,
            last_hmove_clock: 0,
            hmove_blank_enabled: false,
            m0_cosmic_ark_enabled: false,
            m0_cosmic_ark_counter: 0,
            line_masks_stale: true,
            hmove_masks_stale: true,
            pending_clock: NO_PENDING,
            render: true,
            unknown: KNOWN,
            previous_unknown: KNOWN,
            shown_log: PaintLog::default(),
            previous_shown_log: PaintLog::default(),
            drawing_log: PaintLog::default(),
            paint_index: 0,
            log_cursor: 0,
            previous_log_cursor: 0,
            blanked_until: 0,
            wrote_pixels: false,
        }
    }

    /// `TIA::reset` (cycles is the system cycle count, 0 right after a system reset).
    pub fn reset(&mut self, cycles: u32, pal: bool, hmove_blanks: bool, y_start: u32, height: u32) {
        self.enabled_objects = 0;
        self.vsync = 0;
        self.vblank = 0;
        self.nusiz0 = 0;
        self.nusiz1 = 0;
        self.color = Colours::default();
        self.pf_priority_and_score = 0;
        self.ctrlpf = 0;
        self.refp0 = false;
        self.refp1 = false;
        self.pf = 0;
        self.grp0 = 0;
        self.grp1 = 0;
        self.dgrp0 = 0;
        self.dgrp1 = 0;
        self.enam0 = false;
        self.enam1 = false;
        self.enabl = false;
        self.denabl = false;
        self.hmp0 = 0;
        self.hmp1 = 0;
        self.hmm0 = 0;
        self.hmm1 = 0;
        self.hmbl = 0;
        self.vdelp0 = false;
        self.vdelp1 = false;
        self.vdelbl = false;
        self.resmp0 = false;
        self.resmp1 = false;
        self.collision = 0;
        self.posp0 = 0;
        self.posp1 = 0;
        self.posm0 = 0;
        self.posm1 = 0;
        self.posbl = 0;
        self.current_grp0 = 0;
        self.current_grp1 = 0;
        self.bl_mask = ball_index(0, 0);
        self.m0_mask = missile_index(0, 0, 0);
        self.m1_mask = missile_index(0, 0, 0);
        self.p0_mask = player_index(0, 0, 0);
        self.p1_mask = player_index(0, 0, 0);
        self.pf_mask = 0;
        self.line_masks_stale = true;
        self.hmove_masks_stale = true;
        self.last_hmove_clock = 0;
        self.hmove_blank_enabled = false;
        self.m0_cosmic_ark_enabled = false;
        self.m0_cosmic_ark_counter = 0;
        self.dump_enabled = false;
        self.dump_disabled_cycle = 0;
        self.allow_hmove_blanks = hmove_blanks;
        if pal {
            self.color_loss = true;
            self.max_scanlines = 342;
        } else {
            self.color_loss = false;
            self.max_scanlines = 290;
        }
        self.frame_reset(cycles, y_start, height);
        self.refresh_quiet_all();
    }

    fn frame_reset(&mut self, cycles: u32, y_start: u32, height: u32) {
        self.pending_clock = NO_PENDING;
        self.current_fb.iter_mut().for_each(|b| *b = 0);
        self.previous_fb.iter_mut().for_each(|b| *b = 0);
        self.unknown = KNOWN;
        self.previous_unknown = KNOWN;
        self.shown_log.clear();
        self.previous_shown_log.clear();
        self.drawing_log.clear();
        self.paint_index = 0;
        self.log_cursor = 0;
        self.previous_log_cursor = 0;
        self.blanked_until = 0;
        self.wrote_pixels = false;
        self.frame_pointer = 0;
        self.y_start = y_start;
        self.height = height;
        self.start_display_offset = 228u32.wrapping_mul(y_start);
        self.stop_display_offset = self
            .start_display_offset
            .wrapping_add(228u32.wrapping_mul(height));
        self.clock_when_frame_started = cycles.wrapping_mul(3) as i32;
        self.clock_start_display = self
            .clock_when_frame_started
            .wrapping_add(self.start_display_offset as i32);
        self.clock_stop_display = self
            .clock_when_frame_started
            .wrapping_add(self.stop_display_offset as i32);
        self.clock_at_last_update = self.clock_when_frame_started;
        self.clocks_to_end_of_scan_line = 228;
        self.vsync_finish_clock = 0x7FFF_FFFF;
        self.scanline_count_for_last_frame = 0;
        self.current_scanline = 0;
    }

    /// `TIA::systemCyclesReset`: the system cycle counter is about to go back to 0.
    pub fn system_cycles_reset(&mut self, cycles: u32) {
        self.flush();
        self.dump_disabled_cycle = self.dump_disabled_cycle.wrapping_sub(cycles as i32);
        let clocks = cycles.wrapping_mul(3) as i32;
        self.clock_when_frame_started = self.clock_when_frame_started.wrapping_sub(clocks);
        self.clock_start_display = self.clock_start_display.wrapping_sub(clocks);
        self.clock_stop_display = self.clock_stop_display.wrapping_sub(clocks);
        self.clock_at_last_update = self.clock_at_last_update.wrapping_sub(clocks);
        self.vsync_finish_clock = self.vsync_finish_clock.wrapping_sub(clocks);
        self.last_hmove_clock = self.last_hmove_clock.wrapping_sub(clocks);
    }

    /// First half of `TIA::startFrame`, before the system cycles are reset: swaps the buffers and
    /// returns the colour clocks into the current line.
    pub fn start_frame_pre(&mut self, cycles: u32) -> i32 {
        std::mem::swap(&mut self.current_fb, &mut self.previous_fb);
        std::mem::swap(&mut self.unknown, &mut self.previous_unknown);
        // The frame just drawn is now the previous buffer's; the buffer drawn next shows the
        // frame before it. A frame that wrote no pixel (not rendered) left its buffer as it
        // was. The log of the frame to draw reuses the allocation of the log dropped.
        if !self.wrote_pixels {
            std::mem::swap(&mut self.shown_log, &mut self.drawing_log);
        }
        let dropped = std::mem::replace(
            &mut self.shown_log,
            std::mem::take(&mut self.previous_shown_log),
        );
        self.previous_shown_log = std::mem::replace(&mut self.drawing_log, dropped);
        self.drawing_log.clear();
        self.wrote_pixels = false;
        self.paint_index = 0;
        self.log_cursor = 0;
        self.previous_log_cursor = 0;
        self.blanked_until = 0;
        ((cycles
            .wrapping_mul(3)
            .wrapping_sub(self.clock_when_frame_started as u32))
            % 228) as i32
    }

    /// Second half of `TIA::startFrame`, after the system cycles were reset.
    pub fn start_frame_post(&mut self, clocks: i32) {
        self.clock_when_frame_started = -clocks;
        self.clock_start_display = self
            .clock_when_frame_started
            .wrapping_add(self.start_display_offset as i32);
        self.clock_stop_display = self
            .clock_when_frame_started
            .wrapping_add(self.stop_display_offset as i32);
        self.clock_at_last_update = self.clock_start_display;
        self.clocks_to_end_of_scan_line = 228;
        self.frame_pointer = 0;
        if self.color_loss {
            // Every colour's lowest bit set on odd frames, cleared on even ones.
            self.color.0 = if self.scanline_count_for_last_frame & 1 != 0 {
                self.color.0 | 0x0101_0101
            } else {
                self.color.0 & 0xFEFE_FEFE
            };
        }
        self.frame_greyed = false;
        self.refresh_quiet_all();
    }

    /// Scanlines since the frame started (`TIA::scanlines`).
    pub fn scanlines(&self, cycles: u32) -> u32 {
        cycles
            .wrapping_mul(3)
            .wrapping_sub(self.clock_when_frame_started as u32)
            / 228
    }

    /// End of `TIA::update` after the CPU stopped.
    pub fn finish_update(&mut self, cycles: u32) {
        self.flush();
        self.current_scanline = self.scanlines(cycles) as i32;
        if self.partial_frame {
            if !self.frame_greyed {
                self.grey_out_frame(cycles);
            }
            self.frame_greyed = true;
        } else {
            self.scanline_count_for_last_frame = self.current_scanline;
            self.frame_counter = self.frame_counter.wrapping_add(1);
            self.frame_greyed = false;
            // The colour loss bit of the colour writes may have changed.
            self.refresh_quiet_all();
        }
    }

    fn grey_out_frame(&mut self, cycles: u32) {
        let mut c = self.scanlines(cycles);
        if c < self.y_start {
            c = self.y_start;
        }
        let end = self.height.saturating_add(self.y_start);
        if !self.render || !self.buffers_exact() {
            // Greying transforms the pixels in place. Not rendering, it is skipped (unknown
            // pixels). And while a buffer holds unknown pixels it is skipped too, so that a
            // caller replaying these frames over the same buffers from a saved state (see
            // `Console::copy_state_from`) never greys a line twice: a grey-out writes only if
            // no frame after it runs unrendered before both buffers are exact again, i.e. never
            // in frames a replay would repeat.
            let lo = (c.saturating_sub(self.y_start) as usize).saturating_mul(160);
            let hi = (end.saturating_sub(self.y_start) as usize).saturating_mul(160);
            self.mark_unknown(lo, hi.min(FB_SIZE));
            return;
        }
        // Pixels written outside the logged passes (drawn or to be drawn in this frame).
        self.drawing_log.clear();
        self.shown_log.clear();
        self.wrote_pixels = true;
        for s in c..end {
            let row = (s - self.y_start) as usize * 160;
            if row + 160 > FB_SIZE {
                break;
            }
            for p in &mut self.current_fb[row..row + 160] {
                *p = (*p & 0x0F) >> 1;
            }
        }
    }

    /// Whether pixels are written to the frame buffer (default true). With `false`, frames are
    /// emulated identically (collisions, timing, frame ends, everything the CPU can see) but
    /// their pixels are not produced; the pixels left unwritten are tracked, see
    /// [`Tia::screen_exact`].
    pub fn set_render(&mut self, on: bool) {
        self.flush();
        self.render = on;
    }

    /// Whether pixels are written (see [`Tia::set_render`]).
    pub fn render(&self) -> bool {
        self.render
    }

    /// Whether the first `height` lines of the current frame buffer are what rendering every
    /// frame would have produced (always true unless [`Tia::set_render`] turned rendering off
    /// for a frame whose pixels no later frame has overwritten).
    pub fn screen_exact(&self, height: usize) -> bool {
        let (lo, hi) = self.unknown;
        lo >= hi || lo >= height * 160
    }

    /// Whether neither frame buffer holds unknown pixels.
    #[inline]
    fn buffers_exact(&self) -> bool {
        self.unknown.0 >= self.unknown.1 && self.previous_unknown.0 >= self.previous_unknown.1
    }

    /// Copies all of `src` but the contents of the two frame buffers (registers, positions,
    /// frame timing, which pixels are unknown): no allocation.
    pub fn copy_state_from(&mut self, src: &Tia) {
        // The logs describe this TIA's buffers, but the drawing goes on from where `src` is:
        // it may draw again pixels already drawn in this frame, which the logs would no
        // longer describe. Cleared (their allocations kept).
        let mut logs = self.take_logs();
        logs.iter_mut().for_each(PaintLog::clear);
        let [shown_log, previous_shown_log, drawing_log] = logs;
        *self = Tia {
            current_fb: std::mem::take(&mut self.current_fb),
            previous_fb: std::mem::take(&mut self.previous_fb),
            shown_log,
            previous_shown_log,
            drawing_log,
            ..*src
        };
    }

    /// The three paint logs, taken out (to rebuild `self` from another TIA's state).
    fn take_logs(&mut self) -> [PaintLog; 3] {
        [
            std::mem::take(&mut self.shown_log),
            std::mem::take(&mut self.previous_shown_log),
            std::mem::take(&mut self.drawing_log),
        ]
    }

    /// Adds `[lo, hi)` to the unknown pixels of the current buffer (hull of both ranges).
    #[inline]
    fn mark_unknown(&mut self, lo: usize, hi: usize) {
        if lo >= hi {
            return;
        }
        let (ulo, uhi) = self.unknown;
        self.unknown = if ulo >= uhi {
            (lo, hi)
        } else {
            (ulo.min(lo), uhi.max(hi))
        };
    }

    /// Pixels `[lo, hi)` were just written: an unknown range they start or cover shrinks.
    #[inline]
    fn mark_written(&mut self, lo: usize, hi: usize) {
        let (ulo, uhi) = self.unknown;
        if lo <= ulo && hi > ulo {
            self.unknown = if hi >= uhi { KNOWN } else { (hi, uhi) };
        }
    }

    /// Scanlines of the last complete frame.
    pub fn scanlines_last_frame(&self) -> i32 {
        self.scanline_count_for_last_frame
    }

    #[inline]
    fn draw<const RENDER: bool>(&mut self, clocks: usize, hpos: usize, blanks: usize) {
        let start = self.frame_pointer;
        let end = start + clocks;
        if end > FB_SIZE || hpos + clocks > 160 {
            self.frame_pointer = end;
            return;
        }
        if !RENDER {
            self.draw_nothing(start, end, hpos, blanks);
            return;
        }
        if self.unknown.0 < self.unknown.1 {
            self.mark_written(start, end);
        }
        self.wrote_pixels = true;
        if self.vblank & 0x02 != 0 {
            self.current_fb[start..end].iter_mut().for_each(|p| *p = 0);
            self.frame_pointer = end;
            return;
        }
        let t = &*TABLES;
        let bk = self.color.get(BK);
        let objects = self.enabled_objects;
        if objects == 0 {
            self.current_fb[start..end].iter_mut().for_each(|p| *p = bk);
            self.frame_pointer = end;
            return;
        }
        let possible = t.collision[(objects & 0x3F) as usize] as u32;
        let collide =
            objects & objects.wrapping_sub(1) != 0 && self.collision & possible != possible;
        // A pass whose pixels the buffer already shows is not painted again (see
        // `paint_log`): only its collisions are taken, if they are needed.
        let key = self.paint_key(start, clocks, hpos, blanks);
        let index = self.paint_index;
        self.paint_index += 1;
        if start >= self.blanked_until
            && let Logged::Same(known) = self.shown_log.lookup(&mut self.log_cursor, &key)
            && (known.is_some() || !collide)
        {
            self.collision |= u32::from(known.unwrap_or(0));
            self.drawing_log.record(index, key, known);
            self.frame_pointer = end;
            return;
        }
        if self.copy_from_previous(start, end, index, &key, collide) {
            return;
        }
        let collisions = self.paint_run(start, end, hpos, collide);
        self.collision |= u32::from(collisions);
        self.drawing_log
            .record(index, key, collide.then_some(collisions));
        self.frame_pointer = end;
    }

    /// Draws a pass that the frame just drawn had (the other buffer shows its pixels: an
    /// object that moves or flickers every other frame, say) by copying it from there, with
    /// its collisions if they are needed and logged; false (nothing done) if it had not.
    #[inline(never)]
    fn copy_from_previous(
        &mut self,
        start: usize,
        end: usize,
        index: usize,
        key: &PaintKey,
        collide: bool,
    ) -> bool {
        let Logged::Same(known) = self
            .previous_shown_log
            .lookup(&mut self.previous_log_cursor, key)
        else {
            return false;
        };
        if known.is_none() && collide {
            return false;
        }
        self.current_fb[start..end].copy_from_slice(&self.previous_fb[start..end]);
        self.collision |= u32::from(known.unwrap_or(0));
        self.drawing_log.record(index, *key, known);
        self.frame_pointer = end;
        true
    }

    /// The bytes of the colour registers (as [`Colours`] packs them) that pixels of the
    /// enabled `objects` may take (see [`COLOURS_DRAWN`]).
    #[inline(always)]
    fn colours_drawn(&self, objects: u8) -> u32 {
        COLOURS_DRAWN[usize::from(objects & 0x3F | self.pf_priority_and_score & SCORE_BIT)]
    }

    /// Everything the pixels and collisions of a paint pass depend on (see `paint_log`),
    /// `blanks` the pixels the HMOVE blank overwrites right after it.
    #[inline(always)]
    fn paint_key(&self, start: usize, clocks: usize, hpos: usize, blanks: usize) -> PaintKey {
        let objects = self.enabled_objects;
        // The masks and colours of objects that draw nothing are left out.
        let shown = |on: bool, mask: usize| if on { mask as u64 } else { 0 };
        let enabled = |bit: u8, mask: usize| shown(objects & bit != 0, mask);
        let (g0, g1) = (self.current_grp0, self.current_grp1);
        PaintKey([
            start as u64
                | (clocks as u64) << 20
                | (hpos as u64) << 28
                | u64::from(objects & 0x3F) << 36
                | u64::from(self.pf_priority_and_score >> 6) << 42
                | (self.pf_mask as u64) << 44
                | u64::from(g0) << 45
                | u64::from(g1) << 53,
            u64::from(self.color.0 & self.colours_drawn(objects)) | u64::from(self.pf) << 32,
            enabled(BL_BIT, self.bl_mask)
                | enabled(M0_BIT, self.m0_mask) << 16
                | enabled(M1_BIT, self.m1_mask) << 32
                | shown(g0 != 0, self.p0_mask) << 48,
            shown(g1 != 0, self.p1_mask) | (blanks as u64) << 16,
        ])
    }

    /// Paints pixels `start..end` of the frame buffer (pixels `hpos..` of the line, with two
    /// enabled objects or more, or the playfield only). Returns the collisions if `collide`,
    /// else 0.
    #[inline(always)]
    fn paint_run(&mut self, start: usize, end: usize, hpos: usize, collide: bool) -> u16 {
        let clocks = end - start;
        let bk = self.color.get(BK);
        if self.enabled_objects == PF_BIT {
            // Only the playfield: one select per pixel.
            let line = LineObjects {
                g0: 0,
                g1: 0,
                ..self.line_objects()
            };
            let fb = &mut self.current_fb[start..end];
            let only = |colour: u8| [(PF_BIT, colour), (0, 0), (0, 0), (0, 0)];
            if self.pf_priority_and_score & SCORE_BIT != 0 {
                // Stella's playfield-only fast path uses the score colours even with priority set.
                // Left of pixel 80 in player 0's colour, right of it in player 1's.
                let (c0, c1) = (self.color.get(P0), self.color.get(P1));
                let split = 80usize.saturating_sub(hpos).min(clocks);
                let (left, right) = fb.split_at_mut(split);
                for (out, at, colour) in [(left, hpos, c0), (right, hpos + split, c1)] {
                    if !out.is_empty() {
                        line.paint::<1, false>(out, at, bk, only(colour));
                    }
                }
            } else {
                line.paint::<1, false>(fb, hpos, bk, only(self.color.get(PF)));
            }
            return 0;
        }
        let line = self.line_objects();
        let ps = self.pf_priority_and_score;
        let colours = self.color.all();
        let [bk, _, c0, c1] = colours;
        // Only the score mode without priority colours the two halves differently: otherwise
        // the whole run is one pass.
        let split = if ps & (SCORE_BIT | PRIORITY_BIT) == SCORE_BIT {
            80usize.saturating_sub(hpos).min(clocks)
        } else {
            clocks
        };
        let fb = &mut self.current_fb[start..end];
        let (left, right) = fb.split_at_mut(split);
        let mut collisions = 0;
        for (out, at, steps) in [
            (left, hpos, priority_steps(ps, colours, c0)),
            (right, hpos + split, priority_steps(ps, colours, c1)),
        ] {
            if out.is_empty() {
                continue;
            }
            // Three groups in all modes but score without priority: one select fewer.
            collisions |= match (steps[3].0 == 0, collide) {
                (true, false) => line.paint::<3, false>(out, at, bk, steps),
                (true, true) => line.paint::<3, true>(out, at, bk, steps),
                (false, false) => line.paint::<4, false>(out, at, bk, steps),
                (false, true) => line.paint::<4, true>(out, at, bk, steps),
            };
        }
        collisions
    }

    /// The objects of the current line, for [`LineObjects::paint`].
    #[inline(always)]
    fn line_objects(&self) -> LineObjects<'static> {
        let t = &*TABLES;
        let objects = self.enabled_objects;
        LineObjects {
            pf: [self.pf as u8, (self.pf >> 8) as u8, (self.pf >> 16) as u8],
            playfield: &t.playfield[self.pf_mask],
            ball: &t.ball[self.bl_mask..],
            ball_on: objects & BL_BIT,
            m0: &t.missile[self.m0_mask..],
            m0_on: objects & M0_BIT,
            m1: &t.missile[self.m1_mask..],
            m1_on: objects & M1_BIT,
            p0: &t.player[self.p0_mask..],
            g0: self.current_grp0,
            p1: &t.player[self.p1_mask..],
            g1: self.current_grp1,
        }
    }

    /// [`Tia::draw`] without rendering: the collisions a drawn run would register (only where
    /// the drawing code registers them), the frame pointer advanced, the pixels marked unknown.
    #[inline(never)]
    fn draw_nothing(&mut self, start: usize, end: usize, hpos: usize, blanks: usize) {
        let objects = self.enabled_objects;
        if self.vblank & 0x02 == 0 && objects != 0 {
            // A paint pass when drawn: counted as one, and its collisions taken from the log
            // when it has them (they depend on the key alone, whatever the buffer shows).
            self.paint_index += 1;
            let possible = TABLES.collision[(objects & 0x3F) as usize] as u32;
            if objects & objects.wrapping_sub(1) != 0 && self.collision & possible != possible {
                let key = self.paint_key(start, end - start, hpos, blanks);
                self.collision |=
                    u32::from(match self.shown_log.lookup(&mut self.log_cursor, &key) {
                        Logged::Same(Some(collisions)) => collisions,
                        _ => self.line_objects().collisions(hpos, end - start),
                    });
            }
        }
        self.mark_unknown(start, end);
        self.frame_pointer = end;
    }

    /// Draws what a deferred write asked for (see `pending_clock`).
    #[inline]
    pub fn flush(&mut self) {
        if self.pending_clock != NO_PENDING {
            let clock = self.pending_clock;
            self.pending_clock = NO_PENDING;
            self.update_frame(clock);
        }
    }

    /// `TIA::updateFrame`: draws up to colour clock `clock`.
    #[inline(always)]
    fn update_frame(&mut self, clock: i32) {
        // Most calls have nothing to draw (before the display, after it, or no time passed):
        // decided here, without the drawing function's call overhead.
        if clock < self.clock_start_display
            || self.clock_at_last_update >= self.clock_stop_display
            || self.clock_at_last_update >= clock
        {
            return;
        }
        if self.render {
            // An update that ends in the horizontal blank of the line it starts in (a write
            // just after WSYNC) draws no pixel: it moves the clocks, and an HMOVE blank
            // blanks ahead as `update_frame_draw` would.
            let clocks = clock.wrapping_sub(self.clock_at_last_update);
            let from_start = 228 - self.clocks_to_end_of_scan_line;
            if clocks < self.clocks_to_end_of_scan_line
                && from_start + clocks <= HBLANK
                && clock <= self.clock_stop_display
            {
                self.clocks_to_end_of_scan_line -= clocks;
                self.clock_at_last_update = clock;
                if self.hmove_blank_enabled {
                    self.blank_ahead_in_hblank(from_start + clocks);
                }
                return;
            }
            self.update_frame_draw::<true>(clock);
        } else {
            self.update_frame_undrawn(clock);
        }
    }

    /// The HMOVE blank of an update that ended at clock `from_start` of the horizontal blank
    /// (no pixel of the line drawn yet): the line's pixels up to clock `HBLANK + 8` are
    /// blanked ahead of the drawing. A later update in the same blank blanks fewer of them,
    /// all black already.
    #[inline(never)]
    fn blank_ahead_in_hblank(&mut self, from_start: i32) {
        let start = self.frame_pointer;
        let end = (start + (HBLANK + 8 - from_start) as usize).min(FB_SIZE);
        if end > self.blanked_until && start < end {
            self.current_fb[start..end].fill(0);
            self.wrote_pixels = true;
            self.blanked_until = end;
        }
    }

    /// [`Tia::update_frame`] without rendering (kept out of the way of the rendering code).
    #[cold]
    #[inline(never)]
    fn update_frame_undrawn(&mut self, clock: i32) {
        self.update_frame_draw::<false>(clock);
    }

    /// [`Tia::update_frame`] when there is something to draw.
    #[inline(never)]
    fn update_frame_draw<const RENDER: bool>(&mut self, mut clock: i32) {
        if clock > self.clock_stop_display {
            clock = self.clock_stop_display;
        }
        loop {
            let mut clocks_to_update;
            let mut from_start = 228 - self.clocks_to_end_of_scan_line;
            if clock
                > self
                    .clock_at_last_update
                    .wrapping_add(self.clocks_to_end_of_scan_line)
            {
                clocks_to_update = self.clocks_to_end_of_scan_line;
                self.clocks_to_end_of_scan_line = 228;
                self.clock_at_last_update =
                    self.clock_at_last_update.wrapping_add(clocks_to_update);
            } else {
                clocks_to_update = clock.wrapping_sub(self.clock_at_last_update);
                self.clocks_to_end_of_scan_line -= clocks_to_update;
                self.clock_at_last_update = clock;
            }
            let start_of_scan_line = HBLANK;
            if from_start < start_of_scan_line {
                let tmp = if start_of_scan_line - from_start < clocks_to_update {
                    start_of_scan_line - from_start
                } else {
                    clocks_to_update
                };
                from_start += tmp;
                clocks_to_update -= tmp;
            }
            let old_fp = self.frame_pointer;
            let blanking = self.hmove_blank_enabled && from_start < HBLANK + 8;
            let blanks = if blanking {
                ((HBLANK + 8) - from_start) as usize
            } else {
                0
            };
            if clocks_to_update > 0 {
                let hpos = (from_start - HBLANK) as usize;
                self.draw::<RENDER>(clocks_to_update as usize, hpos, blanks);
            }
            if blanking {
                let end = (old_fp + blanks).min(FB_SIZE);
                if !RENDER {
                    self.mark_unknown(old_fp, end);
                } else if old_fp < end {
                    self.current_fb[old_fp..end].iter_mut().for_each(|p| *p = 0);
                    self.wrote_pixels = true;
                    // The passes drawn next over pixels blanked ahead of the drawing must
                    // paint (the pass just drawn has the blank in its key).
                    self.blanked_until = self.blanked_until.max(end);
                }
                if clocks_to_update + from_start >= HBLANK + 8 {
                    self.hmove_blank_enabled = false;
                }
            }
            if self.clocks_to_end_of_scan_line == 228
                && (self.line_masks_stale || self.m0_cosmic_ark_enabled)
            {
                self.line_masks_stale = false;
                self.pf_mask = (self.ctrlpf & 1) as usize;
                self.p0_mask = pmask(self.posp0, 0, self.nusiz0);
                self.p1_mask = pmask(self.posp1, 0, self.nusiz1);
                if self.m0_cosmic_ark_enabled {
                    const M: [i16; 4] = [18, 33, 0, 17];
                    self.m0_cosmic_ark_counter = (self.m0_cosmic_ark_counter + 1) & 3;
                    self.posm0 -= M[self.m0_cosmic_ark_counter as usize];
                    if self.posm0 >= 160 {
                        self.posm0 -= 160;
                    } else if self.posm0 < 0 {
                        self.posm0 += 160;
                    }
                    if self.m0_cosmic_ark_counter == 1 {
                        let n = self.nusiz0;
                        self.m0_mask = missile_index(
                            (self.posm0 & 3) as usize,
                            (n & 7) as usize,
                            (((n & 0x30) >> 4) | 1) as usize,
                        ) + 160
                            - (self.posm0 as usize & 0xFC);
                    } else if self.m0_cosmic_ark_counter == 2 {
                        self.m0_mask = MISSILE_DISABLED;
                    } else {
                        self.m0_mask = mmask(self.posm0, self.nusiz0);
                    }
                }
            }
            if self.clock_at_last_update >= clock {
                break;
            }
        }
    }

    /// CPU read of a TIA register.
    pub fn peek(&mut self, addr: u16, cycles: u32, data_bus: u8, ports: &impl PortReader) -> u8 {
        let target = self.pending_clock.max(cycles.wrapping_mul(3) as i32);
        if addr & 0x08 == 0 {
            // Collision registers: draw up to now first.
            self.pending_clock = NO_PENDING;
            self.update_frame(target);
        } else {
            // The input ports read nothing drawn: draw later, as for a WSYNC write.
            self.pending_clock = target;
        }
        let noise = data_bus & 0x3F;
        let c = self.collision;
        let bits = |hi: u32, lo: u32| -> u8 {
            (if c & hi != 0 { 0x80 } else { 0 }) | (if c & lo != 0 { 0x40 } else { 0 })
        };
        match addr & 0x0F {
            0x00 => bits(0x0001, 0x0002) | noise,
            0x01 => bits(0x0004, 0x0008) | noise,
            0x02 => bits(0x0010, 0x0020) | noise,
            0x03 => bits(0x0040, 0x0080) | noise,
            0x04 => bits(0x0100, 0x0200) | noise,
            0x05 => bits(0x0400, 0x0800) | noise,
            0x06 => bits(0x1000, 0) | noise,
            0x07 => bits(0x2000, 0x4000) | noise,
            a @ 0x08..=0x0B => {
                let port = ((a - 8) >> 1) as usize;
                let nine = a & 1 == 0;
                let r = ports.analog(port, nine);
                if r == MIN_RESISTANCE {
                    0x80 | noise
                } else if r == MAX_RESISTANCE || self.dump_enabled {
                    noise
                } else {
                    let t = 1.6 * r as f64 * 0.01e-6;
                    let needed = (t * 1.19e6) as u32;
                    if cycles > (self.dump_disabled_cycle as u32).wrapping_add(needed) {
                        0x80 | noise
                    } else {
                        noise
                    }
                }
            }
            0x0C => {
                if ports.fire_high(0) {
                    0x80 | noise
                } else {
                    noise
                }
            }
            0x0D => {
                if ports.fire_high(1) {
                    0x80 | noise
                } else {
                    noise
                }
            }
            _ => noise,
        }
    }

    /// CPU write of a TIA register. `cycles` may be advanced (WSYNC). Returns true when the CPU must stop
    /// (end of frame).
    #[inline(always)]
    pub fn poke(
        &mut self,
        addr: u16,
        value: u8,
        cycles: &mut u32,
        last_access_was_read: bool,
    ) -> bool {
        match self.poke_quiet(addr, value, cycles, last_access_was_read) {
            Some(stop) => stop,
            None => self.poke_loud(addr, value, cycles, last_access_was_read),
        }
    }

    /// [`Tia::poke`] of a write [`Tia::poke_quiet`] did not do.
    #[inline(always)]
    pub(crate) fn poke_loud(
        &mut self,
        addr: u16,
        value: u8,
        cycles: &mut u32,
        last_access_was_read: bool,
    ) -> bool {
        let reg = (addr & 0x3F) as usize;
        if matches!(reg, 0x02 | 0x03 | 0x15..=0x1A | 0x2D..) {
            // Nothing drawn depends on these registers: draw later, in one run with the next
            // update. Their poke delay is 0 and every other register's is >= 0, so the next
            // update's clock is never earlier than this one.
            let clock = cycles.wrapping_mul(3) as i32;
            self.pending_clock = self.pending_clock.max(clock);
            let mut stop = false;
            if self.past_max_scanlines(clock) {
                stop = true;
                self.partial_frame = false;
            }
            if reg == 0x02 && last_access_was_read {
                // WSYNC: the CPU waits for the end of the line.
                *cycles = self.line_end(*cycles);
            }
            stop
        } else if !matches!(reg, 0x06..=0x09 | 0x0B..=0x0F | 0x1B..=0x1F)
            && self.poke_nothing_drawn(reg, value)
        {
            // The registers above are not checked again: the quiet table allows exactly their
            // writes that change nothing (or none, after a load, and the full path is exact
            // for any write). A write of what NUSIZx or CTRLPF already holds, or of a motion
            // register (read only by HMOVE), changes nothing the drawing reads: the draw up to
            // its clock (plus its poke delay) that Stella does here gives the same pixels when
            // done with the next update, which draws at least that far (`pending_clock` is a
            // maximum) before any state the drawing reads changes.
            self.refresh_quiet(reg);
            let clock = cycles.wrapping_mul(3) as i32;
            let target = clock.wrapping_add(self.poke_delay(reg, *cycles));
            self.pending_clock = self.pending_clock.max(target);
            if self.past_max_scanlines(clock) {
                self.partial_frame = false;
                return true;
            }
            false
        } else {
            self.poke_drawn(addr, value, cycles, last_access_was_read)
        }
    }

    /// Whether `clock` is past the last scanline a frame may have (`scanlines > max`, as
    /// Stella's integer division gives it, without the division).
    #[inline(always)]
    fn past_max_scanlines(&self, clock: i32) -> bool {
        clock.wrapping_sub(self.clock_when_frame_started)
            > self.max_scanlines.wrapping_mul(228).wrapping_add(227)
    }

    /// Colour clocks a write to `reg` at CPU cycle `cycles` waits before it takes effect
    /// (`ourPokeDelayTable`, playfield registers by pixel position).
    #[inline(always)]
    fn poke_delay(&self, reg: usize, cycles: u32) -> i32 {
        match POKE_DELAY[reg] {
            -1 => {
                // Stella indexes by `(clock - frame start) % 228 / 3 & 3`, the CPU cycle within
                // the line modulo 4. The frame starts at a multiple of 3 clocks and a line is
                // 76 cycles (a multiple of 4), so that is `cycles - start / 3` modulo 4, and
                // `-start / 3` is `start` modulo 4.
                const D: [i32; 4] = [4, 5, 2, 3];
                D[(cycles.wrapping_add(self.clock_when_frame_started as u32) & 3) as usize]
            }
            d => d as i32,
        }
    }

    /// The cycles at the end of the line at `cycles` (where a WSYNC lets the CPU go on).
    #[inline(never)]
    fn line_end(&self, cycles: u32) -> u32 {
        let line_start = (self.clock_when_frame_started / 3) as u32;
        let to_end = 76 - (cycles.wrapping_sub(line_start) % 76);
        if to_end < 76 {
            cycles.wrapping_add(to_end)
        } else {
            cycles
        }
    }

    /// The playfield bits after a write of `value` to PF0 (0x0D), PF1 (0x0E) or PF2 (0x0F).
    #[inline(always)]
    fn pf_after(&self, reg: usize, value: u8) -> u32 {
        match reg {
            0x0D => (self.pf & 0x000F_FFF0) | ((value as u32 >> 4) & 0x0F),
            0x0E => (self.pf & 0x000F_F00F) | ((value as u32) << 4),
            _ => (self.pf & 0x0000_0FFF) | ((value as u32) << 12),
        }
    }

    /// The colour register value a COLUxx write of `value` stores (PAL colour loss included).
    #[inline(always)]
    fn colour_of(&self, value: u8) -> u8 {
        let mut c = value & 0xFE;
        if self.color_loss && self.scanline_count_for_last_frame & 1 != 0 {
            c |= 1;
        }
        c
    }

    /// HMCLR: every motion register back to 0.
    #[inline(always)]
    fn clear_motion(&mut self) {
        self.hmp0 = 0;
        self.hmp1 = 0;
        self.hmm0 = 0;
        self.hmm1 = 0;
        self.hmbl = 0;
    }

    /// Does the write of `value` to `reg` if it changes nothing the drawing reads (motion
    /// registers, rewrites of the current value) and says so; false (nothing done) otherwise.
    #[inline(always)]
    fn poke_nothing_drawn(&mut self, reg: usize, value: u8) -> bool {
        match reg {
            0x20 => self.hmp0 = value >> 4,
            0x21 => self.hmp1 = value >> 4,
            // (HMM0 is not here: its write may start the Cosmic Ark missile motion.)
            0x23 => self.hmm1 = value >> 4,
            0x24 => self.hmbl = value >> 4,
            0x2B => self.clear_motion(),
            _ => return self.write_changes_nothing(reg, value),
        }
        true
    }

    /// Whether writing `value` to drawn register `reg` leaves every piece of TIA state as it is
    /// (checked for the registers games rewrite every line; false for the others).
    #[inline(always)]
    fn write_changes_nothing(&self, reg: usize, value: u8) -> bool {
        match reg {
            0x04 => {
                value == self.nusiz0
                    && self.p0_mask == pmask(self.posp0, 0, value)
                    && self.m0_mask == mmask(self.posm0, value)
            }
            0x05 => {
                value == self.nusiz1
                    && self.p1_mask == pmask(self.posp1, 0, value)
                    && self.m1_mask == mmask(self.posm1, value)
            }
            0x0A => {
                value == self.ctrlpf
                    && self.pf_priority_and_score == (value & 0x06) << 5
                    && self.pf_mask == (value & 1) as usize
                    && self.bl_mask == bmask(self.posbl, value)
            }
            0x0B => (value & 0x08 != 0) == self.refp0,
            0x0C => (value & 0x08 != 0) == self.refp1,
            0x06 => self.colour_of(value) == self.color.get(P0),
            0x07 => self.colour_of(value) == self.color.get(P1),
            0x08 => self.colour_of(value) == self.color.get(PF),
            0x09 => self.colour_of(value) == self.color.get(BK),
            0x0D..=0x0F => self.pf_after(reg, value) == self.pf,
            // GRP0 also copies GRP1 into its delayed copy; GRP1 copies GRP0 and ENABL.
            0x1B => value == self.grp0 && self.dgrp1 == self.grp1,
            0x1C => value == self.grp1 && self.dgrp0 == self.grp0 && self.denabl == self.enabl,
            0x1D => (value & 0x02 != 0) == self.enam0,
            0x1E => (value & 0x02 != 0) == self.enam1,
            0x1F => (value & 0x02 != 0) == self.enabl,
            _ => false,
        }
    }

    /// [`Tia::poke`] of a register that affects what is drawn.
    #[inline(always)]
    fn poke_drawn(
        &mut self,
        addr: u16,
        value: u8,
        cycles: &mut u32,
        last_access_was_read: bool,
    ) -> bool {
        let addr = (addr & 0x3F) as usize;
        let clock = cycles.wrapping_mul(3) as i32;
        let delay = self.poke_delay(addr, *cycles);
        if matches!(addr, 0x02 | 0x03 | 0x15..=0x1A | 0x2D..) {
            // Nothing drawn depends on these registers: draw later, in one run with the next update.
            // Their poke delay is 0 and every other register's is >= 0, so the next update's clock is
            // never earlier than this one.
            self.pending_clock = self.pending_clock.max(clock);
        } else {
            // A deferred draw may reach further than this write's (a rewrite of the same value
            // with a longer poke delay): both are done before the state changes.
            let target = self.pending_clock.max(clock.wrapping_add(delay));
            self.pending_clock = NO_PENDING;
            self.update_frame(target);
        }
        let mut stop = false;
        if self.past_max_scanlines(clock) {
            stop = true;
            self.partial_frame = false;
        }
        let hpos_of = |s: &Self| clock.wrapping_sub(s.clock_when_frame_started) % 228;
        match addr {
            0x00 => {
                self.vsync = value;
                if self.vsync & 0x02 != 0 {
                    self.vsync_finish_clock = clock.wrapping_add(228);
                } else if clock >= self.vsync_finish_clock {
                    self.vsync_finish_clock = 0x7FFF_FFFF;
                    stop = true;
                    self.partial_frame = false;
                }
            }
            0x01 => {
                if self.vblank & 0x80 == 0 && value & 0x80 != 0 {
                    self.dump_enabled = true;
                }
                if self.vblank & 0x80 != 0 && value & 0x80 == 0 {
                    self.dump_enabled = false;
                    self.dump_disabled_cycle = *cycles as i32;
                }
                self.vblank = value;
            }
            0x02 if last_access_was_read => *cycles = self.line_end(*cycles),
            0x03 => {}
            0x04 => {
                self.nusiz0 = value;
                self.p0_mask = pmask(self.posp0, 0, self.nusiz0);
                self.m0_mask = mmask(self.posm0, self.nusiz0);
            }
            0x05 => {
                self.nusiz1 = value;
                self.p1_mask = pmask(self.posp1, 0, self.nusiz1);
                self.m1_mask = mmask(self.posm1, self.nusiz1);
            }
            0x06..=0x09 => {
                let c = self.colour_of(value);
                let idx = match addr {
                    0x06 => P0,
                    0x07 => P1,
                    0x08 => PF,
                    _ => BK,
                };
                self.color.set(idx, c);
            }
            0x0A => {
                self.ctrlpf = value;
                self.pf_priority_and_score = (value & 0x06) << 5;
                if hpos_of(self) < 68 + 79 {
                    self.pf_mask = (value & 1) as usize;
                } else {
                    self.line_masks_stale = true;
                }
                self.bl_mask = bmask(self.posbl, self.ctrlpf);
            }
            0x0B => {
                let on = value & 0x08 != 0;
                if on != self.refp0 {
                    self.refp0 = on;
                    self.current_grp0 = TABLES.reflect[self.current_grp0 as usize];
                }
            }
            0x0C => {
                let on = value & 0x08 != 0;
                if on != self.refp1 {
                    self.refp1 = on;
                    self.current_grp1 = TABLES.reflect[self.current_grp1 as usize];
                }
            }
            0x0D..=0x0F => {
                self.pf = self.pf_after(addr, value);
                if self.pf == 0 {
                    self.enabled_objects &= !PF_BIT;
                } else {
                    self.enabled_objects |= PF_BIT;
                }
            }
            0x10 | 0x11 => {
                let hpos = hpos_of(self);
                let newx: i16 = if hpos < HBLANK {
                    3
                } else {
                    (((hpos - HBLANK) + 5) % 160) as i16
                };
                let (nusiz, pos) = if addr == 0x10 {
                    (self.nusiz0, self.posp0)
                } else {
                    (self.nusiz1, self.posp1)
                };
                let when = if (0..160).contains(&pos) && (0..160).contains(&newx) {
                    TABLES.reset_when
                        [((nusiz & 7) as usize * 160 + pos as usize) * 160 + newx as usize]
                } else {
                    0
                };
                if when == 1 {
                    self.update_frame(clock.wrapping_add(11));
                }
                let enable = if when == -1 { 0 } else { 1 };
                self.line_masks_stale |= enable != 0;
                self.hmove_masks_stale |= enable != 0;
                let mask = pmask(newx, enable, nusiz);
                if addr == 0x10 {
                    self.posp0 = newx;
                    self.p0_mask = mask;
                } else {
                    self.posp1 = newx;
                    self.p1_mask = mask;
                }
            }
            0x12 => {
                let hpos = hpos_of(self);
                self.posm0 = if hpos < HBLANK {
                    2
                } else {
                    (((hpos - HBLANK) + 4) % 160) as i16
                };
                if clock.wrapping_sub(self.last_hmove_clock) == 20 * 3 && hpos == 69 {
                    self.posm0 = 8;
                }
                self.m0_mask = mmask(self.posm0, self.nusiz0);
            }
            0x13 => {
                let hpos = hpos_of(self);
                self.posm1 = if hpos < HBLANK {
                    2
                } else {
                    (((hpos - HBLANK) + 4) % 160) as i16
                };
                if clock.wrapping_sub(self.last_hmove_clock) == 3 * 3 && hpos == 18 {
                    self.posm1 = 3;
                }
                self.m1_mask = mmask(self.posm1, self.nusiz1);
            }
            0x14 => {
                let hpos = hpos_of(self);
                self.posbl = if hpos < HBLANK {
                    2
                } else {
                    (((hpos - HBLANK) + 4) % 160) as i16
                };
                let since = clock.wrapping_sub(self.last_hmove_clock);
                if since == 18 * 3 && (hpos == 60 || hpos == 69) {
                    self.posbl = 10;
                } else if since == 3 * 3 && hpos == 18 {
                    self.posbl = 3;
                } else if since == 7 * 3 && hpos == 30 {
                    self.posbl = 6;
                } else if since == 6 * 3 && hpos == 27 {
                    self.posbl = 5;
                }
                self.bl_mask = bmask(self.posbl, self.ctrlpf);
            }
            0x15..=0x1A => {} // audio
            0x1B => {
                self.grp0 = value;
                self.dgrp1 = self.grp1;
                self.refresh_grp();
            }
            0x1C => {
                self.grp1 = value;
                self.dgrp0 = self.grp0;
                self.denabl = self.enabl;
                self.refresh_grp();
                self.refresh_ball();
            }
            0x1D => {
                self.enam0 = value & 0x02 != 0;
                self.refresh_m0();
            }
            0x1E => {
                self.enam1 = value & 0x02 != 0;
                self.refresh_m1();
            }
            0x1F => {
                self.enabl = value & 0x02 != 0;
                self.refresh_ball();
            }
            0x20 => self.hmp0 = value >> 4,
            0x21 => self.hmp1 = value >> 4,
            0x22 => {
                let tmp = value >> 4;
                if clock == self.last_hmove_clock.wrapping_add(21 * 3) && self.hmm0 == 7 && tmp == 6
                {
                    self.m0_cosmic_ark_enabled = true;
                    self.hmove_masks_stale = true;
                    self.m0_cosmic_ark_counter = 0;
                }
                self.hmm0 = tmp;
            }
            0x23 => self.hmm1 = value >> 4,
            0x24 => self.hmbl = value >> 4,
            0x25 => {
                self.vdelp0 = value & 1 != 0;
                self.refresh_grp();
            }
            0x26 => {
                self.vdelp1 = value & 1 != 0;
                self.refresh_grp();
            }
            0x27 => {
                self.vdelbl = value & 1 != 0;
                self.refresh_ball();
            }
            0x28 => {
                if self.resmp0 && value & 0x02 == 0 {
                    let middle = match self.nusiz0 & 7 {
                        5 => 8,
                        7 => 16,
                        _ => 4,
                    };
                    self.posm0 = (self.posp0 + middle) % 160;
                    self.m0_mask = mmask(self.posm0, self.nusiz0);
                }
                self.resmp0 = value & 0x02 != 0;
                self.refresh_m0();
            }
            0x29 => {
                if self.resmp1 && value & 0x02 == 0 {
                    let middle = match self.nusiz1 & 7 {
                        5 => 8,
                        7 => 16,
                        _ => 4,
                    };
                    self.posm1 = (self.posp1 + middle) % 160;
                    self.m1_mask = mmask(self.posm1, self.nusiz1);
                }
                self.resmp1 = value & 0x02 != 0;
                self.refresh_m1();
            }
            0x2A => {
                let x = (hpos_of(self) / 3) as usize;
                let x = x.min(75);
                if self.allow_hmove_blanks && hmove_blank_enable(x) {
                    self.hmove_blank_enabled = true;
                }
                // Each object moved; its mask computed again if it moved (or may be stale).
                let motion = &MOTION[x];
                let all = std::mem::take(&mut self.hmove_masks_stale);
                if move_by(&mut self.posbl, motion[(self.hmbl & 15) as usize]) || all {
                    self.bl_mask = bmask(self.posbl, self.ctrlpf);
                }
                if move_by(&mut self.posp0, motion[(self.hmp0 & 15) as usize]) || all {
                    self.p0_mask = pmask(self.posp0, 0, self.nusiz0);
                }
                if move_by(&mut self.posp1, motion[(self.hmp1 & 15) as usize]) || all {
                    self.p1_mask = pmask(self.posp1, 0, self.nusiz1);
                }
                if move_by(&mut self.posm0, motion[(self.hmm0 & 15) as usize]) || all {
                    self.m0_mask = mmask(self.posm0, self.nusiz0);
                }
                if move_by(&mut self.posm1, motion[(self.hmm1 & 15) as usize]) || all {
                    self.m1_mask = mmask(self.posm1, self.nusiz1);
                }
                self.last_hmove_clock = clock;
                self.m0_cosmic_ark_enabled = false;
            }
            0x2B => self.clear_motion(),
            0x2C => self.collision = 0,
            _ => {}
        }
        self.refresh_quiet(addr);
        stop
    }

    /// [`Tia::poke`] of a value that changes nothing the drawing reads, by the table of quiet
    /// writes: the draw Stella does up to the write's clock (plus its poke delay) is left to the
    /// next update, which draws at least that far (`pending_clock` is a maximum) before any
    /// state the drawing reads changes. A WSYNC (`last_access_was_read`) moves `cycles` to the
    /// end of the line. Returns whether the CPU must stop (past the last scanline), or `None`
    /// (nothing done) if the write is not a quiet one.
    #[inline(always)]
    pub(crate) fn poke_quiet(
        &mut self,
        addr: u16,
        value: u8,
        cycles: &mut u32,
        last_access_was_read: bool,
    ) -> Option<bool> {
        let reg = (addr & 0x3F) as usize;
        let quiet = self.quiet.0[reg];
        if !quiet.allows(value) {
            return None;
        }
        let clock = cycles.wrapping_mul(3) as i32;
        let delay = self.poke_delay(reg, *cycles);
        self.pending_clock = self.pending_clock.max(clock.wrapping_add(delay));
        let stop = self.past_max_scanlines(clock);
        if stop {
            self.partial_frame = false;
        }
        if quiet.waits_for_line_end() && last_access_was_read {
            *cycles = self.line_end(*cycles);
        }
        Some(stop)
    }

    /// The quiet writes of `reg` as the registers stand.
    #[inline(always)]
    fn quiet_writes_of(&self, reg: usize) -> QuietWrite {
        let bit = |on: bool, b: u8| QuietWrite::new(b, if on { b } else { 0 });
        let colour = |idx: usize| {
            let c = self.color.get(idx);
            // A write stores `value & 0xFE` plus the colour loss bit.
            if self.colour_of(0) == c & 1 {
                QuietWrite::new(0xFE, c)
            } else {
                QuietWrite::NONE
            }
        };
        let motion = |hm: u8| QuietWrite::new(0xF0, hm << 4);
        match reg {
            // WSYNC halts the CPU (after a read) and draws nothing.
            0x02 => QuietWrite::WSYNC,
            // Nothing drawn reads RSYNC, the audio registers and the unused addresses.
            0x03 | 0x15..=0x1A | 0x2D..=0x3F => QuietWrite::new(0, 0),
            0x06 => colour(P0),
            0x07 => colour(P1),
            0x08 => colour(PF),
            0x09 => colour(BK),
            0x0B => bit(self.refp0, 0x08),
            0x0C => bit(self.refp1, 0x08),
            0x0D => QuietWrite::new(0xF0, ((self.pf & 0x0F) << 4) as u8),
            0x0E => QuietWrite::new(0xFF, (self.pf >> 4) as u8),
            0x0F => QuietWrite::new(0xFF, (self.pf >> 12) as u8),
            // GRP0 also copies GRP1 into its delayed copy; GRP1 copies GRP0 and ENABL.
            0x1B if self.dgrp1 == self.grp1 => QuietWrite::new(0xFF, self.grp0),
            0x1C if self.dgrp0 == self.grp0 && self.denabl == self.enabl => {
                QuietWrite::new(0xFF, self.grp1)
            }
            0x1D => bit(self.enam0, 0x02),
            0x1E => bit(self.enam1, 0x02),
            0x1F => bit(self.enabl, 0x02),
            // The motion registers are read by HMOVE only (a rewrite of HMM0's value cannot
            // start the Cosmic Ark motion, which needs 7 then 6).
            0x20 => motion(self.hmp0),
            0x21 => motion(self.hmp1),
            0x22 => motion(self.hmm0),
            0x23 => motion(self.hmm1),
            0x24 => motion(self.hmbl),
            0x2B if self.hmp0 | self.hmp1 | self.hmm0 | self.hmm1 | self.hmbl == 0 => {
                QuietWrite::new(0, 0)
            }
            _ => QuietWrite::NONE,
        }
    }

    /// Updates the quiet writes that depend on what a write to `reg` changed.
    #[inline(always)]
    fn refresh_quiet(&mut self, reg: usize) {
        match reg {
            0x06..=0x09 | 0x0B..=0x0F | 0x1D | 0x1E => {
                self.quiet.0[reg] = self.quiet_writes_of(reg);
            }
            0x1B | 0x1C | 0x1F => {
                for r in [0x1B, 0x1C, 0x1F] {
                    self.quiet.0[r] = self.quiet_writes_of(r);
                }
            }
            // A motion register's own writes and HMCLR's (quiet when every one is 0).
            0x20..=0x24 => {
                self.quiet.0[reg] = self.quiet_writes_of(reg);
                self.quiet.0[0x2B] = self.quiet_writes_of(0x2B);
            }
            0x2B => {
                for r in [0x20, 0x21, 0x22, 0x23, 0x24, 0x2B] {
                    self.quiet.0[r] = self.quiet_writes_of(r);
                }
            }
            _ => {}
        }
    }

    /// Recomputes every register's quiet writes.
    fn refresh_quiet_all(&mut self) {
        for reg in 0..64 {
            self.quiet.0[reg] = self.quiet_writes_of(reg);
        }
    }

    fn refresh_grp(&mut self) {
        let g0 = if self.vdelp0 { self.dgrp0 } else { self.grp0 };
        self.current_grp0 = if self.refp0 {
            TABLES.reflect[g0 as usize]
        } else {
            g0
        };
        let g1 = if self.vdelp1 { self.dgrp1 } else { self.grp1 };
        self.current_grp1 = if self.refp1 {
            TABLES.reflect[g1 as usize]
        } else {
            g1
        };
        self.set_bit(P0_BIT, self.current_grp0 != 0);
        self.set_bit(P1_BIT, self.current_grp1 != 0);
    }

    fn refresh_ball(&mut self) {
        let on = if self.vdelbl { self.denabl } else { self.enabl };
        self.set_bit(BL_BIT, on);
    }

    fn refresh_m0(&mut self) {
        self.set_bit(M0_BIT, self.enam0 && !self.resmp0);
    }

    fn refresh_m1(&mut self) {
        self.set_bit(M1_BIT, self.enam1 && !self.resmp1);
    }

    #[inline]
    fn set_bit(&mut self, bit: u8, on: bool) {
        if on {
            self.enabled_objects |= bit;
        } else {
            self.enabled_objects &= !bit;
        }
    }
}

impl Default for Tia {
    fn default() -> Self {
        Tia::new()
    }
}

#[cfg(test)]
mod priority_tests {
    use super::*;

    #[test]
    fn priority_steps_match_stellas_priority_table() {
        let colours = [10, 11, 12, 13];
        for ps in [0, SCORE_BIT, PRIORITY_BIT, SCORE_BIT | PRIORITY_BIT] {
            for (right, side_colour) in [(false, colours[P0]), (true, colours[P1])] {
                let steps = priority_steps(ps, colours, side_colour);
                for objects in 0..64u8 {
                    let painted = steps.iter().fold(colours[BK], |c, &(mask, colour)| {
                        if objects & mask != 0 { colour } else { c }
                    });
                    let register = TABLES.priority[usize::from(right)][(objects | ps) as usize];
                    assert_eq!(
                        painted, colours[register as usize],
                        "objects {objects:06b}, priority/score {ps:#04x}, right half {right}"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod quiet_write_tests {
    use super::*;

    /// Whether a write of `value` to `reg` leaves the registers the drawing reads as they are
    /// (the registers nothing drawn reads: always).
    fn changes_nothing(tia: &Tia, reg: usize, value: u8) -> bool {
        let hm = [tia.hmp0, tia.hmp1, tia.hmm0, tia.hmm1, tia.hmbl];
        match reg {
            0x02 | 0x03 | 0x15..=0x1A | 0x2D.. => true,
            0x20..=0x24 => hm[reg - 0x20] == value >> 4,
            0x2B => hm == [0; 5],
            _ => tia.write_changes_nothing(reg, value),
        }
    }

    /// A xorshift64 generator of test inputs.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn quiet_writes_are_exactly_the_writes_that_change_nothing() {
        let mut tia = Tia::new();
        tia.reset(0, false, true, 34, 210);
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15u64);
        // Registers the table covers, plus ones whose writes change what it depends on.
        const REGS: [usize; 25] = [
            0x06, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
            0x25, 0x26, 0x27, 0x16, 0x20, 0x21, 0x22, 0x23, 0x24, 0x2B, 0x02,
        ];
        let mut cycles = 0u32;
        let mut quiet_seen = 0;
        for step in 0..4000 {
            let r = next();
            let reg = REGS[(r % REGS.len() as u64) as usize];
            // Small values, so that rewrites of the current value are common.
            let value = (r >> 8) as u8 & if step % 2 == 0 { 0x0A } else { 0xFF };
            cycles += 3 + (r >> 20) as u32 % 20;
            tia.poke(reg as u16, value, &mut cycles, true);
            let mut fresh = tia.clone();
            fresh.refresh_quiet_all();
            for reg in 0..64 {
                assert_eq!(
                    tia.quiet.0[reg], fresh.quiet.0[reg],
                    "register {reg:#04x}: stale"
                );
                for value in 0..=255u8 {
                    let quiet = tia.quiet.0[reg].allows(value);
                    quiet_seen += usize::from(quiet);
                    if !matches!(reg, 0x04 | 0x05 | 0x0A | 0x10..=0x14 | 0x25..=0x2A | 0x2C) {
                        assert_eq!(
                            quiet,
                            changes_nothing(&tia, reg, value),
                            "register {reg:#04x}, value {value:#04x}"
                        );
                    } else {
                        assert!(!quiet, "register {reg:#04x} is never quiet in the table");
                    }
                }
            }
        }
        assert!(quiet_seen > 0);
    }

    /// After random writes of the registers that move objects or change their masks, over
    /// many lines: a mask a flag says is current equals what its position gives, and a
    /// loaded TIA says none is.
    #[test]
    fn masks_are_what_positions_give_unless_flagged_stale() {
        let mut tia = Tia::new();
        tia.reset(0, false, true, 34, 210);
        tia.start_frame_post(0);
        let mut next = xorshift(0x2545_F491_4F6C_DD1Du64);
        // NUSIZ, CTRLPF, RESxx, HMxx, HMOVE, HMCLR, RESMPx.
        const REGS: [usize; 20] = [
            0x04, 0x05, 0x0A, 0x10, 0x11, 0x12, 0x13, 0x14, 0x20, 0x21, 0x22, 0x23, 0x24, 0x2A,
            0x2A, 0x2A, 0x2B, 0x28, 0x29, 0x02,
        ];
        let (mut cycles, mut checked) = (0u32, [0usize; 2]);
        for _ in 0..6000 {
            let r = next();
            let reg = REGS[(r % REGS.len() as u64) as usize];
            cycles += 3 + (r >> 20) as u32 % 40;
            if cycles > 262 * 76 {
                break;
            }
            tia.poke(reg as u16, (r >> 8) as u8, &mut cycles, true);
            tia.flush();
            if !tia.line_masks_stale {
                checked[0] += 1;
                assert_eq!(tia.pf_mask, (tia.ctrlpf & 1) as usize);
                assert_eq!(tia.p0_mask, pmask(tia.posp0, 0, tia.nusiz0));
                assert_eq!(tia.p1_mask, pmask(tia.posp1, 0, tia.nusiz1));
            }
            if !tia.hmove_masks_stale {
                checked[1] += 1;
                assert_eq!(tia.bl_mask, bmask(tia.posbl, tia.ctrlpf));
                assert_eq!(tia.p0_mask, pmask(tia.posp0, 0, tia.nusiz0));
                assert_eq!(tia.p1_mask, pmask(tia.posp1, 0, tia.nusiz1));
                assert_eq!(tia.m0_mask, mmask(tia.posm0, tia.nusiz0));
                assert_eq!(tia.m1_mask, mmask(tia.posm1, tia.nusiz1));
            }
        }
        assert!(checked[0] > 100 && checked[1] > 100, "{checked:?}");
        let bytes = postcard::to_allocvec(&tia).expect("serializes");
        let loaded: Tia = postcard::from_bytes(&bytes).expect("deserializes");
        assert!(loaded.line_masks_stale && loaded.hmove_masks_stale);
    }

    #[test]
    fn a_loaded_tia_has_no_quiet_writes_until_the_next_frame() {
        let mut tia = Tia::new();
        tia.reset(0, false, true, 34, 210);
        assert!(tia.quiet.0[0x0D].allows(0));
        let bytes = postcard::to_allocvec(&tia).expect("serializes");
        let mut loaded: Tia = postcard::from_bytes(&bytes).expect("deserializes");
        assert!(
            loaded
                .quiet
                .0
                .iter()
                .all(|q| (0..=255).all(|v| !q.allows(v)))
        );
        loaded.start_frame_post(0);
        assert!(loaded.quiet.0[0x0D].allows(0));
    }
}
