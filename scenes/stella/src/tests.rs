//! Unit tests of the CPU, RIOT and console plumbing on small hand-written programs.

use crate::bus::FATAL_BIT;
use crate::*;

/// A 4K ROM with `program` at $F000 and the reset vector pointing there.
fn rom_with(program: &[u8]) -> Vec<u8> {
    let mut rom = vec![0xEA; 4096]; // NOP
    rom[..program.len()].copy_from_slice(program);
    rom[0xFFC] = 0x00;
    rom[0xFFD] = 0xF0;
    rom[0xFFE] = 0x00;
    rom[0xFFF] = 0xF0;
    rom
}

/// A console that executed `n` instructions of `program` after reset (no frames run).
fn run(program: &[u8], n: usize) -> Console {
    let props = Properties {
        format: DisplayFormat::Ntsc,
        ..Properties::default()
    };
    let mut c = Console::new(&rom_with(program), props).unwrap();
    for _ in 0..n {
        c.cpu.step(&mut c.bus);
    }
    c
}

#[test]
fn power_on_state() {
    let c = run(&[], 0);
    assert_eq!((c.cpu.a, c.cpu.x, c.cpu.y, c.cpu.sp), (0, 0, 0, 0xFF));
    assert_eq!(
        c.cpu.ps(),
        0x30,
        "P = 0x20 | B (the 6507's B always reads set)"
    );
    assert_eq!(c.cpu.pc, 0xF000);
    assert_eq!(c.cart_kind(), CartKind::K4);
}

#[test]
fn load_add_and_flags() {
    // LDA #$7F; CLC; ADC #$01 -> 0x80, V and N set
    let c = run(&[0xA9, 0x7F, 0x18, 0x69, 0x01], 3);
    assert_eq!(c.cpu.a, 0x80);
    assert_eq!(c.cpu.ps() & 0xC3, 0xC0);
    // SEC; LDA #$00; SBC #$01 -> 0xFF, C clear
    let c = run(&[0x38, 0xA9, 0x00, 0xE9, 0x01], 3);
    assert_eq!(c.cpu.a, 0xFF);
    assert_eq!(c.cpu.ps() & 0x01, 0);
}

#[test]
fn decimal_mode() {
    // SED; CLC; LDA #$19; ADC #$28 -> 0x47
    let c = run(&[0xF8, 0x18, 0xA9, 0x19, 0x69, 0x28], 4);
    assert_eq!(c.cpu.a, 0x47);
    // SED; SEC; LDA #$50; SBC #$01 -> 0x49, C set
    let c = run(&[0xF8, 0x38, 0xA9, 0x50, 0xE9, 0x01], 4);
    assert_eq!(c.cpu.a, 0x49);
    assert_eq!(c.cpu.ps() & 1, 1);
    // SED; CLC; LDA #$99; ADC #$01 -> 0x00 with carry
    let c = run(&[0xF8, 0x18, 0xA9, 0x99, 0x69, 0x01], 4);
    assert_eq!(c.cpu.a, 0x00);
    assert_eq!(c.cpu.ps() & 1, 1);
}

#[test]
fn whole_instruction_cycles() {
    // LDA #1 (2), LDA $80 (3), LDA $F000 (4), NOP (2)
    let c = run(&[0xA9, 0x01, 0xA5, 0x80, 0xAD, 0x00, 0xF0, 0xEA], 4);
    assert_eq!(c.cycles(), 2 + 3 + 4 + 2);
}

#[test]
fn page_cross_and_branch_cycles() {
    // LDX #$FF (2); LDA $F001,X (4 + 1 page cross)
    let c = run(&[0xA2, 0xFF, 0xBD, 0x01, 0xF0], 2);
    assert_eq!(c.cycles(), 2 + 5);
    // STA abs,X never pays the extra cycle: LDX #$FF; STA $0081,X (5)
    let c = run(&[0xA2, 0xFF, 0x9D, 0x81, 0x00], 2);
    assert_eq!(c.cycles(), 2 + 5);
    // BNE taken, same page: LDX #1 (2); BNE +0 (2 + 1)
    let c = run(&[0xA2, 0x01, 0xD0, 0x00], 2);
    assert_eq!(c.cycles(), 2 + 3);
    // BEQ not taken: 2
    let c = run(&[0xA2, 0x01, 0xF0, 0x00], 2);
    assert_eq!(c.cycles(), 2 + 2);
}

