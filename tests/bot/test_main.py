from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bot(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SIIT_", "TICKET_", "SUPTASK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_SIGNING_SECRET": "s3cret"}, "SIIT_API_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-secret-value", "SLACK_SIGNING_SECRET": "s3cret", "SIIT_API_TOKEN": "siit-secret"},
            "SIIT_SERVICES",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-secret-value",
                "SLACK_SIGNING_SECRET": "s3cret",
                "SIIT_API_TOKEN": "siit-secret",
                "SIIT_SERVICES": "wa_1",
                "PORT": "not-a-port",
            },
            "PORT",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-secret-value",
                "SLACK_SIGNING_SECRET": "s3cret",
                "SIIT_API_TOKEN": "siit-secret",
                "SIIT_SERVICES": "wa_1",
                "LOG_LEVEL": "verbose",
            },
            "LOG_LEVEL",
        ),
        *[
            (
                {
                    "SLACK_BOT_TOKEN": "xoxb-secret-value",
                    "SLACK_SIGNING_SECRET": "s3cret",
                    "SIIT_API_TOKEN": "siit-secret",
                    "TICKET_BACKEND": "suptask",
                    "SUPTASK_API_TOKEN": "siit-secret",
                    "SUPTASK_WEBHOOK_SECRET": weak,  # set but empty would open the webhook to anyone
                },
                "SUPTASK_WEBHOOK_SECRET",
            )
            for weak in ("", "   ", "short")
        ],
        *[
            (
                {
                    "SLACK_BOT_TOKEN": "xoxb-secret-value",
                    "SLACK_SIGNING_SECRET": "s3cret",
                    "SIIT_API_TOKEN": "siit-secret",
                    "SIIT_SERVICES": "wa_1",
                    "DATABASE_URL": url,
                },
                "DATABASE_URL",
            )
            for url in (
                "mysql://bot:s3cret@127.0.0.1/db",
                "postgresql://bot:s3cret@127.0.0.1:notaport/db",
                "postgresql://bot:s3cret@127.0.0.1:99999/db",
                "not a url",
            )
        ],
    ],
)
def test_bad_settings_exit_with_one_line_naming_the_setting(env: dict[str, str], named: str, tmp_path: Path) -> None:
    result = run_bot(env, tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    for secret in ("xoxb-secret-value", "s3cret", "siit-secret"):
        assert secret not in result.stderr + result.stdout
