//! gymnasium's `AtariPreprocessing` (+ frame stacking) on an [`Ale`], allocation-free
//! per step.
//!
//! Per step: the action repeats `frame_skip` times (rewards summed, stopping early on
//! termination or truncation); the screens of the last two frames are max-pooled, then
//! resized with OpenCV's `INTER_AREA` ([`AreaResize`], bit-exact with `cv2.resize`), and
//! pushed onto a stack of the last `frame_stack` observations. Reset plays 1..=`noop_max`
//! NOOPs (drawn from this wrapper's own mt19937, not numpy's generator).

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::env::Ale;
use crate::error::AleError;
use crate::rng::Mt19937;

/// One entry of an `INTER_AREA` weight table: source index, destination index, weight.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct AreaWeight {
    src: usize,
    dst: usize,
    alpha: f32,
}

/// OpenCV's area-table construction (`computeResizeAreaTab`): destination cell `d`
/// covers source `[d s, (d + 1) s)`; partial source pixels get fractional weights,
/// normalised by the cell width.
fn area_table(src_len: usize, dst_len: usize, channels: usize, scale: f64) -> Vec<AreaWeight> {
    let mut tab = Vec::with_capacity(src_len * 2);
    let ssize = src_len as i64;
    for d in 0..dst_len {
        let f1 = d as f64 * scale;
        let f2 = f1 + scale;
        let cell = scale.min(src_len as f64 - f1);
        let mut s2 = f2.floor() as i64;
        s2 = s2.min(ssize - 1);
        let s1 = (f1.ceil() as i64).min(s2);
        let dst = d * channels;
        if s1 as f64 - f1 > 1e-3 {
            tab.push(AreaWeight {
                src: (s1 - 1) as usize * channels,
                dst,
                alpha: ((s1 as f64 - f1) / cell) as f32,
            });
        }
        for s in s1..s2 {
            tab.push(AreaWeight {
                src: s as usize * channels,
                dst,
                alpha: (1.0 / cell) as f32,
            });
        }
        if f2 - s2 as f64 > 1e-3 {
            tab.push(AreaWeight {
                src: s2 as usize * channels,
                dst,
                alpha: ((f2 - s2 as f64).min(1.0).min(cell) / cell) as f32,
            });
        }
    }
    tab
}

/// `saturate_cast<uchar>(float)`: round half to even, clamp to 0..=255.
#[inline]
fn saturate_u8(v: f32) -> u8 {
    // Adding and subtracting 2^23 rounds a float in [0, 2^22] to an integer, half to even
    // (IEEE round-to-nearest), with no libm call (`round_ties_even` is one on baseline
    // x86-64). Values outside saturate anyway; NaN gives 0 as `saturate_cast` does.
    const MAGIC: f32 = 8_388_608.0;
    let v = v.clamp(0.0, 4_194_304.0);
    ((v + MAGIC) - MAGIC).min(255.0) as u8
}

/// A weight table regrouped per destination: every destination gets the same number of taps
/// (the most any has), in table order, padded with weight-0 taps of source 0. Summing a
/// destination's taps from its first one gives exactly the float result of accumulating its
/// table entries into 0 (every term is >= 0, and adding `0.0 * v = +0.0` changes nothing).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Taps {
    /// Taps per destination.
    per: usize,
    /// `per` source offsets per destination.
    src: Vec<usize>,
    /// `per` weights per destination.
    alpha: Vec<f32>,
}

impl Taps {
    fn new(tab: &[AreaWeight], dst_len: usize, channels: usize) -> Taps {
        let mut lists: Vec<Vec<(usize, f32)>> = vec![Vec::new(); dst_len];
        for w in tab {
            if let Some(list) = lists.get_mut(w.dst / channels) {
                list.push((w.src, w.alpha));
            }
        }
        let per = lists.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut taps = Taps {
            per,
            src: Vec::with_capacity(dst_len * per),
            alpha: Vec::with_capacity(dst_len * per),
        };
        for list in &lists {
            for i in 0..per {
                let (src, alpha) = list.get(i).copied().unwrap_or((0, 0.0));
                taps.src.push(src);
                taps.alpha.push(alpha);
            }
        }
        taps
    }
}

