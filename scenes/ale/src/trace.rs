//! Step-by-step traces in the exact JSON-lines format of
//! `shared/reference/ale_trace.py` (ale-py 0.12), for differential testing.
//!
//! Records: `t = 0` is the state after loading the ROM; then one record per action; when
//! the game is over (truncation included) after an action, a record with `"reset": true`
//! follows the `reset_game`. Keys, order and number formatting follow Python's
//! `json.dumps`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use crate::env::{Ale, AleConfig};
use crate::error::AleError;
use crate::roms::{Rom, md5_hex};

/// What to trace (the flags of `ale_trace.py`).
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// The ROM (bytes and ALE name).
    pub rom: Rom,
    /// `(action index into the legal action set, paddle strength)` per step.
    pub actions: Vec<(u8, f32)>,
    /// `--frameskip` (default 1).
    pub frameskip: u32,
    /// `--sticky`: repeat-action probability (default 0.0).
    pub sticky: f32,
    /// `--seed` (default 0).
    pub seed: u32,
    /// `--mode`.
    pub mode: Option<u32>,
    /// `--difficulty`.
    pub difficulty: Option<u32>,
    /// `--max-frames` (0 = unlimited).
    pub max_frames: u64,
    /// `--rgb`: add the `screen_rgb` md5.
    pub rgb: bool,
}

impl TraceOptions {
    /// Options with `ale_trace.py`'s defaults.
    pub fn new(rom: Rom, actions: Vec<(u8, f32)>) -> Self {
        Self {
            rom,
            actions,
            frameskip: 1,
            sticky: 0.0,
            seed: 0,
            mode: None,
            difficulty: None,
            max_frames: 0,
            rgb: false,
        }
    }

    /// The environment configuration these options describe.
    pub fn config(&self) -> AleConfig {
        AleConfig {
            random_seed: self.seed,
            repeat_action_probability: self.sticky,
            frame_skip: self.frameskip,
            max_num_frames_per_episode: self.max_frames,
            mode: self.mode,
            difficulty: self.difficulty,
            truncate_on_loss_of_life: false,
        }
    }
}

/// Formats a float as Python's `repr` does (shortest round-trip digits; exponent form
/// below 1e-4 and from 1e16 on), as `json.dumps` prints it.
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    python_repr_digits(&format!("{x:e}"))
}

/// Like [`python_float`] for an `f32`, using the `f32`'s shortest digits (what the text it
/// was parsed from says, for up to about 7 significant digits).
pub fn python_float32(x: f32) -> String {
    if !x.is_finite() {
        return python_float(f64::from(x));
    }
    python_repr_digits(&format!("{x:e}"))
}

/// Turns Rust's shortest `{:e}` output (`-1.25e-5`) into Python's repr layout.
fn python_repr_digits(sci: &str) -> String {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let point = exp as usize + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                for _ in digits.len()..point {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// Parses an action file: one record a line, `ACTION` or `ACTION STRENGTH` (strength
/// default 1.0); blank lines and lines starting with `#` are skipped; fields past the
/// second are ignored (as `ale_trace.py` does). `path` only labels errors.
pub fn parse_actions(text: &str, path: &str) -> Result<Vec<(u8, f32)>, AleError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| AleError::ActionFile {
            path: path.to_string(),
            line: i + 1,
            message,
        };
        let mut parts = line.split_whitespace();
        let a_text = parts.next().unwrap_or_default();
        let a: i64 = a_text.parse().map_err(|_| {
            err(format!(
                "expected an action id (an integer 0..=17), found `{a_text}`"
            ))
        })?;
        let a = u8::try_from(a).ok().filter(|a| *a < 18).ok_or_else(|| {
            err(format!(
                "action {a} is out of range: ALE actions are 0..=17"
            ))
        })?;
        let s = match parts.next() {
            None => 1.0,
            Some(s_text) => {
                let s: f64 = s_text.parse().map_err(|_| {
                    err(format!(
                        "expected a paddle strength (a number, e.g. 0.5), found `{s_text}`"
                    ))
                })?;
                s as f32
            }
        };
        out.push((a, s));
    }
    Ok(out)
}

