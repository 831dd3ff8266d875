"""The transformers engine on an architecture-identical Qwen2 with random weights (the real loading
code, a tiny config): prefix cache, continuation, errors, and a full turn with it as the narrative."""

import pytest

from parley import EventType, ModelNotFound, Pipeline
from parley.config import LLMConfig
from parley.engines.llm.base import Message
from parley.engines.llm.hf import TransformersLLM

PERSONA = "You are Aldric, an old librarian who guards a ruined castle library. " * 6


def engine(path, **kw) -> TransformersLLM:
    e = TransformersLLM(LLMConfig(engine="transformers", model=str(path), seed=5, **kw))
    e.load()
    return e


def test_a_new_turn_only_evaluates_the_new_line_not_the_persona(tiny_qwen_dir):
    e = engine(tiny_qwen_dir)
    first = [Message("system", PERSONA), Message("user", "Who are you?")]
    list(e.stream(first, max_tokens=3))
    full = e.last_prefill_tokens
    second = [Message("system", PERSONA), Message("user", "What happened to this place?")]
    list(e.stream(second, max_tokens=3))
    assert full > 60  # the persona is long
    assert e.last_prefill_tokens < 20  # the persona's KV came from the cache


def test_the_narrative_prefill_is_reused_when_it_continues_the_opener(tiny_qwen_dir):
    e = engine(tiny_qwen_dir)
    msgs = [Message("system", PERSONA), Message("user", "Tell me about the war.")]
    e.prefill(msgs)
    pieces = list(e.stream(msgs, max_tokens=4, assistant_prefix="In the depths of the forgotten library,"))
    assert e.last_prefill_tokens < 20  # only the opener's words were new
    assert pieces


def test_cpu_runs_fp32_and_cuda_would_run_fp16(tiny_qwen_dir):
    import torch

    e = engine(tiny_qwen_dir)
    assert e.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert e.model.dtype == (torch.float16 if e.device == "cuda" else torch.float32)


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU (run on the lent device)")
def test_fp16_on_cuda_streams(tiny_qwen_dir):
    e = engine(tiny_qwen_dir, options={"device": "cuda"})
    assert "".join(e.stream([Message("user", "Hi")], max_tokens=5))


def test_missing_model_folder_names_what_is_missing(tmp_path):
    with pytest.raises(ModelNotFound, match="no config.json"):
        engine(tmp_path)


def test_a_turn_with_a_qwen_narrative_speaks_opener_and_continuation(fast_config, tiny_qwen_dir):
    narrative = {"engine": "transformers", "model": str(tiny_qwen_dir), "max_tokens": 12, "target_chars": 40, "seed": 2}
    p = Pipeline({**fast_config, "narrative": narrative})
    try:
        turn = p.start_turn(p.create_voice(), "Who are you?")
        list(turn.blocks())
        assert turn.wait(60)
        assert turn.events[-1].type == EventType.TURN_DONE, turn.events[-1]
        stages = {m.stage for m in turn.timeline.marks()}
        assert {"narrative_prefill_done", "narrative_first_token", "narrative_done"} <= stages
    finally:
        p.close()