/// OpenCV `cv2.resize(..., interpolation=cv2.INTER_AREA)` for `u8` images with 1..=4
/// interleaved channels, downscaling only. Weight tables and work buffers are built
/// once, so [`AreaResize::resize`] does not allocate (but for its first call after being
/// built or deserialized).
///
/// Consecutive images of a game share most of their rows, so the resizer keeps the last
/// source image, the horizontal pass of each of its rows and the last output: a source row
/// equal to last time's keeps its horizontal pass, and an output row whose source rows are
/// all unchanged is copied. The result is the same as computing everything (the same float
/// operations on the same bytes).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AreaResize {
    src_w: usize,
    src_h: usize,
    dst_w: usize,
    dst_h: usize,
    channels: usize,
    /// Integer scales: OpenCV's fast path (plain block averages).
    fast: Option<(usize, usize)>,
    xtab: Vec<AreaWeight>,
    /// `xtab` grouped by destination, so each output sums in a register.
    xtaps: Taps,
    ytab: Vec<AreaWeight>,
    /// Per destination row, its entries of `ytab` (which lists destinations in order).
    yrows: Vec<(usize, usize)>,
    sum: Vec<f32>,
    /// What the last call left, reused by the next.
    #[serde(skip)]
    last: LastImage,
}

/// The last image an [`AreaResize`] resized (empty before the first call).
#[derive(Clone, Debug, Default)]
struct LastImage {
    /// The source image.
    src: Vec<u8>,
    /// The horizontal pass of each source row, `dst_w * channels` values per row.
    rows: Vec<f32>,
    /// Whether each source row differs from the last call's.
    changed: Vec<bool>,
    /// The output image.
    dst: Vec<u8>,
    /// The horizontal taps tap-major: `tap_src[k * width + o]` is the source byte of output
    /// value `o`'s `k`-th tap (channel included), `tap_alpha` its weight.
    tap_src: Vec<u32>,
    tap_alpha: Vec<f32>,
    /// One source row as floats.
    line: Vec<f32>,
}

impl LastImage {
    /// Sizes the buffers for `resize` (its first call) and marks every row changed.
    fn start(&mut self, resize: &AreaResize, src: &[u8], dst_len: usize) {
        let width = resize.dst_w * resize.channels;
        let taps = &resize.xtaps;
        self.src = src.to_vec();
        self.rows = vec![0.0; resize.src_h * width];
        self.changed = vec![true; resize.src_h];
        self.dst = vec![0; dst_len];
        self.line = vec![0.0; resize.src_w * resize.channels];
        self.tap_src = Vec::with_capacity(taps.per * width);
        self.tap_alpha = Vec::with_capacity(taps.per * width);
        for k in 0..taps.per {
            for o in 0..width {
                let (dst, c) = (o / resize.channels, o % resize.channels);
                self.tap_src.push((taps.src[dst * taps.per + k] + c) as u32);
                self.tap_alpha.push(taps.alpha[dst * taps.per + k]);
            }
        }
    }
}

impl AreaResize {
    /// A resizer from `src_w x src_h` to `dst_w x dst_h` with `channels` channels.
    pub fn new(
        src_w: usize,
        src_h: usize,
        dst_w: usize,
        dst_h: usize,
        channels: usize,
    ) -> Result<Self, AleError> {
        if !(1..=4).contains(&channels) {
            return Err(AleError::Config(format!(
                "INTER_AREA resize supports 1..=4 channels, got {channels}"
            )));
        }
        if dst_w == 0 || dst_h == 0 || dst_w > src_w || dst_h > src_h {
            return Err(AleError::Config(format!(
                "INTER_AREA resize only downscales: {src_w}x{src_h} -> {dst_w}x{dst_h}"
            )));
        }
        // OpenCV's scale is 1 / (dst / src), computed in this order.
        let scale_x = 1.0 / (dst_w as f64 / src_w as f64);
        let scale_y = 1.0 / (dst_h as f64 / src_h as f64);
        let ix = scale_x.round();
        let iy = scale_y.round();
        let fast = ((scale_x - ix).abs() < f64::EPSILON && (scale_y - iy).abs() < f64::EPSILON)
            .then_some((ix as usize, iy as usize));
        let ytab = area_table(src_h, dst_h, 1, scale_y);
        Ok(Self {
            src_w,
            src_h,
            dst_w,
            dst_h,
            channels,
            fast,
            xtaps: Taps::new(
                &area_table(src_w, dst_w, channels, scale_x),
                dst_w,
                channels,
            ),
            xtab: area_table(src_w, dst_w, channels, scale_x),
            yrows: rows_of(&ytab, dst_h),
            ytab,
            sum: vec![0.0; dst_w * channels],
            last: LastImage::default(),
        })
    }

