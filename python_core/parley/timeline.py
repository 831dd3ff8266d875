"""Per-turn latency timeline: named stage marks in monotonic seconds from the turn's start.

Threads of one turn mark stages concurrently, so marking takes a lock; the lock is never held
while anything else runs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

TURN_START = "turn_start"
OPENER_FIRST_TOKEN = "opener_first_token"
FIRST_CHUNK_READY = "first_chunk_ready"
FIRST_AUDIO_BLOCK = "first_audio_block"
NARRATIVE_PREFILL_DONE = "narrative_prefill_done"
NARRATIVE_FIRST_TOKEN = "narrative_first_token"
OPENER_DONE = "opener_done"
NARRATIVE_DONE = "narrative_done"
CHUNK_READY = "chunk_ready"
CHUNK_AUDIO_START = "chunk_audio_start"
LLM_PAUSED = "llm_paused"  # the opener waits for the first audio block (turn.first_audio_priority)
LLM_RESUMED = "llm_resumed"
TTS_BLOCK = "tts_block"  # info: the engine's per-block stage times (ms), e.g. XTTS gpt_ms / vocoder_ms
TURN_DONE = "turn_done"
CANCELLED = "cancelled"
FAILED = "failed"


@dataclass(frozen=True)
class Mark:
    stage: str
    t: float  # seconds since the turn started
    info: dict[str, Any] = field(default_factory=dict)


class Timeline:
    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self._marks: list[Mark] = [Mark(TURN_START, 0.0)]
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def mark(self, stage: str, **info: Any) -> float:
        t = self.elapsed()
        with self._lock:
            self._marks.append(Mark(stage, t, info))
        return t

    def marks(self) -> list[Mark]:
        with self._lock:
            return list(self._marks)

    def first(self, stage: str) -> Mark | None:
        return next((m for m in self.marks() if m.stage == stage), None)

    def table(self) -> str:
        """A human-readable table, one line per mark, in time order."""
        lines = [f"{'t (ms)':>9}  stage"]
        for m in sorted(self.marks(), key=lambda m: m.t):
            detail = " ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in m.info.items())
            lines.append(f"{m.t * 1000:9.1f}  {m.stage:<24} {detail}".rstrip())
        return "\n".join(lines)
