#!/usr/bin/env python3
"""Checks that a PNG screenshot is not blank: decodes it (8-bit RGB or RGBA, standard
library only) and requires at least MIN_COLOURS distinct colours with no single colour
covering more than MAX_DOMINANT of the pixels. Exits 0 when it is not blank, 1 otherwise."""

import struct
import sys
import zlib
from collections import Counter

MIN_COLOURS = 16
MAX_DOMINANT = 0.98


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {colour})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif kind == 2:
            for i in range(stride):
                row[i] = (row[i] + prev[i]) & 255
        elif kind == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + pred) & 255
        rows.append(row)
        prev = row
    return width, height, bpp, rows


def main():
    path = sys.argv[1]
    width, height, bpp, rows = decode(path)
    counts = Counter()
    for row in rows:
        counts.update(bytes(row[i : i + 3]) for i in range(0, len(row), bpp))
    total = width * height
    dominant = counts.most_common(1)[0][1] / total
    print(f"{path}: {width}x{height}, {len(counts)} distinct colours, "
          f"most common colour {100 * dominant:.1f}%")
    if len(counts) < MIN_COLOURS or dominant > MAX_DOMINANT:
        print(f"{path}: blank screenshot", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
