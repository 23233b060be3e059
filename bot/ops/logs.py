"""Logging for the served app: one format for the app's, uvicorn's and the libraries' lines,
and a filter on the handler that takes secrets and personal data out of every line, whichever
logger wrote it (tokens and e-mail addresses in a library's DEBUG dump, ``?secret=`` in an
access-log line). ``LOG_FORMAT=json`` writes one JSON object per line, with the values a call
passes as ``extra=`` (``ticket_id``, ``outbox_id``, ...) as fields of their own."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
QUERY_SECRET = re.compile(r"([?&](?:secret|token|api_key|apikey)=)[^&\s\"']*", re.IGNORECASE)
SLACK_TOKEN = re.compile(r"\bx(?:ox[abposr]|app)-[\w-]+")
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is hidden whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = QUERY_SECRET.sub(r"\1***", text)
        text = SLACK_TOKEN.sub("xox*-***", text)
        return EMAIL.sub("<email>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message:
            record.msg, record.args = redacted, None
        for name, value in fields(record).items():
            if isinstance(value, str):
                setattr(record, name, self.redact(value))
        return True


def fields(record: logging.LogRecord) -> dict[str, object]:
    """What the call passed as ``extra=``."""
    return {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES and not k.startswith("_")}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(level: str, *, secrets: Iterable[str], json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(FORMAT))
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    if logging.getLevelName(level) > logging.DEBUG:
        # One line per request to a helpdesk or Slack is noise at INFO; failures are logged by us.
        for noisy in ("httpx", "httpcore", "slack_sdk", "slack_bolt"):
            logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for gated in GATED_ON_OWN_LEVEL:
        logger = logging.getLogger(gated)
        logger.setLevel(logging.NOTSET)  # what it inherits now, not what an earlier call set
        logger.setLevel(logger.getEffectiveLevel())


GATED_ON_OWN_LEVEL = ("slack_sdk.web.async_base_client", "slack_bolt.AsyncApp")
"""Loggers whose library decides whether to build a DEBUG line from the logger's own level
(``logger.level <= DEBUG``), true while it is unset, whatever the effective level: every Web API
call formatted its whole request (a modal included) for nothing, 9 % of the app's CPU per slash
command (py-spy, bench/). Each gets its effective level set on itself."""
