"""JSON text exactly as ``json.dumps(data, ensure_ascii=False, indent=2)`` writes it, faster.

Python 3.11 writes indented JSON in pure Python (its C encoder cannot indent): for a result
document that is more than any other step of ``kinerja evaluate --format json`` after the
consultation. Here Python's C encoder writes the compact text and msgspec indents it, copying
every token (numbers, strings with their escapes) as written, so the text is the same byte for
byte. What msgspec cannot indent — NaN and Infinity, which are not JSON, or a lone surrogate —
goes the pure-Python way.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

__all__ = ["dumps"]


def dumps(data: Any) -> str:
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return msgspec.json.format(compact, indent=2)
    except ValueError:  # msgspec.DecodeError; UnicodeEncodeError (a lone surrogate)
        return json.dumps(data, ensure_ascii=False, indent=2)
