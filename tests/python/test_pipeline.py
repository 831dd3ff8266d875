"""Real turns on the embedded default (Piper + SmolLM2 through llama.cpp), in Python only."""

import contextlib
import threading
import time

import numpy as np
import pytest

from parley import EventType, InvalidInput, OutputFormat, Pipeline
from parley import timeline as tl
from parley.audio import max_step


def run(turn, timeout=60.0):
    audio = list(turn.blocks())
    assert turn.wait(timeout), "turn did not finish"
    return np.concatenate(audio) if audio else np.zeros(0, np.float32)


def test_real_turn_speaks_a_plausible_reply(pipeline):
    voice = pipeline.create_voice(output=OutputFormat(44100, 2))
    turn = pipeline.start_turn(voice, "Who are you, old man?")
    audio = run(turn).reshape(-1, 2)
    events = turn.events
    assert [e.type for e in events][0] == EventType.TURN_STARTED
    assert events[-1].type == EventType.TURN_DONE
    words = len(" ".join(turn.spoken).split())
    seconds = len(audio) / 44100
    assert words >= 5
    assert 0.15 * words < seconds < 1.0 * words + 2  # roughly 2-4 words per second of speech
    assert np.isfinite(audio).all()
    rms = float(np.sqrt(np.mean(audio**2)))
    assert 0.02 < rms < 0.5
    assert np.abs(audio).max() <= 1.0
    np.testing.assert_array_equal(audio[:, 0], audio[:, 1])
    # Stage order: tokens before chunks, chunks before audio, everything before done.
    t = {stage: turn.timeline.first(stage).t for stage in (tl.OPENER_FIRST_TOKEN, tl.FIRST_CHUNK_READY, tl.FIRST_AUDIO_BLOCK, tl.TURN_DONE)}
    assert t[tl.OPENER_FIRST_TOKEN] <= t[tl.FIRST_CHUNK_READY] <= t[tl.FIRST_AUDIO_BLOCK] <= t[tl.TURN_DONE]
    marks = turn.timeline.marks()
    assert [m.t for m in marks] == sorted(m.t for m in marks)
    texts = [e.text for e in events if e.type == EventType.TEXT]
    assert texts == turn.spoken and len(texts) >= 2


def test_streaming_overlaps_first_audio_comes_before_the_llms_finish(pipeline):
    voice = pipeline.create_voice()
    turn = pipeline.start_turn(voice, "Tell me about the library.")
    run(turn)
    first_audio = turn.timeline.first(tl.FIRST_AUDIO_BLOCK).t
    narrative_done = turn.timeline.first(tl.NARRATIVE_DONE).t
    narrative_first = turn.timeline.first(tl.NARRATIVE_FIRST_TOKEN).t
    assert first_audio < narrative_done
    assert first_audio < narrative_first or turn.timeline.first(tl.NARRATIVE_PREFILL_DONE).t < first_audio
    # The narrative continues the opener instead of repeating it.
    first_chunk = turn.spoken[0]
    assert turn.reply_text.count(first_chunk) == 1


def test_cancel_mid_turn_stops_within_one_block_and_next_turn_works(pipeline):
    voice = pipeline.create_voice(output=OutputFormat(22050, 1))
    turn = pipeline.start_turn(voice, "Tell me a long story about the castle.")
    blocks = turn.blocks()
    next(blocks)  # audio is flowing
    t = time.monotonic()
    turn.cancel()
    leftover = list(blocks)
    assert turn.wait(5.0)
    assert time.monotonic() - t < 2.0
    assert leftover == []  # queued audio dropped at once
    assert turn.events[-1].type == EventType.CANCELLED
    again = pipeline.start_turn(voice, "Are you still there?")
    assert len(run(again)) > 22050 * 0.5
    assert again.events[-1].type == EventType.TURN_DONE


def test_a_new_turn_on_a_speaking_voice_barges_in(pipeline):
    voice = pipeline.create_voice()
    first = pipeline.start_turn(voice, "Tell me everything you know.")
    second = pipeline.start_turn(voice, "Stop. Who goes there?")
    assert first.wait(10.0) and first.events[-1].type == EventType.CANCELLED
    run(second)
    assert second.events[-1].type == EventType.TURN_DONE


