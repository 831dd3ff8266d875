"""Importing coqui-tts's XTTS v2 on a machine whose torchaudio / torchcodec cannot load.

coqui-tts 0.28 refuses to import unless `torchaudio` is findable and, with torch >= 2.9, also
`torchcodec`. On a CPU torch neither PyPI wheel loads (both link CUDA libraries). XTTS itself needs
only three torchaudio functions and never touches torchcodec, so:

- `torchaudio`: when the real one cannot be imported, `parley.engines.tts.torchaudio_lite` (those
  three functions, torchaudio's own code in pure torch) is registered under that name.
- `torchcodec`: coqui only checks that it is findable, once, in `TTS/__init__`. A bare placeholder
  is registered for the duration of that import and removed right after, so that nothing else
  (transformers checks its version when it is present) ever sees it. XTTS reads reference WAVs
  through `torchaudio.load`, i.e. soundfile here.

Where the real packages import (a CUDA machine with matching wheels), this module changes nothing.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
import types
from typing import Any

from parley.errors import EngineError

_lock = threading.Lock()
INSTALL_HINT = "pip install 'parley[xtts]' (coqui-tts 0.28.0)"


def _ensure_torchaudio() -> str:
    try:
        import torchaudio  # noqa: F401

        return "torchaudio"
    except (ImportError, OSError):  # OSError: a CUDA wheel next to a CPU torch
        for name in [n for n in sys.modules if n == "torchaudio" or n.startswith("torchaudio.")]:
            del sys.modules[name]  # a half-imported real package must not shadow the lite one
    lite = importlib.import_module("parley.engines.tts.torchaudio_lite")
    sys.modules["torchaudio"] = lite
    sys.modules["torchaudio.functional"] = lite.functional
    sys.modules["torchaudio.transforms"] = lite.transforms
    return "parley torchaudio_lite"


def _import_tts_package() -> None:
    if "TTS" in sys.modules:
        return
    placeholder = None
    if importlib.util.find_spec("torchcodec") is None:
        placeholder = types.ModuleType("torchcodec")
        placeholder.__spec__ = importlib.machinery.ModuleSpec("torchcodec", loader=None)
        sys.modules["torchcodec"] = placeholder
    try:
        importlib.import_module("TTS")
    finally:
        if placeholder is not None and sys.modules.get("torchcodec") is placeholder:
            del sys.modules["torchcodec"]


def import_xtts() -> tuple[Any, Any, str]:
    """Return (Xtts, XttsConfig, torchaudio provider); raise EngineError with the install command."""
    with _lock:
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            raise EngineError(f"XTTS needs torch ({exc}): {INSTALL_HINT}") from exc
        provider = _ensure_torchaudio()
        try:
            _import_tts_package()
            from TTS.tts.configs.xtts_config import XttsConfig
            from TTS.tts.models.xtts import Xtts
        except ImportError as exc:
            raise EngineError(f"coqui-tts cannot be imported ({exc}): {INSTALL_HINT}") from exc
        return Xtts, XttsConfig, provider
