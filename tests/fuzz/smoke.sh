#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into <fuzz build dir> and runs each for a short
# while (CALLBOARD_FUZZ_SMOKE_SECONDS, default 15). Skipped (exit 77) only without clang.
#   smoke.sh <source dir> <fuzz build dir>
set -euo pipefail
source_dir="$1"
build_dir="$2"
if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz_smoke: SKIPPED, clang++ is not installed (scripts/setup installs it)"
    exit 77
fi
CALLBOARD_FUZZ_BUILD_DIR="$build_dir" exec "$source_dir/scripts/fuzz" \
    "${CALLBOARD_FUZZ_SMOKE_SECONDS:-15}"
