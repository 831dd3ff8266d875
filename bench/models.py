"""Random-weight stand-ins at the real architectures' sizes, built once and cached on disk, so that
the engines' real loading code runs on them (weights cannot be downloaded here; speed does not
depend on their values at a fixed token count).

    ~/.cache/parley/bench/xtts-v2-random     XTTS v2 (released config.json), 467M params
    ~/.cache/parley/bench/qwen2.5-1.5b-random  Qwen2.5-1.5B-Instruct's dimensions (the fast opener)
    ~/.cache/parley/bench/qwen2.5-0.5b-random  Qwen2.5-0.5B's dimensions: the CPU stand-in for the narrative model
    ~/.cache/parley/bench/qwen2.5-14b-random   Qwen2.5-14B-Instruct's dimensions (the narrative, GPU only)

The Qwen folders carry a tokenizer trained on the persona, the corpus and the scenario: about one
token per English word, as Qwen's own tokenizer gives on such text (ours cannot be downloaded).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))
from scenario import SCENARIO  # noqa: E402
CACHE = Path(os.environ.get("PARLEY_BENCH_CACHE", Path.home() / ".cache" / "parley" / "bench"))

# From the models' released config.json files.
QWEN_DIMS = {
    "1.5b": {"hidden_size": 1536, "intermediate_size": 8960, "num_hidden_layers": 28, "num_attention_heads": 12,
             "num_key_value_heads": 2, "tie_word_embeddings": True},
    "0.5b": {"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
             "num_key_value_heads": 2, "tie_word_embeddings": True},
    "14b": {"hidden_size": 5120, "intermediate_size": 13824, "num_hidden_layers": 48, "num_attention_heads": 40,
            "num_key_value_heads": 8, "tie_word_embeddings": False},
}
QWEN_VOCAB = 151936


def _done(folder: Path) -> bool:
    return (folder / ".complete").is_file()


def xtts_v2() -> Path:
    from helpers.tiny_models import xtts_checkpoint

    folder = CACHE / "xtts-v2-random"
    if not _done(folder):
        print(f"building a random-weight XTTS v2 in {folder} (once)...", file=sys.stderr, flush=True)
        xtts_checkpoint(folder, size="full")
        (folder / ".complete").touch()
    return folder


def qwen(size: str) -> Path:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from helpers.tiny_models import CORPUS, chat_tokenizer

    folder = CACHE / f"qwen2.5-{size}-random"
    if not _done(folder):
        print(f"building a random-weight Qwen2.5-{size} in {folder} (once)...", file=sys.stderr, flush=True)
        corpus = CORPUS + [SCENARIO["persona"], SCENARIO["player"], SCENARIO["opener"], SCENARIO["narrative"]]
        tokenizer = chat_tokenizer(vocab_size=4096, corpus=corpus)
        config = Qwen2Config(vocab_size=QWEN_VOCAB, max_position_embeddings=32768, rope_theta=1e6,
                             eos_token_id=tokenizer.eos_token_id, **QWEN_DIMS[size])
        torch.manual_seed(0)
        with torch.device("cpu"):
            model = Qwen2ForCausalLM(config).to(torch.float16)  # halves the file; CPU runs load it as fp32
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        (folder / ".complete").touch()
    return folder
