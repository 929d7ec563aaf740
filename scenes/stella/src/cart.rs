//! Cartridges: Stella's type auto-detection and the bank-switching schemes ALE's ROMs use.

use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

use crate::RomError;
use crate::fetch::FetchWords;
use crate::rng::Mt19937;

/// Bank-switching scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CartKind {
    /// 2K ROM (mirrored).
    K2,
    /// 4K ROM.
    K4,
    /// 8K Atari (hotspots $1FF8/9).
    F8,
    /// 16K Atari (hotspots $1FF6-9).
    F6,
    /// 32K Atari (hotspots $1FF4-B).
    F4,
    /// F8 with 128 bytes of RAM.
    F8SC,
    /// F6 with 128 bytes of RAM.
    F6SC,
    /// F4 with 128 bytes of RAM.
    F4SC,
    /// 8K Parker Bros. (four 1K slices).
    E0,
    /// 8K Activision (bank chosen by address line 13).
    FE,
    /// Pitfall II's DPC chip: F8 banks plus data fetchers, a random number generator and music.
    DPC,
}

impl CartKind {
    /// Stella's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            CartKind::K2 => "2K",
            CartKind::K4 => "4K",
            CartKind::F8 => "F8",
            CartKind::F6 => "F6",
            CartKind::F4 => "F4",
            CartKind::F8SC => "F8SC",
            CartKind::F6SC => "F6SC",
            CartKind::F4SC => "F4SC",
            CartKind::E0 => "E0",
            CartKind::FE => "FE",
            CartKind::DPC => "DPC",
        }
    }
}

/// A cartridge with its bank state.
#[derive(Serialize, Deserialize)]
pub struct Cart {
    kind: CartKind,
    image: Vec<u8>,
    ram: Vec<u8>,
    /// Current 4K bank (F8/F6/F4 and SC variants).
    bank: u16,
    reset_bank: u16,
    /// E0 slices of the four 1K segments.
    slices: [u16; 4],
    /// Image offset of each 1K segment of $1000-$1FFF (derived from bank/slices).
    seg: [usize; 4],
    /// Whether reads of $1FC0-$1FFF may switch banks.
    switching: bool,
    /// Cartridge offsets `plain_lo..plain_lo + plain_span` are plain ROM reads (no hotspot, RAM,
    /// DPC register or FE address decoding), served from `window`.
    plain_lo: u16,
    /// See `plain_lo` (0: no plain reads).
    plain_span: u16,
    /// The 4K of ROM the CPU sees at $1000-$1FFF with the current banks (a copy of the segments
    /// `seg` points at, refreshed when they change), so plain reads need no bank arithmetic. Three
    /// zero bytes follow the 4K so that [`Cart::code_word`] reads four bytes at any offset.
    #[serde(with = "BigArray")]
    window: [u8; WINDOW_LEN],
    /// DPC chip state.
    dpc: Option<Box<Dpc>>,
    /// The CPU's instruction fetches from `window` (derived from it: not serialised, rebuilt
    /// by [`Cart::prepare_fetch`]).
    #[serde(skip)]
    fetch: FetchWords,
}

impl Clone for Cart {
    fn clone(&self) -> Self {
        Cart {
            image: self.image.clone(),
            ram: self.ram.clone(),
            dpc: self.dpc.clone(),
            fetch: self.fetch.clone(),
            ..*self
        }
    }

    /// Reuses the image, RAM and DPC buffers: no allocation when `self` holds the same kind of
    /// cartridge.
    fn clone_from(&mut self, src: &Self) {
        // Destructured without `..`, so a new field cannot be forgotten here.
        let Cart {
            kind,
            image,
            ram,
            bank,
            reset_bank,
            slices,
            seg,
            switching,
            plain_lo,
            plain_span,
            window,
            dpc,
            fetch,
        } = self;
        *kind = src.kind;
        image.clone_from(&src.image);
        ram.clone_from(&src.ram);
        *bank = src.bank;
        *reset_bank = src.reset_bank;
        *slices = src.slices;
        *seg = src.seg;
        *switching = src.switching;
        *plain_lo = src.plain_lo;
        *plain_span = src.plain_span;
        *window = src.window;
        dpc.clone_from(&src.dpc);
        fetch.clone_from(&src.fetch);
    }
}

/// Length of the read window: 4K plus the padding [`Cart::code_word`] reads past its end.
const WINDOW_LEN: usize = 4096 + 3;

