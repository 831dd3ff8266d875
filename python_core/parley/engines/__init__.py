"""Engine registry: maps a config's `engine` name to the class that implements it.

Built-in names are resolved lazily so that an optional backend's dependencies are imported only
when a config asks for it. `"package.module:ClassName"` loads a user's own engine class.
"""

from __future__ import annotations

import importlib
from typing import Any

from parley.errors import ConfigError

TTS_ENGINES = {
    "piper": "parley.engines.tts.piper:PiperTTS",
    "xtts": "parley.engines.tts.xtts:XTTSEngine",
}
LLM_ENGINES = {
    "llama_cpp": "parley.engines.llm.llama_cpp:LlamaCppLLM",
    "http": "parley.engines.llm.http:OpenAIHTTPLLM",
    "transformers": "parley.engines.llm.hf:TransformersLLM",
}


def resolve(kind: str, name: str, table: dict[str, str]) -> Any:
    target = table.get(name, name)
    if ":" not in target:
        raise ConfigError(
            f"unknown {kind} engine '{name}': use one of {', '.join(sorted(table))} or 'package.module:ClassName'"
        )
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"{kind} engine '{name}' cannot be imported ({exc}); is its package installed?") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ConfigError(f"{kind} engine '{name}': module {module_name} has no class {attr}") from None
