#!/usr/bin/env bash
# Runs each replay program given (see replaymain.cpp); fails if any of them does.
set -uo pipefail
failed=()
for program in "$@"; do
    "$program" || failed+=("$(basename "$program")")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz replay failed: ${failed[*]}"
    exit 1
fi
