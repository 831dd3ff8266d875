"""The seed scenario (persona, player line, opener, narrative), read once from scenario.json for
every benchmark module."""

import json
from pathlib import Path

SCENARIO = json.loads((Path(__file__).resolve().parent / "scenario.json").read_text())
