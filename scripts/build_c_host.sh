#!/usr/bin/env bash
# Compiles cpp/examples/c_host.c against the libparley installed in .venv (what a game would ship).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/c_host}
pkg=$(.venv/bin/python -c 'import importlib.util as u; print(list(u.find_spec("parley").submodule_search_locations)[0])')
mkdir -p "$out"
cc -std=c99 -O2 -Wall -Werror -I"$pkg/include" cpp/examples/c_host.c -o "$out/c_host" \
   -L"$pkg" -lparley -Wl,-rpath,"$pkg"