    /// Source and destination sizes in bytes.
    pub fn sizes(&self) -> (usize, usize) {
        (
            self.src_w * self.src_h * self.channels,
            self.dst_w * self.dst_h * self.channels,
        )
    }

    /// Resizes `src` (row-major, interleaved) into `dst`.
    pub fn resize(&mut self, src: &[u8], dst: &mut [u8]) -> Result<(), AleError> {
        let (ns, nd) = self.sizes();
        if src.len() != ns || dst.len() != nd {
            return Err(AleError::Config(format!(
                "resize buffers have {} and {} bytes, expected {ns} and {nd}",
                src.len(),
                dst.len()
            )));
        }
        match self.fast {
            Some((sx, sy)) => self.resize_fast(src, dst, sx, sy),
            None => self.resize_area(src, dst),
        }
        Ok(())
    }

    fn resize_fast(&self, src: &[u8], dst: &mut [u8], sx: usize, sy: usize) {
        let cn = self.channels;
        let row = self.src_w * cn;
        let area = (sx * sy) as u32;
        let scale = 1.0f32 / area as f32;
        for dy in 0..self.dst_h {
            for dx in 0..self.dst_w {
                for c in 0..cn {
                    let mut total = 0u32;
                    for y in dy * sy..dy * sy + sy {
                        for x in dx * sx..dx * sx + sx {
                            total += u32::from(src[y * row + x * cn + c]);
                        }
                    }
                    // OpenCV's SIMD 2x2 path rounds half up; the generic path rounds
                    // half to even.
                    dst[(dy * self.dst_w + dx) * cn + c] = if sx == 2 && sy == 2 {
                        ((total + 2) >> 2) as u8
                    } else {
                        saturate_u8(total as f32 * scale)
                    };
                }
            }
        }
    }

    fn resize_area(&mut self, src: &[u8], dst: &mut [u8]) {
        let width = self.dst_w * self.channels;
        let row = self.src_w * self.channels;
        // The first call (after construction or deserialization) has nothing to reuse.
        let fresh = self.last.src.len() != src.len();
        if fresh {
            let mut last = std::mem::take(&mut self.last);
            last.start(self, src, dst.len());
            self.last = last;
        }
        let last = &mut self.last;
        // The horizontal pass of each source row that changed since the last call.
        for (sy, line) in src.chunks_exact(row).enumerate() {
            let kept = &mut last.src[sy * row..(sy + 1) * row];
            let changed = fresh || line != &kept[..];
            last.changed[sy] = changed;
            if !changed {
                continue;
            }
            kept.copy_from_slice(line);
            // Atari screens repeat lines: a row equal to the one above has its pass.
            if sy > 0 && line == &src[(sy - 1) * row..sy * row] {
                last.rows
                    .copy_within((sy - 1) * width..sy * width, sy * width);
            } else {
                for (f, &v) in last.line.iter_mut().zip(line) {
                    *f = f32::from(v);
                }
                horizontal_pass(
                    &last.tap_src,
                    &last.tap_alpha,
                    &last.line,
                    &mut last.rows[sy * width..(sy + 1) * width],
                );
            }
        }
        // The vertical pass of each output row with a changed source row: the weighted rows
        // summed in table order (as OpenCV accumulates them).
        for (dy, &(start, end)) in self.yrows.iter().enumerate() {
            let entries = &self.ytab[start..end];
            let out = &mut last.dst[dy * width..(dy + 1) * width];
            if !entries.iter().any(|w| last.changed[w.src]) {
                dst[dy * width..(dy + 1) * width].copy_from_slice(out);
                continue;
            }
            for (k, w) in entries.iter().enumerate() {
                let pass = &last.rows[w.src * width..(w.src + 1) * width];
                let beta = w.alpha;
                if k == 0 {
                    for (s, b) in self.sum.iter_mut().zip(pass) {
                        *s = beta * b;
                    }
                } else {
                    for (s, b) in self.sum.iter_mut().zip(pass) {
                        *s += beta * b;
                    }
                }
            }
            for (o, s) in out.iter_mut().zip(&self.sum) {
                *o = saturate_u8(*s);
            }
            dst[dy * width..(dy + 1) * width].copy_from_slice(out);
        }
    }
}

