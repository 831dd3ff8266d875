"""Streaming clause segmenter: cuts an LLM's token stream into chunks that TTS can speak.

The first chunk ends at the first clause mark (, . ? ! ; : …) so that speech can start as soon as
one clause exists, and never earlier: a clause is the shortest unit that sounds natural. Later
chunks end at punctuation too, and once enough audio is queued only at sentence ends, which gives
TTS longer, better-phrased input. A mark counts only when whitespace follows it, which keeps
"3.5", "1,000" and "e.g.x" whole; known abbreviations and initials ("Mr.", "e.g.", "J. R.") are
not sentence ends. Text without punctuation is cut at a word boundary once it passes a length cap.

The segmenter is pure and deterministic: for a fixed `queued_audio_s`, the chunks do not depend
on how the text was split into pieces, and joining the chunks gives back the input's words.
"""

from __future__ import annotations

import re

CLAUSE_MARKS = ",;:"
SENTENCE_MARKS = ".!?…"
CLOSERS = "\"'”’)]»"
_RUN_CHARS = CLAUSE_MARKS + SENTENCE_MARKS + CLOSERS

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr vs mt capt col gen lt sgt rev fig approx inc ltd co cf al".split()
)
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
_OPENERS = "\"'“‘([«"


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _is_abbreviation(buf: str, dot: int) -> bool:
    """True if the '.' at `dot` ends an abbreviation or an initial rather than a sentence."""
    start = dot
    while start > 0 and not buf[start - 1].isspace():
        start -= 1
    word = buf[start:dot].lstrip(_OPENERS)
    if not word:
        return False
    return word.lower() in ABBREVIATIONS or _INITIALS.fullmatch(word) is not None


class ClauseSegmenter:
    """Feed text pieces as they arrive; get back the chunks that are complete."""

    def __init__(self, max_chars: int = 150, min_chars: int = 12, prefer_sentences_after_s: float = 5.0):
        if max_chars < 8:
            raise ValueError("max_chars must be at least 8")
        self.max_chars = max_chars
        self.min_chars = min_chars
        self.prefer_sentences_after_s = prefer_sentences_after_s
        self._buf = ""
        self._emitted = 0

    def feed(self, piece: str, queued_audio_s: float = 0.0) -> list[str]:
        """Add `piece` and return the chunks it completes (possibly none)."""
        self._buf += piece
        chunks: list[str] = []
        while True:
            sentences_only = self._emitted > 0 and queued_audio_s >= self.prefer_sentences_after_s
            cut = self._next_cut(sentences_only)
            if cut is None:
                return chunks
            chunk = self._buf[:cut].strip()
            self._buf = self._buf[cut:]
            if chunk:
                chunks.append(chunk)
                self._emitted += 1

    def flush(self) -> list[str]:
        """End of text: return whatever remains as a last chunk."""
        rest, self._buf = self._buf.strip(), ""
        if not rest:
            return []
        self._emitted += 1
        return [rest]

    def _next_cut(self, sentences_only: bool) -> int | None:
        boundary = self._find_boundary(sentences_only)
        if boundary is not None and boundary <= self.max_chars:
            return boundary
        if boundary is None and len(self._buf) <= self.max_chars:
            return None
        return self._cap_cut()

    def _find_boundary(self, sentences_only: bool) -> int | None:
        """Index of the whitespace after the earliest acceptable mark, or None if none is known yet."""
        buf, n, i = self._buf, len(self._buf), 0
        first = self._emitted == 0
        while i < n:
            if buf[i] not in CLAUSE_MARKS and buf[i] not in SENTENCE_MARKS:
                i += 1
                continue
            end = i
            while end < n and buf[end] in _RUN_CHARS:
                end += 1
            if end >= n:
                return None  # the mark's run reaches the end: wait to see what follows
            if not buf[end].isspace():
                i = end
                continue
            run = buf[i:end]
            is_sentence = any(ch in SENTENCE_MARKS for ch in run)
            if run.rstrip(CLOSERS) == "." and _is_abbreviation(buf, i):
                i = end
                continue
            chunk = buf[:end].strip()
            long_enough = first or len(chunk) >= self.min_chars
            if _has_word(chunk) and long_enough and (is_sentence or not sentences_only):
                return end
            i = end
        return None

    def _cap_cut(self) -> int | None:
        """Cut at the last word boundary within the cap, or the first one after it."""
        buf = self._buf
        for w in range(min(self.max_chars, len(buf) - 1), 0, -1):
            if buf[w].isspace() and _has_word(buf[:w]):
                return w
        for w in range(self.max_chars + 1, len(buf)):
            if buf[w].isspace() and _has_word(buf[:w]):
                return w
        return None


class StageDirectionFilter:
    """Streams text through, dropping what is not meant to be spoken: (actions) and *emotes*.

    Small chat models like to write "(pausing) I remember..."; spoken aloud that breaks the
    illusion. State carries across pieces, so a parenthesis split over tokens is still removed.
    """

    def __init__(self) -> None:
        self._depth = 0
        self._in_emote = False

    def feed(self, piece: str) -> str:
        out = []
        for ch in piece:
            if ch == "*":
                self._in_emote = not self._in_emote
            elif ch == "(":
                self._depth += 1
            elif ch == ")" and self._depth:
                self._depth -= 1
            elif not self._depth and not self._in_emote:
                out.append(" " if ch == "\n" else ch)
        return "".join(out)
