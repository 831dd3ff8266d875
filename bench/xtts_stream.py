"""XTTS v2 at full size (random weights): first-block latency, GPT decode time per token and vocoder
time per block, before and after each streaming optimisation.

    .venv/bin/python bench/xtts_stream.py [--repeats 3]

Variants, each on the scenario's opener (first clause alone for the first-block figures):
- stock: coqui's inference_stream schedule (20-token blocks, the vocoder re-run over every latent);
- small first block: 8 tokens before the first audio, then 24;
- windowed vocoder: only the frames not yet heard, with 32 frames of left context (Parley's default);
- eager attention instead of SDPA for the GPT.
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
from machine import ROOT, describe  # noqa: E402
from models import SCENARIO, xtts_v2  # noqa: E402

STOCK = {"first_block_tokens": 20, "block_tokens": 20, "vocoder_context_frames": 0}
VARIANTS = {
    "stock (coqui inference_stream schedule)": STOCK,
    "small first block (8, then 24)": {**STOCK, "first_block_tokens": 8, "block_tokens": 24},
    "+ windowed vocoder (Parley default)": {"first_block_tokens": 8, "block_tokens": 24, "vocoder_context_frames": 32},
    "+ eager attention instead of SDPA": {"first_block_tokens": 8, "block_tokens": 24, "vocoder_context_frames": 32,
                                          "attention": "eager"},
}


def measure(engine, text: str, repeats: int) -> dict:
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
    args = ap.parse_args()
    import torch

    from parley.config import TTSConfig
    from parley.engines.tts.xtts import XTTSEngine

    folder = xtts_v2()
    t = time.perf_counter()
    engine = XTTSEngine(TTSConfig(engine="xtts", model=str(folder), gain=1.0, options={"fixed_length": True}))
    engine.load()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    engine.warmup()
    warmup_s = time.perf_counter() - t
    device = "cuda" if engine.device.startswith("cuda") else "cpu"
    first_clause = SCENARIO["opener"].split(",")[0] + ","
    result = {"machine": describe(), "device": device, "gpt_dtype": str(engine.gpt_dtype),
              "vocoder_dtype": str(engine.vocoder_dtype), "torch_threads": torch.get_num_threads(),
              "params_millions": round(sum(p.numel() for p in engine.model.parameters()) / 1e6, 1),
              "load_s": round(load_s, 2), "warmup_s": round(warmup_s, 2), "first_clause": first_clause,
              "sentence": SCENARIO["opener"], "repeats": args.repeats, "variants": {}}
    base_opts = dict(engine.opts)
    for name, overrides in VARIANTS.items():
        engine.opts = {**base_opts, **overrides}
        for gpt2 in (engine.model.gpt.gpt, engine.model.gpt.gpt_inference.transformer):
            gpt2.config._attn_implementation = engine.opts["attention"]
        print(f"{name}...", file=sys.stderr, flush=True)
        result["variants"][name] = {"options": overrides, "first_clause": measure(engine, first_clause, args.repeats),
                                    "sentence": measure(engine, SCENARIO["opener"], args.repeats)}

    print(f"\nXTTS v2 full size, random weights, {device} ({result['machine']['cpu']}, {result['torch_threads']} threads)")
    print(f"{'variant':42}{'1st block (s)':>14}{'decode ms/tok':>14}{'vocoder s':>11}{'RTF':>7}")
    for name, v in result["variants"].items():
        print(f"{name:42}{v['first_clause']['first_block_s']:14.2f}{v['sentence']['decode_ms_per_token']:14.1f}"
              f"{v['sentence']['vocoder_total_s']:11.2f}{v['sentence']['rtf']:7.2f}")
    out = ROOT / f"bench/results/xtts_stream_{device}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
