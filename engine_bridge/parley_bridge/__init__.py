"""The Python side of the engine bridge: a cffi binding of libparley and the `parley` harness CLI.

This is the only Python that knows the C ABI; tests and the CLI drive Parley exactly as a game
engine does, through `parley.h`.
"""

from parley_bridge.binding import Library, ParleyCallError, load

__all__ = ["Library", "ParleyCallError", "load"]
