"""The plain C host (cpp/examples/c_host.c), a non-Python process like Godot or Unity, linked
against the libparley installed in the venv: it must find its Python environment by itself."""

import os
import subprocess
from pathlib import Path

import numpy as np
import soundfile

from parley.audio import max_step
from parley_bridge.binding import library_path

ROOT = Path(__file__).resolve().parents[2]


def test_c_host_runs_a_full_turn_and_writes_a_clean_wav(tmp_path):
    subprocess.run(["bash", "scripts/build_c_host.sh", str(tmp_path)], cwd=ROOT, check=True)
    wav = tmp_path / "turn.wav"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PARLEY_"))}
    env["PATH"] = "/usr/bin:/bin"  # no venv on PATH: libparley must find it from its own location
    proc = subprocess.run([str(tmp_path / "c_host"), "Who are you, old man?", str(wav)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "event 6 turn 1" in proc.stdout  # TURN_DONE
    assert "first frame pulled" in proc.stdout
    audio, rate = soundfile.read(wav, dtype="float32")
    assert rate == 48000 and audio.shape[1] == 2
    assert len(audio) / rate > 2.0
    assert np.isfinite(audio).all() and float(np.sqrt(np.mean(audio**2))) > 0.02
    # Chunk seams are crossfaded: no sample-to-sample jump bigger than speech itself makes.
    assert max_step(audio[:, 0]) < 0.6


def test_only_parley_symbols_are_exported():
    out = subprocess.run(["nm", "-D", "--defined-only", str(library_path())], capture_output=True, text=True, check=True).stdout
    names = [line.split()[-1] for line in out.splitlines() if line.strip()]
    assert names and all(n.startswith("parley_") for n in names), [n for n in names if not n.startswith("parley_")][:10]


def test_adversarial_calls_from_a_plain_c_host(tmp_path):
    """cpp/tests/c_abi_adversarial.c: NULLs, bad text, stale handles, two pullers, lifecycle."""
    pkg = library_path().parent
    exe = tmp_path / "adversarial"
    subprocess.run(["cc", "-std=c99", "-O1", "-Wall", "-Werror", f"-I{pkg / 'include'}", "cpp/tests/c_abi_adversarial.c",
                    "-o", str(exe), f"-L{pkg}", "-lparley", f"-Wl,-rpath,{pkg}", "-lpthread"], cwd=ROOT, check=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failed" in proc.stdout
