//! `AreaResize` against OpenCV's `cv2.resize(..., INTER_AREA)` on random images.
//! Prints a message and passes when python3 with cv2 and numpy is not available.

use std::process::Command;

use arcadia_ale::Mt19937;
use arcadia_ale::preprocess::AreaResize;

const SCRIPT: &str = r#"
import sys, numpy as np, cv2
sw, sh, dw, dh, cn = map(int, sys.argv[1:6])
src = np.fromfile(sys.argv[6], dtype=np.uint8)
shape = (sh, sw) if cn == 1 else (sh, sw, cn)
out = cv2.resize(src.reshape(shape), (dw, dh), interpolation=cv2.INTER_AREA)
sys.stdout.buffer.write(np.ascontiguousarray(out).tobytes())
"#;

fn cv2_available() -> bool {
    Command::new("python3")
        .args(["-c", "import cv2, numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn compare(sw: usize, sh: usize, dw: usize, dh: usize, cn: usize, seed: u32, sparse: bool) {
    let mut mt = Mt19937::new(seed);
    let mut src: Vec<u8> = (0..sw * sh * cn)
        .map(|_| {
            let v = mt.next_u32();
            // Atari-like images: few distinct values, long runs.
            if sparse {
                [0u8, 74, 111, 142, 236][(v % 5) as usize]
            } else {
                v as u8
            }
        })
        .collect();
    if sparse {
        // Atari screens repeat lines (and have blank ones): the resizer reuses the
        // horizontal pass of a repeated row, which must not change the result.
        let row = sw * cn;
        for y in 1..sh {
            match mt.next_u32() % 4 {
                0 | 1 => src.copy_within((y - 1) * row..y * row, y * row),
                2 => src[y * row..(y + 1) * row].fill(0),
                _ => {}
            }
        }
    }
    let path = std::env::temp_dir().join(format!(
        "arcadia-ale-cv2-{}-{sw}x{sh}-{dw}x{dh}-{cn}-{seed}.bin",
        std::process::id()
    ));
    std::fs::write(&path, &src).unwrap();
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .args([sw, sh, dw, dh, cn].map(|v| v.to_string()))
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ours = vec![0u8; dw * dh * cn];
    let mut resize = AreaResize::new(sw, sh, dw, dh, cn).unwrap();
    // A resizer keeps state between calls (each source row's horizontal pass and the last
    // output, reused where rows did not change): use it first on an image that differs from
    // this one in every third row, then on a wholly different one, then on this one.
    let row = sw * cn;
    let mut partly: Vec<u8> = src.clone();
    for (y, line) in partly.chunks_exact_mut(row).enumerate() {
        if y % 3 == 1 {
            line.iter_mut().for_each(|v| *v ^= 0x55);
        }
    }
    let other: Vec<u8> = src.iter().rev().map(|v| v ^ 0x55).collect();
    resize.resize(&other, &mut ours).unwrap();
    resize.resize(&src, &mut ours).unwrap();
    resize.resize(&partly, &mut ours).unwrap();
    resize.resize(&src, &mut ours).unwrap();
    let mismatches: Vec<usize> = (0..ours.len())
        .filter(|&i| ours[i] != out.stdout[i])
        .collect();
    assert!(
        mismatches.is_empty(),
        "{sw}x{sh}x{cn} -> {dw}x{dh}: {} of {} bytes differ, first at {} (ours {}, cv2 {})",
        mismatches.len(),
        ours.len(),
        mismatches[0],
        ours[mismatches[0]],
        out.stdout[mismatches[0]]
    );
}

#[test]
fn area_resize_matches_cv2() {
    if !cv2_available() {
        println!("SKIP: python3 with cv2 (opencv-python-headless) and numpy not available");
        return;
    }
    for seed in 0..3 {
        for sparse in [false, true] {
            compare(160, 210, 84, 84, 1, seed, sparse); // the Atari case
            compare(160, 250, 84, 84, 1, seed, sparse); // PAL screens
            compare(160, 210, 84, 84, 3, seed, sparse); // RGB
            compare(160, 210, 64, 64, 1, seed, sparse);
            compare(9, 7, 4, 3, 1, seed, sparse);
            compare(100, 100, 33, 33, 2, seed, sparse);
            compare(160, 210, 80, 105, 1, seed, sparse); // integer 2x2
            compare(12, 9, 4, 3, 1, seed, sparse); // integer 3x3
            compare(160, 210, 40, 70, 4, seed, sparse); // integer 4x3
        }
    }
}
