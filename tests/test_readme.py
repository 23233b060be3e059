"""The README is what a newcomer follows: CI runs its test command, its steps come in the order
a newcomer acts, and what it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def code_after(heading: str) -> str:
    start = README.index(heading)
    match = re.search(r"```sh\n(.*?)```", README[start:], flags=re.DOTALL)
    assert match, f"no command after {heading!r}"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    command = code_after("**5. Test**")
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_the_setup_steps_come_in_the_order_a_newcomer_acts() -> None:
    steps = ["## Set it up", "**0. Get it.**", "**1. Create the Slack app", "**2. Get the helpdesk", "**3. Configure"]
    steps += ["**4. Run.**", "**5. Test**", "## Ways in", "## Settings", "## Operating it"]
    positions = [README.index(step) for step in steps]
    assert positions == sorted(positions)


def test_the_files_the_readme_links_exist() -> None:
    linked = re.findall(r"\]\(((?!https?:)[^)#]+)\)", README)
    assert linked
    missing = [path for path in linked if not (ROOT / path).exists()]
    assert missing == []


def test_the_commands_the_readme_gives_exist() -> None:
    main = (ROOT / "bot" / "__main__.py").read_text()
    for command in set(re.findall(r"python -m bot (\w+)", README)):
        assert f'["{command}"]' in main, f"python -m bot {command} is not a command"
