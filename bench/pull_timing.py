"""Builds bench/pull_timing.c against the installed libparley, runs it, writes the JSON.

    .venv/bin/python bench/pull_timing.py [--seconds 30]

Four voices answer the player continuously (LLM + TTS on both cores) while a real-time audio
thread times every parley_pull; voice 0 is cancelled mid-speech every few seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import ROOT, describe  # noqa: E402

from parley_bridge.binding import library_path  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--json", default=str(ROOT / "bench/results/pull_timing.json"))
    args = ap.parse_args()
    pkg = library_path().parent
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "pull_timing"
        subprocess.run(["cc", "-std=c11", "-O2", "-Wall", "-Werror", f"-I{pkg / 'include'}", str(ROOT / "bench/pull_timing.c"),
                        "-o", str(exe), f"-L{pkg}", "-lparley", f"-Wl,-rpath,{pkg}", "-lpthread"], check=True)
        print(f"running {args.seconds:.0f} s: 4 voices synthesising, one real-time audio thread...", file=sys.stderr)
        out = subprocess.run([str(exe), str(args.seconds)], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    result["goal_max_us"] = 50
    result["machine"] = describe()
    p = result["pull_us"]
    print(f"parley_pull over {result['pull_calls']} calls: p50 {p['p50']:.2f} us, p99 {p['p99']:.2f} us, "
          f"p99.9 {p['p99_9']:.2f} us, max {p['max']:.2f} us (goal: max <= 50 us)")
    c = result["cancel_to_last_old_frame_ms"]
    print(f"cancel: {result['cancels']} cancels, last old frame left parley_pull {c['max']:.2f} ms after cancel at worst "
          f"(negative: before cancel returned); stale frames after cancel: {result['stale_frames_after_cancel']}")
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["stale_frames_after_cancel"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
