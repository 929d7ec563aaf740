#!/usr/bin/env bash
# Builds a release `arcadia` binary whose emulator crates (stella, arcadia-ale) are optimised
# with a profile (PGO): built instrumented, trained on ROMs that are not the five benchmark
# games, then rebuilt with the profile. Prints the binary's path. Needs ale-py's ROMs (as
# every `arcadia` ROM lookup) and `llvm-profdata` (`rustup component add llvm-tools`).
#
#   scripts/pgo.sh            # -> $CARGO_TARGET_DIR-pgo/release/arcadia
set -euo pipefail
cd "$(dirname "$0")/.."

profdata=$(find "$(rustc --print sysroot)" -name llvm-profdata -type f | head -n 1)
if [ -z "$profdata" ]; then
    echo "pgo.sh: llvm-profdata not found; install it with: rustup component add llvm-tools" >&2
    exit 1
fi
target="${CARGO_TARGET_DIR:-$HOME/.cache/arcadia-target}-pgo"
profiles="$target/profiles"
binary="$target/release/arcadia"
# Training games: a spread of kernels and cartridge types, none of pong, breakout,
# space_invaders, ms_pacman, seaquest.
train="alien amidar asterix atlantis bank_heist battle_zone beam_rider bowling boxing
    centipede chopper_command crazy_climber demon_attack enduro freeway frostbite gopher
    gravitar hero ice_hockey jamesbond kangaroo krull montezuma_revenge name_this_game
    phoenix pitfall private_eye qbert riverraid road_runner robotank skiing solaris
    star_gunner tennis time_pilot tutankham up_n_down venture video_pinball wizard_of_wor
    yars_revenge zaxxon"

build() {
    # The wrapper's flags are invisible to cargo: the crates it changes are cleaned so that
    # they (and what depends on them) are rebuilt with the new flags.
    cargo clean --release --quiet --target-dir "$target" -p stella -p arcadia-ale -p arcadia
    ARCADIA_PGO_FLAGS="$1" RUSTC_WRAPPER="$PWD/scripts/pgo-rustc" \
        cargo build --release --quiet --target-dir "$target" --bin arcadia
}

rm -rf "$profiles"
mkdir -p "$profiles"
echo "pgo.sh: instrumented build" >&2
build "-Cprofile-generate=$profiles"
echo "pgo.sh: training" >&2
for rom in $train; do
    "$binary" bench ale --rom "$rom" --frames 3000 --rounds 1 >/dev/null
done
"$profdata" merge -o "$profiles/merged.profdata" "$profiles"/*.profraw
echo "pgo.sh: optimised build" >&2
build "-Cprofile-use=$profiles/merged.profdata"
echo "$binary"
