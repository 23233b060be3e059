"""``.env.example`` names every setting the app reads, and what it sets parses."""

from __future__ import annotations

import re
from pathlib import Path

from bot.backends.helpdesks import HELPDESKS
from bot.config.settings import Settings
from bot.ops.settings_loading import load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    names = {name.upper() for name in Settings.model_fields}
    for helpdesk in HELPDESKS.values():  # each helpdesk's own settings, with its prefix
        prefix = str(helpdesk.settings.model_config.get("env_prefix", ""))
        names |= {prefix + name.upper() for name in helpdesk.settings.model_fields}
    assert listed == names


def test_the_env_example_filled_in_is_valid(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text()
    filled = text.replace("SIIT_API_TOKEN=\n", "SIIT_API_TOKEN=token\n").replace(
        "SIIT_SERVICES=\n", "SIIT_SERVICES=wa_1\n"
    )
    (tmp_path / ".env").write_text(filled)
    settings = load_settings(_env_file=tmp_path / ".env")
    assert settings.helpdesk.services == ("wa_1",)  # type: ignore[attr-defined]
    assert settings.slack_bot_token.get_secret_value().startswith("xoxb-")
