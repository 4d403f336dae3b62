"""The deployment files: the compose file parses and speaks the settings' language."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKER_ONLY = {"MIGRATE_ON_START"}  # read by the image's start command, not by the app
# Read from the environment by the S3 client of the file store (obstore), not by the settings.
STORE_ONLY = {
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "AWS_ALLOW_HTTP",
}


def test_compose_names_only_variables_the_settings_read() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"postgres", "meilisearch", "api", "worker", "minio"} <= set(compose["services"])
    assert compose["services"]["meilisearch"]["image"] == "getmeili/meilisearch:v1.21"
    known = {name.upper() for name in Settings.model_fields}
    env = set(compose["services"]["api"]["environment"])
    assert env - DOCKER_ONLY - STORE_ONLY <= known, env - DOCKER_ONLY - STORE_ONLY - known
    assert {"DATABASE_URL", "MEILI_URL", "MEILI_MASTER_KEY", "FILES_URL"} <= env
    # The worker runs the same image on the same settings.
    worker = compose["services"]["worker"]
    assert worker["command"] == ["migrantkb", "worker"]
    assert set(worker["environment"]) == env
    assert compose["services"]["minio"]["image"].startswith("minio/minio")
    assert set(compose["volumes"]) == {"pgdata", "meili", "minio"}


def test_dockerfile_runs_unprivileged_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and "USER 10001:10001" in text and "HEALTHCHECK" in text
    assert "MIGRATE_ON_START=0" in text and "exec migrantkb serve" in text
