#!/usr/bin/env bash
# Measures the bare emulator (`stella`'s `examples/bench.rs`) the ways that worked for its
# optimisation on a noisy shared host: host instructions per frame (deterministic), screen and
# RAM hashes of every ROM (an optimisation must not change them), and wall-clock rates of
# binaries run in turn. Needs ale-py's ROMs (`pip install ale-py`); `icount` needs valgrind.
#
#   scripts/stella-perf.sh build NAME        # copies the current bench binary to $DIR/bench.NAME
#   scripts/stella-perf.sh icount BIN        # instructions per frame, the five benchmark games
#   scripts/stella-perf.sh hashes BIN OUT    # hash of 1,500 frames of each ROM, one line per ROM
#   scripts/stella-perf.sh wall GAME RUNS BIN...  # alternating runs; best and median frames/s
#
# DIR is $STELLA_PERF_DIR, or $HOME/.cache/stella-perf. A typical change: `build before`,
# edit, `build after`, `hashes` of both (`diff` them), `icount` of both.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${STELLA_PERF_DIR:-$HOME/.cache/stella-perf}"
games="pong breakout space_invaders ms_pacman seaquest"
roms=$(python3 -c 'import ale_py, os; print(os.path.join(os.path.dirname(ale_py.__file__), "roms"))' 2>/dev/null) || {
    echo "stella-perf.sh: the ROMs come from ale-py: pip install ale-py" >&2
    exit 1
}

usage() {
    sed -n '2,13p' "$0" >&2
    exit 2
}

# Host instructions of `BIN ROM FRAMES` under callgrind.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$2" "$3" 2>&1 |
        awk '/refs:/ { gsub(",", "", $NF); print $NF }'
}

case "${1:-}" in
build)
    [ $# -eq 2 ] || usage
    target="${CARGO_TARGET_DIR:-$HOME/.cache/arcadia-target}"
    cargo build --release --quiet -p stella --example bench
    mkdir -p "$dir"
    cp "$target/release/examples/bench" "$dir/bench.$2"
    echo "$dir/bench.$2"
    ;;
icount)
    [ $# -eq 2 ] || usage
    command -v valgrind >/dev/null || {
        echo "stella-perf.sh: icount needs valgrind (apt install valgrind)" >&2
        exit 1
    }
    bin=$(realpath "$2")
    # 310 frames less 10: the start-up (tables, power-on frames) cancels out.
    for game in $games; do
        short=$(instructions "$bin" "$roms/$game.bin" 10)
        long=$(instructions "$bin" "$roms/$game.bin" 310)
        echo "$game $(((long - short) / 300))"
    done
    ;;
hashes)
    [ $# -eq 3 ] || usage
    : >"$3"
    for rom in "$roms"/*.bin; do
        hash=$("$2" "$rom" 1500 hash 2>&1 | grep '^hash' || echo FAILED)
        echo "$(basename "$rom" .bin) $hash" >>"$3"
    done
    echo "$(wc -l <"$3") ROMs hashed into $3"
    ;;
wall)
    [ $# -ge 4 ] || usage
    game=$2 runs=$3
    shift 3
    declare -A rates
    for _ in $(seq "$runs"); do
        for bin in "$@"; do
            rate=$("$bin" "$roms/$game.bin" 20000 | awk '/frames\/s/ { print $(NF - 1) }')
            rates[$bin]="${rates[$bin]:-} $rate"
        done
    done
    for bin in "$@"; do
        echo "$bin: $(echo ${rates[$bin]} | tr ' ' '\n' | sort -n |
            awk '{ r[NR] = $1 } END { print "best", r[NR], "median", r[int((NR + 1) / 2)] }')"
    done
    ;;
*) usage ;;
esac
