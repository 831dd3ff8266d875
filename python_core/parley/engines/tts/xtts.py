"""XTTS v2 (coqui-tts): streaming neural TTS, FP16 on CUDA, FP32 on CPU, from a local checkpoint.

Config: {"engine": "xtts", "model": "/models/XTTS-v2",
         "options": {"speaker": "Ana Florence" | "speaker_wav": "/voices/npc.wav", "language": "en",
                     "first_block_tokens": 8, "block_tokens": 24, "vocoder_context_frames": 32, ...}}
A voice's `tts_voice` may be a built-in speaker name or a reference WAV path.

Streaming: the GPT's audio tokens are turned into audio every `block_tokens` tokens, and after only
`first_block_tokens` for the first block of an utterance, so its first audio comes sooner.
coqui's `inference_stream` re-runs the HiFiGAN vocoder over every latent so far at each block, so
its cost grows with the utterance. Here the latents are upsampled to the vocoder's frame rate
exactly as `HifiDecoder.forward` does (cheap), and only the frames from just before the unheard
audio onwards go through the vocoder (`vocoder_context_frames` of left context; 0 means coqui's
behaviour, every frame every time). Blocks are joined with coqui's 1024-sample crossfade.

Parley never downloads weights: XTTS v2's licence (CPML) must be accepted by the user.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from parley.engines.tts.base import SPEECH_CHARS_PER_SECOND, TimedBlock, TTSEngine
from parley.engines.tts.coqui import import_xtts
from parley.errors import EngineError, InvalidInput, ModelNotFound

log = logging.getLogger(__name__)

AUDIO_TOKENS_PER_SECOND = 21.5  # one XTTS audio token = 1024 samples at 22,050 Hz
OVERLAP_SAMPLES = 1024  # crossfade between blocks, as coqui's inference_stream
WEIGHTS_HINT = ("download XTTS v2 (https://huggingface.co/coqui/XTTS-v2, after accepting its CPML licence) "
                "and set tts.model to that folder; Parley never downloads it")
WARMUP_TEXT = "In the depths of the forgotten library, the last candle still burns."
DEFAULTS: dict[str, Any] = {
    "language": "en",
    "speaker": None,  # a name in speakers_xtts.pth
    "speaker_wav": None,  # or a reference recording (voice cloning); latents are cached on disk
    "device": None,  # "cuda" | "cpu"; default: cuda when available
    "dtype": None,  # GPT dtype; default float16 on CUDA, float32 on CPU
    "vocoder_dtype": "float32",
    "threads": None,  # torch CPU threads; None leaves torch's default
    "attention": "sdpa",  # the GPT's attention kernel: "sdpa" or "eager" (bench/xtts_stream.py compares them)
    "first_block_tokens": 8,
    "block_tokens": 24,
    "vocoder_context_frames": 32,
    "max_length_factor": 2.0,  # stop a runaway GPT at this many times the text's expected duration
    "fixed_length": False,  # always generate the expected duration (random-weight models never stop)
    "latents_cache": None,  # default ~/.cache/parley/xtts-latents
    "temperature": None, "top_k": None, "top_p": None, "repetition_penalty": None, "length_penalty": None,
}
CHECKPOINT_FILES = {"config.json": "the model's config", "model.pth": "the weights", "vocab.json": "the tokenizer"}


def expected_audio_tokens(text: str) -> int:
    """Audio tokens for `text` at an ordinary speaking rate."""
    return max(1, math.ceil(len(text) / SPEECH_CHARS_PER_SECOND * AUDIO_TOKENS_PER_SECOND))


def _dtype(torch, option: str, name: str):
    dtype = getattr(torch, str(name), None)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise EngineError(f"XTTS option {option} = {name!r} is not a float dtype: use float32, float16 or bfloat16")
    return dtype


class XTTSEngine(TTSEngine):
    sample_rate = 24000

    def load(self) -> None:
        unknown = set(self.config.options) - set(DEFAULTS)
        if unknown:
            raise EngineError(f"unknown XTTS option(s) {', '.join(sorted(unknown))}; known: {', '.join(DEFAULTS)}")
        self.opts = {**DEFAULTS, **self.config.options}
        if not self.config.model:
            raise ModelNotFound(f"the XTTS engine needs tts.model, a checkpoint folder: {WEIGHTS_HINT}")
        folder = Path(self.config.model).expanduser()
        for name, what in CHECKPOINT_FILES.items():
            if not (folder / name).is_file():
                raise ModelNotFound(f"XTTS checkpoint has no {name} ({what}) in {folder}: {WEIGHTS_HINT}")

        Xtts, XttsConfig, provider = import_xtts()
        import torch

        self._torch = torch
        self.device = self.opts["device"] or ("cuda" if torch.cuda.is_available() else "cpu")
        on_cuda = self.device.startswith("cuda")
        if not on_cuda:
            # x86 computes denormals slowly; flushing them made XTTS faster here (shared/ENVIRONMENT.md).
            torch.set_flush_denormal(True)
            if self.opts["threads"]:
                torch.set_num_threads(int(self.opts["threads"]))
        self.gpt_dtype = _dtype(torch, "dtype", self.opts["dtype"] or ("float16" if on_cuda else "float32"))
        self.vocoder_dtype = _dtype(torch, "vocoder_dtype", self.opts["vocoder_dtype"])
        try:
            config = XttsConfig()
            config.load_json(str(folder / "config.json"))
            model = Xtts(config)
            model.load_checkpoint(config, checkpoint_dir=str(folder), eval=True)
        except Exception as exc:  # torch/coqui raise many types for corrupt or mismatched files
            raise EngineError(f"XTTS checkpoint {folder} failed to load: {type(exc).__name__}: {exc}") from exc
        model.to(self.device)
        model.gpt.to(self.gpt_dtype)
        self.model = model
        self.xtts_config = config
        self.folder = folder
        self.speakers: dict[str, dict] = dict(model.speaker_manager.speakers) if model.speaker_manager else {}
        self._voices: dict[str, tuple[Any, Any]] = {}
        self.apply_options()
        # One model step at a time. Utterances interleave step by step (two NPCs speaking at once
        # both get their first audio), each step restoring its own prompt embedding, the only
        # per-utterance state coqui's GPT keeps on the model.
        self._lock = threading.Lock()
        self._model_key = self._model_fingerprint()
        self.default_voice = self.opts["speaker"] or self.opts["speaker_wav"] or next(iter(self.speakers), None)
        if self.default_voice is None:
            raise ModelNotFound(f"XTTS needs a voice: set tts.options.speaker_wav to a reference WAV, or put "
                                f"speakers_xtts.pth (built-in speakers) in {folder}")
        self._latents(self.default_voice)
        log.info("XTTS loaded from %s on %s (GPT %s, vocoder %s, torchaudio: %s)", folder, self.device,
                 self.gpt_dtype, self.vocoder_dtype, provider)

    def apply_options(self) -> None:
        """Apply the options that shape the loaded model: the GPT's attention kernel and the
        vocoder's dtype. Called by load; call again after changing `opts` (bench/xtts_stream.py)."""
        for gpt2 in (self.model.gpt.gpt, self.model.gpt.gpt_inference.transformer):
            gpt2.config._attn_implementation = self.opts["attention"]  # read at every forward
        vocoder_dtype = _dtype(self._torch, "vocoder_dtype", self.opts["vocoder_dtype"])
        self.model.hifigan_decoder.waveform_decoder.to(vocoder_dtype)
        if vocoder_dtype != self.vocoder_dtype:
            self._voices.clear()  # speaker embeddings are kept in the vocoder's dtype
        self.vocoder_dtype = vocoder_dtype

    def warmup(self) -> None:
        """One sentence long enough for a first block and full blocks: every shape a turn uses."""
        for _ in self.stream(WARMUP_TEXT):
            pass

    # -- voices ---------------------------------------------------------------------------------

    def _model_fingerprint(self) -> str:
        """Identifies the checkpoint without hashing 1.8 GB: config, size and the weights' first and last MiB."""
        digest = hashlib.sha256((self.folder / "config.json").read_bytes())
        weights = self.folder / "model.pth"
        size = weights.stat().st_size
        digest.update(str(size).encode())
        with open(weights, "rb") as f:
            digest.update(f.read(1 << 20))
            f.seek(max(0, size - (1 << 20)))
            digest.update(f.read(1 << 20))
        return digest.hexdigest()[:16]

    def _latents(self, voice: str | None) -> tuple[Any, Any]:
        voice = voice or self.default_voice
        if voice in self._voices:
            return self._voices[voice]
        if voice in self.speakers:
            entry = self.speakers[voice]
            latents = (entry["gpt_cond_latent"], entry["speaker_embedding"])
        elif Path(voice).expanduser().is_file():
            latents = self._cloned_latents(Path(voice).expanduser())
        else:
            names = ", ".join(list(self.speakers)[:8]) or "none (no speakers_xtts.pth)"
            raise InvalidInput(f"XTTS voice '{voice}' is neither a built-in speaker ({names}) nor a reference WAV file")
        latents = (latents[0].to(self.device, self.gpt_dtype), latents[1].to(self.device, self.vocoder_dtype))
        self._voices[voice] = latents
        return latents

    def _cloned_latents(self, wav: Path) -> tuple[Any, Any]:
        torch = self._torch
        key = f"{hashlib.sha256(wav.read_bytes()).hexdigest()[:24]}-{self._model_key}"
        cache_dir = Path(self.opts["latents_cache"] or Path.home() / ".cache" / "parley" / "xtts-latents").expanduser()
        cached = cache_dir / f"{key}.pt"
        if cached.is_file():
            try:
                data = torch.load(cached, map_location="cpu", weights_only=True)
                return data["gpt_cond_latent"], data["speaker_embedding"]
            except Exception:  # a torn or foreign file: recompute it
                log.warning("ignoring unreadable latents cache %s", cached)
        cfg = self.xtts_config
        try:
            # The mel features are float32; autocast lets an FP16 GPT's conditioning encoder take them.
            half = self.device.startswith("cuda") and self.gpt_dtype != torch.float32
            with self._lock, torch.inference_mode(), torch.autocast("cuda", dtype=self.gpt_dtype, enabled=half):
                gpt_cond_latent, speaker_embedding = self.model.get_conditioning_latents(
                    audio_path=str(wav), max_ref_length=cfg.max_ref_len, gpt_cond_len=cfg.gpt_cond_len,
                    gpt_cond_chunk_len=cfg.gpt_cond_chunk_len, sound_norm_refs=cfg.sound_norm_refs)
        except Exception as exc:
            raise InvalidInput(f"XTTS could not clone the voice in {wav}: {type(exc).__name__}: {exc}") from exc
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        torch.save({"gpt_cond_latent": gpt_cond_latent.cpu(), "speaker_embedding": speaker_embedding.cpu()}, tmp)
        tmp.replace(cached)  # atomic: two processes may clone the same voice
        return gpt_cond_latent, speaker_embedding

    # -- synthesis ------------------------------------------------------------------------------

    def stream(self, text: str, voice: str | None = None) -> Iterator[TimedBlock]:
        gpt_cond_latent, speaker_embedding = self._latents(voice)
        lang = self.opts["language"]
        tokens = self.model.tokenizer.encode(text.strip().lower(), lang=lang)
        if len(tokens) >= self.model.args.gpt_max_text_tokens:
            raise InvalidInput(f"XTTS takes at most {self.model.args.gpt_max_text_tokens} text tokens per clause; "
                               f"this one has {len(tokens)}")
        yield from self._synthesise(tokens, expected_audio_tokens(text), gpt_cond_latent, speaker_embedding)

    def _sampling(self, expected: int) -> dict[str, Any]:
        cfg, opts = self.xtts_config, self.opts
        kwargs = {name: opts[name] if opts[name] is not None else getattr(cfg, name)
                  for name in ("temperature", "top_k", "top_p", "repetition_penalty", "length_penalty")}
        kwargs["length_penalty"] = float(kwargs["length_penalty"])
        kwargs["repetition_penalty"] = float(kwargs["repetition_penalty"])
        if opts["fixed_length"]:
            kwargs["min_new_tokens"] = expected
        return kwargs

    def _synthesise(self, tokens: list[int], expected: int, gpt_cond_latent, speaker_embedding) -> Iterator[TimedBlock]:
        torch, gpt = self._torch, self.model.gpt
        limit = expected if self.opts["fixed_length"] else math.ceil(expected * self.opts["max_length_factor"])
        with self._lock, torch.inference_mode():
            gpt.max_gen_mel_tokens = min(limit, self.model.args.gpt_max_audio_tokens - 3)  # read by get_generator
            text_tokens = torch.tensor([tokens], dtype=torch.int32, device=self.device)
            fake_inputs = gpt.compute_embeddings(gpt_cond_latent, text_tokens)
            prompt_embedding = gpt.gpt_inference.cached_prefix_emb  # set by compute_embeddings
            generator = gpt.get_generator(fake_inputs=fake_inputs, do_sample=True, num_beams=1, num_return_sequences=1,
                                          output_attentions=False, output_hidden_states=True,
                                          return_dict_in_generate=True, **self._sampling(expected))
        decoder = _BlockVocoder(self.model.hifigan_decoder, speaker_embedding, self.vocoder_dtype,
                                int(self.opts["vocoder_context_frames"]))
        latents: list[Any] = []
        block_size = int(self.opts["first_block_tokens"])
        block_index, block_tokens, gpt_s = 0, 0, 0.0
        finished = False
        while not finished:
            with self._lock, torch.inference_mode():
                t = time.perf_counter()
                gpt.gpt_inference.store_prefix_emb(prompt_embedding)
                try:
                    _, latent = next(generator)
                    latents.append(latent)
                    block_tokens += 1
                except StopIteration:
                    finished = True
                self._sync()
                gpt_s += time.perf_counter() - t
            if not finished and block_tokens < block_size:
                continue
            if not latents:
                return
            with self._lock:
                audio, vocoder_s = decoder.block(torch.cat(latents, dim=0)[None], final=finished)
            if audio.size:
                timings = {"block": block_index, "tokens": block_tokens, "gpt_ms": round(gpt_s * 1e3, 2),
                           "vocoder_ms": round(vocoder_s * 1e3, 2), "audio_ms": round(len(audio) / 24.0, 1)}
                yield TimedBlock(audio if self.config.gain is None else audio * self.config.gain, timings)
                block_index, block_tokens, gpt_s = block_index + 1, 0, 0.0
            block_size = int(self.opts["block_tokens"])

    def _sync(self) -> None:
        if self.device.startswith("cuda"):
            self._torch.cuda.synchronize()  # so that the stage times are the GPU's, not the launch's


