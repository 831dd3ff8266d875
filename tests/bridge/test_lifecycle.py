"""Runtime lifecycle through the C ABI: calls before init, init twice, shutdown twice, init again,
a model that fails to load, and a Python exception inside a turn. Runs after test_c_abi.py has
shut its runtime down; each test leaves the runtime shut down."""

import pytest

from helpers.capi import create_voice, init, wait_for_event
from parley import EventType


@pytest.fixture(autouse=True)
def shut_down_after(lib):
    lib.lib.parley_shutdown()
    yield
    lib.lib.parley_shutdown()


def test_calls_before_init_are_refused_with_a_hint(lib):
    ffi, c = lib.ffi, lib.lib
    out = ffi.new("parley_voice *")
    assert c.parley_voice_create(ffi.NULL, out) == c.PARLEY_ERROR_NOT_INITIALIZED
    assert "call it first" in lib.last_error()
    assert c.parley_turn_start(out[0], b"hi", ffi.NULL) == c.PARLEY_ERROR_NOT_INITIALIZED
    assert c.parley_pull(out[0], ffi.new("float[]", 4), 2) == c.PARLEY_ERROR_NOT_INITIALIZED


def test_init_twice_shutdown_twice_and_init_again(lib, fast_config):
    c = lib.lib
    assert init(lib, fast_config) == c.PARLEY_OK
    assert init(lib, fast_config) == c.PARLEY_ERROR_ALREADY_INITIALIZED
    assert "parley_shutdown() first" in lib.last_error()
    old = create_voice(lib)
    c.parley_shutdown()
    c.parley_shutdown()  # harmless
    assert init(lib, fast_config) == c.PARLEY_OK
    assert c.parley_turn_cancel(old) == c.PARLEY_ERROR_INVALID_HANDLE  # a voice from before the shutdown
    fresh = create_voice(lib)
    assert c.parley_speak(fresh, b"Back again.", lib.ffi.NULL) == c.PARLEY_OK
    assert wait_for_event(lib, fresh, {EventType.TURN_DONE})[-1][0] == EventType.TURN_DONE


def test_shutdown_while_a_turn_is_speaking_ends_cleanly(lib, fast_config):
    c = lib.lib
    assert init(lib, fast_config) == c.PARLEY_OK
    v = create_voice(lib)
    assert c.parley_turn_start(v, b"Tell me a long story.", lib.ffi.NULL) == c.PARLEY_OK
    c.parley_shutdown()
    assert c.parley_pull(v, lib.ffi.new("float[]", 4), 2) == c.PARLEY_ERROR_NOT_INITIALIZED


def test_missing_model_is_a_model_error_naming_the_file_then_init_works(lib, fast_config, tmp_path):
    c = lib.lib
    missing = tmp_path / "gone.onnx"
    assert init(lib, {"tts": {"model": str(missing)}}) == c.PARLEY_ERROR_MODEL
    assert str(missing) in lib.last_error() and "tts.model" in lib.last_error()
    assert init(lib, {"tts": {"engine": "helpers.faulty_engines:UnloadableTTS"}}) == c.PARLEY_ERROR_MODEL
    assert "reinstall the voice" in lib.last_error()
    assert init(lib, fast_config) == c.PARLEY_OK


@pytest.mark.parametrize("config,needle", [
    ('{"tts": {"modle": 1}}', "unknown config key 'tts.modle'"),
    ("{broken", "not valid JSON"),
    ("/no/such/config.toml", "does not exist"),
])
def test_bad_config_is_an_invalid_argument(lib, config, needle):
    assert init(lib, config) == lib.lib.PARLEY_ERROR_INVALID_ARGUMENT
    assert needle in lib.last_error()


def test_invalid_utf8_config_is_refused(lib):
    params = lib.ffi.new("parley_init_params *", lib.lib.parley_default_init_params())
    keep = lib.ffi.new("char[]", b'{"persona": "\xff"}')
    params.config = keep
    assert lib.lib.parley_init(params) == lib.lib.PARLEY_ERROR_INVALID_ARGUMENT
    assert "UTF-8" in lib.last_error()


def test_python_exception_inside_a_turn_is_an_error_event_and_the_voice_recovers(lib, fast_config):
    c = lib.lib
    assert init(lib, {**fast_config, "tts": {"engine": "helpers.faulty_engines:ExplodingTTS"}, "warmup": False}) == c.PARLEY_OK
    v = create_voice(lib)
    assert c.parley_speak(v, b"Fine words, then we explode.", lib.ffi.NULL) == c.PARLEY_OK
    events = wait_for_event(lib, v, {EventType.ERROR})
    error = events[-1]
    assert error[0] == EventType.ERROR and "RuntimeError: synthesis blew up on purpose" in error[3]
    assert c.parley_speak(v, b"Calm again.", lib.ffi.NULL) == c.PARLEY_OK
    assert wait_for_event(lib, v, {EventType.TURN_DONE})[-1][0] == EventType.TURN_DONE


def test_log_callback_receives_the_cores_warnings_and_can_be_cleared(lib, fast_config):
    c, ffi = lib.lib, lib.ffi
    seen = []

    @ffi.callback("void(int32_t, const char *, void *)")
    def on_log(level, message, _user):
        seen.append((level, ffi.string(message).decode()))

    c.parley_log_set(on_log, ffi.NULL)
    try:
        assert init(lib, {**fast_config, "tts": {"engine": "helpers.faulty_engines:ExplodingTTS"}, "warmup": False}) == c.PARLEY_OK
        v = create_voice(lib)
        assert c.parley_speak(v, b"Now we explode.", ffi.NULL) == c.PARLEY_OK
        wait_for_event(lib, v, {EventType.ERROR})
        assert any(level == 3 and "synthesis failed" in message for level, message in seen), seen
        c.parley_log_set(ffi.NULL, ffi.NULL)
        count = len(seen)
        assert c.parley_speak(v, b"And explode again.", ffi.NULL) == c.PARLEY_OK
        wait_for_event(lib, v, {EventType.ERROR})
        assert len(seen) == count  # cleared: silent again
    finally:
        c.parley_log_set(ffi.NULL, ffi.NULL)