/// The DPC chip's registers (Stella 2.x `CartridgeDPC`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Dpc {
    tops: [u8; 8],
    bottoms: [u8; 8],
    counters: [u16; 8],
    flags: [u8; 8],
    music_mode: [bool; 3],
    random: u8,
    system_cycles: u32,
    fractional_clocks: f64,
}

impl Dpc {
    fn clock_random(&mut self) {
        const F: [u8; 16] = [1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1];
        let r = self.random;
        let bit = F[(((r >> 3) & 0x07) | if r & 0x80 != 0 { 0x08 } else { 0 }) as usize];
        self.random = (r << 1) | bit;
    }

    fn update_music(&mut self, cycles: u32) {
        let delta = cycles.wrapping_sub(self.system_cycles) as i32;
        self.system_cycles = cycles;
        let clocks = ((15750.0 * delta as f64) / 1193191.66666667) + self.fractional_clocks;
        let whole = clocks as i32;
        self.fractional_clocks = clocks - whole as f64;
        if whole <= 0 {
            return;
        }
        for x in 5..=7usize {
            if self.music_mode[x - 5] {
                let top = self.tops[x] as i32 + 1;
                let mut new_low = (self.counters[x] & 0x00FF) as i32;
                if self.tops[x] != 0 {
                    new_low -= whole % top;
                    if new_low < 0 {
                        new_low += top;
                    }
                } else {
                    new_low = 0;
                }
                if new_low <= self.bottoms[x] as i32 {
                    self.flags[x] = 0x00;
                } else if new_low <= self.tops[x] as i32 {
                    self.flags[x] = 0xFF;
                }
                self.counters[x] = (self.counters[x] & 0x0700) | (new_low as u16 & 0xFF);
            }
        }
    }

    /// Read of a DPC register ($1000-$103F).
    fn read(&mut self, a: usize, display: &[u8], cycles: u32) -> u8 {
        let index = a & 7;
        let function = (a >> 3) & 7;
        if (self.counters[index] & 0x00FF) as u8 == self.tops[index] {
            self.flags[index] = 0xFF;
        } else if (self.counters[index] & 0x00FF) as u8 == self.bottoms[index] {
            self.flags[index] = 0x00;
        }
        let fetch = |c: u16| display[2047 - (c as usize & 0x07FF)];
        let result = match function {
            0 => {
                if index < 4 {
                    self.random
                } else {
                    const AMP: [u8; 8] = [0x00, 0x04, 0x05, 0x09, 0x06, 0x0A, 0x0B, 0x0F];
                    self.update_music(cycles);
                    let mut i = 0;
                    for k in 0..3 {
                        if self.music_mode[k] && self.flags[5 + k] != 0 {
                            i |= 1 << k;
                        }
                    }
                    AMP[i]
                }
            }
            1 => fetch(self.counters[index]),
            2 => fetch(self.counters[index]) & self.flags[index],
            7 => self.flags[index],
            _ => 0,
        };
        if index < 5 || !self.music_mode[index - 5] {
            self.counters[index] = self.counters[index].wrapping_sub(1) & 0x07FF;
        }
        result
    }

    /// Write of a DPC register ($1040-$107F).
    fn write(&mut self, a: usize, value: u8) {
        let index = a & 7;
        match (a >> 3) & 7 {
            0 => {
                self.tops[index] = value;
                self.flags[index] = 0;
            }
            1 => self.bottoms[index] = value,
            2 => {
                if index >= 5 && self.music_mode[index - 5] {
                    self.counters[index] =
                        (self.counters[index] & 0x0700) | self.tops[index] as u16;
                } else {
                    self.counters[index] = (self.counters[index] & 0x0700) | value as u16;
                }
            }
            3 => {
                self.counters[index] =
                    (((value as u16) & 0x07) << 8) | (self.counters[index] & 0x00FF);
                if index >= 5 {
                    self.music_mode[index - 5] = value & 0x10 != 0;
                }
            }
            6 => self.random = 1,
            _ => {}
        }
    }
}

fn search_for_bytes(image: &[u8], sig: &[u8], min_hits: u32) -> bool {
    if sig.len() > image.len() {
        return false;
    }
    let mut count = 0;
    let mut i = 0usize;
    while i < image.len() - sig.len() {
        if image[i..i + sig.len()] == *sig {
            count += 1;
            i += sig.len();
        }
        if count >= min_hits {
            break;
        }
        i += 1;
    }
    count >= min_hits
}

