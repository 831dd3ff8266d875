"""Parley's exception types: each one says what went wrong and what to do about it.

The C ABI maps them onto status codes (see `cpp/src/python_host.cpp`), so keep the classes few and
their meaning stable.
"""


class ParleyError(Exception):
    """Base class of every error Parley raises on purpose."""


class ConfigError(ParleyError):
    """The configuration names an unknown key, engine or value."""


class ModelNotFound(ParleyError):
    """A model file the configuration points at does not exist."""


class EngineError(ParleyError):
    """An engine failed to load or to run."""


class InvalidInput(ParleyError):
    """Text or parameters passed by the caller cannot be used."""