/// The horizontal `INTER_AREA` pass of one source row (as floats) with tap-major tables
/// (see [`LastImage`]): each output is its taps' weighted values summed in table order, the
/// same float operations as accumulating the table into zeros.
fn horizontal_pass(tap_src: &[u32], tap_alpha: &[f32], line: &[f32], out: &mut [f32]) {
    let width = out.len();
    let mut taps = tap_src
        .chunks_exact(width)
        .zip(tap_alpha.chunks_exact(width));
    let Some((src, alpha)) = taps.next() else {
        return;
    };
    for ((o, &s), &a) in out.iter_mut().zip(src).zip(alpha) {
        *o = line[s as usize] * a;
    }
    for (src, alpha) in taps {
        for ((o, &s), &a) in out.iter_mut().zip(src).zip(alpha) {
            *o += line[s as usize] * a;
        }
    }
}

/// Per destination, the range of its entries in a table that lists destinations in order.
fn rows_of(tab: &[AreaWeight], dst_len: usize) -> Vec<(usize, usize)> {
    (0..dst_len)
        .map(|d| {
            let start = tab.partition_point(|w| w.dst < d);
            let end = tab.partition_point(|w| w.dst <= d);
            (start, end)
        })
        .collect()
}

/// Settings of [`AtariPreprocessing`] (gymnasium's defaults, plus frame stacking).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PreprocessConfig {
    /// Reset plays a uniform 1..=`noop_max` NOOPs (0 disables).
    pub noop_max: u32,
    /// Frames per step (the underlying [`Ale`] must use `frame_skip = 1`).
    pub frame_skip: u32,
    /// Observation side length (84).
    pub screen_size: usize,
    /// Report `terminated` when a life is lost.
    pub terminal_on_life_loss: bool,
    /// Grayscale (one channel) instead of RGB (three).
    pub grayscale: bool,
    /// Observations stacked (1 = no stacking).
    pub frame_stack: usize,
    /// Use all 18 actions instead of the minimal set.
    pub full_action_space: bool,
    /// Seed of the NOOP-count generator.
    pub seed: u32,
    /// Draw the screen of every emulated frame. By default (false) a step of `frame_skip >= 3`
    /// emulates its first `frame_skip - 2` frames without drawing them (no observation uses
    /// their pixels), a reset (with `noop_max >= 1`) draws only its last two NOOP frames, and
    /// each checks that the two observed screens are nevertheless exact; when
    /// they are not (a frame ended early and left pixels of an undrawn frame on screen, rare)
    /// the step is replayed from a snapshot with every frame drawn. Observations, rewards and
    /// the emulator state are identical either way; true only costs time.
    pub draw_all_frames: bool,
}

impl Default for PreprocessConfig {
    fn default() -> Self {
        Self {
            noop_max: 30,
            frame_skip: 4,
            screen_size: 84,
            terminal_on_life_loss: false,
            grayscale: true,
            frame_stack: 4,
            full_action_space: false,
            seed: 0,
            draw_all_frames: false,
        }
    }
}

/// The outcome of one preprocessed step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// Rewards summed over the skipped frames.
    pub reward: i64,
    /// The game is over (or a life was lost, with `terminal_on_life_loss`).
    pub terminated: bool,
    /// The episode was truncated (frame budget).
    pub truncated: bool,
    /// A life was lost during this step (reported with or without `terminal_on_life_loss`):
    /// agents that follow Dopamine's Atari protocol treat the step as terminal while the
    /// game goes on.
    pub life_lost: bool,
}

