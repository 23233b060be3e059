"""``.env.example`` names every setting the app reads, and what it sets parses."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_the_env_example_filled_in_is_valid(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text()
    filled = text.replace("SIIT_API_TOKEN=\n", "SIIT_API_TOKEN=token\n").replace(
        "SIIT_SERVICES=\n", "SIIT_SERVICES=wa_1\n"
    )
    (tmp_path / ".env").write_text(filled)
    settings = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    assert settings.siit_services == ("wa_1",) and settings.slack_bot_token.get_secret_value().startswith("xoxb-")
