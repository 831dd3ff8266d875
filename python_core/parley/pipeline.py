"""The turn pipeline: player text -> opener + narrative LLMs -> clause segmenter -> TTS -> sink.

Every stage overlaps the next. Per turn, one thread streams the LLM tokens through the segmenter
into a bounded chunk queue while another synthesises those chunks, so chunk n+1 is synthesised
while chunk n plays. The narrative model prefills its prompt at the same moment the opener starts
(its time to first token hides behind the opener's speech) and then continues the opener's words.
Engine failures become an ERROR event on the turn; no exception crosses a thread.
"""

from __future__ import annotations

import itertools
import json
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass

import numpy as np

from parley import timeline as tl
from parley.audio import ChunkJoiner, OutputConverter
from parley.config import LLMConfig, ParleyConfig, load_config
from parley.engines import LLM_ENGINES, TTS_ENGINES, resolve
from parley.engines.llm.base import LLMEngine, Message
from parley.engines.tts.base import SPEECH_CHARS_PER_SECOND, TimedBlock, TTSEngine
from parley.errors import InvalidInput
from parley.events import CollectingSink, Event, EventType, TurnSink
from parley.segmenter import CLOSERS, SENTENCE_MARKS, ClauseSegmenter, StageDirectionFilter

log = logging.getLogger(__name__)

SPOKEN_STYLE = "Speak in character, aloud: no lists, no emojis, no stage directions."
_PER_CHUNK = frozenset({tl.CHUNK_READY, tl.CHUNK_AUDIO_START, tl.TTS_BLOCK})


@dataclass(frozen=True)
class OutputFormat:
    sample_rate: int = 48000
    channels: int = 2


class Voice:
    """An NPC: persona, TTS voice, output format, and the memory of its recent exchanges."""

    def __init__(self, persona: str, tts_voice: str | None, output: OutputFormat, history_turns: int):
        self.persona = persona
        self.tts_voice = tts_voice
        self.output = output
        self.history: deque[tuple[str, str]] = deque(maxlen=history_turns)
        self.current: Turn | None = None

    def messages(self, player_text: str, instruction: str) -> list[Message]:
        system = " ".join(part for part in (self.persona, SPOKEN_STYLE, instruction) if part)
        messages = [Message("system", system)]
        for said, replied in self.history:
            messages += [Message("user", said), Message("assistant", replied)]
        return messages + [Message("user", player_text)]