def test_two_voices_speak_at_once(pipeline):
    a = pipeline.create_voice(persona="You are a grumpy blacksmith.")
    b = pipeline.create_voice(persona="You are a cheerful bard.")
    turns = [pipeline.start_turn(a, "Can you fix my sword?"), pipeline.start_turn(b, "Sing me a song!")]
    results = {}
    threads = [threading.Thread(target=lambda t=t: results.__setitem__(t.id, run(t))) for t in turns]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for t in turns:
        assert t.events[-1].type == EventType.TURN_DONE
        assert len(results[t.id]) > 48000


def test_speak_says_the_line_verbatim_without_the_llm(pipeline):
    voice = pipeline.create_voice(output=OutputFormat(48000, 1))
    line = "Halt, traveller. The bridge is closed until dawn, by order of the queen."
    turn = pipeline.speak(voice, line)
    audio = run(turn)
    assert " ".join(turn.spoken) == line
    assert turn.timeline.first(tl.OPENER_FIRST_TOKEN) is None
    assert 2.5 < len(audio) / 48000 < 8.0
    # Seams between the chunks are joined without clicks: no jump above what speech itself has.
    assert max_step(audio) < 0.5


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("x" * 100_000, "100000 characters; the limit is 2000"),
])
def test_bad_player_text_is_refused_with_a_clear_error(pipeline, text, match):
    voice = pipeline.create_voice()
    with pytest.raises(InvalidInput, match=match):
        pipeline.start_turn(voice, text)


def test_speak_refuses_a_line_with_nothing_to_say(pipeline):
    with pytest.raises(InvalidInput, match="nothing to speak"):
        pipeline.speak(pipeline.create_voice(), "?!...")


def test_tts_exception_mid_turn_becomes_an_error_event_and_voice_recovers(fast_config):
    p = Pipeline({**fast_config, "tts": {"engine": "helpers.faulty_engines:ExplodingTTS"}, "warmup": False})
    try:
        voice = p.create_voice()
        turn = p.speak(voice, "This line is fine, but this one will explode right now.")
        run(turn)
        assert turn.events[-1].type == EventType.ERROR
        assert "TTS failed: RuntimeError: synthesis blew up on purpose" in turn.events[-1].text
        assert turn.spoken == ["This line is fine,"]  # what was heard before the fault stays
        ok = p.speak(voice, "A calm line.")
        run(ok)
        assert ok.events[-1].type == EventType.TURN_DONE
    finally:
        p.close()


def test_llm_exception_mid_turn_becomes_an_error_event(fast_config):
    p = Pipeline({**fast_config, "opener": {**fast_config["opener"], "engine": "helpers.faulty_engines:ExplodingLLM"}, "warmup": False})
    try:
        turn = p.start_turn(p.create_voice(), "Hello?")
        run(turn)
        assert turn.events[-1].type == EventType.ERROR
        assert "LLM failed: RuntimeError: generation blew up on purpose" in turn.events[-1].text
    finally:
        p.close()


@pytest.mark.parametrize("priority", [True, False])
def test_the_llm_waits_while_the_first_audio_block_is_made(fast_config, priority):
    """With turn.first_audio_priority the opener stops between tokens until the first audio block
    exists, so it does not compete with it for the cores; without it, the opener runs on."""
    config = dict(fast_config, tts={"engine": "helpers.faulty_engines:SlowStartTTS"},
                  turn={"first_audio_priority": priority}, warmup=False)
    with contextlib.closing(Pipeline(config)) as p:
        turn = p.start_turn(p.create_voice(), "Who are you, old man?")
        run(turn)
        assert turn.events[-1].type == EventType.TURN_DONE
        first_audio = turn.timeline.first(tl.FIRST_AUDIO_BLOCK).t
        first_chunk = turn.timeline.first(tl.FIRST_CHUNK_READY).t
        paused, resumed = turn.timeline.first(tl.LLM_PAUSED), turn.timeline.first(tl.LLM_RESUMED)
        opener_done = turn.timeline.first(tl.OPENER_DONE).t
        if priority:
            assert first_chunk <= paused.t < first_chunk + 1.0 and resumed.t >= first_audio
            assert opener_done > first_audio
        else:
            assert paused is None and resumed is None
            assert opener_done < first_audio  # a 1.5 s TTS start; the opener needs well under that