/// gymnasium's `AtariPreprocessing` followed by frame stacking, for one environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AtariPreprocessing {
    ale: Ale,
    config: PreprocessConfig,
    actions: Vec<Action>,
    channels: usize,
    screens: [Vec<u8>; 2],
    frame: Vec<u8>,
    stack: Vec<u8>,
    resize: AreaResize,
    rng: Mt19937,
    lives: i32,
    game_over: bool,
    /// The environment before the current step but for its frame buffers, for replaying a
    /// step whose undrawn frames left an observed screen inexact (allocated at the first
    /// step, then reused).
    #[serde(skip)]
    snapshot: Option<Box<Ale>>,
}

impl AtariPreprocessing {
    /// Wraps `ale` (built with `frame_skip = 1`).
    pub fn new(ale: Ale, config: PreprocessConfig) -> Result<Self, AleError> {
        if ale.config().frame_skip != 1 {
            return Err(AleError::Config(
                "AtariPreprocessing needs the Ale built with frame_skip = 1".to_string(),
            ));
        }
        if config.frame_skip == 0 || config.frame_stack == 0 || config.screen_size == 0 {
            return Err(AleError::Config(
                "frame_skip, frame_stack and screen_size must be positive".to_string(),
            ));
        }
        let channels = if config.grayscale { 1 } else { 3 };
        let (w, h) = (ale.width(), ale.height());
        let size = config.screen_size;
        let resize = AreaResize::new(w, h, size, size, channels)?;
        let frame_len = size * size * channels;
        let actions = if config.full_action_space {
            ale.legal_actions()
        } else {
            ale.minimal_actions()
        };
        Ok(Self {
            rng: Mt19937::new(config.seed),
            screens: [vec![0; w * h * channels], vec![0; w * h * channels]],
            frame: vec![0; frame_len],
            stack: vec![0; frame_len * config.frame_stack],
            resize,
            channels,
            actions,
            ale,
            config,
            lives: 0,
            game_over: false,
            snapshot: None,
        })
    }

    /// The actions a step index refers to (minimal set unless `full_action_space`).
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The wrapped environment.
    pub fn ale(&self) -> &Ale {
        &self.ale
    }

    /// Observation shape: `[frame_stack, screen_size, screen_size, channels]`.
    pub fn observation_shape(&self) -> [usize; 4] {
        let s = self.config.screen_size;
        [self.config.frame_stack, s, s, self.channels]
    }

    /// The stacked observation, oldest frame first.
    pub fn observation(&self) -> &[u8] {
        &self.stack
    }

    /// The stacked observation scaled to `[0, 1]` (gymnasium's `scale_obs=True`:
    /// `value / 255` in `f32`) written into `out`, which must hold
    /// `observation().len()` values.
    pub fn observation_f32_into(&self, out: &mut [f32]) -> Result<(), AleError> {
        if out.len() != self.stack.len() {
            return Err(AleError::Config(format!(
                "observation buffer holds {} values, expected {}",
                out.len(),
                self.stack.len()
            )));
        }
        for (o, &v) in out.iter_mut().zip(&self.stack) {
            *o = f32::from(v) / 255.0;
        }
        Ok(())
    }

    /// Whether the game itself is over (as opposed to a life lost).
    pub fn game_over(&self) -> bool {
        self.game_over
    }

    /// ALE's grayscale of each palette index (`getScreenGrayscale`).
    fn gray_table(&self) -> [u8; 256] {
        let pal = self.ale.is_pal();
        std::array::from_fn(|i| stella::palette::gray(i as u8, pal))
    }

    fn grab(&mut self, slot: usize) {
        if self.channels == 1 {
            let lut = self.gray_table();
            let width = self.ale.width();
            let screen = self.ale.screen();
            let buf = &mut self.screens[slot];
            buf.resize(screen.len(), 0);
            for y in 0..screen.len() / width {
                let row = y * width..(y + 1) * width;
                // Atari screens repeat lines: a repeated row's gray values are the last row's.
                if y > 0 && screen[row.clone()] == screen[row.start - width..row.start] {
                    buf.copy_within(row.start - width..row.start, row.start);
                } else {
                    for (o, &i) in buf[row.clone()].iter_mut().zip(&screen[row]) {
                        *o = lut[usize::from(i)];
                    }
                }
            }
        } else {
            self.ale.screen_rgb_into(&mut self.screens[slot]);
        }
    }

