"""JSON request bodies for Slack's Web API, encoded by orjson.

A ``views.open`` body carries the whole modal (about 7 KB); the standard library's encoder took
about 70 µs of it, near a tenth of a ``/ticket``'s CPU under load (py-spy, bench/). orjson
takes about 5 µs. What orjson refuses (keys that are not strings, integers beyond 64 bits) goes
to the standard encoder, so nothing Slack would have received before is refused now. (A float
that is not a number is not JSON either way: the standard encoder wrote ``NaN``, orjson writes
``null``.)"""

from __future__ import annotations

import json
from typing import Any

import orjson


def json_text(value: Any) -> str:
    """``json.dumps(value)``'s meaning, faster: given to aiohttp as the session's encoder."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)