#[test]
fn stack_and_subroutines() {
    // JSR $F010 ; at $F010: LDA #$42; RTS ; back: TAX
    let mut p = vec![0xEA; 0x20];
    p[0..3].copy_from_slice(&[0x20, 0x10, 0xF0]);
    p[3] = 0xAA;
    p[0x10..0x13].copy_from_slice(&[0xA9, 0x42, 0x60]);
    let c = run(&p, 4);
    assert_eq!(c.cpu.x, 0x42);
    assert_eq!(c.cpu.sp, 0xFF);
    assert_eq!(c.cpu.pc, 0xF004);
    // PHA / PLA through RAM at $1FF (mirror of $FF)
    let c = run(&[0xA9, 0x33, 0x48, 0xA9, 0x00, 0x68], 4);
    assert_eq!(c.cpu.a, 0x33);
    assert_eq!(c.ram()[0x7F], 0x33);
}

#[test]
fn zero_page_wraps_and_indirect() {
    // LDX #$10; LDA #$AB; STA $F5,X -> $05 (TIA, ignored) ... use RAM: STA $80,X -> $90
    let c = run(&[0xA2, 0x10, 0xA9, 0xAB, 0x95, 0x80], 3);
    assert_eq!(c.ram()[0x10], 0xAB);
    // (zp),Y: $80/$81 = $00/$F0 -> LDA ($80),Y with Y=2 reads $F002 (= $A9... our program bytes)
    let c = run(
        &[
            0xA9, 0x00, 0x85, 0x80, 0xA9, 0xF0, 0x85, 0x81, 0xA0, 0x02, 0xB1, 0x80,
        ],
        6,
    );
    assert_eq!(c.cpu.a, 0x85);
}

#[test]
fn undocumented_opcodes() {
    // LAX $80 after STA: LDA #$5A; STA $80; LAX $80
    let c = run(&[0xA9, 0x5A, 0x85, 0x80, 0xA7, 0x80], 3);
    assert_eq!((c.cpu.a, c.cpu.x), (0x5A, 0x5A));
    // SAX: LDA #$F0; LDX #$3C; SAX $81 -> $30
    let c = run(&[0xA9, 0xF0, 0xA2, 0x3C, 0x87, 0x81], 3);
    assert_eq!(c.ram()[1], 0x30);
    // DCP: LDA #$05; STA $82; DCP $82 -> mem 4, C set (5 >= 4)
    let c = run(&[0xA9, 0x05, 0x85, 0x82, 0xC7, 0x82], 3);
    assert_eq!(c.ram()[2], 0x04);
    assert_eq!(c.cpu.ps() & 1, 1);
    // SBX: LDA #$0F; LDX #$FF; SBX #$01 -> X = 0x0E
    let c = run(&[0xA9, 0x0F, 0xA2, 0xFF, 0xCB, 0x01], 3);
    assert_eq!(c.cpu.x, 0x0E);
}

#[test]
fn jam_halts_the_cpu_until_reset() {
    let mut c = run(&[0x02], 1);
    assert_ne!(c.bus.exec_status & FATAL_BIT, 0);
    let pc = c.cpu.pc;
    c.run_frame();
    assert_eq!(c.cpu.pc, pc, "a halted CPU executes nothing");
    c.system_reset();
    assert_eq!(c.bus.exec_status & FATAL_BIT, 0);
}

#[test]
fn riot_timer_counts_down_and_underflows() {
    // LDA #10; STA TIM8T ($295); then read INTIM at known cycles with NOPs.
    let mut c = run(&[0xA9, 0x0A, 0x8D, 0x95, 0x02], 2);
    let set_at = c.cycles();
    // INTIM at cycle set_at + k reads 10 - ((k - 1) >> 3) - 1 while non-negative
    for k in [1u32, 8, 9, 40, 80] {
        c.bus.cycles = set_at + k;
        let v = c.peek(0x284);
        let expect = 10i32 - ((k as i32 - 1) >> 3) - 1;
        if expect >= 0 {
            assert_eq!(v as i32, expect, "k = {k}");
        }
    }
    // Well past the underflow the timer counts single cycles and the flag reads 0x80 until read.
    c.bus.cycles = set_at + 10 * 8 + 20;
    assert_eq!(c.peek(0x285) & 0x80, 0x80);
    let v = c.peek(0x284);
    assert!(
        v > 0xE0,
        "after underflow INTIM decrements every cycle: {v:#x}"
    );
    assert_eq!(
        c.peek(0x285) & 0x80,
        0,
        "reading INTIM after the interrupt clears the flag"
    );
}

