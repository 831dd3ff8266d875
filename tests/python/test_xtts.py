"""XTTS v2 engine on the real coqui-tts classes: a 2-layer GPT with the full HiFiGAN, random weights,
loaded from a checkpoint folder by the engine's own loading code."""

import contextlib
import shutil
import threading
import time

import numpy as np
import pytest
import soundfile
import torch

from parley import EventType, Pipeline
from parley import timeline as tl
from parley.config import TTSConfig
from parley.engines.tts.xtts import XTTSEngine, expected_audio_tokens
from parley.errors import EngineError, InvalidInput, ModelNotFound

TEXT = "In the depths of the forgotten library, the last candle still burns."
SAMPLES_PER_TOKEN = 1024 / 22050 * 24000  # one audio token is 1024 samples at 22,050 Hz; output is 24 kHz


def make_engine(folder, **options):
    engine = XTTSEngine(TTSConfig(engine="xtts", model=str(folder), gain=1.0, options={"fixed_length": True, **options}))
    engine.load()
    return engine


@pytest.fixture(scope="module")
def xtts(tiny_xtts_dir, tmp_path_factory):
    engine = make_engine(tiny_xtts_dir, latents_cache=str(tmp_path_factory.mktemp("latents")))
    engine.warmup()
    return engine


@contextlib.contextmanager
def options(engine, **overrides):
    saved = dict(engine.opts)
    engine.opts.update(overrides)
    try:
        yield engine
    finally:
        engine.opts = saved


def speak(engine, text=TEXT, voice=None, seed=0):
    torch.manual_seed(seed)
    return list(engine.stream(text, voice))


def test_streams_the_texts_duration_with_a_small_first_block(xtts):
    blocks = speak(xtts)
    tokens = [b.timings["tokens"] for b in blocks]
    assert sum(tokens) == expected_audio_tokens(TEXT)
    assert tokens[0] == xtts.opts["first_block_tokens"] and max(tokens[1:]) == xtts.opts["block_tokens"]
    assert len(blocks[0].audio) < len(blocks[1].audio)  # the first audio needs fewer tokens
    audio = np.concatenate([b.audio for b in blocks])
    assert abs(len(audio) - sum(tokens) * SAMPLES_PER_TOKEN) < 2 * 256  # rounding of the vocoder's frames
    assert np.isfinite(audio).all() and audio.dtype == np.float32
    assert all(b.timings["gpt_ms"] > 0 and b.timings["vocoder_ms"] > 0 for b in blocks)


def test_with_coquis_block_schedule_it_equals_coquis_inference_stream(xtts):
    schedule = {"first_block_tokens": 20, "block_tokens": 20, "vocoder_context_frames": 0, "fixed_length": False,
                "max_length_factor": 1.0}
    with options(xtts, **schedule):
        ours = np.concatenate([b.audio for b in speak(xtts, seed=3)])
    cond, speaker = xtts._latents(None)
    c = xtts.xtts_config
    xtts.model.gpt.max_gen_mel_tokens = expected_audio_tokens(TEXT)
    torch.manual_seed(3)
    theirs = torch.cat(list(xtts.model.inference_stream(
        TEXT, "en", cond, speaker, stream_chunk_size=20, temperature=c.temperature, top_k=c.top_k, top_p=c.top_p,
        repetition_penalty=c.repetition_penalty, length_penalty=c.length_penalty))).numpy()
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_windowed_vocoder_sounds_the_same_as_decoding_everything(xtts):
    whole = np.concatenate([b.audio for b in speak(xtts, seed=5)])
    with options(xtts, vocoder_context_frames=0):
        every_frame = np.concatenate([b.audio for b in speak(xtts, seed=5)])
    assert len(whole) == len(every_frame)
    assert np.abs(whole - every_frame).max() < 1e-4 * np.abs(every_frame).max()


