"""A body over the limit is refused before it is read: 60 MB streamed at the real process, with
and without ``Content-Length``, gets 413 and the process's memory stays where it was."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.conftest import WEBHOOK_SECRET
from tests.fakes.bot_process import BotProcess

CHUNK = b"x" * 65536
TOTAL = 60 * 1024 * 1024


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def stream(port: int, path: str, *, declared: bool) -> bytes:
    """Send up to 60 MB as fast as the server takes it; the server's answer, once it gives one."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        length = f"Content-Length: {TOTAL}\r\n" if declared else "Transfer-Encoding: chunked\r\n"
        head = f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{length}\r\n"
        sock.sendall(head.encode())
        sock.settimeout(0.2)
        answer = b""
        sent = 0
        while sent < TOTAL and not answer:
            try:
                answer = sock.recv(65536)
                break
            except TimeoutError:
                pass
            try:
                sock.sendall(CHUNK if declared else b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(CHUNK)
        sock.settimeout(5)
        while not answer:
            try:
                answer = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
        return answer


@pytest.mark.parametrize("path", ["/slack/events", "/webhooks/suptask?secret=" + WEBHOOK_SECRET])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_body_is_refused_without_being_buffered(
    suptask_process_env: dict[str, str], tmp_path: Path, path: str, declared: bool
) -> None:
    process = BotProcess(suptask_process_env, tmp_path)
    try:
        time.sleep(0.5)
        before = rss_kib(process.process.pid)
        answer = stream(process.port, path, declared=declared)
        after = rss_kib(process.process.pid)
    finally:
        process.stop()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert after - before < 16 * 1024, f"RSS grew by {(after - before) // 1024} MiB"