    /// `grab(0)` and the max-pool of `pool_and_resize` in one pass (grayscale only).
    fn grab_pooled(&mut self) {
        let lut = self.gray_table();
        let width = self.ale.width();
        let screen = self.ale.screen();
        let [a, b] = &mut self.screens;
        a.resize(screen.len(), 0);
        for y in 0..screen.len() / width {
            let row = y * width..(y + 1) * width;
            let prev = row.start.saturating_sub(width)..row.start;
            if y > 0
                && screen[row.clone()] == screen[prev.clone()]
                && b[row.clone()] == b[prev.clone()]
            {
                a.copy_within(prev, row.start);
            } else {
                for ((o, &i), &g) in a[row.clone()]
                    .iter_mut()
                    .zip(&screen[row.clone()])
                    .zip(&b[row])
                {
                    *o = lut[usize::from(i)].max(g);
                }
            }
        }
    }

    fn uniform_noops(&mut self) -> u32 {
        let n = self.config.noop_max;
        if n == 0 {
            return 0;
        }
        let limit = (1u64 << 32) / u64::from(n) * u64::from(n);
        loop {
            let v = u64::from(self.rng.next_u32());
            if v < limit {
                return (v % u64::from(n)) as u32 + 1;
            }
        }
    }

    /// `env.step` of the frame-skip-1 Atari env.
    fn base_step(&mut self, action: Action, strength: f32) -> (i32, bool, bool) {
        let r = self.ale.act(action, strength);
        (r, self.ale.game_over(false), self.ale.truncated())
    }

    fn pool_and_resize(&mut self) -> Result<(), AleError> {
        self.pool();
        self.resize.resize(&self.screens[0], &mut self.frame)
    }

    /// gymnasium's in-place max-pool: `screens[0] = max(screens[0], screens[1])`.
    fn pool(&mut self) {
        if self.config.frame_skip > 1 {
            let [a, b] = &mut self.screens;
            for (x, y) in a.iter_mut().zip(b.iter()) {
                *x = (*x).max(*y);
            }
        }
    }

    /// Resets: a new episode, random NOOPs, and a stack filled with the first frame.
    ///
    /// Unless `draw_all_frames`, only the last two NOOP frames are drawn (the reset sequence
    /// before them is not observed), with the same exactness check and replay as a step.
    pub fn reset(&mut self) -> Result<&[u8], AleError> {
        let lazy = !self.config.draw_all_frames && self.config.noop_max >= 1;
        if lazy {
            self.save_snapshot();
        }
        let noops = self.reset_frames(None, lazy);
        self.ale.set_render(true);
        let noops = noops?;
        if lazy && !self.ale.screen_exact() {
            if let Some(snapshot) = &self.snapshot {
                self.ale.copy_state_from(snapshot);
            }
            self.reset_frames(Some(noops), false)?;
        }
        self.lives = self.ale.lives();
        self.game_over = false;
        self.grab(0);
        self.screens[1].iter_mut().for_each(|v| *v = 0);
        self.pool_and_resize()?;
        let n = self.frame.len();
        for slot in self.stack.chunks_exact_mut(n) {
            slot.copy_from_slice(&self.frame);
        }
        Ok(&self.stack)
    }

    /// The frames of a reset: ALE's reset, then `noops` NOOP frames (drawn from the NOOP
    /// generator when `None`), resetting again if the episode ends. With `lazy` only the last
    /// two NOOP frames are drawn. Returns the NOOP count; leaves drawing off with `lazy`.
    fn reset_frames(&mut self, noops: Option<u32>, lazy: bool) -> Result<u32, AleError> {
        self.ale.set_render(!lazy);
        self.ale.reset()?;
        let n = match noops {
            Some(n) => n,
            None => self.uniform_noops(),
        };
        for i in 0..n {
            if lazy && i + 2 >= n {
                self.ale.set_render(true);
            }
            let (_, terminated, truncated) = self.base_step(Action::Noop, 1.0);
            if terminated || truncated {
                self.ale.reset()?;
            }
        }
        Ok(n)
    }

