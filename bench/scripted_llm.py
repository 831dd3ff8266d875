"""LLM engines that speak the benchmark scenario's fixed text at the real model's pace.

Both pipelines must say the same words for their timings to compare, yet the LLM's cost must be
real. So the prompt is evaluated for real (prefill), and then every token of the scripted text is
pushed through a real decode step (`Llama.eval`, the same work as generating it) before it is
yielded: teacher forcing, with the compute of free generation at the same token count.
Config: {"engine": "scripted_llm:ScriptedLlamaCpp" | "scripted_llm:ScriptedTransformers",
         "options": {"script": "opener" | "narrative"}}.
"""

from __future__ import annotations

from collections.abc import Iterator

from parley.engines.llm.base import Message, reusable_prefix
from parley.engines.llm.hf import TransformersLLM
from parley.engines.llm.llama_cpp import LlamaCppLLM
from scenario import SCENARIO


class ScriptedLlamaCpp(LlamaCppLLM):
    def stream(self, messages: list[Message], max_tokens: int, assistant_prefix: str = "") -> Iterator[str]:
        script = SCENARIO[self.config.options["script"]]
        llm = self._llm
        prompt = self._prompt(messages) + assistant_prefix
        with self._lock:
            self._eval_prompt(prompt)
            tokens = llm.tokenize((" " + script if assistant_prefix else script).encode("utf-8"), add_bos=False)
            previous = b""
            for i, token in enumerate(tokens):
                llm.eval([token])  # one real decode step per token
                text = llm.detokenize(tokens[: i + 1])
                piece = text[len(previous):].decode("utf-8", errors="ignore")
                if piece:
                    previous = text
                    yield piece

    def prefill(self, messages: list[Message]) -> None:
        with self._lock:
            self._eval_prompt(self._prompt(messages))

    def _eval_prompt(self, prompt: str) -> None:
        """Real prefill, reusing the KV cache of the longest common prefix (as Llama.generate does)."""
        llm = self._llm
        tokens = llm.tokenize(prompt.encode("utf-8"), special=True)
        common = reusable_prefix(llm.input_ids[: llm.n_tokens], tokens)
        llm.n_tokens = common  # eval() drops the KV cache beyond this point
        llm.eval(tokens[common:])


class ScriptedTransformers(TransformersLLM):
    """The transformers engine (Qwen) with teacher forcing: real prefill through its prefix cache,
    then one real forward step per scripted token, exactly the steps free generation takes."""

    def stream(self, messages: list[Message], max_tokens: int, assistant_prefix: str = "") -> Iterator[str]:
        torch = self._torch
        script = SCENARIO[self.config.options["script"]]
        tokens = self.tokenizer.encode(" " + script if assistant_prefix else script, add_special_tokens=False)
        with self._lock, torch.inference_mode():
            out = self._evaluate_prompt(self._ids(messages, assistant_prefix))
            shown = ""
            for i, token in enumerate(tokens):
                out.logits[0, -1].argmax().item()  # waits for the step, as sampling a token would
                text = self.tokenizer.decode(tokens[: i + 1], skip_special_tokens=True)
                if len(text) > len(shown):
                    yield text[len(shown):]
                    shown = text
                if i + 1 < len(tokens):
                    out = self.model(input_ids=torch.tensor([[token]], device=self.device),
                                     past_key_values=out.past_key_values, use_cache=True)
