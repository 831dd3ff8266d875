"""Config loading: defaults, files, and errors that name the key and say what to do."""

import json

import pytest

from parley import ConfigError, ModelNotFound, Pipeline, load_config
from parley.errors import EngineError


def test_none_gives_the_embedded_default():
    cfg = load_config(None)
    assert cfg.tts.engine == "piper" and cfg.tts.model is None
    assert cfg.opener.engine == "llama_cpp" and cfg.narrative is not None


def test_json_text_toml_file_and_dict_agree(tmp_path):
    data = {"opener": {"max_tokens": 12}, "narrative": None}
    toml = tmp_path / "p.toml"
    toml.write_text("[opener]\nmax_tokens = 12\n")
    assert load_config(json.dumps(data)).opener.max_tokens == 12
    assert load_config(data).narrative is None
    assert load_config(str(toml)).opener.max_tokens == 12


def test_unknown_key_is_named_with_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown config key 'tts\.modle'.*model"):
        load_config({"tts": {"modle": "x"}})


def test_wrong_type_is_named():
    with pytest.raises(ConfigError, match=r"'opener\.max_tokens' must be int"):
        load_config({"opener": {"max_tokens": "many"}})


@pytest.mark.parametrize("bad", ["{not json", "/no/such/parley.json"])
def test_unreadable_config_is_a_clear_error(bad):
    with pytest.raises(ConfigError):
        load_config(bad)


def test_unknown_engine_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown TTS engine 'festival'.*piper"):
        Pipeline({"tts": {"engine": "festival"}})


def test_missing_model_file_names_the_file_and_the_key(tmp_path):
    missing = tmp_path / "voice.onnx"
    with pytest.raises(ModelNotFound, match=f"{missing}.*tts.model"):
        Pipeline({"tts": {"model": str(missing)}})
    with pytest.raises(ModelNotFound, match="nope.gguf.*model"):
        Pipeline({"opener": {"model": str(tmp_path / "nope.gguf")}})


def test_corrupt_model_file_is_an_engine_error(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"this is not a gguf file")
    with pytest.raises(EngineError, match="broken.gguf.*failed to load"):
        Pipeline({"opener": {"model": str(bad)}, "narrative": None})