    /// Saves the environment's state (but for its frame buffers) into `snapshot`.
    fn save_snapshot(&mut self) {
        match &mut self.snapshot {
            Some(snapshot) => snapshot.copy_state_from(&self.ale),
            None => self.snapshot = Some(Box::new(self.ale.clone())),
        }
    }

    /// One agent step with action index `index` into [`AtariPreprocessing::actions`].
    pub fn step(&mut self, index: usize) -> Result<StepOutcome, AleError> {
        let action = *self
            .actions
            .get(index)
            .ok_or(AleError::InvalidAction(index as i64))?;
        self.step_action(action, 1.0)
    }

    /// One agent step with a CALE continuous action (Farebrother & Castro 2024):
    /// `(r, theta, fire)` maps to a joystick event with `threshold` (0.5 in CALE) and `r`
    /// is the paddle strength.
    pub fn step_continuous(
        &mut self,
        r: f32,
        theta: f32,
        fire: f32,
        threshold: f32,
    ) -> Result<StepOutcome, AleError> {
        let action = Action::from_continuous(r, theta, fire, threshold);
        self.step_action(action, r)
    }

    /// The frames of one step: the action repeated `frame_skip` times (stopping at the end of
    /// the episode), the last two screens grabbed. With `lazy` the frames before those two are
    /// not drawn; returns the outcome, whether the last grab max-pooled, and whether every
    /// grabbed screen (and the screen left in the emulator) is exact.
    fn skip_frames(
        &mut self,
        action: Action,
        strength: f32,
        lazy: bool,
    ) -> (StepOutcome, bool, bool) {
        let mut out = StepOutcome {
            reward: 0,
            terminated: false,
            truncated: false,
            life_lost: false,
        };
        let skip = self.config.frame_skip;
        let mut pooled = false;
        let mut exact = true;
        for t in 0..skip {
            if lazy {
                self.ale.set_render(t + 2 >= skip);
            }
            let (r, mut terminated, truncated) = self.base_step(action, strength);
            out.reward += i64::from(r);
            self.game_over = terminated;
            let lives = self.ale.lives();
            let life_lost = lives < self.lives;
            self.lives = lives;
            out.life_lost |= life_lost;
            if self.config.terminal_on_life_loss {
                terminated = terminated || life_lost;
                self.game_over = terminated;
            }
            out.terminated = terminated;
            out.truncated = truncated;
            if terminated || truncated {
                break;
            }
            if skip >= 2 && t == skip - 2 {
                exact &= self.ale.screen_exact();
                self.grab(1);
            } else if t == skip - 1 {
                if skip >= 2 && self.channels == 1 {
                    self.grab_pooled();
                    pooled = true;
                } else {
                    self.grab(0);
                }
            }
        }
        if lazy {
            self.ale.set_render(true);
            exact &= self.ale.screen_exact();
        }
        (out, pooled, exact)
    }

