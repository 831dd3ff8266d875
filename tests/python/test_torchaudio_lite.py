"""The pure-torch torchaudio pieces XTTS uses, checked against independent implementations
(librosa's filter banks, exact sinusoids), plus the import arrangement that makes coqui-tts load."""

import importlib.util
import sys

import numpy as np
import pytest
import soundfile
import torch

from parley.engines.tts import torchaudio_lite as ta
from parley.engines.tts.coqui import import_xtts


@pytest.mark.parametrize("htk", [True, False])
def test_mel_filter_banks_match_librosa(htk):
    librosa = pytest.importorskip("librosa")
    ours = ta.functional.melscale_fbanks(1025, 0.0, 8000.0, 80, 22050, norm="slaney", mel_scale="htk" if htk else "slaney")
    theirs = librosa.filters.mel(sr=22050, n_fft=2048, n_mels=80, fmin=0.0, fmax=8000.0, htk=htk, norm="slaney")
    np.testing.assert_allclose(ours.T.numpy(), theirs, atol=1e-5 * np.abs(theirs).max())  # float32 against float64


def test_mel_spectrogram_puts_a_tone_in_the_right_band_and_keeps_checkpoint_names():
    mel = ta.transforms.MelSpectrogram(sample_rate=22050, n_fft=1024, hop_length=256, n_mels=80, f_max=8000, norm="slaney")
    assert set(mel.state_dict()) == {"spectrogram.window", "mel_scale.fb"}  # XTTS checkpoints carry these keys
    t = torch.arange(22050) / 22050
    spec = mel(torch.sin(2 * torch.pi * 1000 * t)[None])
    assert spec.shape == (1, 80, 22050 // 256 + 1)
    band = int(spec[0, :, 10:-10].mean(dim=1).argmax())
    centres = ta.functional._mel_to_hz(torch.linspace(0, ta.functional._hz_to_mel(8000.0), 82), "htk")[1:-1]
    assert abs(float(centres[band]) - 1000) < 100


@pytest.mark.parametrize("orig,new", [(22050, 16000), (24000, 22050), (16000, 24000)])
def test_resample_keeps_a_tone_exact(orig, new):
    tone = lambda rate, n: torch.sin(2 * torch.pi * 440 * torch.arange(n, dtype=torch.float64) / rate)  # noqa: E731
    out = ta.functional.resample(tone(orig, orig)[None], orig, new)
    assert out.shape == (1, new)
    expected = tone(new, new)
    assert float((out[0, 200:-200] - expected[200:-200]).abs().max()) < 2e-3


def test_load_reads_channels_first_float(tmp_path):
    stereo = np.stack([np.linspace(-0.5, 0.5, 1000), np.zeros(1000)], axis=1).astype(np.float32)
    soundfile.write(tmp_path / "s.wav", stereo, 16000, subtype="FLOAT")
    audio, rate = ta.load(tmp_path / "s.wav")
    assert rate == 16000 and audio.shape == (2, 1000) and audio.dtype == torch.float32
    np.testing.assert_array_equal(audio.numpy(), stereo.T)


def test_coqui_imports_and_no_torchcodec_stand_in_is_left_for_transformers():
    had_torchcodec = importlib.util.find_spec("torchcodec") is not None
    Xtts, XttsConfig, provider = import_xtts()
    assert Xtts.__name__ == "Xtts" and provider in ("torchaudio", "parley torchaudio_lite")
    assert (importlib.util.find_spec("torchcodec") is not None) == had_torchcodec
    from transformers import GPT2Config, GPT2Model  # what broke when a stand-in stayed visible
    from transformers.utils import is_torchcodec_available

    assert is_torchcodec_available() == had_torchcodec
    assert GPT2Model(GPT2Config(n_layer=1, n_embd=8, n_head=2, vocab_size=10)) is not None
    assert "torchaudio" in sys.modules
