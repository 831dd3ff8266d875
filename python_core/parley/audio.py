"""Audio plumbing between a TTS engine and the consumer: seam joining, resampling, framing.

Each chunk of speech is synthesised separately, so consecutive chunks meet at a seam where the
waveform can jump; `ChunkJoiner` crossfades across it. `OutputConverter` then converts the joined
stream once, with one streaming soxr resampler per turn (no per-chunk edge effects), to the
sample rate and channel count that the consumer asked for.
"""

from __future__ import annotations

import numpy as np
import soxr


class ChunkJoiner:
    """Joins per-chunk audio into one stream with a short linear crossfade at every seam.

    The last `fade` samples of each block are held back until the next block arrives: if it
    continues the same chunk they are released as they are, if it starts a new chunk they are
    crossfaded with its head. The turn's very first samples fade in and its last fade out.
    """

    def __init__(self, sample_rate: int, fade_ms: float = 8.0):
        self.fade = max(1, int(sample_rate * fade_ms / 1000.0))
        self._tail = np.zeros(0, dtype=np.float32)
        self._started = False

    def push(self, block: np.ndarray, new_chunk: bool) -> np.ndarray:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if block.size == 0:
            return block
        if not self._started:
            n = min(self.fade, block.size)
            block = block.copy()
            block[:n] *= np.linspace(0.0, 1.0, n, endpoint=False, dtype=np.float32)
            self._started = True
        elif new_chunk and self._tail.size:
            n = min(self._tail.size, block.size)
            ramp = np.linspace(0.0, 1.0, n, endpoint=False, dtype=np.float32)
            block = block.copy()
            block[:n] = block[:n] * ramp + self._tail[:n] * (1.0 - ramp)
            self._tail = np.zeros(0, dtype=np.float32)  # the held tail now lives in the crossfade
        joined = np.concatenate([self._tail, block]) if self._tail.size else block
        keep = min(self.fade, joined.size)
        self._tail = joined[joined.size - keep:].copy()
        return joined[: joined.size - keep]

    def finish(self) -> np.ndarray:
        """Release the held tail, faded out to silence."""
        tail, self._tail = self._tail, np.zeros(0, dtype=np.float32)
        if tail.size:
            tail = tail * np.linspace(1.0, 0.0, tail.size, dtype=np.float32)
        return tail


class OutputConverter:
    """Mono float32 at the engine's rate -> interleaved float32 at the consumer's rate/channels."""

    def __init__(self, in_rate: int, out_rate: int, channels: int):
        if out_rate < 8000 or out_rate > 192000:
            raise ValueError(f"sample rate {out_rate} is outside 8000..192000 Hz")
        if channels < 1 or channels > 8:
            raise ValueError(f"channel count {channels} is outside 1..8")
        self.channels = channels
        self._resampler = soxr.ResampleStream(in_rate, out_rate, 1, dtype="float32") if in_rate != out_rate else None

    def process(self, mono: np.ndarray, last: bool = False) -> np.ndarray:
        """Returns interleaved frames, shape (frames * channels,), float32, clipped to [-1, 1]."""
        mono = np.asarray(mono, dtype=np.float32).reshape(-1)
        if self._resampler is not None:
            mono = self._resampler.resample_chunk(mono, last=last)
        np.clip(mono, -1.0, 1.0, out=mono)
        if self.channels == 1:
            return np.ascontiguousarray(mono, dtype=np.float32)
        return np.ascontiguousarray(np.repeat(mono, self.channels), dtype=np.float32)


def max_step(samples: np.ndarray) -> float:
    """Largest sample-to-sample jump: a click at a seam shows up as an outlier here."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    return float(np.max(np.abs(np.diff(samples)))) if samples.size > 1 else 0.0
