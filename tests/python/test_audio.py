"""Seams and conversion: what a listener would hear as clicks, pitch or channel errors."""

import numpy as np
import pytest

from parley.audio import ChunkJoiner, OutputConverter, max_step


def test_seam_between_chunks_has_no_click():
    # Two chunks that end/start at opposite extremes: butt-joined they would jump by 1.6.
    a = np.full(2000, 0.8, dtype=np.float32)
    b = np.full(2000, -0.8, dtype=np.float32)
    j = ChunkJoiner(22050, fade_ms=8.0)
    out = np.concatenate([j.push(a, new_chunk=True), j.push(b, new_chunk=True), j.finish()])
    assert max_step(np.concatenate([a, b])) > 1.5
    assert max_step(out) < 0.02
    assert out[0] == pytest.approx(0.0, abs=1e-6) and abs(out[-1]) < 0.01  # fades in and out


def test_blocks_within_a_chunk_pass_through_unchanged():
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.5, 0.5, 5000).astype(np.float32)
    j = ChunkJoiner(22050)
    out = np.concatenate([j.push(x[:1000], True), j.push(x[1000:3000], False), j.push(x[3000:], False), j.finish()])
    assert len(out) == len(x)
    np.testing.assert_array_equal(out[j.fade:-j.fade], x[j.fade:-j.fade])


def test_converter_resamples_once_and_interleaves():
    t = np.arange(22050) / 22050
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    conv = OutputConverter(22050, 48000, 2)
    out = np.concatenate([conv.process(tone[:7000]), conv.process(tone[7000:], last=True)])
    stereo = out.reshape(-1, 2)
    assert abs(len(stereo) - 48000) <= 2
    np.testing.assert_array_equal(stereo[:, 0], stereo[:, 1])
    spectrum = np.abs(np.fft.rfft(stereo[:, 0]))
    assert abs(np.argmax(spectrum) * 48000 / len(stereo) - 440) < 2  # pitch preserved
    assert max_step(stereo[:, 0]) < 0.1  # no discontinuity where the pieces met


@pytest.mark.parametrize("rate,channels", [(4000, 2), (48000, 0), (48000, 9)])
def test_unusable_output_formats_are_refused(rate, channels):
    with pytest.raises(ValueError):
        OutputConverter(22050, rate, channels)
