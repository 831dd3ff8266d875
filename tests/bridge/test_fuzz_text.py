"""Fuzzing the text entry points of the C ABI with arbitrary bytes (hypothesis).

Any byte string is either accepted (a turn starts) or refused with INVALID_ARGUMENT and a message;
nothing else, and the voice keeps working. CI runs a bounded number of examples; for a longer run:

    PARLEY_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/bridge/test_fuzz_text.py
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.capi import create_voice, init, poll_all, wait_for_event
from parley import EventType

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "60"))


@pytest.fixture(scope="module")
def fuzz_runtime(lib, fast_config):
    lib.lib.parley_shutdown()
    assert init(lib, {**fast_config, "narrative": None, "opener": {**fast_config["opener"], "max_tokens": 4}}) == 0, lib.last_error()
    voice = create_voice(lib, rate=16000, channels=1)
    yield lib, voice
    lib.lib.parley_shutdown()


_bytes = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\xc0\x80", b"\xed\xbf\xbf", b"\xf8\x88\x80\x80\x80", b"\xef\xbb\xbfBOM", b"\x00", b"\xe2\x80\xae RTL override"]),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_bytes, speak=st.booleans())
def test_any_bytes_are_accepted_or_refused_cleanly(fuzz_runtime, data, speak):
    lib, voice = fuzz_runtime
    c, ffi = lib.lib, lib.ffi
    call = c.parley_speak if speak else c.parley_turn_start
    status = call(voice, ffi.new("char[]", data), ffi.NULL)
    assert status in (c.PARLEY_OK, c.PARLEY_ERROR_INVALID_ARGUMENT), (status, lib.last_error())
    if status != c.PARLEY_OK:
        assert lib.last_error()  # says why
    assert c.parley_turn_cancel(voice) == c.PARLEY_OK
    buf = ffi.new("float[]", 1600)
    assert c.parley_pull(voice, buf, 1600) >= 0
    errors = [e for e in poll_all(lib, voice) if e[0] == EventType.ERROR]
    assert not errors, errors  # a turn that started must never fail inside


def test_voice_still_speaks_after_the_fuzzing(fuzz_runtime):
    lib, voice = fuzz_runtime
    turn = lib.ffi.new("uint64_t *")
    assert lib.lib.parley_speak(voice, b"Still standing.", turn) == 0
    events = []
    while not any(e[1] == turn[0] and e[0] in (EventType.TURN_DONE, EventType.ERROR) for e in events):
        events += wait_for_event(lib, voice, {EventType.TURN_DONE, EventType.ERROR}, channels=1)
    assert [e[0] for e in events if e[1] == turn[0]][-1] == EventType.TURN_DONE
    assert not [e for e in events if e[0] == EventType.ERROR], events