#[test]
fn riot_ports_read_inputs() {
    let mut c = run(&[], 0);
    assert_eq!(c.peek(0x280), 0xFF);
    c.inputs_mut().joysticks[0].up = true;
    c.inputs_mut().joysticks[1].right = true;
    assert_eq!(c.peek(0x280), !0x10 & !0x08);
    c.inputs_mut().switches.reset = true;
    c.inputs_mut().switches.left_difficulty_a = true;
    assert_eq!(c.peek(0x282), !0x80 & !0x01);
    // fire buttons on INPT4/5 (bit 7 clear when pressed)
    c.inputs_mut().joysticks[0].fire = true;
    assert_eq!(c.peek(0x0C) & 0x80, 0);
    assert_eq!(c.peek(0x0D) & 0x80, 0x80);
}

#[test]
fn ram_comes_from_the_system_rng() {
    let c = run(&[], 0);
    let mut rng = rng::Mt19937::new(SYSTEM_RANDOM_SEED);
    let expect: Vec<u8> = (0..128).map(|_| rng.next_u32() as u8).collect();
    assert_eq!(&c.ram()[..], &expect[..]);
}

#[test]
fn clone_and_serde_roundtrip() {
    // an endless loop writing WSYNC/VSYNC so frames end: LDA #2; STA VSYNC; STA WSYNC x3; LDA #0; STA VSYNC; JMP
    let p = [
        0xA9, 0x02, 0x85, 0x00, 0x85, 0x02, 0x85, 0x02, 0x85, 0x02, 0xA9, 0x00, 0x85, 0x00, 0x4C,
        0x00, 0xF0,
    ];
    let mut a = run(&p, 0);
    a.run_frame();
    let mut b = a.clone();
    let bytes = postcard::to_allocvec(&a).unwrap();
    let mut d: Console = postcard::from_bytes(&bytes).unwrap();
    // The fetch words are not serialised: the first instruction's slow path rebuilds them.
    assert_eq!(d.bus.cart.fetch_word(0xF000), crate::fetch::NOT_PLAIN);
    for _ in 0..5 {
        a.run_frame();
        b.run_frame();
        d.run_frame();
    }
    assert_eq!(a.screen(), b.screen());
    assert_eq!(a.screen(), d.screen());
    assert_eq!(a.cycles(), d.cycles());
    assert_eq!(a.ram(), d.ram());
    assert_eq!(d.bus.cart.fetch_word(0xF000), a.bus.cart.fetch_word(0xF000));
    assert_eq!(d.bus.cart.fetch_word(0xF000), 0x85_02A9, "LDA #2; STA");
}

fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

