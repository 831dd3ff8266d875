"""Parley: real-time voice for game NPCs.

The core turns a player's line into the NPC's spoken reply as a stream of audio blocks, overlapping
LLM generation, clause segmentation and TTS so the first sound comes as early as possible.
"""

from parley.config import ParleyConfig, load_config
from parley.errors import ConfigError, EngineError, InvalidInput, ModelNotFound, ParleyError
from parley.events import Event, EventType
from parley.pipeline import OutputFormat, Pipeline, Turn, Voice

__all__ = [
    "ConfigError",
    "EngineError",
    "Event",
    "EventType",
    "InvalidInput",
    "ModelNotFound",
    "OutputFormat",
    "ParleyConfig",
    "ParleyError",
    "Pipeline",
    "Turn",
    "Voice",
    "load_config",
]
