"""Fixtures for tests that go through libparley's C ABI (cffi), as a game engine does."""

import pytest

from parley_bridge.binding import load


@pytest.fixture(scope="session")
def lib():
    return load()