#[test]
fn garbage_roms_never_panic() {
    let sizes = [
        0usize, 1, 7, 100, 2047, 2048, 3000, 4096, 6144, 8192, 8448, 10240, 10495, 12288, 16384,
        32768, 65536,
    ];
    let mut seed = 12345u64;
    for (k, &size) in sizes.iter().enumerate() {
        for variant in 0..3 {
            let mut rom: Vec<u8> = (0..size).map(|_| lcg(&mut seed) as u8).collect();
            if variant == 1 && size >= 4 {
                // point the reset vector into the ROM so random code runs
                let n = rom.len();
                rom[n - 4] = 0x00;
                rom[n - 3] = 0xF0;
            }
            if variant == 2 {
                // mostly one byte (looks like SC RAM carts / E7 / sparse images)
                for b in rom.iter_mut().take(size / 2) {
                    *b = 0xFF;
                }
            }
            let props = if k % 2 == 0 {
                Properties::default()
            } else {
                Properties {
                    format: DisplayFormat::Pal,
                    ..Properties::default()
                }
            };
            match Console::new(&rom, props) {
                Ok(mut c) => {
                    for f in 0..20 {
                        let inputs = c.inputs_mut();
                        inputs.joysticks[0].fire = f % 2 == 0;
                        inputs.paddles[0].resistance = (lcg(&mut seed) % 800_000) as i32;
                        c.run_frame();
                        let _ = c.peek((lcg(&mut seed) & 0xFFFF) as u16);
                    }
                    assert_eq!(c.screen().len(), c.height() * 160);
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
    assert_eq!(
        Console::new(&[], Properties::default()).unwrap_err(),
        RomError::Empty
    );
}

#[test]
fn garbage_programs_never_panic() {
    // Random code in every cart type's size, many frames, odd properties.
    let mut seed = 999u64;
    for size in [2048usize, 4096, 8192, 16384, 32768] {
        for _ in 0..4 {
            let rom: Vec<u8> = (0..size).map(|_| lcg(&mut seed) as u8).collect();
            let props = Properties {
                y_start: (lcg(&mut seed) % 400) as u32,
                height: (lcg(&mut seed) % 400) as u32,
                ..Properties::default()
            };
            if let Ok(mut c) = Console::new(&rom, props) {
                for _ in 0..50 {
                    c.run_frame();
                }
            }
        }
    }
}

/// Timer wait loops `LD[AXY] INTIM; BNE *-3` (which `Cpu::execute` runs at once while INTIM
/// reads non-zero) end in exactly the state of running them one instruction at a time through
/// the bus (`Cpu::step` never skips), whatever the instruction budget of each `execute`.
#[test]
fn timer_wait_loops_match_single_steps() {
    let mut program = vec![
        0xA9, 0x20, // F000 LDA #$20
        0x8D, 0x95, 0x02, // F002 STA TIM8T
        0xAE, 0x84, 0x02, // F005 LDX INTIM
        0xD0, 0xFB, // F008 BNE F005
        0xA0, 0x03, // F00A LDY #$03
        0x8C, 0x97, 0x02, // F00C STY T1024T
        0xAC, 0x86, 0x02, // F00F LDY INTIM (mirror at $286)
        0xD0, 0xFB, // F012 BNE F00F
        0xA9, 0x10, // F014 LDA #$10
        0x8D, 0x95, 0x02, // F016 STA TIM8T
        0x4C, 0xFD, 0xF0, // F019 JMP F0FD
    ];
    program.resize(0xFD, 0xEA);
    program.extend_from_slice(&[
        0xAD, 0x84, 0x02, // F0FD LDA INTIM
        0xD0, 0xFB, // F100 BNE F0FD (crosses a page)
        0xA9, 0x02, // F102 LDA #$02
        0x8D, 0x94, 0x02, // F104 STA TIM1T
        0xEA, 0xEA, 0xEA, 0xEA, // F107 NOPs: the next loop starts after the underflow
        0xAD, 0x84, 0x02, // F10B LDA INTIM
        0xD0, 0xFB, // F10E BNE F10B (reads after the underflow: not skipped)
        0xA9, 0x40, // F110 LDA #$40
        0x8D, 0x96, 0x02, // F112 STA TIM64T
        0xAD, 0x84, 0x02, // F115 LDA INTIM
        0xD0, 0xFB, // F118 BNE F115
        0x4C, 0x00, 0xF0, // F11A JMP F000
    ]);
    let state = |c: &Console| {
        (
            format!("{:?}", c.cpu),
            c.bus.cycles,
            c.bus.data_bus,
            c.bus.last_access_was_read,
            c.bus.exec_status,
            postcard::to_allocvec(&c.bus.riot).unwrap(),
        )
    };
    for chunk in [1u32, 2, 3, 4, 5, 7, 10, 33, 100, 1000] {
        let mut fast = run(&program, 0);
        let mut slow = run(&program, 0);
        let mut executed = 0;
        while executed < 12_000 {
            assert!(fast.cpu.execute(&mut fast.bus, chunk));
            for _ in 0..chunk {
                slow.cpu.step(&mut slow.bus);
            }
            executed += chunk;
            assert_eq!(
                state(&fast),
                state(&slow),
                "after {executed} instructions in chunks of {chunk}"
            );
        }
        // The loops ran: the program went around at least once.
        assert!(
            fast.cycles() > 3 * 1024 + 0x40 * 64 + 0x30 * 8,
            "{}",
            fast.cycles()
        );
    }
}

/// Every opcode run once from ROM through `Cpu::execute` (operands prefetched with one load,
/// the last-access flag from `cpu::ends_with_write`) ends in the state of `Cpu::step` (every
/// fetch through the bus, the flag tracked access by access): registers, cycles, data bus,
/// last-access flag, RAM.
#[test]
fn fast_path_matches_single_step_for_every_opcode() {
    for op in 0..=255u8 {
        if matches!(op & 0x1F, 0x02 | 0x12) && op != 0x82 && op != 0xA2 && op != 0xC2 && op != 0xE2
        {
            continue; // jam
        }
        for operands in [[0x80u8, 0x00], [0xF0, 0xFF], [0x85, 0x02]] {
            let program = [op, operands[0], operands[1], 0xEA];
            let mut fast = run(&program, 0);
            let mut slow = run(&program, 0);
            assert!(fast.cpu.execute(&mut fast.bus, 1), "{op:#04x}");
            slow.cpu.step(&mut slow.bus);
            let state = |c: &Console| {
                (
                    format!("{:?}", c.cpu),
                    c.bus.cycles,
                    c.bus.data_bus,
                    c.bus.last_access_was_read,
                    *c.ram(),
                )
            };
            assert_eq!(
                state(&fast),
                state(&slow),
                "opcode {op:#04x} {operands:02x?}"
            );
            assert_eq!(
                fast.bus.last_access_was_read,
                !crate::cpu::ends_with_write(op),
                "{op:#04x}"
            );
        }
    }
}
