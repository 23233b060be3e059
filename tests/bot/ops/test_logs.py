from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.ops.logs import GATED_ON_OWN_LEVEL, configure_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    for name in (*GATED_ON_OWN_LEVEL, "httpx", "httpcore", "slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.mark.parametrize("level", ["WARNING", "INFO", "DEBUG", "WARNING"])
def test_the_loggers_libraries_gate_on_their_own_level_get_the_level_that_applies(level: str) -> None:
    """slack_sdk builds a DEBUG line whenever its logger's own level is unset (``level <= DEBUG``)."""
    configure_logging("DEBUG", secrets=())
    configure_logging(level, secrets=())
    for name in GATED_ON_OWN_LEVEL:
        logger = logging.getLogger(name)
        assert logger.level == logger.getEffectiveLevel()
        assert (logger.level <= logging.DEBUG) == (level == "DEBUG")