class Turn:
    """One NPC reply in flight. Its audio and events go to `sink`; `timeline` records its stages."""

    def __init__(self, turn_id: int, voice: Voice, sink: TurnSink):
        self.id = turn_id
        self.voice = voice
        self.sink = sink
        self.timeline = tl.Timeline()
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        # Cleared while the TTS works on this turn's first audio block (turn.first_audio_priority):
        # the LLM then waits between tokens. Set again by the first block, the chunk's end, cancel.
        self.llm_may_run = threading.Event()
        self.llm_may_run.set()
        self.error: str | None = None
        self.spoken: list[str] = []  # chunks whose audio entered the stream, in order
        self.reply_text = ""
        self.audio_seconds = 0.0
        self.tts_seconds = 0.0  # time spent inside the TTS engine
        self._chunks: queue.Queue[str | None] = queue.Queue(maxsize=64)
        self._pending_chars = 0
        self._threads: list[threading.Thread] = []

    def cancel(self) -> None:
        """Barge-in: stop generating now and drop the audio that was not played."""
        if not self.cancelled.is_set():
            self.cancelled.set()
            self.llm_may_run.set()
            self.sink.cancel(self.id)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the turn to end (done, cancelled or failed). True if it ended."""
        return self.finished.wait(timeout)

    @property
    def events(self) -> list[Event]:
        """Events so far, when the sink is a CollectingSink."""
        return self.sink.event_list() if isinstance(self.sink, CollectingSink) else []

    def blocks(self) -> Iterator[np.ndarray]:
        """Audio blocks as they come, when the sink is a CollectingSink."""
        if not isinstance(self.sink, CollectingSink):
            raise TypeError("blocks() needs the default CollectingSink")
        return self.sink.blocks()

    def queued_audio_s(self) -> float:
        """Estimated audio not yet played: synthesised-but-unplayed plus text waiting for TTS."""
        first = self.timeline.first(tl.FIRST_AUDIO_BLOCK)
        played = self.timeline.elapsed() - first.t if first else 0.0
        return max(0.0, self.audio_seconds - played) + self._pending_chars / SPEECH_CHARS_PER_SECOND

    def stats(self) -> dict:
        """Stage marks (seconds) and TTS speed; the text of the TURN_DONE event."""
        marks = self.timeline.marks()
        stages = [(m.stage, round(m.t, 4)) for m in marks if m.stage not in _PER_CHUNK]
        rtf = self.tts_seconds / self.audio_seconds if self.audio_seconds else 0.0
        blocks = [m.info for m in marks if m.stage == tl.TTS_BLOCK]
        return {"stages": stages, "tts_seconds": round(self.tts_seconds, 4), "tts_blocks": blocks,
                "audio_seconds": round(self.audio_seconds, 4), "tts_rtf": round(rtf, 4), "chunks": len(self.spoken)}

    def _emit(self, type_: EventType, text: str = "") -> None:
        self.sink.emit(Event(type_, self.id, int(self.timeline.elapsed() * 1e6), text))

    def _push_chunk(self, chunk: str | None) -> bool:
        while not self.cancelled.is_set():
            try:
                self._chunks.put(chunk, timeout=0.05)
            except queue.Full:
                continue
            if chunk is not None:
                self._pending_chars += len(chunk)
            return True
        return False

    def _next_chunk(self) -> str | None:
        while not self.cancelled.is_set():
            try:
                chunk = self._chunks.get(timeout=0.05)
            except queue.Empty:
                continue
            if chunk is not None:
                self._pending_chars -= len(chunk)
            return chunk
        return None

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message
        self.cancelled.set()  # stops the other thread; audio already queued still plays


class Pipeline:
    """Loads the engines once; runs any number of turns on any number of voices."""

    def __init__(self, config: ParleyConfig | dict | str | None = None, progress: Callable[[str], None] | None = None):
        self.config = load_config(config)
        report = progress or (lambda message: log.info(message))
        cfg = self.config
        self.tts: TTSEngine = resolve("TTS", cfg.tts.engine, TTS_ENGINES)(cfg.tts)
        self.opener = self._llm(cfg.opener)
        self.narrative = self._llm(cfg.narrative) if cfg.narrative else None
        report(f"loading TTS ({cfg.tts.engine})")
        self.tts.load()
        report(f"loading opener LLM ({cfg.opener.engine})")
        self.opener.load()
        if self.narrative:
            report(f"loading narrative LLM ({cfg.narrative.engine})")
            self.narrative.load()
        if cfg.warmup:
            report("warming up")
            self.tts.warmup()
            for engine in (self.opener, self.narrative):
                if engine:
                    engine.warmup()
        self._turn_ids = itertools.count(1)
        self._turns_lock = threading.Lock()
        self._active: set[Turn] = set()

    @staticmethod
    def _llm(config: LLMConfig) -> LLMEngine:
        return resolve("LLM", config.engine, LLM_ENGINES)(config)

    def create_voice(self, persona: str | None = None, tts_voice: str | None = None, output: OutputFormat = OutputFormat()) -> Voice:
        OutputConverter(self.tts.sample_rate, output.sample_rate, output.channels)  # validates the format
        return Voice(persona or self.config.persona, tts_voice or None, output, self.config.turn.history_turns)

    def start_turn(self, voice: Voice, player_text: str, sink: TurnSink | None = None) -> Turn:
        """Answer the player's line. A turn already running on this voice is cancelled (barge-in)."""
        text = self._check_text(player_text, self.config.turn.max_input_chars, "player text")
        return self._start(voice, sink, lambda turn: self._reply_text(turn, text), text)

    def speak(self, voice: Voice, line: str, sink: TurnSink | None = None) -> Turn:
        """Speak a fixed line, without the LLMs (barks, scripted lines)."""
        text = self._check_text(line, self.config.turn.max_speak_chars, "line")
        if not any(ch.isalnum() for ch in text):
            raise InvalidInput("line has nothing to speak (no letters or digits)")
        return self._start(voice, sink, lambda turn: self._fixed_text(turn, text), None)

    def close(self, timeout: float = 10.0) -> None:
        """Cancel every running turn and wait for their threads."""
        with self._turns_lock:
            turns = list(self._active)
        for turn in turns:
            turn.cancel()
        for turn in turns:
            turn.wait(timeout)

    def active_turns(self) -> int:
        with self._turns_lock:
            return len(self._active)

    @staticmethod
    def _check_text(text: str, limit: int, what: str) -> str:
        if not isinstance(text, str):
            raise InvalidInput(f"{what} must be a string, got {type(text).__name__}")
        stripped = " ".join(text.split())
        if not stripped:
            raise InvalidInput(f"{what} is empty: pass the words to answer or speak")
        if len(stripped) > limit:
            raise InvalidInput(f"{what} is {len(stripped)} characters; the limit is {limit} (config turn.max_input_chars / turn.max_speak_chars)")
        return stripped

    def _start(self, voice: Voice, sink: TurnSink | None, produce: Callable[[Turn], None], player_text: str | None) -> Turn:
        if voice.current is not None:
            voice.current.cancel()
        turn = Turn(next(self._turn_ids), voice, sink or CollectingSink())
        voice.current = turn
        with self._turns_lock:
            self._active.add(turn)
        turn._emit(EventType.TURN_STARTED)
        text_thread = threading.Thread(target=self._text_worker, args=(turn, produce), name=f"parley-turn{turn.id}-text", daemon=True)
        tts_thread = threading.Thread(target=self._tts_worker, args=(turn, text_thread, player_text), name=f"parley-turn{turn.id}-tts", daemon=True)
        turn._threads = [text_thread, tts_thread]
        text_thread.start()
        tts_thread.start()
        return turn

    # --- text side -------------------------------------------------------------------------

    def _segmenter(self) -> ClauseSegmenter:
        s = self.config.segmenter
        return ClauseSegmenter(s.max_chars, s.min_chars, s.prefer_sentences_after_s)

    def _text_worker(self, turn: Turn, produce: Callable[[Turn], None]) -> None:
        try:
            produce(turn)
        except Exception as exc:
            log.exception("turn %d: text generation failed", turn.id)
            turn._fail(f"LLM failed: {type(exc).__name__}: {exc}")
        finally:
            turn._push_chunk(None)

    def _fixed_text(self, turn: Turn, text: str) -> None:
        segmenter = self._segmenter()
        for chunk in segmenter.feed(text) + segmenter.flush():
            self._send_chunk(turn, chunk)
        turn.reply_text = text

    def _reply_text(self, turn: Turn, player_text: str) -> None:
        cfg = self.config
        voice = turn.voice
        segmenter = self._segmenter()
        spoken = StageDirectionFilter()
        prefill: threading.Thread | None = None
        narrative_messages: list[Message] = []
        if self.narrative and cfg.narrative:
            narrative_messages = voice.messages(player_text, cfg.narrative.instruction)
            prefill = threading.Thread(
                target=self._prefill, args=(turn, narrative_messages), name=f"parley-turn{turn.id}-prefill", daemon=True
            )
            prefill.start()
        opener_messages = voice.messages(player_text, cfg.opener.instruction)
        reply = self._generate(turn, self.opener, cfg.opener, opener_messages, "", segmenter, spoken, tl.OPENER_FIRST_TOKEN)
        turn.timeline.mark(tl.OPENER_DONE, chars=len(reply))
        if prefill is not None:
            prefill.join()
        if self.narrative and cfg.narrative and not turn.cancelled.is_set():
            if reply and not reply[-1].isspace():
                for chunk in segmenter.feed(spoken.feed(" "), turn.queued_audio_s()):
                    self._send_chunk(turn, chunk)
            reply += self._generate(turn, self.narrative, cfg.narrative, narrative_messages, reply, segmenter, spoken, tl.NARRATIVE_FIRST_TOKEN)
            turn.timeline.mark(tl.NARRATIVE_DONE, chars=len(reply))
        if not turn.cancelled.is_set():
            for chunk in segmenter.flush():
                self._send_chunk(turn, chunk)
        turn.reply_text = reply.strip()

    def _prefill(self, turn: Turn, messages: list[Message]) -> None:
        try:
            self.narrative.prefill(messages)
            turn.timeline.mark(tl.NARRATIVE_PREFILL_DONE)
        except Exception:  # not fatal: the narrative's stream() evaluates the prompt itself
            log.warning("turn %d: narrative prefill failed", turn.id, exc_info=True)

    def _generate(
        self, turn: Turn, engine: LLMEngine, config: LLMConfig, messages: list[Message], prefix: str,
        segmenter: ClauseSegmenter, spoken: StageDirectionFilter, first_mark: str,
    ) -> str:
        text = ""
        with closing(engine.stream(messages, config.max_tokens, assistant_prefix=prefix)) as pieces:
            for piece in pieces:
                if turn.cancelled.is_set():
                    break
                if not text:
                    turn.timeline.mark(first_mark)
                    if first_mark == tl.NARRATIVE_FIRST_TOKEN:
                        turn._emit(EventType.NARRATIVE_FIRST_TOKEN)
                text += piece
                for chunk in segmenter.feed(spoken.feed(piece), turn.queued_audio_s()):
                    self._send_chunk(turn, chunk)
                if len(text) >= config.target_chars and _ends_sentence(text):
                    break
                self._yield_to_first_audio(turn)
        return text

    @staticmethod
    def _yield_to_first_audio(turn: Turn) -> None:
        """While the TTS makes the turn's first audio block, the LLM is not asked for its next
        token, so it computes nothing."""
        if not turn.llm_may_run.is_set():
            turn.timeline.mark(tl.LLM_PAUSED)
            turn.llm_may_run.wait()
            turn.timeline.mark(tl.LLM_RESUMED)

    def _send_chunk(self, turn: Turn, chunk: str) -> None:
        if turn.timeline.first(tl.FIRST_CHUNK_READY) is None:
            turn.timeline.mark(tl.FIRST_CHUNK_READY, text=chunk)
        turn.timeline.mark(tl.CHUNK_READY, text=chunk)
        turn._push_chunk(chunk)

    # --- audio side ------------------------------------------------------------------------

    def _tts_worker(self, turn: Turn, text_thread: threading.Thread, player_text: str | None) -> None:
        try:
            self._synthesise(turn)
        except Exception as exc:
            log.exception("turn %d: synthesis failed", turn.id)
            turn._fail(f"TTS failed: {type(exc).__name__}: {exc}")
        finally:
            turn.llm_may_run.set()  # never leave the LLM paused
            turn.sink.end_audio(turn.id)
            text_thread.join()
            self._finish(turn, player_text)

    def _synthesise(self, turn: Turn) -> None:
        out = turn.voice.output
        joiner = ChunkJoiner(self.tts.sample_rate, self.config.turn.crossfade_ms)
        converter = OutputConverter(self.tts.sample_rate, out.sample_rate, out.channels)
        while (chunk := turn._next_chunk()) is not None:
            if not any(ch.isalnum() for ch in chunk):
                continue  # punctuation left over at the end: nothing to say
            new_chunk = True
            if self.config.turn.first_audio_priority and turn.timeline.first(tl.FIRST_AUDIO_BLOCK) is None:
                turn.llm_may_run.clear()
            with closing(self.tts.stream(chunk, turn.voice.tts_voice)) as blocks:
                asked = time.perf_counter()
                for block in blocks:
                    turn.tts_seconds += time.perf_counter() - asked
                    if turn.cancelled.is_set():
                        return
                    if isinstance(block, TimedBlock):
                        turn.timeline.mark(tl.TTS_BLOCK, **block.timings)
                        block = block.audio
                    frames = converter.process(joiner.push(block, new_chunk=new_chunk))
                    if new_chunk:
                        turn.timeline.mark(tl.CHUNK_AUDIO_START, text=chunk)
                        turn.spoken.append(chunk)
                        turn._emit(EventType.TEXT, chunk)
                        new_chunk = False
                    turn.audio_seconds += len(block) / self.tts.sample_rate
                    if not self._write(turn, frames):
                        return
                    asked = time.perf_counter()
            turn.llm_may_run.set()  # the chunk gave no audio out yet: the LLM must make the next one
        if not turn.cancelled.is_set():
            self._write(turn, converter.process(joiner.finish(), last=True))

    def _write(self, turn: Turn, frames: np.ndarray) -> bool:
        if frames.size == 0:
            return True
        if not turn.sink.write_audio(turn.id, frames):
            turn.cancel()
            return False
        if turn.timeline.first(tl.FIRST_AUDIO_BLOCK) is None:
            turn.timeline.mark(tl.FIRST_AUDIO_BLOCK)
            turn.llm_may_run.set()
            turn._emit(EventType.AUDIO_READY)
        return True

    def _finish(self, turn: Turn, player_text: str | None) -> None:
        if turn.error is not None:
            turn.timeline.mark(tl.FAILED, error=turn.error)
            turn._emit(EventType.ERROR, turn.error)
        elif turn.cancelled.is_set():
            turn.timeline.mark(tl.CANCELLED)
            turn._emit(EventType.CANCELLED)
        else:
            turn.timeline.mark(tl.TURN_DONE)
            if player_text is not None and turn.reply_text:
                turn.voice.history.append((player_text, turn.reply_text))
            turn._emit(EventType.TURN_DONE, json.dumps(turn.stats()))
        if turn.voice.current is turn:
            turn.voice.current = None
        with self._turns_lock:
            self._active.discard(turn)
        turn.finished.set()


def _ends_sentence(text: str) -> bool:
    tail = text.rstrip().rstrip(CLOSERS)
    return bool(tail) and tail[-1] in SENTENCE_MARKS
