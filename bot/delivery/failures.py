"""Which failures pass (retried later) and which do not (parked, the person told once)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError


class TransientFailure(Exception):
    """Raised by a delivery listener for a failure that may pass (Slack unreachable or rate
    limiting): the step is retried later."""


def is_transient(exc: BaseException) -> bool:
    """Timeouts, lost connections and a busy or unreachable database pass; bad data does not."""
    if isinstance(exc, TransientFailure | OperationalError | TimeoutError | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


class NotYet(Exception):
    """Raised by a delivery listener that must wait its turn (Slack's pace per channel): the
    step is handed back untouched, due again in ``seconds``, and no attempt is counted."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"not before {seconds:.1f}s from now")
        self.seconds = seconds
