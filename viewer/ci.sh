#!/usr/bin/env bash
# CI for the viewer (called by .ci/run): installs what running a window needs on a machine
# without a display or GPU (Xvfb, Mesa's software Vulkan driver lavapipe, the X11 client
# libraries winit loads at run time), builds the viewer, runs its tests, checks that it
# refuses cleanly without a display, then runs it under Xvfb on the default scene, takes a
# screenshot and fails unless the screenshot exists and is not blank.
#
# Usage: viewer/ci.sh [SCREENSHOT.png]   (default: $CARGO_TARGET_DIR/viewer-ci.png)
set -euo pipefail
cd "$(dirname "$0")"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arcadia-target-viewer}"
export CARGO_TERM_COLOR=never
shot="${1:-$CARGO_TARGET_DIR/viewer-ci.png}"
frames="${VIEWER_CI_FRAMES:-90}"

echo "== viewer: system packages"
packages=(xvfb xauth mesa-vulkan-drivers libvulkan1 libx11-6 libx11-xcb1 libxcursor1
    libxrandr2 libxi6 libxkbcommon-x11-0)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

echo "== viewer: build and tests"
start=$(date +%s)
cargo build --bin arcadia-viewer
echo "viewer build: $(($(date +%s) - start)) s"
cargo test
viewer="$CARGO_TARGET_DIR/debug/arcadia-viewer"

echo "== viewer: no display"
set +e
env -u DISPLAY -u WAYLAND_DISPLAY "$viewer" >/dev/null 2>"$CARGO_TARGET_DIR/viewer-nodisplay.txt"
status=$?
set -e
if [ "$status" -ne 2 ] || ! grep -q "arcadia train" "$CARGO_TARGET_DIR/viewer-nodisplay.txt"; then
    echo "expected exit status 2 and a pointer to 'arcadia train' without a display, got $status:"
    cat "$CARGO_TARGET_DIR/viewer-nodisplay.txt"
    exit 1
fi
echo "ok: exit status 2 with a pointer to headless training"

echo "== viewer: screenshot under Xvfb (software Vulkan)"
rm -f "$shot"
mkdir -p "$(dirname "$shot")"
start=$(date +%s)
timeout 600 xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$viewer" --screenshot "$shot" --frames "$frames" --width 1440 --height 900
echo "viewer run: $(($(date +%s) - start)) s"
test -s "$shot" || { echo "no screenshot at $shot"; exit 1; }
python3 check_png.py "$shot"
echo "ok: $shot"
