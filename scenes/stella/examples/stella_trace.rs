//! Prints the same JSON lines as `shared/reference/ale_trace.py`, with ALE (`arcadia-ale`) running on
//! this emulator. `cargo run -p stella --example stella_trace -- ROM ACTIONS [--frameskip N]
//! [--sticky P] [--seed S] [--mode M] [--difficulty D] [--max-frames F] [--rgb]`.
//! ROM is a file path (e.g. from `ale_trace.py --rom-path pong`).

use std::io::Write;
use std::path::Path;

use arcadia_ale::roms::Rom;
use arcadia_ale::trace::{TraceOptions, read_actions, write_trace};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        return Err("usage: stella_trace ROM ACTIONS [--frameskip N] [--sticky P] [--seed S] [--mode M] [--difficulty D] [--max-frames F] [--rgb]".into());
    }
    let rom = Rom::from_path(Path::new(&args[0]))?;
    let actions = read_actions(Path::new(&args[1]))?;
    let mut opts = TraceOptions::new(rom, actions);
    let mut i = 2;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "--rgb" {
            opts.rgb = true;
            i += 1;
            continue;
        }
        let value = args
            .get(i + 1)
            .ok_or_else(|| format!("{flag} needs a value"))?;
        match flag {
            "--frameskip" => opts.frameskip = value.parse()?,
            "--sticky" => opts.sticky = value.parse()?,
            "--seed" => opts.seed = value.parse()?,
            "--mode" => opts.mode = Some(value.parse()?),
            "--difficulty" => opts.difficulty = Some(value.parse()?),
            "--max-frames" => opts.max_frames = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
        i += 2;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_trace(&opts, &mut out)?;
    out.flush()?;
    Ok(())
}