class _BlockVocoder:
    """Turns the GPT latents so far into the audio not yet emitted, one block at a time.

    Samples are indexed on the utterance's whole waveform; `emitted` of them are out, and the
    next OVERLAP_SAMPLES, as decoded last time, are held back to crossfade with the next block.
    """

    def __init__(self, hifigan_decoder, speaker_embedding, dtype, context_frames: int):
        import torch

        self.torch = torch
        self.decoder = hifigan_decoder
        self.g = speaker_embedding
        self.dtype = dtype
        self.context_frames = context_frames
        self.hop = 256  # waveform samples per vocoder frame (HiFiGAN's upsampling 8*8*2*2)
        self.emitted = 0
        self.overlap = None
        fade = torch.linspace(0.0, 1.0, OVERLAP_SAMPLES)
        self.fade_in, self.fade_out = fade.numpy(), fade.flip(0).numpy()

    def frames(self, latents):
        """The vocoder's input frames, exactly as HifiDecoder.forward computes them (linear upsampling)."""
        F, d = self.torch.nn.functional, self.decoder
        z = F.interpolate(latents.transpose(1, 2).float(), scale_factor=[d.ar_mel_length_compression / d.output_hop_length],
                          mode="linear")
        if d.output_sample_rate != d.input_sample_rate:
            z = F.interpolate(z, scale_factor=[d.output_sample_rate / d.input_sample_rate], mode="linear")
        return z

    def block(self, latents, final: bool) -> tuple[np.ndarray, float]:
        t = time.perf_counter()
        with self.torch.inference_mode():
            z = self.frames(latents)
            total = z.shape[-1] * self.hop
            end = total if final else total - OVERLAP_SAMPLES
            if end - self.emitted < OVERLAP_SAMPLES and not final:
                return np.zeros(0, np.float32), 0.0  # too little new audio: wait for more tokens
            first = 0 if self.context_frames <= 0 else max(0, self.emitted // self.hop - self.context_frames)
            wav = self.decoder.waveform_decoder(z[..., first:].to(self.dtype), g=self.g)
            wav = wav.float().flatten().cpu().numpy()  # waits for the GPU: the time below is the vocoder's
        offset = first * self.hop  # wav[i] is sample offset + i of the whole utterance
        audio = wav[self.emitted - offset:end - offset].copy()
        if self.overlap is not None and len(audio) >= OVERLAP_SAMPLES:
            audio[:OVERLAP_SAMPLES] = self.overlap * self.fade_out + audio[:OVERLAP_SAMPLES] * self.fade_in
        self.overlap = None if final else wav[end - offset:end - offset + OVERLAP_SAMPLES].copy()
        self.emitted = end
        return audio, time.perf_counter() - t