fn is_probably_sc(image: &[u8]) -> bool {
    let banks = image.len() / 4096;
    for i in 0..banks {
        let first = image[i * 4096];
        if image[i * 4096..i * 4096 + 256].iter().any(|&b| b != first) {
            return false;
        }
    }
    true
}

fn is_probably_3f(image: &[u8]) -> bool {
    search_for_bytes(image, &[0x85, 0x3F], 2)
}
fn is_probably_3e(image: &[u8]) -> bool {
    search_for_bytes(image, &[0x85, 0x3E, 0xA9, 0x00], 1)
}
fn is_probably_e0(image: &[u8]) -> bool {
    const SIGS: [[u8; 3]; 6] = [
        [0x8D, 0xE0, 0x1F],
        [0x8D, 0xE0, 0x5F],
        [0x8D, 0xE9, 0xFF],
        [0xAD, 0xE9, 0xFF],
        [0xAD, 0xED, 0xFF],
        [0xAD, 0xF3, 0xBF],
    ];
    SIGS.iter().any(|s| search_for_bytes(image, s, 1))
}
fn is_probably_e7(image: &[u8]) -> bool {
    if image.len() < 0x3A00 + 32 {
        return false;
    }
    let first = image[0x3800];
    if image[0x3800..0x3A00].iter().any(|&b| b != first) {
        return false;
    }
    let c1 = image[0x3800 - 32..0x3800]
        .iter()
        .filter(|&&b| b != first)
        .count();
    let c2 = image[0x3A00..0x3A00 + 32]
        .iter()
        .filter(|&&b| b != first)
        .count();
    c1 > 0 || c2 > 0
}
fn is_probably_ua(image: &[u8]) -> bool {
    search_for_bytes(image, &[0x8D, 0x40, 0x02], 1)
}
fn is_probably_cv(image: &[u8]) -> bool {
    if search_for_bytes(image, &[0x9D, 0xFF, 0xF3], 1) {
        return true;
    }
    search_for_bytes(image, &[0x99, 0x00, 0xF4], 1)
}
fn is_probably_fe(image: &[u8]) -> bool {
    const SIGS: [[u8; 5]; 4] = [
        [0x20, 0x00, 0xD0, 0xC6, 0xC5],
        [0x20, 0xC3, 0xF8, 0xA5, 0x82],
        [0xD0, 0xFB, 0x20, 0x73, 0xFE],
        [0x20, 0x00, 0xF0, 0x84, 0xD6],
    ];
    SIGS.iter().any(|s| search_for_bytes(image, s, 1))
}

/// Stella 2.x `Cartridge::autodetectType`: the type name it picks for an image.
pub fn autodetect_type(image: &[u8]) -> String {
    let size = image.len();
    let t = if size != 0 && size.is_multiple_of(8448) {
        "AR"
    } else if size == 2048 || (size == 4096 && image[..2048] == image[2048..]) {
        if is_probably_cv(image) { "CV" } else { "2K" }
    } else if size == 4096 {
        if is_probably_cv(image) { "CV" } else { "4K" }
    } else if size == 8192 {
        if is_probably_sc(image) {
            "F8SC"
        } else if image[..4096] == image[4096..] {
            "4K"
        } else if is_probably_e0(image) {
            "E0"
        } else if is_probably_3e(image) {
            "3E"
        } else if is_probably_3f(image) {
            "3F"
        } else if is_probably_ua(image) {
            "UA"
        } else if is_probably_fe(image) {
            "FE"
        } else {
            "F8"
        }
    } else if size == 10495 || size == 10496 || size == 10240 {
        "DPC"
    } else if size == 12288 {
        "FASC"
    } else if size == 16384 {
        if is_probably_sc(image) {
            "F6SC"
        } else if is_probably_e7(image) {
            "E7"
        } else if is_probably_3e(image) {
            "3E"
        } else if is_probably_3f(image) {
            "3F"
        } else {
            "F6"
        }
    } else if size == 32768 {
        if is_probably_sc(image) {
            "F4SC"
        } else if is_probably_3e(image) {
            "3E"
        } else if is_probably_3f(image) {
            "3F"
        } else {
            "F4"
        }
    } else if size == 65536 {
        if is_probably_3e(image) {
            "3E"
        } else if is_probably_3f(image) {
            "3F"
        } else {
            "MB"
        }
    } else if size == 131072 {
        if is_probably_3e(image) {
            "3E"
        } else if is_probably_3f(image) {
            "3F"
        } else {
            "MC"
        }
    } else if is_probably_3e(image) {
        "3E"
    } else if is_probably_3f(image) {
        "3F"
    } else {
        return format!("Unrecognized cartridge; ROM size was {size}");
    };
    t.to_string()
}

