"""OpenAI-compatible HTTP LLM engine: streaming chat completions (SSE) from vLLM, llama.cpp's
server, Ollama or any server that speaks `/v1/chat/completions`, for users who outgrow one machine.

Config: {"engine": "http", "model": "<model name on the server>",
         "options": {"base_url": "http://127.0.0.1:8000/v1", "api_key": null,
                     "connect_timeout_s": 5, "read_timeout_s": 30, "continuation": "message"}}

Every failure (connection refused, timeout, HTTP error, malformed stream) is an EngineError whose
message names the server and says what to check; the pipeline turns it into an ERROR event.
The narrative's continuation of the opener is sent as the conversation so far: with
"continuation": "vllm" the opener is the final assistant message and vLLM continues it
(`continue_final_message`); with "message" (any server) the model is asked to go on after it.
Uses only the standard library: one HTTP connection per stream, closed when the stream is.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from parley.engines.llm.base import LLMEngine, Message
from parley.errors import ConfigError, EngineError


def parse_sse(lines: Iterable[bytes], server: str) -> Iterator[str]:
    """Text pieces from an OpenAI chat-completions event stream; EngineError if it is malformed."""
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(b":"):
            continue  # keep-alive or comment
        if not line.startswith(b"data:"):
            raise EngineError(f"malformed stream from {server}: expected 'data:' lines, got {line[:80]!r}")
        data = line[5:].strip()
        if data == b"[DONE]":
            return
        try:
            event = json.loads(data)
        except ValueError:
            raise EngineError(f"malformed stream from {server}: not JSON: {data[:80]!r}") from None
        if "error" in event:
            raise EngineError(f"LLM server {server} reported an error: {event['error']}")
        try:
            choice = event["choices"][0]
        except (KeyError, IndexError, TypeError):
            raise EngineError(f"malformed stream from {server}: no choices in {data[:80]!r}") from None
        piece = (choice.get("delta") or {}).get("content")
        if piece:
            yield piece
        if choice.get("finish_reason"):
            return
    raise EngineError(f"stream from {server} ended without [DONE]: the server closed the connection mid-reply")


class OpenAIHTTPLLM(LLMEngine):
    def load(self) -> None:
        opts = self.config.options
        self.base_url = str(opts.get("base_url", "http://127.0.0.1:8000/v1")).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"LLM base_url '{self.base_url}' must look like http://host:port/v1")
        if not self.config.model:
            raise ConfigError("the http LLM engine needs 'model': the model's name on the server")
        self._parts = parts
        self._api_key = opts.get("api_key")
        self._connect_timeout = float(opts.get("connect_timeout_s", 5.0))
        self._read_timeout = float(opts.get("read_timeout_s", 30.0))
        self._continuation = opts.get("continuation", "message")
        if self._continuation not in ("message", "vllm"):
            raise ConfigError("LLM option 'continuation' must be 'message' or 'vllm'")

    def warmup(self) -> None:
        """A remote server warms itself; failing here would stop a game from starting offline."""

    def _body(self, messages: list[Message], max_tokens: int, assistant_prefix: str) -> dict:
        chat = [{"role": m.role, "content": m.content} for m in messages]
        body: dict = {}
        if assistant_prefix and self._continuation == "vllm":
            chat.append({"role": "assistant", "content": assistant_prefix})
            body.update(continue_final_message=True, add_generation_prompt=False)
        elif assistant_prefix:
            chat += [{"role": "assistant", "content": assistant_prefix},
                     {"role": "user", "content": "Go on from exactly where you stopped; do not repeat yourself."}]
        cfg = self.config
        body.update(model=cfg.model, messages=chat, max_tokens=max_tokens, temperature=cfg.temperature,
                    top_p=cfg.top_p, stream=True)
        if cfg.seed is not None:
            body["seed"] = cfg.seed
        return body

    def stream(self, messages: list[Message], max_tokens: int, assistant_prefix: str = "") -> Iterator[str]:
        parts, server = self._parts, self.base_url
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, parts.port, timeout=self._connect_timeout)
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            try:
                conn.connect()
                conn.sock.settimeout(self._read_timeout)
                conn.request("POST", f"{parts.path}/chat/completions",
                             body=json.dumps(self._body(messages, max_tokens, assistant_prefix)), headers=headers)
                response = conn.getresponse()
            except ConnectionRefusedError:
                raise EngineError(f"cannot reach the LLM server at {server}: connection refused (is it running, on that port?)") from None
            except socket.timeout:
                raise EngineError(f"LLM server at {server} did not answer within {self._read_timeout:g} s (options.read_timeout_s)") from None
            except OSError as exc:
                raise EngineError(f"cannot reach the LLM server at {server}: {exc}") from None
            if response.status >= 400:
                detail = response.read(300).decode("utf-8", "replace").strip()
                raise EngineError(f"LLM server at {server} answered HTTP {response.status} {response.reason}: {detail}")
            try:
                yield from parse_sse(response, server)
            except socket.timeout:
                raise EngineError(f"LLM server at {server} stalled mid-reply for {self._read_timeout:g} s (options.read_timeout_s)") from None
        finally:
            conn.close()
