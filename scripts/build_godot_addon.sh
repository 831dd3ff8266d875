#!/usr/bin/env bash
# Builds the Godot extension (godot_addon/addons/parley/bin/libparley_godot.so) against the
# libparley installed in .venv, and links that libparley next to it, as parley.gdextension's
# [dependencies] expects. libparley resolves the link to find its Python environment.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=$(.venv/bin/python -c 'import importlib.util as u; print(list(u.find_spec("parley").submodule_search_locations)[0])')
cmake -S godot_addon -B build/godot -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DPARLEY_INCLUDE_DIR="$pkg/include" -DPARLEY_LIBRARY="$pkg/libparley.so" >/dev/null
cmake --build build/godot
ln -sf "$pkg/libparley.so" godot_addon/addons/parley/bin/libparley.so
