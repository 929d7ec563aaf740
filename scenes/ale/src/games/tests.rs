use super::*;

/// A RAM that records the order of reads.
struct FakeRam {
    ram: [u8; 128],
    reads: Vec<u16>,
}

impl FakeRam {
    fn new() -> Self {
        Self {
            ram: [0; 128],
            reads: Vec::new(),
        }
    }
    fn set(&mut self, addr: u16, v: u8) {
        self.ram[usize::from(addr & 0x7F)] = v;
    }
}

impl Ram for FakeRam {
    fn read_ram(&mut self, offset: u16) -> u8 {
        self.reads.push(0x80 + (offset & 0x7F));
        self.ram[usize::from(offset & 0x7F)]
    }
    fn read_mapped(&mut self, addr: u16) -> u8 {
        self.read_ram(addr)
    }
}

#[test]
fn bcd_helpers_decode_like_ale() {
    let mut r = FakeRam::new();
    r.set(0x80, 0x56);
    r.set(0x81, 0x34);
    r.set(0x82, 0x12);
    assert_eq!(bcd(0x99), 99);
    assert_eq!(decimal1(&mut r, 0x80), 56);
    assert_eq!(decimal2(&mut r, 0x80, 0x81), 3456);
    assert_eq!(decimal3(&mut r, 0x80, 0x81, 0x82), 123_456);
    assert_eq!(r.reads, vec![0x80, 0x80, 0x81, 0x80, 0x81, 0x82]);
}

#[test]
fn every_ale_game_is_registered_by_name_and_md5() {
    let names = Game::supported();
    assert_eq!(names.len(), 104, "ALE 0.12 defines settings for 104 ROMs");
    for name in names {
        let g = Game::from_rom_name(name).expect("by name");
        let by_md5 = Game::from_md5(g.md5()).expect("by md5");
        assert_eq!(by_md5.rom(), name);
        let row = crate::roms::ROM_TABLE
            .iter()
            .find(|r| r.name == name)
            .expect("in ale_roms.tsv");
        assert_eq!(row.md5, g.md5(), "{name}");
        assert!(g.available_modes().contains(&g.default_mode()));
        assert!(!g.minimal_actions().is_empty());
    }
    assert!(Game::from_rom_name("not_a_game").is_none());
}

#[test]
fn pong_rewards_score_difference_and_ends_at_21() {
    let mut g = Game::from_rom_name("pong").unwrap();
    let mut r = FakeRam::new();
    r.set(13, 3);
    r.set(14, 5);
    g.step(&mut r);
    assert_eq!(g.reward(), 2);
    r.set(14, 6);
    g.step(&mut r);
    assert_eq!(g.reward(), 1);
    assert!(!g.is_terminal());
    assert_eq!(g.lives(), 0);
    r.set(13, 21);
    g.step(&mut r);
    assert_eq!(g.reward(), -18);
    assert!(g.is_terminal());
    assert_eq!(r.reads[..2], [0x8D, 0x8E]);
    assert_eq!(
        g.minimal_actions(),
        vec![
            Action::Noop,
            Action::Fire,
            Action::Right,
            Action::Left,
            Action::RightFire,
            Action::LeftFire
        ]
    );
}

#[test]
fn breakout_terminates_only_after_start_and_reports_lives() {
    let mut g = Game::from_rom_name("breakout").unwrap();
    let mut r = FakeRam::new();
    g.step(&mut r);
    assert!(!g.is_terminal(), "lives byte 0 before the game started");
    r.set(57, 5);
    r.set(77, 0x42);
    r.set(76, 0x01);
    g.step(&mut r);
    assert_eq!(g.reward(), 142);
    assert_eq!(g.lives(), 5);
    r.set(57, 0);
    g.step(&mut r);
    assert!(g.is_terminal());
    assert_eq!(g.lives(), 0);
    assert_eq!(
        g.available_modes(),
        (0..12).map(|i| i * 4).collect::<Vec<_>>()
    );
}

