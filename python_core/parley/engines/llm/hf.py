"""Transformers LLM engine: Qwen2.5 (or any chat model with a chat template) from a local folder,
FP16 on CUDA, FP32 on CPU (bf16 has no matrix units on our CPUs and runs far slower).

Config: {"engine": "transformers", "model": "/models/Qwen2.5-1.5B-Instruct",
         "options": {"device": "cuda" | "cpu" (default: cuda if available), "dtype": "float16" | ...,
                     "attn_implementation": "sdpa"}}

Streaming is a plain decode loop over the model's KV cache rather than `generate` + a streamer
thread: one thread, one token per step, and closing the iterator stops it at once.

Prefix cache: the KV cache of each prompt is kept (a few, most recent first) and a new prompt
reuses the one sharing its longest token prefix. The persona and the conversation so far are
therefore evaluated once per voice; a new turn only evaluates the player's new line, so the
opener's time to first token does not grow with the persona. The narrative's prefill is the same
mechanism: its prompt is evaluated at turn start, and its continuation of the opener later only
evaluates the opener's tokens.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from pathlib import Path

from parley.engines.llm.base import LLMEngine, Message, reusable_prefix
from parley.errors import EngineError, ModelNotFound

CACHED_PROMPTS = 4


class TransformersLLM(LLMEngine):
    last_prefill_tokens = 0  # tokens the last stream/prefill had to evaluate (the rest came from the cache)

    def load(self) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise EngineError(f"the transformers engine needs torch and transformers ({exc}): pip install 'parley[hf]'") from exc
        if not self.config.model:
            raise ModelNotFound("the transformers engine needs 'model': a local folder with config.json, weights and tokenizer")
        path = Path(self.config.model)
        for needed in ("config.json", "tokenizer_config.json"):
            if not (path / needed).is_file():
                raise ModelNotFound(f"LLM folder {path} has no {needed}: download the model (e.g. Qwen2.5-1.5B-Instruct) there first")
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a library inside a game prints nothing; errors come as events
        opts = self.config.options
        self._torch = torch
        self.device = opts.get("device") or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype_name = opts.get("dtype") or ("float16" if self.device.startswith("cuda") else "float32")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModelForCausalLM.from_pretrained(
                path, dtype=getattr(torch, dtype_name), attn_implementation=opts.get("attn_implementation", "sdpa")
            ).to(self.device).eval()
        except Exception as exc:  # transformers raises OSError/ValueError/RuntimeError for broken folders
            raise EngineError(f"LLM {path} failed to load: {exc}") from exc
        if not self.tokenizer.chat_template:
            raise EngineError(f"LLM {path} has no chat template: use an instruct/chat model")
        eos = self.model.generation_config.eos_token_id if self.model.generation_config else None
        eos = eos if isinstance(eos, list) else [eos] if eos is not None else []
        self._stop_ids = set(eos) | {self.tokenizer.eos_token_id} - {None}
        self._lock = threading.Lock()
        self._cache: list[tuple[list[int], object]] = []  # (prompt ids, KV cache after them)
        self._generator = torch.Generator(self.device)
        if self.config.seed is not None:
            self._generator.manual_seed(self.config.seed)

    # ---- prompts and the prefix cache -----------------------------------------------------

    def _ids(self, messages: list[Message], assistant_prefix: str) -> list[int]:
        chat = [{"role": m.role, "content": m.content} for m in messages]
        if assistant_prefix:
            chat.append({"role": "assistant", "content": assistant_prefix})
        ids = self.tokenizer.apply_chat_template(
            chat, add_generation_prompt=not assistant_prefix, continue_final_message=bool(assistant_prefix), tokenize=True
        )
        return list(ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids)

    def _evaluate_prompt(self, ids: list[int]):
        """Runs the prompt through the model from the longest cached prefix; returns the outputs."""
        torch = self._torch
        best, best_len = None, 0
        for cached_ids, cache in self._cache:
            n = reusable_prefix(cached_ids, ids)
            if n > best_len:
                best, best_len = (cached_ids, cache), n
        past = None
        if best is not None:
            past = copy.deepcopy(best[1])
            surplus = len(best[0]) - best_len
            if surplus:
                past.crop(-surplus)
        feed = ids[best_len:]
        self.last_prefill_tokens = len(feed)
        out = self.model(input_ids=torch.tensor([feed], device=self.device), past_key_values=past, use_cache=True)
        self._cache.insert(0, (list(ids), copy.deepcopy(out.past_key_values)))
        del self._cache[CACHED_PROMPTS:]
        return out

    # ---- the engine contract --------------------------------------------------------------

    def prefill(self, messages: list[Message]) -> None:
        with self._lock, self._torch.inference_mode():
            self._evaluate_prompt(self._ids(messages, ""))

    def stream(self, messages: list[Message], max_tokens: int, assistant_prefix: str = "") -> Iterator[str]:
        torch = self._torch
        cfg = self.config
        with self._lock, torch.inference_mode():
            out = self._evaluate_prompt(self._ids(messages, assistant_prefix))
            generated: list[int] = []
            shown = ""
            for _ in range(max_tokens):
                logits = out.logits[0, -1].float()
                if cfg.repeat_penalty != 1.0 and generated:
                    seen = torch.tensor(sorted(set(generated)), device=logits.device)
                    scores = logits[seen]
                    logits[seen] = torch.where(scores > 0, scores / cfg.repeat_penalty, scores * cfg.repeat_penalty)
                token = self._sample(logits)
                if token in self._stop_ids:
                    return
                generated.append(token)
                text = self.tokenizer.decode(generated, skip_special_tokens=True)
                if len(text) > len(shown) and not text.endswith("\ufffd"):  # wait for whole UTF-8 characters
                    yield text[len(shown):]
                    shown = text
                out = self.model(input_ids=torch.tensor([[token]], device=self.device), past_key_values=out.past_key_values, use_cache=True)

    def _sample(self, logits) -> int:
        torch = self._torch
        t = self.config.temperature
        if t <= 0:
            return int(torch.argmax(logits))
        probs = torch.softmax(logits / t, dim=-1)
        if self.config.top_p < 1.0:
            sorted_probs, order = torch.sort(probs, descending=True)
            keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < self.config.top_p
            probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_probs[keep])
        return int(torch.multinomial(probs, 1, generator=self._generator))
