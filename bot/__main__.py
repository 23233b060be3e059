"""``python -m bot`` serves the app; ``python -m bot check`` validates the configuration."""

from __future__ import annotations

import logging
import sys

import uvicorn

from bot.bootstrap import create_app
from bot.check import check
from bot.config import SettingsError, load_settings
from bot.forms_file import FormsFileError


def main(argv: list[str]) -> int:
    if argv[1:2] == ["check"]:
        return check(print)
    if argv[1:]:
        print("usage: python -m bot [check]", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        app = create_app(settings)
    except (SettingsError, FormsFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=level.lower())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
