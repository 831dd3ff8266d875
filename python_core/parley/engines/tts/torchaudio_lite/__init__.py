"""The few torchaudio pieces that coqui-tts's XTTS v2 uses, in pure torch.

Why this exists: PyPI's torchaudio wheels are CUDA builds whose extension cannot load next to a CPU
torch ("libc10_cuda.so: cannot open shared object file"), and the CPU wheels live on an index this
project cannot reach. XTTS only needs `transforms.MelSpectrogram` (speaker encoder, voice cloning),
`functional.resample` and `load`; none of them needs torchaudio's C++ extension. The code below is
torchaudio 2.11's own Python (BSD-2-Clause, Copyright (c) 2017 Facebook Inc. (Soumith Chintala)),
trimmed to those paths. Module and buffer names (`spectrogram.window`, `mel_scale.fb`) are kept so
that real XTTS checkpoints load with `strict=True`.

`parley.engines.tts.coqui` installs this package as `torchaudio` only when the real one cannot be
imported; with a working torchaudio (a CUDA machine) this code is not used.
"""

from __future__ import annotations

import numpy as np
import soundfile
import torch

from . import functional, transforms

__version__ = "2.11.0+parley.lite"
__all__ = ["functional", "transforms", "load"]


def load(path, *args, **kwargs) -> tuple[torch.Tensor, int]:
    """torchaudio.load for plain files: float32 in [-1, 1], shape (channels, frames)."""
    if args or kwargs:
        raise TypeError("torchaudio_lite.load takes only a path")
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return torch.from_numpy(np.ascontiguousarray(data.T)), int(rate)