#[test]
fn skiing_forbids_fire_and_space_invaders_wraps_score() {
    let g = Game::from_rom_name("skiing").unwrap();
    assert_eq!(g.legal_actions().len(), 9);
    assert!(!g.is_legal(Action::Fire));
    assert_eq!(g.starting_actions(), vec![Action::Down; 16]);

    let mut si = Game::from_rom_name("space_invaders").unwrap();
    let mut r = FakeRam::new();
    r.set(0xC9, 3);
    r.set(0xE8, 0x90);
    r.set(0xE6, 0x99); // 9990
    si.step(&mut r);
    r.set(0xE8, 0x20);
    r.set(0xE6, 0x00); // wrapped to 20
    si.step(&mut r);
    assert_eq!(si.reward(), 30);
}

#[test]
fn qbert_counts_lives_down_through_signed_byte() {
    let mut g = Game::from_rom_name("qbert").unwrap();
    let mut r = FakeRam::new();
    r.set(0x88, 2);
    g.step(&mut r);
    r.set(0x88, 1);
    g.step(&mut r);
    assert_eq!(g.lives(), 3);
    r.set(0x88, 0);
    g.step(&mut r);
    r.set(0x88, 0xFF);
    g.step(&mut r);
    assert_eq!(g.lives(), 1);
    assert!(!g.is_terminal());
    r.set(0x88, 0xFE);
    g.step(&mut r);
    assert!(g.is_terminal());
    assert_eq!(g.lives(), 0);
}

#[test]
fn games_round_trip_through_serde() {
    let mut g = Game::from_rom_name("seaquest").unwrap();
    let mut r = FakeRam::new();
    r.set(0xBA, 0x20);
    r.set(0xBB, 3);
    g.step(&mut r);
    let json = serde_json::to_string(&g).unwrap();
    let back: Game = serde_json::from_str(&json).unwrap();
    assert_eq!(back.rom(), "seaquest");
    assert_eq!(back.reward(), 20);
    assert_eq!(back.lives(), 4);
}

/// A scripted environment: SELECT cycles a mode byte through a list.
struct FakeEnv {
    ram: FakeRam,
    addr: u16,
    cycle: Vec<u8>,
    pos: usize,
    presses: usize,
    soft_resets: usize,
}

impl Ram for FakeEnv {
    fn read_ram(&mut self, offset: u16) -> u8 {
        self.ram.read_ram(offset)
    }
    fn read_mapped(&mut self, addr: u16) -> u8 {
        self.ram.read_mapped(addr)
    }
}

impl ModeEnv for FakeEnv {
    fn press_select(&mut self, _game: &mut dyn GameSettings, _frames: usize) {
        self.presses += 1;
        self.pos = (self.pos + 1) % self.cycle.len();
        let v = self.cycle[self.pos];
        self.ram.set(self.addr, v);
    }
    fn soft_reset(&mut self, _game: &mut dyn GameSettings) {
        self.soft_resets += 1;
    }
    fn act(&mut self, _game: &mut dyn GameSettings, _action: Action) -> i32 {
        0
    }
    fn rng_next(&mut self) -> u32 {
        0
    }
}

#[test]
fn mode_selection_presses_select_until_the_ram_shows_the_mode() {
    let mut g = Game::from_rom_name("space_invaders").unwrap();
    let mut env = FakeEnv {
        ram: FakeRam::new(),
        addr: 0xDC,
        cycle: (0..16).collect(),
        pos: 0,
        presses: 0,
        soft_resets: 0,
    };
    g.set_mode(5, &mut env).unwrap();
    assert_eq!(env.presses, 5);
    assert_eq!(env.soft_resets, 1);
    assert!(matches!(
        g.set_mode(16, &mut env),
        Err(AleError::InvalidMode { mode: 16, .. })
    ));
}

#[test]
fn mode_selection_gives_up_instead_of_looping_forever() {
    let mut g = Game::from_rom_name("freeway").unwrap();
    let mut env = FakeEnv {
        ram: FakeRam::new(),
        addr: 0x80,
        cycle: vec![0, 1], // mode 3 never shows up
        pos: 0,
        presses: 0,
        soft_resets: 0,
    };
    assert!(matches!(
        g.set_mode(3, &mut env),
        Err(AleError::ModeNotReached { mode: 3, .. })
    ));
}
