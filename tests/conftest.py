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


@pytest.fixture(scope="session")
def llama_server():
    """llama-cpp-python's OpenAI-compatible server on loopback, serving the packaged SmolLM2 GGUF
    under the name "smollm2". Started once per session, stopped at its end."""
    import subprocess
    import time
    import urllib.request

    from helpers.net import free_port
    from parley.engines.llm.llama_cpp import bundled_gguf

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf()), "--model_alias", "smollm2",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--verbose", "False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/models", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"llama_cpp.server did not start: {proc.stderr.read()[-2000:]}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory):
    from helpers.tiny_models import tiny_qwen

    return tiny_qwen(tmp_path_factory.mktemp("tiny-qwen"))


@pytest.fixture(scope="session")
def tiny_xtts_dir(tmp_path_factory):
    """An XTTS v2 checkpoint folder: the real classes, a 2-layer GPT, random weights, a trained vocab."""
    from helpers.tiny_models import xtts_checkpoint

    return xtts_checkpoint(tmp_path_factory.mktemp("tiny-xtts"))
