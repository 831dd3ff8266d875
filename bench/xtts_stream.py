"""XTTS v2 at full size (random weights): first-block latency, GPT decode time per token and vocoder
time per block, before and after each streaming optimisation.

    .venv/bin/python bench/xtts_stream.py [--repeats 3]

Variants, each on the scenario's opener (first clause alone for the first-block figures):
- stock: coqui's inference_stream schedule (20-token blocks, the vocoder re-run over every latent);
- small first block: 8 tokens before the first audio, then 24;
- windowed vocoder: only the frames not yet heard, with 32 frames of left context (Parley's default);
- eager attention instead of SDPA for the GPT;
- on CUDA also: the vocoder in float16, and torch.cuda.empty_cache() after every block.
Writes bench/results/xtts_stream_<device>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from machine import ROOT, describe, peak_cuda_mib  # noqa: E402
from models import xtts_v2  # noqa: E402
from scenario import SCENARIO  # noqa: E402

STOCK = {"first_block_tokens": 20, "block_tokens": 20, "vocoder_context_frames": 0}
VARIANTS = {
    "stock (coqui inference_stream schedule)": STOCK,
    "small first block (8, then 24)": {**STOCK, "first_block_tokens": 8, "block_tokens": 24},
    "+ windowed vocoder (Parley default)": {"first_block_tokens": 8, "block_tokens": 24, "vocoder_context_frames": 32},
    "+ eager attention instead of SDPA": {"first_block_tokens": 8, "block_tokens": 24, "vocoder_context_frames": 32,
                                          "attention": "eager"},
}
# Only meaningful on a GPU: the vocoder in half precision, and what the usual method does between
# chunks (torch.cuda.empty_cache(), which makes the allocator fetch its memory again).
CUDA_VARIANTS = {
    "+ vocoder in float16": {"first_block_tokens": 8, "block_tokens": 24, "vocoder_context_frames": 32,
                             "vocoder_dtype": "float16"},
    "+ torch.cuda.empty_cache() after every block": {"first_block_tokens": 8, "block_tokens": 24,
                                                     "vocoder_context_frames": 32, "empty_cache": True},
}


def measure(engine, text: str, repeats: int, empty_cache: bool = False) -> dict:
    import torch

    runs = []
    for r in range(repeats):
        torch.manual_seed(r)
        start = time.perf_counter()
        first = None
        blocks = []
        for block in engine.stream(text):
            first = first if first is not None else time.perf_counter() - start
            blocks.append(block.timings)
            if empty_cache:
                torch.cuda.empty_cache()
        wall = time.perf_counter() - start
        audio_s = sum(b["audio_ms"] for b in blocks) / 1e3
        later = blocks[1:] or blocks
        runs.append({
            "first_block_s": first, "first_block_tokens": blocks[0]["tokens"],
            "first_block_gpt_ms": blocks[0]["gpt_ms"], "first_block_vocoder_ms": blocks[0]["vocoder_ms"],
            "decode_ms_per_token": sum(b["gpt_ms"] for b in later) / sum(b["tokens"] for b in later),
            "vocoder_ms_per_block": [b["vocoder_ms"] for b in blocks],
            "vocoder_total_s": sum(b["vocoder_ms"] for b in blocks) / 1e3,
            "rtf": wall / audio_s, "audio_s": audio_s, "tokens": sum(b["tokens"] for b in blocks),
        })
    keys = ("first_block_s", "first_block_gpt_ms", "first_block_vocoder_ms", "decode_ms_per_token", "vocoder_total_s", "rtf")
    summary = {k: round(statistics.median(r[k] for r in runs), 4) for k in keys}
    summary.update(first_block_tokens=runs[0]["first_block_tokens"], tokens=runs[0]["tokens"],
                   audio_s=round(runs[0]["audio_s"], 2), vocoder_ms_per_block_last_run=runs[-1]["vocoder_ms_per_block"])
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", type=Path, help="an XTTS checkpoint folder (default: the random full-size one)")
    ap.add_argument("--out", type=Path, help="where to write the JSON (default: bench/results/xtts_stream_<device>.json)")
    args = ap.parse_args()
    import torch

    from parley.config import TTSConfig
    from parley.engines.tts.xtts import XTTSEngine

    folder = args.model or xtts_v2()
    real_weights = args.model is not None
    t = time.perf_counter()
    engine = XTTSEngine(TTSConfig(engine="xtts", model=str(folder), gain=1.0, options={"fixed_length": not real_weights}))
    engine.load()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    engine.warmup()
    warmup_s = time.perf_counter() - t
    device = "cuda" if engine.device.startswith("cuda") else "cpu"
    first_clause = SCENARIO["opener"].split(",")[0] + ","
    result = {"machine": describe(), "device": device, "checkpoint": str(folder), "random_weights": not real_weights, "gpt_dtype": str(engine.gpt_dtype),
              "vocoder_dtype": str(engine.vocoder_dtype), "torch_threads": torch.get_num_threads(),
              "params_millions": round(sum(p.numel() for p in engine.model.parameters()) / 1e6, 1),
              "load_s": round(load_s, 2), "warmup_s": round(warmup_s, 2), "first_clause": first_clause,
              "sentence": SCENARIO["opener"], "repeats": args.repeats, "variants": {}}
    base_opts = dict(engine.opts)
    variants = {**VARIANTS, **(CUDA_VARIANTS if device == "cuda" else {})}
    for name, overrides in variants.items():
        overrides = dict(overrides)
        empty_cache = overrides.pop("empty_cache", False)
        engine.opts = {**base_opts, **overrides}
        engine.apply_options()
        print(f"{name}...", file=sys.stderr, flush=True)
        result["variants"][name] = {
            "options": overrides, "empty_cache_after_each_block": empty_cache,
            "first_clause": measure(engine, first_clause, args.repeats, empty_cache),
            "sentence": measure(engine, SCENARIO["opener"], args.repeats, empty_cache)}

    weights = "full size, random weights" if not real_weights else str(folder)
    where = result["machine"]["gpu"] if device == "cuda" else f"{result['machine']['cpu']}, {result['torch_threads']} threads"
    print(f"\nXTTS v2 ({weights}), {device} ({where})")
    print(f"{'variant':42}{'1st block (s)':>14}{'decode ms/tok':>14}{'vocoder s':>11}{'RTF':>7}")
    for name, v in result["variants"].items():
        print(f"{name:42}{v['first_clause']['first_block_s']:14.2f}{v['sentence']['decode_ms_per_token']:14.1f}"
              f"{v['sentence']['vocoder_total_s']:11.2f}{v['sentence']['rtf']:7.2f}")
    result["peak_cuda_mib"] = peak_cuda_mib()
    out = args.out or ROOT / f"bench/results/xtts_stream_{device}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
