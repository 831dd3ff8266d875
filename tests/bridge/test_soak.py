"""The 50-turn soak (bench/soak.py) that CI runs: 4 voices, random cancels, some LLM turns.
No turn may fail, lose or duplicate a chunk, or leave a thread behind. Memory figures are
reported by the full soak in bench/results/soak.json, not asserted here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from soak import soak  # noqa: E402


def test_fifty_turns_on_four_voices_lose_nothing_and_leak_no_thread():
    result = soak(turns=50, voices=4, cancel_prob=0.3, llm_every=5, seed=3, quiet=True)
    assert result["turns"] == 50
    assert result["errors"] == 0, result["problems"]
    assert result["lost_or_duplicated_chunks"] == 0, result["problems"]
    assert result["cancelled"] > 0 and result["done"] > 0
    assert result["threads_end"] <= result["threads_before"]