    fn step_action(&mut self, action: Action, strength: f32) -> Result<StepOutcome, AleError> {
        let skip = self.config.frame_skip;
        let lazy = skip >= 3 && !self.config.draw_all_frames;
        let (lives, game_over) = (self.lives, self.game_over);
        if lazy {
            self.save_snapshot();
        }
        let (mut out, mut pooled, exact) = self.skip_frames(action, strength, lazy);
        if !exact && let Some(snapshot) = &self.snapshot {
            // An undrawn frame left stale pixels on an observed screen: replay the step with
            // every frame drawn over the same frame buffers (the emulation is the same, so is
            // everything else; see `stella::Console::copy_state_from`).
            self.ale.copy_state_from(snapshot);
            self.lives = lives;
            self.game_over = game_over;
            (out, pooled, _) = self.skip_frames(action, strength, false);
        }
        if !pooled {
            self.pool();
        }
        self.resize.resize(&self.screens[0], &mut self.frame)?;
        let n = self.frame.len();
        self.stack.copy_within(n.., 0);
        let last = self.stack.len() - n;
        self.stack[last..].copy_from_slice(&self.frame);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_averages_blocks() {
        // 4x2 -> 2x1: each output is the mean of a 2x2 block (half rounds up on this path).
        let mut r = AreaResize::new(4, 2, 2, 1, 1).unwrap();
        let mut out = [0u8; 2];
        r.resize(&[10, 20, 0, 1, 30, 40, 1, 0], &mut out).unwrap();
        assert_eq!(out, [25, 1]);
    }

    #[test]
    fn fractional_cells_weight_partial_pixels() {
        // 5 -> 2 in x (scale 2.5): out0 = (a + b + 0.5 c) / 2.5, out1 = (0.5 c + d + e) / 2.5.
        let mut r = AreaResize::new(5, 1, 2, 1, 1).unwrap();
        let mut out = [0u8; 2];
        r.resize(&[100, 50, 20, 0, 10], &mut out).unwrap();
        assert_eq!(out, [64, 8]); // 160 / 2.5 = 64, 20 / 2.5 = 8
        // 3 -> 2 (scale 1.5): out0 = (a + 0.5 b) / 1.5, out1 = (0.5 b + c) / 1.5.
        let mut r = AreaResize::new(3, 1, 2, 1, 1).unwrap();
        r.resize(&[90, 30, 0], &mut out).unwrap();
        assert_eq!(out, [70, 10]);
    }

    #[test]
    fn weights_of_a_cell_sum_to_one() {
        let tab = area_table(160, 84, 1, 1.0 / (84.0 / 160.0));
        for d in 0..84 {
            let s: f32 = tab.iter().filter(|w| w.dst == d).map(|w| w.alpha).sum();
            assert!((s - 1.0).abs() < 1e-5, "cell {d}: {s}");
        }
    }

    #[test]
    fn constant_images_stay_constant() {
        let mut r = AreaResize::new(160, 210, 84, 84, 3).unwrap();
        let src = vec![77u8; 160 * 210 * 3];
        let mut out = vec![0u8; 84 * 84 * 3];
        r.resize(&src, &mut out).unwrap();
        assert!(out.iter().all(|&v| v == 77));
    }

    #[test]
    fn reused_rows_give_what_a_fresh_resizer_gives() {
        // A stream of Atari-like images where each changes a few rows or pixels of the last:
        // the resizer that reuses unchanged rows must match one that starts afresh.
        for (w, h, dw, dh, cn) in [
            (160, 210, 84, 84, 1),
            (160, 250, 84, 84, 3),
            (9, 7, 4, 3, 1),
        ] {
            let mut mt = crate::rng::Mt19937::new(7);
            let row = w * cn;
            let mut img: Vec<u8> = (0..w * h * cn).map(|i| (i / row % 5) as u8 * 40).collect();
            let mut kept = AreaResize::new(w, h, dw, dh, cn).unwrap();
            let (mut a, mut b) = (vec![0u8; dw * dh * cn], vec![0u8; dw * dh * cn]);
            for _ in 0..200 {
                match mt.next_u32() % 4 {
                    0 => {
                        let i = mt.next_u32() as usize % img.len();
                        img[i] = img[i].wrapping_add(1 + mt.next_u32() as u8 % 255);
                    }
                    1 => {
                        let y = mt.next_u32() as usize % h;
                        let v = mt.next_u32() as u8;
                        img[y * row..(y + 1) * row].fill(v);
                    }
                    2 => {
                        let y = 1 + mt.next_u32() as usize % (h - 1);
                        img.copy_within((y - 1) * row..y * row, y * row);
                    }
                    _ => {}
                }
                kept.resize(&img, &mut a).unwrap();
                AreaResize::new(w, h, dw, dh, cn)
                    .unwrap()
                    .resize(&img, &mut b)
                    .unwrap();
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(AreaResize::new(10, 10, 20, 5, 1).is_err());
        assert!(AreaResize::new(10, 10, 5, 5, 5).is_err());
        let mut r = AreaResize::new(10, 10, 5, 5, 1).unwrap();
        assert!(r.resize(&[0; 99], &mut [0; 25]).is_err());
    }

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!(saturate_u8(0.5), 0);
        assert_eq!(saturate_u8(1.5), 2);
        assert_eq!(saturate_u8(300.0), 255);
        assert_eq!(saturate_u8(-3.0), 0);
    }
}
