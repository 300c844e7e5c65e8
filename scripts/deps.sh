#!/usr/bin/env bash
# Installs every build, test and tool dependency of vigil from Debian packages. Idempotent:
# installs only what is missing, and runs `apt-get update` only when something is.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  g++-12 clang-14 libclang-rt-14-dev clang-format-14
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev zlib1g-dev libyaml-cpp-dev libfmt-dev libcli11-dev libsimdjson-dev
  libssl-dev libpugixml-dev libpq-dev libre2-dev libisal-dev postgresql sqlite3
  curl nginx-light time bc jq lcov gcovr goaccess
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