impl Cart {
    /// Builds the cartridge Stella would for this image (auto-detected type).
    pub fn new(image: &[u8], f8_swapped: bool) -> Result<Cart, RomError> {
        if image.is_empty() {
            return Err(RomError::Empty);
        }
        let detected = if f8_swapped && image.len() == 8192 {
            "F8".to_string()
        } else {
            autodetect_type(image)
        };
        let kind = match detected.as_str() {
            "2K" => CartKind::K2,
            "4K" => CartKind::K4,
            "F8" => CartKind::F8,
            "F6" => CartKind::F6,
            "F4" => CartKind::F4,
            "F8SC" => CartKind::F8SC,
            "F6SC" => CartKind::F6SC,
            "F4SC" => CartKind::F4SC,
            "E0" => CartKind::E0,
            "FE" => CartKind::FE,
            "DPC" => CartKind::DPC,
            _ if detected.starts_with("Unrecognized") => {
                return Err(RomError::UnknownSize(image.len()));
            }
            other => return Err(RomError::UnsupportedType(other.to_string())),
        };
        let needed = match kind {
            CartKind::K2 => 2048,
            CartKind::K4 => 4096,
            CartKind::F8 | CartKind::F8SC | CartKind::E0 | CartKind::FE => 8192,
            CartKind::F6 | CartKind::F6SC => 16384,
            CartKind::F4 | CartKind::F4SC => 32768,
            CartKind::DPC => 10240,
        };
        if image.len() < needed {
            return Err(RomError::Truncated {
                expected: needed,
                got: image.len(),
            });
        }
        let ram = match kind {
            CartKind::F8SC | CartKind::F6SC | CartKind::F4SC => vec![0u8; 128],
            _ => Vec::new(),
        };
        let reset_bank = match kind {
            CartKind::F8 if f8_swapped => 0,
            CartKind::F8 | CartKind::F8SC | CartKind::DPC => 1,
            _ => 0,
        };
        let mut c = Cart {
            kind,
            image: image[..needed].to_vec(),
            ram,
            bank: 0,
            reset_bank,
            slices: [4, 5, 6, 7],
            seg: [0; 4],
            switching: false,
            plain_lo: 0,
            plain_span: 0,
            window: [0; WINDOW_LEN],
            fetch: FetchWords::new(&image[..needed]),
            dpc: (kind == CartKind::DPC).then(|| {
                Box::new(Dpc {
                    random: 1,
                    ..Dpc::default()
                })
            }),
        };
        // install()
        c.bank = match kind {
            CartKind::F8 | CartKind::F8SC | CartKind::DPC => 1,
            _ => 0,
        };
        c.remap();
        for s in 0..4 {
            c.fill_window(s);
        }
        Ok(c)
    }

    /// Recomputes the segment offsets from the bank state (after a switch or a deserialisation).
    pub fn remap(&mut self) {
        self.switching = !matches!(self.kind, CartKind::K2 | CartKind::K4 | CartKind::FE);
        (self.plain_lo, self.plain_span) = match self.kind {
            // No hotspots: the whole 4K.
            CartKind::K2 | CartKind::K4 => (0, 0x1000),
            CartKind::FE => (0, 0),
            // DPC registers below $1080 (the fetchers' reads clock the random number generator).
            CartKind::DPC => (0x0080, 0x0FC0 - 0x0080),
            // The RAM's write ($1000) and read ($1080) ports.
            _ if !self.ram.is_empty() => (0x0100, 0x0FC0 - 0x0100),
            _ => (0, 0x0FC0),
        };
        for s in 0..4 {
            let seg = match self.kind {
                CartKind::K2 => (s & 1) * 1024,
                CartKind::K4 | CartKind::FE => s * 1024,
                CartKind::E0 => (self.slices[s] as usize) << 10,
                _ => self.bank as usize * 4096 + s * 1024,
            };
            if seg != self.seg[s] {
                self.seg[s] = seg;
                self.fill_window(s);
            }
        }
    }

    /// Copies segment `s` of the current banks into the read window.
    fn fill_window(&mut self, s: usize) {
        let from = self.seg[s];
        if let Some(src) = self.image.get(from..from + 1024) {
            self.window[s * 1024..(s + 1) * 1024].copy_from_slice(src);
            let plain = self.plain_offsets();
            self.fetch.fill_segment(s, from, &self.window, &plain);
        }
    }

