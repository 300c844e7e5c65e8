#!/usr/bin/env bash
# Installs dependencies and builds the `vigil` binary (g++, Release) into ./build/vigil.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ >/dev/null
cmake --build build -j "$(nproc)" --target vigil
