"""The TTS engine contract: load once, then stream many utterances as float32 blocks."""

from __future__ import annotations

import abc
from collections.abc import Iterator

import numpy as np

from parley.config import TTSConfig


class TTSEngine(abc.ABC):
    """A text-to-speech engine.

    `stream` may be called from several threads at once (one per active turn); an engine that
    cannot run concurrently serialises internally. Blocks are mono float32 in [-1, 1] at
    `sample_rate`.
    """

    sample_rate: int

    def __init__(self, config: TTSConfig):
        self.config = config

    @abc.abstractmethod
    def load(self) -> None:
        """Load the model; raise ModelNotFound/EngineError with a message that says what to do."""

    @abc.abstractmethod
    def stream(self, text: str, voice: str | None = None) -> Iterator[np.ndarray]:
        """Synthesise `text`, yielding audio blocks as soon as each is ready."""

    def warmup(self) -> None:
        """Run once after load so that the first real turn pays no first-call costs."""
        for _ in self.stream("Hello."):
            pass
