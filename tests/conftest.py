"""Shared fixtures: the real embedded-default engines, loaded once per session.

`tests/` is put on sys.path so configs can name test engines as "helpers.faulty_engines:Class";
the C runtime resolves them in this same interpreter, since a Python host shares it with libparley.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Short replies keep the real-model turns quick; the opener/narrative split stays the same.
FAST_CONFIG = {
    "opener": {"max_tokens": 32, "target_chars": 60, "seed": 7, "instruction": "Answer in one short spoken sentence."},
    "narrative": {"max_tokens": 48, "target_chars": 120, "seed": 7, "instruction": "Add one or two sentences."},
}


@pytest.fixture(scope="session")
def fast_config() -> dict:
    return json.loads(json.dumps(FAST_CONFIG))


@pytest.fixture(scope="session")
def pipeline(fast_config):
    from parley import Pipeline

    p = Pipeline(fast_config)
    yield p
    p.close()