    /// Window offsets whose reads are plain ROM reads.
    fn plain_offsets(&self) -> std::ops::Range<usize> {
        let lo = usize::from(self.plain_lo);
        lo..lo + usize::from(self.plain_span)
    }

    /// Rebuilds the fetch words if a deserialisation left them unset (every instruction then
    /// takes the CPU's slow path, which calls this).
    #[inline(always)]
    pub fn prepare_fetch(&mut self) {
        if !self.fetch.is_ready() {
            self.rebuild_fetch();
        }
    }

    #[cold]
    fn rebuild_fetch(&mut self) {
        let plain = self.plain_offsets();
        self.fetch.rebuild(&self.image, &self.window, &plain);
    }

    /// The instruction bytes at `pc` if fetching them is three plain ROM reads, else
    /// [`crate::fetch::NOT_PLAIN`] (see [`FetchWords::word`]).
    #[inline(always)]
    pub fn fetch_word(&self, pc: u16) -> u32 {
        self.fetch.word(pc)
    }

    /// The type.
    pub fn kind(&self) -> CartKind {
        self.kind
    }

    /// Current bank (4K banks) or, for E0, the slice of the first segment.
    pub fn bank(&self) -> u16 {
        if self.kind == CartKind::E0 {
            self.slices[0]
        } else {
            self.bank
        }
    }

    /// `Cartridge::reset` (RAM carts draw their RAM from the system RNG).
    pub fn reset(&mut self, rng: &mut Mt19937) {
        match self.kind {
            CartKind::F8SC | CartKind::F6SC | CartKind::F4SC => {
                for b in self.ram.iter_mut() {
                    *b = rng.next_u32() as u8;
                }
                self.bank = self.reset_bank;
            }
            CartKind::F8 | CartKind::F6 | CartKind::F4 => self.bank = self.reset_bank,
            CartKind::E0 => self.slices = [4, 5, 6, 7],
            CartKind::DPC => {
                if let Some(d) = self.dpc.as_mut() {
                    d.system_cycles = 0;
                    d.fractional_clocks = 0.0;
                }
                self.bank = 1;
            }
            _ => {}
        }
        self.remap();
    }

    #[inline]
    fn hotspot(&mut self, a: u16) {
        match self.kind {
            CartKind::F8 | CartKind::F8SC | CartKind::DPC => match a {
                0x0FF8 => self.bank = 0,
                0x0FF9 => self.bank = 1,
                _ => {}
            },
            CartKind::F6 | CartKind::F6SC if (0x0FF6..=0x0FF9).contains(&a) => {
                self.bank = a - 0x0FF6;
            }
            CartKind::F4 | CartKind::F4SC if (0x0FF4..=0x0FFB).contains(&a) => {
                self.bank = a - 0x0FF4;
            }
            CartKind::E0 if (0x0FE0..=0x0FF7).contains(&a) => {
                self.slices[((a - 0x0FE0) >> 3) as usize] = a & 7;
            }
            _ => {}
        }
        self.remap();
    }

    /// Cartridge offsets `lo..lo + span` whose reads are plain ROM reads (constant for a cart).
    #[inline(always)]
    pub fn plain_range(&self) -> (u16, u16) {
        (self.plain_lo, self.plain_span)
    }

    /// The byte the CPU sees at cartridge offset `offset & 0xFFF` with the current banks (the
    /// read itself only for offsets in [`Cart::plain_range`]).
    #[inline(always)]
    pub fn window_byte(&self, offset: u16) -> u8 {
        self.window[(offset & 0x0FFF) as usize]
    }

