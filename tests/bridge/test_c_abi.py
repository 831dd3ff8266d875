"""libparley's C ABI through cffi, on the embedded default: turns, events, cancel, bad input.

Every call here is one a game engine makes; nothing reaches around the ABI into Python.
"""

import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.capi import create_voice, init, poll_all, voice_params, wait_for_event
from parley import EventType
from parley_bridge.binding import header_path
from parley_bridge.host import Voice

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runtime(lib, fast_config):
    assert init(lib, fast_config) == lib.lib.PARLEY_OK, lib.last_error()
    yield lib
    lib.lib.parley_shutdown()


@pytest.fixture
def voice(runtime):
    v = create_voice(runtime)
    yield v
    runtime.lib.parley_voice_destroy(v)


def test_event_numbers_match_between_header_and_python_core():
    header = header_path().read_text()
    in_header = {m[0]: int(m[1]) for m in re.findall(r"PARLEY_EVENT_(\w+)\s*=\s*(\d+)", header)}
    assert in_header == {e.name: e.value for e in EventType}
    assert header == (ROOT / "cpp/include/parley.h").read_text()  # the installed header is the source one


def test_full_turn_through_the_c_abi(runtime):
    with Voice(runtime, 48000, 2) as v:
        result = v.run_turn("Who are you, old man?", realtime=False)
    types = [e.type for e in result.events]
    assert types[0] == "TURN_STARTED" and types[-1] == "TURN_DONE"
    assert types.count("TURN_DONE") == 1 and "ERROR" not in types
    assert types.index("AUDIO_READY") < types.index("AUDIO_STARTED")
    assert len(result.texts()) >= 2
    text_frames = [e.frame for e in result.events if e.type == "TEXT"]
    assert text_frames == sorted(text_frames) and text_frames[0] == 0
    audio = result.audio
    assert audio.shape[1] == 2 and np.isfinite(audio).all()
    assert len(audio) / 48000 > 0.2 * len(" ".join(result.texts()).split())
    assert float(np.sqrt(np.mean(audio**2))) > 0.02
    # TURN_DONE is delivered once the last frame has been pulled: its frame is the stream's end.
    assert result.events[-1].frame <= runtime.lib.parley_voice_position(v.handle) if v.handle else True


def test_events_are_ordered_complete_and_subtitles_follow_the_audio(runtime, voice):
    lib = runtime.lib
    turn = runtime.ffi.new("uint64_t *")
    runtime.check(lib.parley_speak(voice, b"One, two, three. The bridge is closed until dawn, traveller.", turn), "speak")
    buf = runtime.ffi.new("float[]", 960 * 2)
    events = []
    pulled = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(e[0] == EventType.TURN_DONE for e in events):
        n = lib.parley_pull(voice, buf, 960)
        assert n >= 0
        pulled += n
        for e in poll_all(runtime, voice):
            if e[0] in (EventType.TEXT, EventType.TURN_DONE):
                assert e[2] <= lib.parley_voice_position(voice)  # never shown before it is heard
            events.append(e)
        time.sleep(0.002)
    types = [e[0] for e in events]
    assert types[0] == EventType.TURN_STARTED and types[-1] == EventType.TURN_DONE
    assert all(e[1] == turn[0] for e in events)
    assert " ".join(e[3] for e in events if e[0] == EventType.TEXT) == "One, two, three. The bridge is closed until dawn, traveller."
    assert lib.parley_voice_position(voice) == pulled


