"""The LLM engine contract: load once, then stream text pieces for many prompts."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from parley.config import LLMConfig


def reusable_prefix(cached: Sequence[int], prompt: Sequence[int]) -> int:
    """How many leading tokens of `prompt` a KV cache built for `cached` can serve.

    The prompt's last token is never counted: it must be evaluated so that its logits start the reply.
    """
    n = 0
    for a, b in zip(cached, prompt[:-1]):
        if a != b:
            break
        n += 1
    return n


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


class LLMEngine(abc.ABC):
    """A chat language model that streams its reply.

    `assistant_prefix` makes the model continue a reply that has already begun (the narrative
    continues the opener's words). `prefill` evaluates a prompt ahead of time so that a later
    `stream` over the same prefix starts at once; engines without a prompt cache may ignore it.
    Closing the iterator early stops generation.
    """

    def __init__(self, config: LLMConfig):
        self.config = config

    @abc.abstractmethod
    def load(self) -> None:
        """Load the model; raise ModelNotFound/EngineError with a message that says what to do."""

    @abc.abstractmethod
    def stream(
        self, messages: list[Message], max_tokens: int, assistant_prefix: str = ""
    ) -> Iterator[str]:
        """Yield the reply's text pieces as they are generated."""

    def prefill(self, messages: list[Message]) -> None:
        """Warm the prompt cache for `messages` (optional)."""

    def warmup(self) -> None:
        for _ in self.stream([Message("user", "Hi")], max_tokens=2):
            pass
