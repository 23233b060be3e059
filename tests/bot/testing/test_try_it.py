"""``python -m bot.testing``: a newcomer with no workspace and no helpdesk account starts the
fakes, starts the app with the settings they print, and watches a ticket get filed."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.testing.servers import wait_until
from tests.fakes.bot_process import ROOT, free_port


@pytest.mark.parametrize("suptask", [False, True])
def test_the_fakes_file_a_ticket_through_the_real_app(tmp_path: Path, suptask: bool) -> None:
    args = ["--suptask", str(ROOT / "forms.example.yml")] if suptask else []
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SIIT_", "SUPTASK_", "TICKET_"))}
    output = tmp_path / "fakes.out"
    with output.open("w") as sink:
        fakes = subprocess.Popen(
            [sys.executable, "-m", "bot.testing", "--wait", "60", *args],
            cwd=ROOT,
            env={**clean, "PYTHONPATH": str(ROOT)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    app = None
    try:
        wait_until(lambda: "python -m bot" in output.read_text(), timeout=20, what="the settings to print")
        line = next(x for x in output.read_text().splitlines() if x.strip().endswith("python -m bot"))
        settings = dict(word.split("=", 1) for word in shlex.split(line)[:-3])
        app_env = {**clean, "PYTHONPATH": str(ROOT), **settings, "PORT": str(free_port())}
        app_env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'app.db'}"
        app = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=app_env, stdout=subprocess.DEVNULL)
        assert fakes.wait(timeout=60) == 0, output.read_text()
    finally:
        for process in (fakes, app):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
    printed = output.read_text()
    assert "The helpdesk received" in printed and "Printer on floor 3 jams" in printed
    assert "Slack received the ticket message" in printed
