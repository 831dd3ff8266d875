"""The OpenAI-compatible HTTP LLM engine against a real server on loopback: llama-cpp-python's
server serving the packaged SmolLM2 GGUF, started and stopped by the fixture. The failure cases use
real conditions too: a closed port, a wrong path, a socket that accepts and never answers."""

import socket
import time

import pytest

from helpers.net import free_port
from parley import EventType, Pipeline
from parley.config import LLMConfig
from parley.engines.llm.base import Message
from parley.engines.llm.http import OpenAIHTTPLLM, parse_sse
from parley.errors import EngineError

MESSAGES = [Message("system", "You are a terse innkeeper."), Message("user", "Any rooms free?")]


def engine(base_url: str, **options) -> OpenAIHTTPLLM:
    e = OpenAIHTTPLLM(LLMConfig(engine="http", model="smollm2", seed=3, options={"base_url": base_url, **options}))
    e.load()
    return e


def test_streams_a_reply_piece_by_piece(llama_server):
    pieces = list(engine(llama_server).stream(MESSAGES, max_tokens=24))
    assert len(pieces) > 3  # streamed, not one blob
    assert len("".join(pieces).strip()) > 5


def test_continuation_of_an_assistant_prefix(llama_server):
    text = "".join(engine(llama_server).stream(MESSAGES, max_tokens=16, assistant_prefix="Yes, one room upstairs."))
    assert text.strip()


def test_connection_refused_says_so():
    with pytest.raises(EngineError, match="connection refused"):
        list(engine(f"http://127.0.0.1:{free_port()}/v1").stream(MESSAGES, 8))


def test_http_error_status_is_reported(llama_server):
    with pytest.raises(EngineError, match="HTTP 404"):
        list(engine(llama_server.replace("/v1", "/nope")).stream(MESSAGES, 8))


def test_a_server_that_never_answers_times_out():
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(1)
        port = hung.getsockname()[1]
        t = time.monotonic()
        with pytest.raises(EngineError, match="did not answer within 0.5 s"):
            list(engine(f"http://127.0.0.1:{port}/v1", read_timeout_s=0.5).stream(MESSAGES, 8))
        assert time.monotonic() - t < 5


@pytest.mark.parametrize("lines,match", [
    ([b"event: nonsense\n"], "expected 'data:'"),
    ([b"data: {not json\n"], "not JSON"),
    ([b'data: {"object": "chat.completion.chunk"}\n'], "no choices"),
    ([b'data: {"choices": [{"delta": {"content": "Hi"}}]}\n'], "ended without"),
    ([b'data: {"error": {"message": "overloaded"}}\n'], "overloaded"),
])
def test_malformed_streams_are_clear_errors(lines, match):
    with pytest.raises(EngineError, match=match):
        list(parse_sse(lines, "http://x/v1"))


def test_well_formed_stream_with_keepalives_parses():
    lines = [b": keep-alive\n", b'data: {"choices": [{"delta": {"role": "assistant"}}]}\n', b"\n",
             b'data: {"choices": [{"delta": {"content": "Hel"}}]}\n', b'data: {"choices": [{"delta": {"content": "lo"}}]}\n',
             b"data: [DONE]\n"]
    assert list(parse_sse(lines, "http://x/v1")) == ["Hel", "lo"]


def test_a_turn_whose_server_is_down_ends_with_an_error_event(fast_config):
    down = {"engine": "http", "model": "smollm2", "options": {"base_url": f"http://127.0.0.1:{free_port()}/v1"}}
    p = Pipeline({**fast_config, "opener": {**fast_config["opener"], **down}, "narrative": None})
    try:
        turn = p.start_turn(p.create_voice(), "Hello?")
        assert turn.wait(30)
        assert turn.events[-1].type == EventType.ERROR
        assert "connection refused" in turn.events[-1].text
    finally:
        p.close()
