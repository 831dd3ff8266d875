"""The TTS engine contract: load once, then stream many utterances as float32 blocks."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from parley.config import TTSConfig

SPEECH_CHARS_PER_SECOND = 15.0  # an ordinary speaking rate: estimates the audio length of text not yet spoken


@dataclass(frozen=True)
class TimedBlock:
    """An audio block with the time each of the engine's stages spent making it, in milliseconds.

    Engines may yield these instead of bare arrays; the pipeline puts the timings in the turn's
    timeline (stage `tts_block`), e.g. XTTS's GPT decode and vocoder times per block.
    """

    audio: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)


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
    def stream(self, text: str, voice: str | None = None) -> Iterator[np.ndarray | TimedBlock]:
        """Synthesise `text`, yielding audio blocks (arrays or TimedBlocks) as soon as each is ready."""

    def warmup(self) -> None:
        """Run once after load so that the first real turn pays no first-call costs."""
        for _ in self.stream("Hello."):
            pass
