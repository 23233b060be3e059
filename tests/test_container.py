"""The container files, read as Docker would (no Docker daemon here to build them): the image
installs as CI does, runs as a non-root user, checks ``/healthz`` and stops with SIGTERM; compose
wires the app to PostgreSQL 16 with a volume."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_is_slim_non_root_and_healthchecked() -> None:
    steps = instructions()
    assert re.fullmatch(r"python:3\.1[1-9]-slim", steps[0][1])
    users = [arg for name, arg in steps if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    (healthcheck,) = [arg for name, arg in steps if name == "HEALTHCHECK"]
    assert "/healthz" in healthcheck and "--interval" in healthcheck
    assert ("STOPSIGNAL", "SIGTERM") in steps
    assert [arg for name, arg in steps if name == "CMD"][-1] == '["python", "-m", "bot"]'


def test_the_image_installs_as_ci_does() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -e '.[test]'" in ci  # CI: editable, with the test extras
    runs = " ".join(arg for name, arg in instructions() if name == "RUN")
    assert "pip install -e ." in runs  # the image: editable, without them
    copied = [shlex.split(arg)[0] for name, arg in instructions() if name == "COPY"]
    for needed in ("pyproject.toml", "bot", "manifests"):
        assert needed in copied
        assert (ROOT / needed).exists()


def test_compose_runs_the_app_on_postgres_16_with_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["build"] == "." and app["env_file"] == ".env"
    url = app["environment"]["DATABASE_URL"]
    user, password, database = (
        db["environment"]["POSTGRES_USER"],
        db["environment"]["POSTGRES_PASSWORD"],
        db["environment"]["POSTGRES_DB"],
    )
    assert url == f"postgresql://{user}:{password}@db:5432/{database}"
    assert db["image"] == "postgres:16"
    assert any(v.startswith("db-data:/var/lib/postgresql/data") for v in db["volumes"])
    assert "db-data" in compose["volumes"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_procfile_is_kept() -> None:
    assert (ROOT / "Procfile").read_text().strip() == "web: python -m bot"