/// Reads and parses an action file.
pub fn read_actions(path: &Path) -> Result<Vec<(u8, f32)>, AleError> {
    let text = std::fs::read_to_string(path).map_err(|source| AleError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_actions(&text, &path.display().to_string())
}

/// Runs the trace and writes one JSON line per record.
pub fn write_trace(opts: &TraceOptions, out: &mut impl Write) -> Result<(), AleError> {
    let mut ale = Ale::with_game_name(&opts.rom.bytes, &opts.rom.name, opts.config())?;
    let legal = ale.legal_actions();
    let io = |source| AleError::Io {
        path: "<trace output>".to_string(),
        source,
    };
    let mut line = String::with_capacity(512);
    let mut rgb = Vec::new();
    record(&ale, 0, None, 0, false, opts.rgb, &mut rgb, &mut line);
    out.write_all(line.as_bytes()).map_err(io)?;
    let mut t = 0u64;
    for &(a, s) in &opts.actions {
        t += 1;
        let action = *legal
            .get(usize::from(a))
            .ok_or(AleError::InvalidAction(i64::from(a)))?;
        let r = ale.act(action, s);
        record(
            &ale,
            t,
            Some((a, s)),
            r,
            false,
            opts.rgb,
            &mut rgb,
            &mut line,
        );
        out.write_all(line.as_bytes()).map_err(io)?;
        if ale.game_over(true) {
            t += 1;
            ale.reset()?;
            record(&ale, t, None, 0, true, opts.rgb, &mut rgb, &mut line);
            out.write_all(line.as_bytes()).map_err(io)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn record(
    ale: &Ale,
    t: u64,
    action: Option<(u8, f32)>,
    reward: i32,
    reset: bool,
    with_rgb: bool,
    rgb: &mut Vec<u8>,
    line: &mut String,
) {
    line.clear();
    let (a, s) = match action {
        Some((a, s)) => (a.to_string(), python_float32(s)),
        None => ("null".to_string(), "null".to_string()),
    };
    let _ = write!(
        line,
        "{{\"t\": {t}, \"action\": {a}, \"strength\": {s}, \"reward\": {reward}, \"lives\": {}, \
         \"game_over\": {}, \"truncated\": {}, \"frame\": {}, \"episode_frame\": {}, \"ram\": \"",
        ale.lives(),
        ale.game_over(false),
        ale.truncated(),
        ale.frame_number(),
        ale.episode_frame_number(),
    );
    for b in ale.ram() {
        let _ = write!(line, "{b:02x}");
    }
    let _ = write!(line, "\", \"screen\": \"{}\"", md5_hex(ale.screen()));
    if reset {
        line.push_str(", \"reset\": true");
    }
    if with_rgb {
        ale.screen_rgb_into(rgb);
        let _ = write!(line, ", \"screen_rgb\": \"{}\"", md5_hex(rgb));
    }
    line.push_str("}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-0.25, "-0.25"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (2.5e20, "2.5e+20"),
        ];
        for (x, want) in cases {
            assert_eq!(python_float(x), want, "{x}");
        }
        assert_eq!(python_float32(0.3), "0.3");
        assert_eq!(python_float32(-1.0), "-1.0");
        assert_eq!(python_float(f64::NAN), "NaN");
    }

    #[test]
    fn action_files_parse_with_line_numbered_errors() {
        let text = "# header\n\n3\n 4 0.5 \n11 -1\n";
        assert_eq!(
            parse_actions(text, "a.txt").unwrap(),
            vec![(3, 1.0), (4, 0.5), (11, -1.0)]
        );
        let e = parse_actions("1\nfire\n", "a.txt").unwrap_err().to_string();
        assert!(e.starts_with("a.txt:2:"), "{e}");
        let e = parse_actions("18\n", "a.txt").unwrap_err().to_string();
        assert!(e.contains("a.txt:1:") && e.contains("out of range"), "{e}");
        let e = parse_actions("2 strong\n", "a.txt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("paddle strength"), "{e}");
    }
}
