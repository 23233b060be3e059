"""HTTP plumbing shared by the backends: bounded retries with backoff, error reasons."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.domain.filing import CREATE_GUARD, BackendError, BackendUnavailable

log = logging.getLogger(__name__)


NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before the request left: it cannot have taken effect."""


async def guard_create() -> None:
    """Call right before a create leaves (after any wait for a rate-limit slot)."""
    guard = CREATE_GUARD.get()
    if guard is not None and not await guard():
        raise BackendUnavailable("another worker took this ticket over before it was sent; not sent")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 10.0
    """Longest rate-limit wait worth doing while a person is waiting."""


async def send_with_retry(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    policy: RetryPolicy,
    service: str,
    reset_headers: Iterable[str] = ("Retry-After",),
    idempotent: bool = True,
) -> httpx.Response:
    """Send until a non-retryable answer; 5xx, 429 and transport errors are retried with
    exponential backoff and jitter. Raises ``BackendUnavailable`` when attempts run out and
    ``BackendError`` with the helpdesk's reason on any other 4xx.

    A request that is not ``idempotent`` (a create) is retried here only when it surely did not
    take effect (429, no connection); after a 5xx, a timeout or a dropped connection it raises
    ``BackendUnavailable(maybe_done=True)`` so the caller can look before sending it again."""
    reset_headers = tuple(reset_headers)
    for attempt in range(1, policy.attempts + 1):
        delay = policy.backoff_seconds * 2 ** (attempt - 1) * (0.5 + random.random() / 2)
        retry_after: float | None = None
        maybe_done = False
        try:
            response = await send()
        except httpx.TransportError as exc:
            problem = f"{service} did not answer ({type(exc).__name__})"
            maybe_done = not isinstance(exc, NOT_SENT)
        else:
            if response.status_code < 400:
                return response
            if response.status_code == 429:
                problem = f"{service} is rate limiting us"
                retry_after = reset_delay(response.headers, reset_headers)
                delay = max(delay, retry_after or 0.0)
            elif response.status_code >= 500:
                problem = f"{service} answered {response.status_code}"
                maybe_done = True
            else:
                raise BackendError(error_reason(response), status=response.status_code)
        if attempt == policy.attempts or delay > policy.max_wait_seconds or (maybe_done and not idempotent):
            raise BackendUnavailable(problem + ".", retry_after=retry_after, maybe_done=maybe_done)
        log.info("%s; attempt %d of %d, retrying in %.2fs", problem, attempt, policy.attempts, delay)
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def reset_delay(headers: httpx.Headers, names: Iterable[str]) -> float | None:
    """Seconds to wait from a reset header: a delay in seconds or a Unix time."""
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            continue
        if value > 1_000_000_000:
            value -= time.time()
        return max(value, 0.0)
    return None


def error_reason(response: httpx.Response) -> str:
    """The helpdesk's own words for a refusal, whatever shape its error body has."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    reason = _reason(body)
    if reason:
        return reason[:500]
    text = response.text.strip()
    if text and len(text) < 300 and "<" not in text:
        return text
    return f"{response.status_code} {response.reason_phrase}".strip()


def _reason(body: Any) -> str | None:
    if isinstance(body, str):
        return body.strip() or None
    if isinstance(body, list):
        parts = [p for p in (_reason(item) for item in body) if p]
        return "; ".join(parts) or None
    if not isinstance(body, dict):
        return None
    for key in ("message", "error_description", "error", "detail", "errors", "result"):
        if key in body:
            found = _reason(body[key])
            if found:
                return found
    parts = [f"{k}: {r}" for k, v in body.items() if isinstance(k, str) and (r := _reason(v))]
    return "; ".join(parts) or None