def test_cancel_leaves_no_stale_frame_and_the_next_turn_plays(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    runtime.check(lib.parley_speak(voice, b"This is a long line that will be cut off, right in the middle of its second clause.", ffi.NULL), "speak")
    wait_for_event(runtime, voice, {EventType.AUDIO_STARTED})
    runtime.check(lib.parley_turn_cancel(voice), "cancel")
    buf = np.full(48000 * 2, 7.0, dtype=np.float32)
    assert lib.parley_pull(voice, ffi.cast("float *", ffi.from_buffer(buf)), 48000) == 0
    assert (buf == 7.0).all()  # not one frame of the cancelled turn, nothing written
    events = wait_for_event(runtime, voice, {EventType.CANCELLED})
    assert EventType.TURN_DONE not in [e[0] for e in events]
    turn = ffi.new("uint64_t *")
    runtime.check(lib.parley_speak(voice, b"Fresh words.", turn), "speak")
    events = wait_for_event(runtime, voice, {EventType.TURN_DONE})
    assert [e[3] for e in events if e[0] == EventType.TEXT] == ["Fresh words."]


def test_cancel_with_nothing_to_cancel_is_ok(runtime, voice):
    assert runtime.lib.parley_turn_cancel(voice) == 0


def test_turn_start_on_a_speaking_voice_barges_in(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    first, second = ffi.new("uint64_t *"), ffi.new("uint64_t *")
    runtime.check(lib.parley_speak(voice, b"A very long first line, which the player interrupts before it ends.", first), "speak")
    events = wait_for_event(runtime, voice, {EventType.AUDIO_READY}, pull=False)
    runtime.check(lib.parley_speak(voice, b"Second line.", second), "speak")
    assert second[0] > first[0]
    events += wait_for_event(runtime, voice, {EventType.TURN_DONE})
    if EventType.CANCELLED not in [e[0] for e in events]:  # the old turn's thread may end a little later
        events += wait_for_event(runtime, voice, {EventType.CANCELLED})
    by_turn = {t: [e[0] for e in events if e[1] == t] for t in (first[0], second[0])}
    assert by_turn[first[0]][0] == EventType.TURN_STARTED and by_turn[first[0]][-1] == EventType.CANCELLED
    assert EventType.AUDIO_STARTED not in by_turn[first[0]]  # never pulled: the host heard none of it
    assert by_turn[second[0]][-1] == EventType.TURN_DONE
    assert [e[3] for e in events if e[0] == EventType.TEXT and e[1] == second[0]] == ["Second line."]


def test_two_voices_at_once_each_get_their_own_audio(runtime):
    lib = runtime
    a, b = Voice(lib, 48000, 2), Voice(lib, 16000, 1)
    results = {}
    try:
        threads = [
            threading.Thread(target=lambda: results.__setitem__("a", a.run_turn("Good morning, first voice.", speak=True, realtime=False))),
            threading.Thread(target=lambda: results.__setitem__("b", b.run_turn("And a second voice, at the same time.", speak=True, realtime=False))),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        a.destroy()
        b.destroy()
    assert results["a"].terminal.type == results["b"].terminal.type == "TURN_DONE"
    assert results["a"].texts() == ["Good morning,", "first voice."]
    assert results["b"].audio.shape[1] == 1
    assert 1.0 < len(results["b"].audio) / 16000 < 6.0


def test_voice_params_read_back_with_defaults_filled_in(runtime):
    lib, ffi = runtime.lib, runtime.ffi
    v = create_voice(runtime, rate=44100, channels=1, persona="You are a ghost.")
    try:
        out = ffi.new("parley_voice_params *")
        runtime.check(lib.parley_voice_get_params(v, out), "get_params")
        assert (out.sample_rate, out.channels, out.buffer_ms) == (44100, 1, 10000)
        assert ffi.string(out.persona) == b"You are a ghost." and out.tts_voice == ffi.NULL
    finally:
        lib.parley_voice_destroy(v)


# ---- bad input: every case returns the exact status, sets a helpful message, and the next valid
# call still works.

def _status(lib, name):
    return int(getattr(lib.lib, name))


@pytest.mark.parametrize("text,status,message", [
    (None, "PARLEY_ERROR_INVALID_ARGUMENT", "player text is NULL"),
    (b"", "PARLEY_ERROR_INVALID_ARGUMENT", "empty"),
    (b"   ", "PARLEY_ERROR_INVALID_ARGUMENT", "empty"),
    (b"\xff\xfe hello", "PARLEY_ERROR_INVALID_ARGUMENT", "not valid UTF-8"),
    (b"\xc0\xaf", "PARLEY_ERROR_INVALID_ARGUMENT", "not valid UTF-8"),  # overlong '/'
    (b"\xed\xa0\x80", "PARLEY_ERROR_INVALID_ARGUMENT", "not valid UTF-8"),  # a surrogate
    (b"x" * 100_000, "PARLEY_ERROR_INVALID_ARGUMENT", "limit is 2000"),
    (b"y" * (1 << 20 | 1), "PARLEY_ERROR_INVALID_ARGUMENT", "longer than 1 MiB"),
])
def test_bad_player_text_is_refused(runtime, voice, text, status, message):
    lib, ffi = runtime.lib, runtime.ffi
    arg = ffi.NULL if text is None else text
    assert lib.parley_turn_start(voice, arg, ffi.NULL) == _status(runtime, status)
    assert message in runtime.last_error()
    assert lib.parley_speak(voice, b"Still here.", ffi.NULL) == 0
    wait_for_event(runtime, voice, {EventType.TURN_DONE})


def test_unicode_emoji_and_right_to_left_text_are_accepted(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    assert lib.parley_speak(voice, "Héllo 👋, traveller. مرحبا".encode(), ffi.NULL) == 0
    events = wait_for_event(runtime, voice, {EventType.TURN_DONE, EventType.ERROR})
    assert events[-1][0] == EventType.TURN_DONE


def test_line_with_no_letters_is_refused_by_speak(runtime, voice):
    assert runtime.lib.parley_speak(voice, b"?!... --", runtime.ffi.NULL) == _status(runtime, "PARLEY_ERROR_INVALID_ARGUMENT")
    assert "nothing to speak" in runtime.last_error()


def test_embedded_nul_ends_the_string_as_c_does(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    assert lib.parley_speak(voice, ffi.new("char[]", b"Only this.\x00 Not this."), ffi.NULL) == 0
    events = wait_for_event(runtime, voice, {EventType.TURN_DONE})
    assert [e[3] for e in events if e[0] == EventType.TEXT] == ["Only this."]


def test_null_pointers_are_refused(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    bad = _status(runtime, "PARLEY_ERROR_INVALID_ARGUMENT")
    assert lib.parley_voice_create(voice_params(runtime), ffi.NULL) == bad
    assert lib.parley_poll_event(voice, ffi.NULL) == bad
    assert lib.parley_pull(voice, ffi.NULL, 10) == bad
    assert lib.parley_voice_get_params(voice, ffi.NULL) == bad
    assert lib.parley_speak(voice, ffi.NULL, ffi.NULL) == bad
    out = ffi.new("parley_voice *")
    assert lib.parley_voice_create(ffi.NULL, out) == 0  # NULL params: the defaults
    assert lib.parley_voice_destroy(out[0]) == 0


@pytest.mark.parametrize("field,value", [("sample_rate", 0), ("sample_rate", 1_000_000), ("channels", 0), ("channels", 99), ("buffer_ms", 10)])
def test_unusable_voice_params_are_refused(runtime, field, value):
    out = runtime.ffi.new("parley_voice *")
    assert runtime.lib.parley_voice_create(voice_params(runtime, **{field: value}), out) == _status(runtime, "PARLEY_ERROR_INVALID_ARGUMENT")
    assert field in runtime.last_error()
    assert out.id == 0


def test_frame_counts_zero_negative_and_huge(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    buf = ffi.new("float[]", 16)
    assert lib.parley_pull(voice, buf, 0) == 0
    assert lib.parley_pull(voice, buf, -1) == _status(runtime, "PARLEY_ERROR_INVALID_ARGUMENT")
    # A huge request only ever writes what is available (nothing now): the buffer is untouched.
    assert lib.parley_pull(voice, buf, 10**9) == 0


def test_destroyed_and_never_created_voices_are_invalid_handles(runtime):
    lib, ffi = runtime.lib, runtime.ffi
    invalid = _status(runtime, "PARLEY_ERROR_INVALID_HANDLE")
    v = create_voice(runtime)
    assert lib.parley_voice_destroy(v) == 0
    buf = ffi.new("float[]", 16)
    ev = ffi.new("parley_event *")
    never = ffi.new("parley_voice *", {"id": 0x00050007})[0]
    for handle in (v, never, ffi.new("parley_voice *")[0]):
        assert lib.parley_voice_destroy(handle) == invalid
        assert lib.parley_turn_start(handle, b"hi", ffi.NULL) == invalid
        assert lib.parley_speak(handle, b"hi", ffi.NULL) == invalid
        assert lib.parley_turn_cancel(handle) == invalid
        assert lib.parley_pull(handle, buf, 8) == invalid
        assert lib.parley_poll_event(handle, ev) == invalid
        assert lib.parley_voice_position(handle) == invalid
    assert "does not exist" in runtime.last_error()
    fresh = create_voice(runtime)  # the slot is reused with a new generation
    assert fresh.id != v.id and lib.parley_voice_destroy(fresh) == 0


def test_two_threads_pulling_one_voice_are_refused_never_corrupt(runtime, voice):
    lib, ffi = runtime.lib, runtime.ffi
    runtime.check(lib.parley_speak(voice, b"Two readers want this audio, but only one may have it at a time.", ffi.NULL), "speak")
    wait_for_event(runtime, voice, {EventType.AUDIO_READY}, pull=False)
    busy = _status(runtime, "PARLEY_ERROR_BUSY")
    counts = {"frames": 0, "busy": 0, "other": 0}
    lock = threading.Lock()

    def reader():
        buf = ffi.new("float[]", 64 * 2)
        for _ in range(20000):
            n = lib.parley_pull(voice, buf, 64)
            with lock:
                if n >= 0:
                    counts["frames"] += n
                elif n == busy:
                    counts["busy"] += 1
                else:
                    counts["other"] += 1

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts["other"] == 0
    # Every frame went to exactly one reader: the total equals the stream position.
    assert counts["frames"] == lib.parley_voice_position(voice)


def test_status_strings_and_version(runtime):
    lib, ffi = runtime.lib, runtime.ffi
    assert lib.parley_api_version() == lib.PARLEY_API_VERSION == 1
    assert ffi.string(lib.parley_status_string(lib.PARLEY_ERROR_INVALID_HANDLE)) == b"invalid handle"
    assert ffi.string(lib.parley_status_string(-1234)) == b"unknown status"
