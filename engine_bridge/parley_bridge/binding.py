"""cffi (ABI mode) binding of libparley, declared from `parley.h` itself.

The declarations are read from the installed header so that the binding cannot drift from the
library; `load()` checks PARLEY_API_VERSION against `parley_api_version()` as sqlite3 bindings do.
Every status-returning call goes through one `check()` that raises with `parley_last_error()`.
"""

from __future__ import annotations

import os
import re
import threading
from importlib.util import find_spec
from pathlib import Path

import cffi

_lock = threading.Lock()
_loaded: Library | None = None


class ParleyCallError(RuntimeError):
    """A libparley call returned a negative status."""

    def __init__(self, status: int, name: str, detail: str):
        super().__init__(f"{name}: {name_of_status(status)} ({status}): {detail}")
        self.status = status
        self.detail = detail


_STATUS_NAMES: dict[int, str] = {}


def name_of_status(status: int) -> str:
    return _STATUS_NAMES.get(status, "unknown status")


def package_dir() -> Path:
    spec = find_spec("parley")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the parley package is not installed: run scripts/setup.sh")
    return Path(next(iter(spec.submodule_search_locations)))


def library_path() -> Path:
    """libparley as installed next to the `parley` package; PARLEY_LIBRARY overrides it."""
    override = os.environ.get("PARLEY_LIBRARY")
    return Path(override) if override else package_dir() / "libparley.so"


def header_path() -> Path:
    return package_dir() / "include" / "parley.h"


def cdef_from_header(text: str) -> str:
    """Turn parley.h into declarations cffi can parse: no comments, preprocessor, export macro or
    `extern "C"` braces."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    # Integer #defines (PARLEY_API_VERSION) are kept: cffi turns them into constants.
    lines = [line for line in text.splitlines()
             if not line.lstrip().startswith("#") or re.match(r"#define PARLEY_\w+ \d+\s*$", line)]
    text = "\n".join(lines).replace('extern "C" {', "").replace("PARLEY_API ", "")
    body, _, tail = text.rpartition("}")  # the brace that closed extern "C"
    if tail.strip():
        raise ValueError("parley.h: unexpected text after the extern \"C\" block")
    return body


class Library:
    """libparley loaded through cffi: `lib` for raw calls, `ffi` for buffers, `check` for status."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path or library_path())
        if not self.path.is_file():
            raise ImportError(f"libparley not found at {self.path}: run scripts/setup.sh (or set PARLEY_LIBRARY)")
        self.ffi = cffi.FFI()
        self.ffi.cdef(cdef_from_header(header_path().read_text(encoding="utf-8")))
        self.lib = self.ffi.dlopen(str(self.path))
        version, expected = self.lib.parley_api_version(), self.lib.PARLEY_API_VERSION
        if version != expected:
            raise ImportError(f"libparley at {self.path} implements API {version}, its header says {expected}: reinstall parley")
        for name in dir(self.lib):
            if name.startswith("PARLEY_ERROR_") or name == "PARLEY_OK":
                _STATUS_NAMES[int(getattr(self.lib, name))] = name

    def last_error(self) -> str:
        return self.ffi.string(self.lib.parley_last_error()).decode("utf-8", "replace")

    def check(self, status: int, name: str) -> int:
        if status < 0:
            raise ParleyCallError(status, name, self.last_error())
        return status


def load(path: Path | None = None) -> Library:
    """The process-wide binding (libparley keeps one runtime per process)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = Library(path)
        return _loaded