def test_streamed_blocks_join_into_the_one_shot_synthesis_without_clicks(xtts):
    """Streaming changes the audio only inside the 1024-sample crossfade at each seam, and only a
    little there: a gap, a repeat or a jump at a seam would show as a large difference."""
    blocks = speak(xtts, seed=7)
    streamed = np.concatenate([b.audio for b in blocks])
    with options(xtts, first_block_tokens=10_000, block_tokens=10_000):
        one_shot = np.concatenate([b.audio for b in speak(xtts, seed=7)])
    assert len(streamed) == len(one_shot)
    diff = np.abs(streamed - one_shot)
    peak = np.abs(one_shot).max()
    near_seam = np.zeros(len(diff), bool)
    for s in np.cumsum([len(b.audio) for b in blocks])[:-1]:
        near_seam[s - 1100:s + 1100] = True
    assert diff[near_seam].max() < 0.02 * peak
    assert diff[~near_seam].max() < 1e-4 * peak


def test_two_voices_speak_at_once_step_by_step(xtts):
    """A second NPC does not wait for the first one's whole clause: the model is shared step by step,
    and each utterance keeps its own prompt (its own length and voice)."""
    long_text, short_text = TEXT + " " + TEXT, "Halt, who goes there?"
    seen: dict[str, list] = {"long": [], "short": []}
    ended: dict[str, float] = {}

    def speak_into(name, text, voice):
        for block in xtts.stream(text, voice):
            seen[name].append((time.monotonic(), block))
        ended[name] = time.monotonic()

    with options(xtts, top_k=1):  # deterministic sampling, so interleaved must equal alone
        alone = {"long": np.concatenate([b.audio for b in speak(xtts, long_text)]),
                 "short": np.concatenate([b.audio for b in speak(xtts, short_text, voice="Ana Florence")])}
        first = threading.Thread(target=speak_into, args=("long", long_text, None))
        first.start()
        while not seen["long"]:
            time.sleep(0.005)
        second = threading.Thread(target=speak_into, args=("short", short_text, "Ana Florence"))
        second.start()
        first.join(120)
        second.join(120)
    assert seen["short"][0][0] < ended["long"]  # the second voice's first audio came while the first still spoke
    for name, text in (("long", long_text), ("short", short_text)):
        blocks = [b for _, b in seen[name]]
        assert sum(b.timings["tokens"] for b in blocks) == expected_audio_tokens(text)
        assert np.isfinite(np.concatenate([b.audio for b in blocks])).all()
        interleaved = np.concatenate([b.audio for _, b in seen[name]])
        np.testing.assert_allclose(interleaved, alone[name], atol=1e-5)  # its own prompt and voice throughout


@pytest.mark.parametrize("missing", ["config.json", "model.pth", "vocab.json"])
def test_a_missing_checkpoint_file_is_named(tiny_xtts_dir, tmp_path, missing):
    for f in tiny_xtts_dir.iterdir():
        if f.name != missing:
            (tmp_path / f.name).symlink_to(f)
    with pytest.raises(ModelNotFound, match=rf"no {missing}.*{tmp_path}.*huggingface.co/coqui/XTTS-v2"):
        make_engine(tmp_path)


