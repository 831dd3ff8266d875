"""One contract, every engine: the same checks for each TTS and LLM engine Parley ships, so a new
engine is added to a list here, not given a test file of its own."""

import threading

import numpy as np
import pytest

from parley.config import LLMConfig, TTSConfig
from parley.engines import LLM_ENGINES, TTS_ENGINES, resolve
from parley.engines.llm.base import Message
from parley.engines.tts.base import TimedBlock


def _tts_configs(request) -> dict:
    return {
        "piper": lambda: TTSConfig(),
        # fixed_length: a random-weight GPT never says its stop token; speak the text's expected length.
        "xtts": lambda: TTSConfig(engine="xtts", model=str(request.getfixturevalue("tiny_xtts_dir")),
                                  options={"fixed_length": True}),
    }


def _llm_configs(request) -> dict:
    return {
        "llama_cpp": lambda: LLMConfig(seed=1),
        "http": lambda: LLMConfig(engine="http", model="smollm2", seed=1, options={"base_url": request.getfixturevalue("llama_server")}),
        "transformers": lambda: LLMConfig(engine="transformers", model=str(request.getfixturevalue("tiny_qwen_dir")), seed=1),
    }


@pytest.fixture(params=sorted(TTS_ENGINES))
def tts(request):
    engine = resolve("TTS", request.param, TTS_ENGINES)(_tts_configs(request)[request.param]())
    engine.load()
    return engine


@pytest.fixture(params=sorted(LLM_ENGINES))
def llm(request):
    config = _llm_configs(request)[request.param]()
    engine = resolve("LLM", request.param, LLM_ENGINES)(config)
    engine.load()
    return engine


def test_tts_streams_finite_float_blocks_at_its_rate(tts):
    assert isinstance(tts.sample_rate, int) and 8000 <= tts.sample_rate <= 48000
    blocks = [b.audio if isinstance(b, TimedBlock) else b for b in tts.stream("The tower stands empty, friend.")]
    assert blocks
    audio = np.concatenate(blocks)
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
    assert 0.8 < len(audio) / tts.sample_rate < 5.0


def test_tts_stops_when_the_stream_is_closed_and_speaks_again(tts):
    """What a cancel or barge-in does: close the stream after its first block, then speak again."""
    stream = tts.stream("Long ago, scholars came here from every kingdom to read the books that no one else would copy.")
    next(stream)
    stream.close()
    spoken: list = []
    worker = threading.Thread(target=lambda: spoken.extend(tts.stream("Yes, friend.")), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the engine stayed busy after its stream was closed"
    assert spoken


def test_llm_streams_text_pieces_within_its_budget(llm):
    msgs = [Message("system", "You are a guard."), Message("user", "Halt?")]
    pieces = list(llm.stream(msgs, max_tokens=12))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert len(pieces) <= 13
    assert "".join(pieces).strip()


def test_llm_stops_when_the_stream_is_closed_and_runs_again(llm):
    msgs = [Message("user", "Tell me a long story.")]
    stream = llm.stream(msgs, max_tokens=200)
    next(stream)
    stream.close()  # what a cancel does
    assert "".join(llm.stream(msgs, max_tokens=6)).strip()


def test_llm_continues_an_assistant_prefix(llm):
    msgs = [Message("user", "Who are you?")]
    assert "".join(llm.stream(msgs, max_tokens=10, assistant_prefix="I am the keeper of this bridge.")).strip()
