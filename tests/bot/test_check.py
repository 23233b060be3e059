from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"SLACK_BOT_TOKEN": "xoxb-check-token", "SLACK_SIGNING_SECRET": "check-secret"}


def run_check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SIIT_", "SUPTASK_", "TICKET_", "FORMS"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        env={**clean, "PYTHONPATH": str(ROOT), **BASE_ENV, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_prints_forms_fields_and_routes(tmp_path: Path) -> None:
    (tmp_path / "forms.yml").write_text((ROOT / "forms.example.yml").read_text())
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 0, result.stderr
    assert "form 96d140f8-bd0f-4b46-a115-c19e090bb79c 'IT help' (C076K6Y74L1), 3 fields" in result.stdout
    assert "field 9682a666-b6b2-4f5e-833d-cb4430799317 'Business impact': select required" in result.stdout
    assert "C0HRHRHR1 -> 0b6c3c8e-4f1e-4c1b-9a43-2b7d1e4f5a10" in result.stdout


def test_check_fails_on_a_bad_forms_file(tmp_path: Path) -> None:
    (tmp_path / "forms.yml").write_text("forms: [{form_id: a, name: A, fields: [{field_id: x, label: X, type: nope}]}]")
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 1
    assert "forms.yml: forms[0].fields[0].type: 'nope' is not one of" in result.stderr


def test_check_fails_when_suptask_forms_have_no_channels(tmp_path: Path) -> None:
    (tmp_path / "forms.yml").write_text("forms: [{form_id: a, name: A}]")
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 1
    assert "forms[0].channels" in result.stderr


def test_check_fails_without_a_forms_file_for_suptask(tmp_path: Path) -> None:
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 1
    assert "FORMS_FILE" in result.stderr
