"""The clause segmenter: cases a listener would notice, plus properties over arbitrary text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.segmenter import ClauseSegmenter, StageDirectionFilter


def segment(text: str, pieces: list[int] | None = None, queued: float = 0.0, **kw) -> list[str]:
    seg = ClauseSegmenter(**kw)
    out: list[str] = []
    if pieces is None:
        out += seg.feed(text, queued)
    else:
        pos = 0
        for size in pieces:
            out += seg.feed(text[pos:pos + size], queued)
            pos += size
        out += seg.feed(text[pos:], queued)
    return out + seg.flush()


def test_first_chunk_ends_at_first_comma():
    text = "In the depths of the forgotten library, a secret waits for those who listen."
    assert segment(text)[0] == "In the depths of the forgotten library,"


def test_first_chunk_is_never_cut_before_the_first_mark_even_if_short():
    assert segment("Ah, you again. What now?") == ["Ah,", "you again. What now?"]


def test_later_short_clauses_wait_for_the_next_mark():
    chunks = segment("Well, yes, he said, go to the tower at dawn.")
    assert chunks[0] == "Well,"
    assert all(len(c) >= 12 for c in chunks[1:-1])


@pytest.mark.parametrize("text", [
    "Mr. Smith went to the market, and Dr. Jones stayed home.",
    "Bring herbs, e.g. sage and thyme, before nightfall.",
    "The ratio is 3.5 to one, they say.",
    "It cost 1,000 gold coins, no less.",
    "J. R. Tolkien wrote it, I believe.",
])
def test_abbreviations_numbers_and_initials_are_not_cut(text):
    first = segment(text)[0]
    assert first.endswith(",")
    for whole in ("Mr. Smith", "e.g. sage", "3.5", "1,000", "J. R. Tolkien"):
        if whole in text:
            assert whole in " ".join(segment(text))
            assert not any(c.endswith(whole.split()[0]) for c in segment(text)[:-1] if whole.split()[0].endswith("."))


def test_ellipsis_and_closing_quotes_stay_with_their_clause():
    chunks = segment('He whispered, "Run from here..." and then the candles died out completely.')
    assert chunks[0] == "He whispered,"
    assert chunks[1] == '"Run from here..."'


def test_question_and_exclamation_runs_end_a_chunk_once():
    assert segment("What?! You came back for me? Unbelievable.") == ["What?!", "You came back for me?", "Unbelievable."]


def test_text_without_punctuation_is_capped_at_a_word_boundary():
    text = " ".join(["word"] * 100)
    chunks = segment(text, max_chars=60)
    assert all(len(c) <= 60 for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_after_five_seconds_of_queued_audio_commas_no_longer_cut():
    text = "First, a short clause here. Then, with audio queued, we prefer whole sentences, like this one. End."
    relaxed = segment(text, queued=0.0)
    busy = segment(text, queued=6.0)
    assert busy[0] == "First,"  # the first chunk is always as early as possible
    assert "Then, with audio queued, we prefer whole sentences, like this one." in busy
    assert len(busy) < len(relaxed)


def test_chunks_are_the_same_whether_fed_whole_or_token_by_token():
    text = 'Mr. Grey said, "It is 3.5 leagues... maybe more." Go now, quickly!'
    assert segment(text, pieces=[1] * len(text)) == segment(text)


def test_stage_directions_and_emotes_are_not_spoken():
    f = StageDirectionFilter()
    pieces = ["(paus", "ing) I remember *sighs* the ", "fire.\nIt burned."]
    assert "".join(f.feed(p) for p in pieces).split() == "I remember the fire. It burned.".split()


# Text built from words and punctuation so the properties meet the interesting cases often.
_words = st.sampled_from(["the", "old", "Mr.", "e.g.", "3.5", "1,000", "library", "J.", "\"Run\"", "(sigh)", "…", "wait", "x" * 40])
_marks = st.sampled_from(["", "", ",", ".", "?", "!", "...", ";", ":", "?!", ".\""])
_text = st.lists(st.tuples(_words, _marks), min_size=0, max_size=60).map(lambda ws: " ".join(w + m for w, m in ws))


@settings(max_examples=300, deadline=None)
@given(text=_text, cut=st.lists(st.integers(1, 9), max_size=40), queued=st.sampled_from([0.0, 6.0]))
def test_properties_concat_nonempty_split_invariant(text, cut, queued):
    chunks = segment(text, queued=queued)
    assert " ".join(chunks).split() == text.split()  # nothing lost, nothing added
    assert all(c.strip() for c in chunks)  # no empty chunk
    assert segment(text, pieces=cut, queued=queued) == chunks  # independent of token boundaries
    if chunks and len(chunks) > 1:
        first = chunks[0]
        assert text.startswith(first) or text.lstrip().startswith(first)
        rest = text.lstrip()[len(first):]
        assert rest[:1].isspace()  # the first chunk never ends mid-word


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_unicode_never_breaks_the_segmenter(text):
    chunks = segment(text)
    assert "".join("".join(chunks).split()) == "".join(text.split())
