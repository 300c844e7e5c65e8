#!/usr/bin/env bash
# The README's test command: installs dependencies, builds vigil with g++ in Release and runs
# every test (the `slow` ones included). Build tree: ./build (override with VIGIL_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
# Paths relative to the checkout, so ccache hits across clones in other directories.
export CCACHE_BASEDIR="$PWD"
scripts/deps.sh
build=${VIGIL_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DVIGIL_WERROR=ON
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 900
