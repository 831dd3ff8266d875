#!/usr/bin/env bash
# README command 1: set up, then run one full NPC turn through the C ABI on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo
echo "== the C host (cpp/examples/c_host.c): a plain C program that links only libparley"
bash scripts/build_c_host.sh build/c_host
build/c_host/c_host "Who are you, old man?" c_host_turn.wav
echo
echo "== the harness (parley say) through the same C ABI"
.venv/bin/parley say "Who are you, old man?" --out turn.wav
