"""Real engines with one fault injected, to prove that failures inside a turn become ERROR events.

Loaded by config as "helpers.faulty_engines:<Class>", the same way a user plugs in an engine.
"""

from parley.engines.llm.llama_cpp import LlamaCppLLM
from parley.engines.tts.piper import PiperTTS
from parley.errors import EngineError


class ExplodingTTS(PiperTTS):
    """Real Piper, but synthesis of any text containing 'explode' raises mid-turn."""

    def stream(self, text, voice=None):
        if "explode" in text.lower():
            raise RuntimeError("synthesis blew up on purpose")
        yield from super().stream(text, voice)


class ExplodingLLM(LlamaCppLLM):
    """Real llama.cpp, but the stream raises after its third piece."""

    def stream(self, messages, max_tokens, assistant_prefix=""):
        for i, piece in enumerate(super().stream(messages, max_tokens, assistant_prefix)):
            if i == 3:
                raise RuntimeError("generation blew up on purpose")
            yield piece


class UnloadableTTS(PiperTTS):
    def load(self):
        raise EngineError("this voice's weights are corrupt on purpose: reinstall the voice")


class SlowStartTTS(PiperTTS):
    """Piper that takes 1.5 s before each utterance's first block: a TTS busy with its first audio."""

    def stream(self, text, voice=None):
        import time

        time.sleep(1.5)
        yield from super().stream(text, voice)
