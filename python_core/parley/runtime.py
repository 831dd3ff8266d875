"""The process-wide runtime that libparley drives: one Pipeline plus the voices the host created.

This module knows nothing about C: libparley calls it with plain Python values and passes, as the
sink of each turn, an object that writes into the voice's native ring (any `TurnSink` works).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley.events import TurnSink
from parley.pipeline import OutputFormat, Pipeline, Voice


class Runtime:
    def __init__(self, config: str | None = None, progress: Callable[[str], None] | None = None):
        self.pipeline = Pipeline(config or None, progress=progress)

    def create_voice(self, sample_rate: int, channels: int, persona: str | None, tts_voice: str | None) -> Voice:
        return self.pipeline.create_voice(persona, tts_voice, OutputFormat(sample_rate, channels))

    def start_turn(self, voice: Voice, player_text: str, sink: TurnSink) -> int:
        return self.pipeline.start_turn(voice, player_text, sink).id

    def speak(self, voice: Voice, line: str, sink: TurnSink) -> int:
        return self.pipeline.speak(voice, line, sink).id

    def cancel(self, voice: Voice) -> None:
        if voice.current is not None:
            voice.current.cancel()

    def shutdown(self) -> None:
        self.pipeline.close()


class _CallbackHandler(logging.Handler):
    def __init__(self, emit: Callable[[int, str], None]):
        super().__init__(logging.INFO)
        self._emit = emit

    def emit(self, record: logging.LogRecord) -> None:
        level = min(3, max(0, record.levelno // 10 - 1))  # DEBUG 0, INFO 1, WARNING 2, ERROR+ 3
        try:
            self._emit(level, self.format(record))
        except Exception:  # a logging failure must never break a turn
            pass


def route_logs(emit: Callable[[int, str], None] | None) -> None:
    """Send the `parley` logger's records to `emit(level, message)`, or stop with None."""
    logger = logging.getLogger("parley")
    for handler in [h for h in logger.handlers if isinstance(h, _CallbackHandler)]:
        logger.removeHandler(handler)
    if emit is not None:
        logger.addHandler(_CallbackHandler(emit))
        logger.setLevel(logging.INFO)
