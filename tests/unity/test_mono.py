"""The Unity package (unity_plugin/) compiled with Mono's C# compiler and run with `mono` against
the real libparley: no Unity editor exists here, so Mono stands in for Unity's scripting runtime.

- Parley.Native must compile alone, with no UnityEngine reference (its asmdef says so).
- ParleyVoice (the MonoBehaviour) compiles against a minimal UnityEngine stub kept in Tests/.
- ParleyTests.exe checks the struct layouts against the C compiler, runs turns, bad inputs,
  dispose rules, and drives ParleyVoice as Unity would.
Mono is installed by scripts/test.sh (PARLEY_WITH_MONO=1 bash scripts/setup.sh).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from parley_bridge.binding import library_path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "unity_plugin"


@pytest.fixture(scope="module")
def mono_tools():
    missing = [tool for tool in ("mcs", "mono") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: install Mono with PARLEY_WITH_MONO=1 bash scripts/setup.sh")


def _mcs(*args: str) -> None:
    proc = subprocess.run(["mcs", "-nologo", "-unsafe", *args], cwd=PLUGIN, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_native_layer_compiles_without_unityengine(mono_tools, tmp_path):
    _mcs("-target:library", f"-out:{tmp_path / 'Parley.Native.dll'}", *map(str, sorted(PLUGIN.glob("Runtime/Native/*.cs"))))


def test_unity_package_runs_under_mono_against_libparley(mono_tools, tmp_path, fast_config):
    pkg = library_path().parent
    layout = tmp_path / "layout"
    subprocess.run(["cc", "-std=c99", "-Wall", "-Werror", f"-I{pkg / 'include'}", str(PLUGIN / "Tests/Mono/layout.c"), "-o", str(layout)], check=True)
    (tmp_path / "layout.txt").write_text(subprocess.run([str(layout)], capture_output=True, text=True, check=True).stdout)
    sources = [*sorted(PLUGIN.glob("Runtime/Native/*.cs")), PLUGIN / "Runtime/ParleyVoice.cs",
               PLUGIN / "Tests/Mono/UnityStubs.cs", PLUGIN / "Tests/Mono/ParleyTests.cs"]
    exe = tmp_path / "ParleyTests.exe"
    _mcs(f"-out:{exe}", *map(str, sources))
    env = {**os.environ, "LD_LIBRARY_PATH": str(pkg), "PARLEY_TEST_CONFIG": json.dumps({**fast_config, "narrative": None})}
    proc = subprocess.run(["mono", str(exe), str(tmp_path / "layout.txt")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout


def test_package_layout_is_upm(mono_tools):
    manifest = json.loads((PLUGIN / "package.json").read_text())
    assert manifest["name"] == "com.parley.voice"
    for path in ("Runtime/Parley.Runtime.asmdef", "Runtime/Native/Parley.Native.asmdef", "Samples~/Demo", "Tests", "README.md", "Plugins"):
        assert (PLUGIN / path).exists(), path
    native = json.loads((PLUGIN / "Runtime/Native/Parley.Native.asmdef").read_text())
    assert native["noEngineReferences"] is True
