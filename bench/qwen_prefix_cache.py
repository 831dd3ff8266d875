"""Time to first token of the transformers engine with and without the prefix cache, on
Qwen2.5-1.5B's real architecture (random weights: speed does not depend on weight values at a
fixed token count), on this machine's CPU in FP32 (or its GPU in FP16).

    .venv/bin/python bench/qwen_prefix_cache.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))
from machine import ROOT, describe  # noqa: E402

QWEN25_15B = dict(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                  num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=32768,
                  rope_theta=1000000.0, tie_word_embeddings=True)
PERSONA = ("You are Aldric, an old librarian who guards a ruined castle library. You remember the war, the fire, "
           "and every reader who ever came here. You speak warmly but mysteriously, in short spoken sentences. ") * 3


def main() -> int:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from helpers.tiny_models import chat_tokenizer
    from parley.config import LLMConfig
    from parley.engines.llm.base import Message
    from parley.engines.llm.hf import TransformersLLM

    torch.set_flush_denormal(True)
    with tempfile.TemporaryDirectory() as folder:
        print("building Qwen2.5-1.5B (random weights)...", file=sys.stderr, flush=True)
        tokenizer = chat_tokenizer()
        config = Qwen2Config(**QWEN25_15B, eos_token_id=tokenizer.eos_token_id)
        Qwen2ForCausalLM(config).save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        engine = TransformersLLM(LLMConfig(engine="transformers", model=folder, seed=1, temperature=0.0))
        engine.load()

    def ttft(messages) -> tuple[float, int]:
        # The prompt's evaluation yields the first token's logits: that is the time to first token.
        # (Random weights over Qwen's 151,936-token vocabulary seldom decode to visible text, so
        # waiting for a printable piece would time the sampler's luck, not the model.)
        t = time.perf_counter()
        engine.prefill(messages)
        return time.perf_counter() - t, engine.last_prefill_tokens

    lines = ["Who are you, old man?", "What happened to this place?", "Tell me about the war.", "Can I read the first page?"]
    runs = []
    for i, line in enumerate(lines):
        engine._cache.clear() if i == 0 else None  # the first turn of a voice starts cold
        seconds, prefilled = ttft([Message("system", PERSONA), Message("user", line)])
        runs.append({"turn": i + 1, "ttft_s": round(seconds, 3), "tokens_evaluated": prefilled})
        print(f"turn {i + 1}: time to first token {seconds * 1000:.0f} ms, {prefilled} prompt tokens evaluated", flush=True)
    result = {"model": "Qwen2.5-1.5B architecture, random weights", "device": engine.device, "dtype": str(engine.model.dtype),
              "persona_chars": len(PERSONA), "turns": runs, "machine": describe()}
    (ROOT / f"bench/results/qwen_prefix_cache_{engine.device}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"time to first token: cold {runs[0]['ttft_s'] * 1000:.0f} ms -> with the persona cached {runs[-1]['ttft_s'] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
