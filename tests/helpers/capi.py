"""Small helpers for driving libparley's C ABI from tests."""

import json
import time

from parley_bridge.binding import Library


_KEEP_ALIVE: list = []


def init(lib: Library, config=None) -> int:
    params = lib.ffi.new("parley_init_params *", lib.lib.parley_default_init_params())
    keep = lib.ffi.new("char[]", (config if isinstance(config, str) else json.dumps(config)).encode()) if config is not None else lib.ffi.NULL
    params.config = keep
    return lib.lib.parley_init(params)


def voice_params(lib: Library, rate=48000, channels=2, **fields):
    p = lib.ffi.new("parley_voice_params *", lib.lib.parley_default_voice_params())
    p.sample_rate, p.channels = rate, channels
    for name, value in fields.items():
        if isinstance(value, (str, bytes)):
            value = lib.ffi.new("char[]", value.encode() if isinstance(value, str) else value)
            _KEEP_ALIVE.append(value)  # cffi frees a char[] when its Python object dies
        setattr(p, name, value)
    return p


def create_voice(lib: Library, **kw):
    out = lib.ffi.new("parley_voice *")
    lib.check(lib.lib.parley_voice_create(voice_params(lib, **kw), out), "parley_voice_create")
    return out[0]


def poll_all(lib: Library, voice) -> list[tuple[int, int, int, str]]:
    ev = lib.ffi.new("parley_event *")
    out = []
    while lib.check(lib.lib.parley_poll_event(voice, ev), "parley_poll_event") == 1:
        out.append((ev.type, ev.turn, ev.frame, lib.ffi.string(ev.text).decode()))
    return out


def wait_for_event(lib: Library, voice, types: set[int], timeout=60.0, pull=True, channels=2):
    """Poll (and pull, so gated events can pass) until one of `types` arrives. Returns all events."""
    buf = lib.ffi.new("float[]", 4800 * channels)
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pull:
            lib.lib.parley_pull(voice, buf, 4800)
        seen += poll_all(lib, voice)
        if any(e[0] in types for e in seen):
            return seen
        time.sleep(0.005)
    raise AssertionError(f"no event of {types} within {timeout} s; saw {seen}")
