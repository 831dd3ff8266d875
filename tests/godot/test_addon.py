"""The Godot addon, without a Godot binary (none can be installed here):

- the extension builds against libparley, and every path parley.gdextension names exists;
- the mix unit's own tests (mono->stereo, underrun, cancel mid-buffer);
- a fake Godot host loads the extension through its entry symbol, checks what it registered, and
  calls _mix as Godot's audio thread would while a real turn runs on the embedded default;
- the GDScript parses, lints and is formatted (gdtoolkit; syntax only, no type checking).
"""

import configparser
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "godot_addon/addons/parley"
GD_FILES = sorted(str(p) for p in [*ADDON.glob("*.gd"), *(ROOT / "godot_addon/demo").glob("*.gd")])
BIN = ROOT / ".venv/bin"


@pytest.fixture(scope="module")
def built():
    subprocess.run(["bash", "scripts/build_godot_addon.sh"], cwd=ROOT, check=True, capture_output=True)
    return ROOT / "build/godot"


def _gdextension_paths() -> list[str]:
    text = (ADDON / "parley.gdextension").read_text()
    return re.findall(r'"(res://[^"]+)"', text)


def test_every_path_in_the_gdextension_file_exists_after_the_build(built):
    paths = _gdextension_paths()
    assert "res://addons/parley/bin/libparley_godot.so" in paths and "res://addons/parley/bin/libparley.so" in paths
    for res in paths:
        assert (ADDON / res.removeprefix("res://addons/parley/")).exists(), res
    cfg = configparser.ConfigParser()
    cfg.read_string((ADDON / "parley.gdextension").read_text().split("[dependencies]")[0])
    assert cfg["configuration"]["entry_symbol"].strip('"') == "parley_library_init"
    assert cfg["configuration"]["compatibility_minimum"].strip('"') == "4.3"


def test_extension_exports_only_its_entry_symbol(built):
    out = subprocess.run(["nm", "-D", "--defined-only", str(ADDON / "bin/libparley_godot.so")], capture_output=True, text=True, check=True).stdout
    names = {line.split()[-1] for line in out.splitlines()} - {"_init", "_fini"}
    assert names == {"parley_library_init"}


def test_mix_unit_through_ctest(built):
    proc = subprocess.run(["ctest", "--test-dir", str(built), "--output-on-failure", "-R", "test_mix"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 tests passed" in proc.stdout or "100% tests passed" in proc.stdout


def test_fake_godot_host_registers_and_mixes_a_real_turn(built, fast_config):
    env = {**os.environ, "PARLEY_TEST_CONFIG": json.dumps({**fast_config, "narrative": None})}
    proc = subprocess.run([str(built / "fake_godot_host"), str(ADDON)], env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^\d+ passed, 0 failed$", proc.stdout, re.M), proc.stdout


def test_gdscript_parses_lints_and_is_formatted():
    assert GD_FILES
    for tool, args in (("gdparse", []), ("gdlint", []), ("gdformat", ["--check"])):
        proc = subprocess.run([str(BIN / tool), *args, *GD_FILES], capture_output=True, text=True)
        assert proc.returncode == 0, f"{tool}: {proc.stdout}{proc.stderr}"


def test_demo_project_uses_the_addon_through_a_relative_link():
    demo = ROOT / "godot_addon/demo"
    link = demo / "addons"
    assert link.is_symlink() and os.readlink(link) == "../addons"
    project = (demo / "project.godot").read_text()
    assert 'ParleyRuntime="*res://addons/parley/parley_runtime.gd"' in project
    for res in re.findall(r'path="res://([^"]+)"', (demo / "main.tscn").read_text()):
        assert (demo / res).exists(), res
