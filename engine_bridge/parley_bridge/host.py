"""A game-engine host in Python, over the C ABI: a voice, a real-time pulling "audio thread" and
an event loop. The CLI, the tests and the benchmark use it to drive libparley exactly as Godot's
mixer or Unity's OnAudioFilterRead would.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from parley_bridge.binding import Library, load

TERMINAL = {"TURN_DONE", "CANCELLED", "ERROR"}


@dataclass
class HostEvent:
    type: str
    turn: int
    frame: int
    t_us: int
    text: str
    host_t: float  # seconds since the host started the turn, when the host saw the event


@dataclass
class TurnResult:
    turn: int
    events: list[HostEvent]
    audio: np.ndarray  # (frames, channels) float32, what the "audio thread" pulled, silence included
    first_frame_s: float | None  # parley_turn_start -> first non-empty pull
    short_pulls: int  # pulls that got less than a full period, the silence after the turn included
    sample_rate: int
    pull_us: list[float] = field(default_factory=list)

    @property
    def terminal(self) -> HostEvent | None:
        return next((e for e in self.events if e.type in TERMINAL), None)

    def texts(self) -> list[str]:
        return [e.text for e in self.events if e.type == "TEXT"]


class Runtime:
    """parley_init / parley_shutdown as a context manager."""

    def __init__(self, config: str | None = None, lib: Library | None = None):
        self.lib = lib or load()
        self.config = config

    def __enter__(self) -> Runtime:
        params = self.lib.ffi.new("parley_init_params *", self.lib.lib.parley_default_init_params())
        keep = self.lib.ffi.new("char[]", self.config.encode()) if self.config else self.lib.ffi.NULL
        params.config = keep
        self.lib.check(self.lib.lib.parley_init(params), "parley_init")
        return self

    def __exit__(self, *exc: object) -> None:
        self.lib.lib.parley_shutdown()


class Voice:
    """One voice plus its audio thread. Pulls `block_ms` of audio every `block_ms`, in real time."""

    def __init__(self, lib: Library, sample_rate: int = 48000, channels: int = 2, persona: str | None = None,
                 block_ms: float = 10.0):
        self.lib = lib
        ffi, c = lib.ffi, lib.lib
        params = ffi.new("parley_voice_params *", c.parley_default_voice_params())
        params.sample_rate, params.channels = sample_rate, channels
        self._persona = ffi.new("char[]", persona.encode()) if persona else ffi.NULL
        params.persona = self._persona
        handle = ffi.new("parley_voice *")
        lib.check(c.parley_voice_create(params, handle), "parley_voice_create")
        self.handle = handle[0]
        self.sample_rate, self.channels = sample_rate, channels
        self.block = max(1, int(sample_rate * block_ms / 1000))
        self._event = ffi.new("parley_event *")
        self._names = {int(getattr(c, n)): n.removeprefix("PARLEY_EVENT_") for n in dir(c) if n.startswith("PARLEY_EVENT_")}

    def destroy(self) -> None:
        if self.handle is not None:
            self.lib.lib.parley_voice_destroy(self.handle)
            self.handle = None

    def __enter__(self) -> Voice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()

    def poll(self, t0: float) -> list[HostEvent]:
        out = []
        while self.lib.check(self.lib.lib.parley_poll_event(self.handle, self._event), "parley_poll_event") == 1:
            ev = self._event
            out.append(HostEvent(self._names.get(ev.type, str(ev.type)), ev.turn, ev.frame, ev.t_us,
                                 self.lib.ffi.string(ev.text).decode("utf-8"), time.monotonic() - t0))
        return out

    def run_turn(self, text: str, speak: bool = False, timeout: float = 120.0, on_event=None,
                 cancel_after_s: float | None = None, realtime: bool = True) -> TurnResult:
        """Start a turn and play it until its last event; returns what was heard.

        `realtime=False` pulls as fast as audio arrives (tests), instead of one block per period.
        """
        ffi, c = self.lib.ffi, self.lib.lib
        turn_id = ffi.new("uint64_t *")
        start = c.parley_speak if speak else c.parley_turn_start
        t0 = time.monotonic()
        self.lib.check(start(self.handle, text.encode("utf-8"), turn_id), "parley_speak" if speak else "parley_turn_start")
        puller = RealtimePuller(self, t0, realtime)
        puller.start()
        events: list[HostEvent] = []
        cancelled = False
        try:
            while time.monotonic() - t0 < timeout:
                for ev in self.poll(t0):
                    if ev.turn != turn_id[0]:
                        continue
                    events.append(ev)
                    if on_event:
                        on_event(ev)
                if any(e.type in TERMINAL for e in events):
                    break
                if cancel_after_s is not None and not cancelled and time.monotonic() - t0 >= cancel_after_s:
                    self.lib.check(c.parley_turn_cancel(self.handle), "parley_turn_cancel")
                    cancelled = True
                time.sleep(0.005)
        finally:
            puller.stop()
        return TurnResult(turn_id[0], events, puller.audio(), puller.first_frame_s, puller.short_pulls,
                          self.sample_rate, puller.pull_us)


class RealtimePuller(threading.Thread):
    """The engine's audio thread: one parley_pull per period, on a real-time schedule."""

    def __init__(self, voice: Voice, t0: float, realtime: bool = True):
        super().__init__(name="parley-host-audio", daemon=True)
        self.voice = voice
        self.realtime = realtime
        self.t0 = t0
        self.first_frame_s: float | None = None
        self.short_pulls = 0  # underruns proper arrive as UNDERRUN events
        self.pull_us: list[float] = []
        self._halt = threading.Event()
        self._blocks: list[np.ndarray] = []

    def run(self) -> None:
        v = self.voice
        ffi, c = v.lib.ffi, v.lib.lib
        buf = np.zeros(v.block * v.channels, dtype=np.float32)
        ptr = ffi.cast("float *", ffi.from_buffer(buf))
        period = v.block / v.sample_rate
        next_tick = time.monotonic()
        while not self._halt.is_set():
            t = time.perf_counter()
            n = c.parley_pull(v.handle, ptr, v.block)
            self.pull_us.append((time.perf_counter() - t) * 1e6)
            if n < 0:
                break
            if n > 0 and self.first_frame_s is None:
                self.first_frame_s = time.monotonic() - self.t0
            if self.first_frame_s is not None:
                if n < v.block:
                    self.short_pulls += 1
                    buf[n * v.channels:] = 0.0
                self._blocks.append(buf.copy())
            next_tick += period
            if not self.realtime:
                next_tick = time.monotonic() + (0.001 if n < v.block else 0.0)
            delay = next_tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def audio(self) -> np.ndarray:
        channels = self.voice.channels
        if not self._blocks:
            return np.zeros((0, channels), dtype=np.float32)
        return np.concatenate(self._blocks).reshape(-1, channels)