    /// The bytes at cartridge offsets `offset & 0xFFF` and the three after it (little endian), as
    /// the current banks show them; one load for an instruction fetch. Only the bytes at offsets
    /// in [`Cart::plain_range`] are what a read returns.
    #[inline(always)]
    pub fn code_word(&self, offset: u16) -> u32 {
        let i = (offset & 0x0FFF) as usize;
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.window[i..i + 4]);
        u32::from_le_bytes(b)
    }

    /// A read with no side effect (plain ROM below the hotspot page), if this is one.
    #[inline(always)]
    pub fn peek_plain(&self, addr: u16) -> Option<u8> {
        let a = addr & 0x0FFF;
        if a.wrapping_sub(self.plain_lo) < self.plain_span {
            Some(self.window[a as usize])
        } else {
            None
        }
    }

    /// Read at a cartridge address (A12 set); `addr` is the full CPU address, `cycles` the system
    /// cycle count (DPC music).
    #[inline(never)]
    pub fn peek(&mut self, addr: u16, cycles: u32) -> u8 {
        if let Some(v) = self.peek_plain(addr) {
            return v;
        }
        let a = (addr & 0x0FFF) as usize;
        if a >= 0x0FC0 && self.switching {
            if let Some(d) = self.dpc.as_mut() {
                d.clock_random();
            }
            self.hotspot(a as u16);
        } else if a & 0x0F80 == 0x0080 && !self.ram.is_empty() {
            return self.ram[a & 0x7F];
        } else if self.kind == CartKind::FE {
            return self.image[a + if addr & 0x2000 == 0 { 4096 } else { 0 }];
        } else if a < 0x0080
            && let Some(d) = self.dpc.as_mut()
        {
            d.clock_random();
            if a < 0x0040 {
                return d.read(a, &self.image[8192..10240], cycles);
            }
        }
        self.image[self.seg[a >> 10] + (a & 0x03FF)]
    }

    /// The system cycle counter is about to be reset from `cycles` to 0.
    pub fn system_cycles_reset(&mut self, cycles: u32) {
        if let Some(d) = self.dpc.as_mut() {
            d.system_cycles = d.system_cycles.wrapping_sub(cycles);
        }
    }

    /// Write at a cartridge address (A12 set).
    #[inline]
    pub fn poke(&mut self, addr: u16, value: u8) {
        let a = addr & 0x0FFF;
        match self.kind {
            CartKind::K2 | CartKind::K4 | CartKind::FE => {}
            CartKind::F8SC | CartKind::F6SC | CartKind::F4SC if a < 0x0080 => {
                self.ram[a as usize] = value;
            }
            // Stella's F4SC write handler compares the unmasked address, so it never switches.
            CartKind::F4SC => {}
            CartKind::DPC => {
                if let Some(d) = self.dpc.as_mut() {
                    d.clock_random();
                    if (0x0040..0x0080).contains(&a) {
                        d.write(a as usize, value);
                        return;
                    }
                }
                if a >= 0x0FC0 {
                    self.hotspot(a);
                }
            }
            _ => {
                if a >= 0x0FC0 {
                    self.hotspot(a);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::NOT_PLAIN;

    /// What the CPU's old per-instruction check gave: the word at `pc` when its three bytes lie
    /// in the plain range, else `NOT_PLAIN`.
    fn expected_fetch_word(cart: &Cart, pc: u16) -> u32 {
        let (lo, span) = cart.plain_range();
        let offset = pc & 0x0FFF;
        if pc & 0x1000 != 0 && offset.wrapping_sub(lo) < span.saturating_sub(2) {
            cart.code_word(offset) & 0x00FF_FFFF
        } else {
            NOT_PLAIN
        }
    }

    #[test]
    fn fetch_words_follow_bank_switches() {
        let bytes =
            |len: usize| -> Vec<u8> { (0..len).map(|i| (i * 13 + i / 509) as u8 | 1).collect() };
        let mut sc = bytes(8192);
        for bank in 0..2 {
            sc[bank * 4096..bank * 4096 + 256].fill(0x55);
        }
        let mut e0 = bytes(8192);
        e0[100..103].copy_from_slice(&[0x8D, 0xE0, 0x1F]);
        let images = [
            (bytes(2048), CartKind::K2),
            (bytes(4096), CartKind::K4),
            (bytes(8192), CartKind::F8),
            (sc, CartKind::F8SC),
            (e0, CartKind::E0),
            (bytes(16384), CartKind::F6),
            (bytes(32768), CartKind::F4),
            (bytes(10240), CartKind::DPC),
        ];
        for (image, kind) in images {
            let mut cart = Cart::new(&image, false).expect("builds");
            assert_eq!(cart.kind(), kind);
            let mut state = 99u32;
            for step in 0..300 {
                for pc in 0..0x2000 {
                    assert_eq!(
                        cart.fetch_word(pc),
                        expected_fetch_word(&cart, pc),
                        "{kind:?}, {pc:#06x} after {step} switches"
                    );
                }
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                cart.peek(0x1FC0 + ((state >> 16) & 0x3F) as u16, 0);
            }
        }
    }
}
