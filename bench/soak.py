"""Soak: many turns on the embedded default across several voices with random cancels, through
the C ABI. Reports memory (RSS) and Python objects after warm-up and at the end, threads alive,
and any lost or duplicated chunk: every TEXT of a finished turn must match the line, once, in
order, with its audio (TEXT frames strictly increasing inside the turn's audio).

    .venv/bin/python bench/soak.py --turns 1000            # the full soak (~10 min on 2 cores)
    .venv/bin/python bench/soak.py --turns 50 --json -     # what CI runs (tests/bridge/test_soak.py)
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import threading
import time
from pathlib import Path


from parley_bridge.binding import load

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from helpers.capi import create_voice, init, poll_all  # noqa: E402
from machine import rss_mib  # noqa: E402

LINES = [
    "Halt, traveller. The bridge is closed until dawn.",
    "Welcome back, friend. Your sword is ready, sharpened twice.",
    "I have no quarrel with you, but my master does.",
    "The library burned, yes. But not everything in it.",
    "Bring me three wolf pelts, and I will tell you where she went.",
    "Mr. Hale owes me 3.5 gold coins, and he knows it.",
]
SOAK_CONFIG = {
    "opener": {"max_tokens": 24, "target_chars": 40, "instruction": "Answer in one short spoken sentence."},
    "narrative": {"max_tokens": 32, "target_chars": 80, "instruction": "Add one sentence."},
}
TERMINAL = {6: "TURN_DONE", 7: "CANCELLED", 8: "ERROR"}


def _trimmed_rss() -> float:
    """RSS after glibc returns its free pages: what is left is memory really in use."""
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mib()


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = self.cancelled = self.errors = self.lost_or_duplicated = self.turns = 0
        self.problems: list[str] = []

    def add(self, **counts: int) -> None:
        with self.lock:
            for k, v in counts.items():
                setattr(self, k, getattr(self, k) + v)


def run_voice(lib, voice, n_turns: int, rng: random.Random, cancel_prob: float, llm_every: int, tally: Tally, progress) -> None:
    c, ffi = lib.lib, lib.ffi
    buf = ffi.new("float[]", 2400 * 2)
    turn = ffi.new("uint64_t *")
    for i in range(n_turns):
        llm = llm_every and i % llm_every == llm_every - 1
        line = rng.choice(LINES)
        start = c.parley_turn_start if llm else c.parley_speak
        lib.check(start(voice, (rng.choice(["Who are you?", "Any news?"]) if llm else line).encode(), turn), "start")
        cancel_at = rng.uniform(0.0, 0.6) if rng.random() < cancel_prob else None
        t0 = time.monotonic()
        events, ended = [], None
        while ended is None:
            c.parley_pull(voice, buf, 2400)
            for ev in poll_all(lib, voice):
                if ev[1] == turn[0]:
                    events.append(ev)
                    if ev[0] in TERMINAL:
                        ended = ev
            if cancel_at is not None and time.monotonic() - t0 > cancel_at:
                c.parley_turn_cancel(voice)
                cancel_at = None
            if time.monotonic() - t0 > 60:
                tally.add(errors=1)
                tally.problems.append(f"turn {turn[0]} did not end in 60 s")
                return
            time.sleep(0.002)
        texts = [e for e in events if e[0] == 2]
        frames = [e[2] for e in texts]
        ok_order = frames == sorted(frames) and len(set(frames)) == len(frames)
        if ended[0] == 6:
            complete = (" ".join(e[3] for e in texts) == line) if not llm else len(texts) == json.loads(ended[3])["chunks"]
            if not (complete and ok_order):
                tally.add(lost_or_duplicated=1)
                tally.problems.append(f"turn {turn[0]}: {[e[3] for e in texts]} for {line!r}")
            tally.add(done=1)
        elif ended[0] == 7:
            heard = " ".join(e[3] for e in texts)
            if not llm and not line.startswith(heard) or not ok_order:
                tally.add(lost_or_duplicated=1)
                tally.problems.append(f"cancelled turn {turn[0]}: {heard!r} is not a prefix of {line!r}")
            tally.add(cancelled=1)
        else:
            tally.add(errors=1)
            tally.problems.append(f"turn {turn[0]} failed: {ended[3]}")
        tally.add(turns=1)
        progress()


def soak(turns: int, voices: int, cancel_prob: float, llm_every: int, seed: int, quiet: bool) -> dict:
    lib = load()
    lib.lib.parley_shutdown()
    assert init(lib, SOAK_CONFIG) == 0, lib.last_error()
    handles = [create_voice(lib) for _ in range(voices)]
    tally = Tally()
    threads_before = threading.active_count()
    marks: dict[str, float] = {"rss_start_mib": rss_mib()}
    warmup = max(1, turns // 10)
    t_start = time.monotonic()

    def progress() -> None:
        if tally.turns == warmup:
            gc.collect()
            marks["rss_after_warmup_mib"] = rss_mib()
            marks["py_objects_after_warmup"] = len(gc.get_objects())
        if tally.turns % 50 == 0:
            marks.setdefault("trace", []).append((tally.turns, round(rss_mib(), 1)))
        if not quiet and tally.turns % 10 == 0:
            print(f"\r{tally.turns}/{turns} turns, RSS {rss_mib():.0f} MiB", end="", file=sys.stderr, flush=True)

    per_voice = [turns // voices + (1 if i < turns % voices else 0) for i in range(voices)]
    workers = [threading.Thread(target=run_voice, name=f"soak-voice{i}",
                                args=(lib, h, n, random.Random(seed + i), cancel_prob, llm_every, tally, progress))
               for i, (h, n) in enumerate(zip(handles, per_voice))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - t_start
    for h in handles:
        lib.lib.parley_voice_destroy(h)
    time.sleep(0.5)  # let the last turns' threads exit
    gc.collect()
    result = {
        "turns": tally.turns, "voices": voices, "seconds": round(elapsed, 1),
        "done": tally.done, "cancelled": tally.cancelled, "errors": tally.errors,
        "lost_or_duplicated_chunks": tally.lost_or_duplicated,
        "rss_start_mib": round(marks["rss_start_mib"], 1),
        "rss_after_warmup_mib": round(marks.get("rss_after_warmup_mib", float("nan")), 1),
        "rss_end_mib": round(rss_mib(), 1),
        "rss_end_after_malloc_trim_mib": round(_trimmed_rss(), 1),
        "py_objects_after_warmup": marks.get("py_objects_after_warmup"),
        "py_objects_end": len(gc.get_objects()),
        "threads_before": threads_before, "threads_end": threading.active_count(),
        "rss_trace_mib": marks.get("trace", []),
        "problems": tally.problems[:20],
    }
    warm = result["rss_after_warmup_mib"]
    result["rss_growth_after_warmup_pct"] = round(100 * (result["rss_end_mib"] - warm) / warm, 2) if warm == warm else None
    lib.lib.parley_shutdown()
    if not quiet:
        print(file=sys.stderr)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=1000)
    ap.add_argument("--voices", type=int, default=4)
    ap.add_argument("--cancel-prob", type=float, default=0.25)
    ap.add_argument("--llm-every", type=int, default=10, help="every Nth turn of a voice uses the LLMs (0: never)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default=str(ROOT / "bench/results/soak.json"), help="where to write the result ('-': stdout only)")
    args = ap.parse_args()
    result = soak(args.turns, args.voices, args.cancel_prob, args.llm_every, args.seed, quiet=False)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json != "-":
        Path(args.json).write_text(text + "\n")
    healthy = result["errors"] == 0 and result["lost_or_duplicated_chunks"] == 0 and result["threads_end"] <= result["threads_before"]
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