def test_configuration_mistakes_say_what_to_do(tiny_xtts_dir, tmp_path):
    with pytest.raises(ModelNotFound, match="needs tts.model"):
        XTTSEngine(TTSConfig(engine="xtts")).load()
    with pytest.raises(EngineError, match="unknown XTTS option.*first_blok_tokens"):
        make_engine(tiny_xtts_dir, first_blok_tokens=4)
    with pytest.raises(EngineError, match="vocoder_dtype = 'half16' is not a float dtype"):
        make_engine(tiny_xtts_dir, vocoder_dtype="half16")
    for f in tiny_xtts_dir.iterdir():
        if f.name != "speakers_xtts.pth":
            (tmp_path / f.name).symlink_to(f)
    with pytest.raises(ModelNotFound, match="speaker_wav"):  # no built-in speakers and no reference WAV
        make_engine(tmp_path)
    (tmp_path / "model.pth").unlink()
    (tmp_path / "model.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(EngineError, match="failed to load"):
        make_engine(tmp_path, speaker_wav="/nonexistent.wav")


def test_builtin_speakers_by_name_and_a_clear_error_for_unknown_voices(xtts):
    assert np.concatenate([b.audio for b in speak(xtts, "Yes.", voice="Ana Florence")]).size > 0
    with pytest.raises(InvalidInput, match="'Nobody'.*Ana Florence"):
        speak(xtts, "Yes.", voice="Nobody")
    with pytest.raises(InvalidInput, match="at most 402 text tokens"):
        speak(xtts, "word " * 500)


@pytest.fixture(scope="module")
def reference_wavs(tmp_path_factory):
    """Two real speech recordings (Piper's voice) as voices to clone."""
    from parley.engines.tts.piper import PiperTTS

    piper = PiperTTS(TTSConfig())
    piper.load()
    folder = tmp_path_factory.mktemp("refs")
    paths = []
    for i, line in enumerate(["Welcome, traveller, to the last library of the north.", "Halt! Nobody crosses this bridge."]):
        path = folder / f"ref{i}.wav"
        soundfile.write(path, np.concatenate(list(piper.stream(line))), piper.sample_rate)
        paths.append(path)
    return paths


def test_cloned_voice_latents_are_computed_once_and_cached_on_disk(tiny_xtts_dir, reference_wavs, tmp_path):
    cache = tmp_path / "cache"
    first = make_engine(tiny_xtts_dir, latents_cache=str(cache), speaker_wav=str(reference_wavs[0]))
    [cached] = list(cache.glob("*.pt"))
    cond, speaker = first._latents(None)
    assert cond.shape == (1, 32, 128) and speaker.shape == (1, 512, 1)
    assert np.concatenate([b.audio for b in speak(first, "Yes.")]).size > 0

    # The same recording under another name hits the cache: the key is the content, not the path.
    # To show that the file is what is read, put marked latents in it.
    marked = {"gpt_cond_latent": torch.full((1, 32, 128), 0.5), "speaker_embedding": torch.full((1, 512, 1), 0.25)}
    torch.save(marked, cached)
    renamed = tmp_path / "renamed.wav"
    shutil.copy(reference_wavs[0], renamed)
    second = make_engine(tiny_xtts_dir, latents_cache=str(cache), speaker_wav=str(renamed))
    assert torch.equal(second._latents(None)[0], marked["gpt_cond_latent"])

    second._latents(str(reference_wavs[1]))  # another recording: another entry
    assert len(list(cache.glob("*.pt"))) == 2
    with pytest.raises(InvalidInput, match="could not clone"):
        empty = tmp_path / "empty.wav"
        soundfile.write(empty, np.zeros(100, np.float32), 22050)
        second._latents(str(empty))


def test_a_turn_runs_end_to_end_on_xtts_and_qwen(tiny_xtts_dir, tiny_qwen_dir):
    llm = {"engine": "transformers", "model": str(tiny_qwen_dir), "max_tokens": 16, "seed": 1}
    pipeline = Pipeline({"tts": {"engine": "xtts", "model": str(tiny_xtts_dir), "options": {"fixed_length": True}},
                         "opener": llm, "narrative": dict(llm, max_tokens=24)})
    try:
        voice = pipeline.create_voice()
        turn = pipeline.speak(voice, "The tower stands empty. Go home, friend.")
        audio = np.concatenate(list(turn.blocks()))
        assert turn.wait(120)
        assert [e.type for e in turn.events][-1] == EventType.TURN_DONE
        assert len(audio) / 24000 > 1.5 and np.isfinite(audio).all()
        blocks = [m.info for m in turn.timeline.marks() if m.stage == tl.TTS_BLOCK]
        assert blocks and all({"gpt_ms", "vocoder_ms", "tokens"} <= set(b) for b in blocks)
        assert turn.stats()["tts_blocks"] == blocks

        turn = pipeline.start_turn(voice, "Who are you?")  # the LLM path through the transformers engine
        list(turn.blocks())
        assert turn.wait(180)
        assert turn.events[-1].type in (EventType.TURN_DONE, EventType.ERROR)
        assert turn.events[-1].type == EventType.TURN_DONE, turn.events[-1].text
    finally:
        pipeline.close()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (run on the lent device)")
def test_fp16_gpt_on_cuda_streams_and_clones(tiny_xtts_dir, reference_wavs, tmp_path):
    engine = make_engine(tiny_xtts_dir, device="cuda", latents_cache=str(tmp_path))
    assert next(engine.model.gpt.parameters()).dtype == torch.float16
    audio = np.concatenate([b.audio for b in speak(engine)])
    assert np.isfinite(audio).all() and audio.size > 0
    cloned = np.concatenate([b.audio for b in speak(engine, "Yes.", voice=str(reference_wavs[0]))])
    assert np.isfinite(cloned).all() and cloned.size > 0
