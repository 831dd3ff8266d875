"""The seed scenario, Parley against the method it replaces, on the same models in one run.

    .venv/bin/python bench/benchmark.py [--models random-full|default|real] [--turns 5]

Baseline, the usual method: wait for the whole opener; cut the first chunk at the first comma or
period; synthesise it in full; start playback after a 100 ms prebuffer of 25 ms blocks; later
chunks at punctuation; the narrative LLM starts after the opener (and torch.cuda.empty_cache()
between chunks on CUDA, which has no CPU counterpart).
Parley: the real pipeline through the C ABI, pulled by a thread in 10 ms callbacks as Godot's
mixer does.

Both speak the scenario's fixed text (bench/scenario.json) with the same engines: the LLM
evaluates the prompt and one real decode step per scripted token (bench/scripted_llm.py), so its
cost is real and both pipelines say the same words. Each pipeline runs in its own process (clean
memory figures); each does one warm-up turn, then --turns measured turns, played in real time.
Writes bench/results/benchmark_<models>_<device>.json and .png.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from machine import ROOT, describe, peak_cuda_mib, rss_mib  # noqa: E402
from scenario import SCENARIO  # noqa: E402


def engine_config(models: str, paths: argparse.Namespace | None = None) -> dict:
    """The engines both pipelines use. The LLMs are always scripted (same words, real compute)."""
    config: dict = {
        # Every turn is the same fresh exchange, as in the baseline: no memory of earlier turns,
        # or Parley would prefill a longer prompt each turn than the baseline does.
        "turn": {"history_turns": 0},
        "persona": SCENARIO["persona"],
    }
    if models == "default":
        scripted = "scripted_llm:ScriptedLlamaCpp"
        config["opener"] = {"engine": scripted, "options": {"script": "opener"}}
        config["narrative"] = {"engine": scripted, "options": {"script": "narrative"}}
    else:
        if models == "random-full":
            import models as random_models
            import torch

            on_gpu = torch.cuda.is_available()
            xtts, opener = random_models.xtts_v2(), random_models.qwen("1.5b")
            narrative = random_models.qwen("14b" if on_gpu else "0.5b")
        else:
            if not (paths and paths.xtts and paths.opener and paths.narrative):
                raise SystemExit("--models real needs --xtts, --opener and --narrative (local checkpoint folders)")
            xtts, opener, narrative = paths.xtts, paths.opener, paths.narrative
        scripted = "scripted_llm:ScriptedTransformers"
        # fixed_length: a random-weight GPT never says its stop token; it speaks the text's expected length.
        config["tts"] = {"engine": "xtts", "model": str(xtts), "gain": 1.0,
                         "options": {"fixed_length": models == "random-full"}}
        config["opener"] = {"engine": scripted, "model": str(opener), "options": {"script": "opener"}}
        config["narrative"] = {"engine": scripted, "model": str(narrative), "options": {"script": "narrative"}}
    for role in ("opener", "narrative"):
        config[role].update(max_tokens=800, target_chars=100000)  # the script decides the length
    return config


def model_labels(config: dict) -> dict:
    return {"tts": f"{config.get('tts', {}).get('engine', 'piper')} {config.get('tts', {}).get('model') or '(bundled voice)'}",
            "opener": config["opener"].get("model") or "SmolLM2-135M (bundled GGUF)",
            "narrative": config["narrative"].get("model") or "SmolLM2-135M (bundled GGUF)"}


class RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.peak = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.05):
            self.peak = max(self.peak, rss_mib())

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return round(self.peak, 1)


# ---- the baseline -------------------------------------------------------------------------

class BlockPlayer(threading.Thread):
    """Plays queued audio in 25 ms blocks in real time, after a 100 ms prebuffer."""

    def __init__(self, rate: int, t0: float):
        super().__init__(daemon=True, name="baseline-player")
        self.block = int(rate * 0.025)
        self.prebuffer = int(rate * 0.100)
        self.t0 = t0
        self.pending: queue.Queue[np.ndarray | None] = queue.Queue()
        self.first_audio: float | None = None
        self.underruns = 0

    def run(self) -> None:
        buf = np.zeros(0, dtype=np.float32)
        finished = False
        while not finished and len(buf) < self.prebuffer:
            item = self.pending.get()
            finished = item is None
            if item is not None:
                buf = np.concatenate([buf, item])
        self.first_audio = time.monotonic() - self.t0
        next_tick = time.monotonic()
        starving = False
        while len(buf) > 0 or not finished:
            while True:
                try:
                    item = self.pending.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    finished = True
                else:
                    buf = np.concatenate([buf, item])
            if len(buf) >= self.block or (finished and len(buf)):
                buf = buf[self.block:]
                starving = False
            elif not finished and not starving:
                self.underruns += 1
                starving = True
            next_tick += 0.025
            time.sleep(max(0.0, next_tick - time.monotonic()))


def split_at_punctuation(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<=[,.;:!?])\s+", text) if c.strip()]


def run_baseline(config: dict, turns: int) -> list[dict]:
    from parley.config import load_config
    from parley.engines import LLM_ENGINES, TTS_ENGINES, resolve
    from parley.engines.tts.base import TimedBlock
    from parley.pipeline import OutputFormat, Voice

    cfg = load_config(config)
    tts = resolve("TTS", cfg.tts.engine, TTS_ENGINES)(cfg.tts)
    opener = resolve("LLM", cfg.opener.engine, LLM_ENGINES)(cfg.opener)
    narrative = resolve("LLM", cfg.narrative.engine, LLM_ENGINES)(cfg.narrative)
    for engine in (tts, opener, narrative):
        engine.load()
    tts.warmup()
    empty_cache = lambda: None  # noqa: E731
    if cfg.tts.engine == "xtts":
        # Non-streaming synthesis: all of the chunk's tokens, then one vocoder pass (coqui's `inference`).
        tts.opts.update(first_block_tokens=10**6, block_tokens=10**6, vocoder_context_frames=0)
        if tts.device.startswith("cuda"):
            empty_cache = tts._torch.cuda.empty_cache  # what the usual method does between chunks
    voice = Voice(cfg.persona, None, OutputFormat(), cfg.turn.history_turns)
    results = []
    for i in range(turns + 1):
        t0 = time.monotonic()
        marks: dict[str, float] = {}
        synth_seconds = 0.0

        def synthesise(text: str) -> np.ndarray:
            nonlocal synth_seconds
            t = time.perf_counter()
            blocks = [b.audio if isinstance(b, TimedBlock) else b for b in tts.stream(text)]
            audio = np.concatenate(blocks)  # the whole chunk before any playback
            empty_cache()
            synth_seconds += time.perf_counter() - t
            return audio

        opener_text = ""
        for piece in opener.stream(voice.messages(SCENARIO["player"], cfg.opener.instruction), cfg.opener.max_tokens):
            marks.setdefault("opener_first_token", time.monotonic() - t0)
            opener_text += piece
        marks["opener_done"] = time.monotonic() - t0
        narrative_text: list[str] = []

        def write_narrative() -> None:
            marks["narrative_start"] = time.monotonic() - t0
            text = ""
            for piece in narrative.stream(voice.messages(SCENARIO["player"], cfg.narrative.instruction), cfg.narrative.max_tokens, opener_text):
                marks.setdefault("narrative_first_token", time.monotonic() - t0)
                text += piece
            marks["narrative_done"] = time.monotonic() - t0
            narrative_text.append(text)

        writer = threading.Thread(target=write_narrative, name="baseline-narrative")
        writer.start()
        chunks = split_at_punctuation(opener_text)
        marks["first_chunk_ready"] = time.monotonic() - t0
        player = BlockPlayer(tts.sample_rate, t0)
        player.start()
        audio_seconds = 0.0
        for n, chunk in enumerate(chunks):
            audio = synthesise(chunk)
            if n == 0:
                marks["first_audio_block"] = time.monotonic() - t0
            audio_seconds += len(audio) / tts.sample_rate
            player.pending.put(audio)
        writer.join()
        for chunk in split_at_punctuation(narrative_text[0]):
            audio = synthesise(chunk)
            audio_seconds += len(audio) / tts.sample_rate
            player.pending.put(audio)
        player.pending.put(None)
        player.join()
        marks["turn_done"] = time.monotonic() - t0
        result = {
            "time_to_first_audio_s": player.first_audio, "stages": marks, "underruns": player.underruns,
            "tts_rtf": synth_seconds / audio_seconds, "audio_seconds": audio_seconds,
        }
        results.append(result)
        print(f"  baseline turn {i}{' (warm-up)' if i == 0 else ''}: first audio {player.first_audio * 1000:.0f} ms", file=sys.stderr, flush=True)
    return results[1:]


# ---- Parley, through the C ABI -------------------------------------------------------------

def run_parley(config: dict, turns: int) -> list[dict]:
    from parley_bridge.host import Runtime, Voice

    results = []
    with Runtime(json.dumps(config)) as runtime, Voice(runtime.lib, 48000, 2) as voice:
        for i in range(turns + 1):
            r = voice.run_turn(SCENARIO["player"], realtime=True, timeout=1800)
            done = r.terminal
            if done is None or done.type != "TURN_DONE":
                raise SystemExit(f"Parley turn failed: {done}")
            stats = json.loads(done.text)
            results.append({
                "time_to_first_audio_s": r.first_frame_s, "stages": dict(stats["stages"]),
                "underruns": sum(1 for e in r.events if e.type == "UNDERRUN"),
                "tts_rtf": stats["tts_rtf"], "audio_seconds": stats["audio_seconds"],
                "spoken": " ".join(r.texts()),
                "first_tts_block": (stats.get("tts_blocks") or [None])[0],
            })
            print(f"  parley turn {i}{' (warm-up)' if i == 0 else ''}: first audio {r.first_frame_s * 1000:.0f} ms", file=sys.stderr, flush=True)
    return results[1:]


# ---- report ---------------------------------------------------------------------------------

def summarise(turns: list[dict]) -> dict:
    ttfa = [t["time_to_first_audio_s"] for t in turns]
    stages = sorted({s for t in turns for s in t["stages"]}, key=lambda s: statistics.median(t["stages"].get(s, 0) for t in turns))
    return {
        "turns": len(turns),
        "time_to_first_audio_s": {"p50": round(statistics.median(ttfa), 4), "p95": round(float(np.percentile(ttfa, 95)), 4),
                                  "all": [round(x, 4) for x in ttfa]},
        "stages_p50_s": {s: round(statistics.median(t["stages"][s] for t in turns if s in t["stages"]), 4) for s in stages},
        "tts_rtf_p50": round(statistics.median(t["tts_rtf"] for t in turns), 4),
        "underruns_total": sum(t["underruns"] for t in turns),
        "audio_seconds_p50": round(statistics.median(t["audio_seconds"] for t in turns), 2),
    }


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 3.4))
    rows = [("Parley", result["parley"]), ("Baseline", result["baseline"])]
    colours = {"opener LLM": "#6a8caf", "narrative LLM": "#a3b8cc", "first chunk: text to audio": "#e0a458", "playing": "#8fc993"}
    for y, (name, r) in enumerate(rows):
        s = r["stages_p50_s"]
        ttfa = r["time_to_first_audio_s"]["p50"]
        spans = [
            ("opener LLM", 0.0, s.get("opener_done", 0.0)),
            # Parley's narrative starts with the turn (its prefill); the baseline's after the opener.
            ("narrative LLM", s.get("narrative_start", 0.0), s.get("narrative_done", 0.0)),
            ("first chunk: text to audio", s.get("first_chunk_ready", 0.0), s.get("first_audio_block", 0.0)),
            ("playing", ttfa, ttfa + r["audio_seconds_p50"]),
        ]
        for k, (label, a, b) in enumerate(spans):
            ax.barh(y + (k - 1.5) * 0.18, max(b - a, 0.005), left=a, height=0.16, color=colours[label], label=label if y == 0 else None)
        ax.axvline(ttfa, ymin=(y + 0.05) / 2, ymax=(y + 0.95) / 2, color="#c0392b", lw=2)
        ax.text(ttfa, y + 0.42, f" first audio {ttfa * 1000:.0f} ms", color="#c0392b", va="center", fontsize=9)
    ax.set_yticks([0, 1], [n for n, _ in rows])
    ax.set_xlabel("seconds since the player stopped talking (p50 of measured turns)")
    ax.set_xlim(0, max(r["time_to_first_audio_s"]["p50"] for _, r in rows) * 2.5 + 1.0)
    ax.set_title(f"Time to first audio: baseline / Parley = {result['headline_ratio']:.1f}x  ({result['models']} models, {result['device']})", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="random-full", choices=["random-full", "default", "real"],
                    help="random-full: XTTS v2 + Qwen2.5 at their real sizes, random weights (see bench/models.py); "
                         "default: the embedded CPU engines; real: your checkpoints (--xtts, --opener, --narrative)")
    ap.add_argument("--turns", type=int, default=5, help="measured turns per pipeline, after one warm-up turn")
    for role in ("xtts", "opener", "narrative"):
        ap.add_argument(f"--{role}", type=Path, help=f"--models real: local {role} checkpoint folder")
    ap.add_argument("--ablate-priority", action="store_true",
                    help="also run Parley with turn.first_audio_priority off, to show what that option is worth")
    ap.add_argument("--pipeline", choices=["baseline", "parley", "parley_no_priority"], help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args()
    config = engine_config(args.models, args)
    if args.pipeline:
        sampler = RssSampler()
        sampler.start()
        if args.pipeline == "parley_no_priority":
            config["turn"]["first_audio_priority"] = False
        turns = (run_baseline if args.pipeline == "baseline" else run_parley)(config, args.turns)
        print(json.dumps({"turns": turns, "peak_rss_mib": sampler.stop(), "peak_cuda_mib": peak_cuda_mib()}))
        return 0

    device = "cpu"
    if args.models != "default":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    machine = describe()
    result: dict = {"scenario": SCENARIO, "models": args.models, "model_paths": model_labels(config), "device": device,
                    "gpu": machine.get("gpu"), "machine": machine,
                    "note": ("CPU run: compare the ratio, not absolute times (absolute figures belong to a GPU run)."
                             if device == "cpu" else "GPU run: absolute times are meaningful.")}
    if args.models == "random-full" and device == "cpu":
        result["note"] += " The narrative model is a stand-in with Qwen2.5-0.5B's dimensions (14B on a GPU)."
    child_args = [arg for arg in sys.argv[1:] if arg != "--ablate-priority"]
    for name in ("baseline", "parley") + (("parley_no_priority",) if args.ablate_priority else ()):
        print(f"running {name}: 1 warm-up + {args.turns} turns in real time...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, *child_args, "--pipeline", name],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        child = json.loads(out.strip().splitlines()[-1])
        result[name] = {**summarise(child["turns"]), "peak_rss_mib": child["peak_rss_mib"], "peak_cuda_mib": child["peak_cuda_mib"]}
        result[name + "_turns"] = child["turns"]
    b, p = result["baseline"], result["parley"]
    result["headline_ratio"] = round(b["time_to_first_audio_s"]["p50"] / p["time_to_first_audio_s"]["p50"], 2)
    stages = p["stages_p50_s"]
    result["parley_first_audio_breakdown_s"] = {
        "llm_to_first_clause": stages.get("first_chunk_ready"),
        "tts_first_clause": round(stages.get("first_audio_block", 0) - stages.get("first_chunk_ready", 0), 4),
        "ring_to_first_pull": round(p["time_to_first_audio_s"]["p50"] - stages.get("first_audio_block", 0), 4),
    }

    first_blocks = [t["first_tts_block"] for t in result["parley_turns"] if t.get("first_tts_block")]
    if first_blocks:  # XTTS: what the first clause's first audio block cost
        result["parley_first_tts_block_p50"] = {k: statistics.median(b[k] for b in first_blocks)
                                               for k in ("tokens", "gpt_ms", "vocoder_ms", "audio_ms")}

    print(f"\n{'':28}{'baseline':>12}{'parley':>12}")
    for label, key in (("time to first audio p50 (ms)", "p50"), ("time to first audio p95 (ms)", "p95")):
        print(f"{label:28}{b['time_to_first_audio_s'][key] * 1000:12.0f}{p['time_to_first_audio_s'][key] * 1000:12.0f}")
    for stage in ("opener_first_token", "first_chunk_ready", "first_audio_block", "opener_done", "narrative_first_token", "narrative_done"):
        print(f"{stage + ' p50 (ms)':28}{b['stages_p50_s'].get(stage, float('nan')) * 1000:12.0f}{p['stages_p50_s'].get(stage, float('nan')) * 1000:12.0f}")
    print(f"{'TTS real-time factor':28}{b['tts_rtf_p50']:12.3f}{p['tts_rtf_p50']:12.3f}")
    print(f"{'underruns (all turns)':28}{b['underruns_total']:12d}{p['underruns_total']:12d}")
    print(f"{'peak RSS (MiB)':28}{b['peak_rss_mib']:12.0f}{p['peak_rss_mib']:12.0f}")
    if "parley_no_priority" in result:
        q = result["parley_no_priority"]
        result["first_audio_priority_gain_s"] = round(q["time_to_first_audio_s"]["p50"] - p["time_to_first_audio_s"]["p50"], 4)
        print(f"Parley without first-audio priority: first audio p50 {q['time_to_first_audio_s']['p50'] * 1000:.0f} ms, "
              f"p95 {q['time_to_first_audio_s']['p95'] * 1000:.0f} ms (with it: {p['time_to_first_audio_s']['p50'] * 1000:.0f} ms)")
    if device == "cuda":
        print(f"{'peak CUDA memory (MiB)':28}{b['peak_cuda_mib']:12.0f}{p['peak_cuda_mib']:12.0f}")
    print(f"\nheadline: baseline / Parley time to first audio = {result['headline_ratio']:.1f}x  ({args.models} models, {device})")
    print(f"Parley's first audio, p50: {result['parley_first_audio_breakdown_s']}")
    if first_blocks:
        print(f"Parley's first XTTS block, p50: {result['parley_first_tts_block_p50']}")
    out = ROOT / f"bench/results/benchmark_{args.models}_{device}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    chart(result, out.with_suffix(".png"))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
