"""Turn events and the sink a turn writes its audio and events into.

The numeric values of `EventType` are the C ABI's `parley_event_type` (cpp/include/parley.h); a
test keeps the two in step.
"""

from __future__ import annotations

import enum
import queue
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class EventType(enum.IntEnum):
    TURN_STARTED = 1
    TEXT = 2  # a chunk of text, emitted right before its audio enters the stream
    AUDIO_READY = 3  # first audio block of the turn is in the stream
    AUDIO_STARTED = 4  # first frame pulled by the host (emitted by the C layer)
    NARRATIVE_FIRST_TOKEN = 5
    TURN_DONE = 6
    CANCELLED = 7
    ERROR = 8
    UNDERRUN = 9  # the host pulled faster than audio arrived (emitted by the C layer)


TERMINAL_EVENTS = frozenset({EventType.TURN_DONE, EventType.CANCELLED, EventType.ERROR})


@dataclass(frozen=True)
class Event:
    type: EventType
    turn: int
    t_us: int  # microseconds since the turn started
    text: str = ""


class TurnSink(Protocol):
    """Where a turn's output goes: the C ABI's ring and event queue, or a Python collector."""

    def write_audio(self, turn: int, block: np.ndarray) -> bool:
        """Write interleaved float32 frames; may block for room. False: the turn was cancelled."""

    def end_audio(self, turn: int) -> None:
        """The turn will write no more audio."""

    def emit(self, event: Event) -> None:
        """Deliver an event."""

    def cancel(self, turn: int) -> None:
        """Drop this turn's audio that was not played yet, and unblock its writer."""


class CollectingSink:
    """A TurnSink for Python callers: a bounded audio queue plus an event list.

    `max_blocks` bounds memory: a producer that runs ahead of its reader waits.
    """

    def __init__(self, max_blocks: int = 256) -> None:
        self.audio: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=max_blocks)
        self.events: list[Event] = []
        self._lock = threading.Lock()
        self.cancelled = threading.Event()

    def write_audio(self, turn: int, block: np.ndarray) -> bool:
        while not self.cancelled.is_set():
            try:
                self.audio.put(block, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def end_audio(self, turn: int) -> None:
        while not self.cancelled.is_set():
            try:
                self.audio.put(None, timeout=0.05)
                return
            except queue.Full:
                continue

    def emit(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def cancel(self, turn: int) -> None:
        self.cancelled.set()
        while True:
            try:
                self.audio.get_nowait()
            except queue.Empty:
                return

    def blocks(self):
        """Yield audio blocks until the turn's audio ends (or it is cancelled)."""
        while True:
            try:
                block = self.audio.get(timeout=0.05)
            except queue.Empty:
                if self.cancelled.is_set():
                    return
                continue
            if block is None:
                return
            yield block

    def event_list(self) -> list[Event]:
        with self._lock:
            return list(self.events)
