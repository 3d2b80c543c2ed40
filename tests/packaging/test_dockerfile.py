"""The server image: lint-clean, multi-stage, non-root, health-checked, and Helm verified by checksum."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.packaging.dockerfile_rules import arg_defaults, dockerfile_problems, instructions
from tests.packaging.tools import REPO_ROOT, VENV_BIN, hadolint

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
UNSAFE = (REPO_ROOT / "tests/fixtures/packaging/Dockerfile.unsafe").read_text(encoding="utf-8")


def final_stage(kind: str) -> list[str]:
    found = instructions(DOCKERFILE)
    last = max(i.stage for i in found)
    return [i.value for i in found if i.stage == last and i.instruction == kind]


class TestLint:
    def test_dockerfile_passes_hadolint(self) -> None:
        result = hadolint(DOCKERFILE)
        assert result.returncode == 0, result.output

    def test_hadolint_rejects_the_unsafe_fixture(self) -> None:
        result = hadolint(UNSAFE)
        assert result.returncode != 0
        assert "DL3006" in result.output  # untagged base image
        assert "DL3064" in result.output  # a secret in ENV


class TestImageContract:
    def test_dockerfile_keeps_every_property(self) -> None:
        assert dockerfile_problems(DOCKERFILE) == []

    def test_unsafe_fixture_breaks_every_property(self) -> None:
        problems = "\n".join(dockerfile_problems(UNSAFE))
        for expected in (
            "1 build stage(s)",
            "base image 'python' is not pinned",
            "no USER",
            "no HEALTHCHECK",
            "ENV AUTOPILOT_WEBHOOK_SECRET bakes a secret",
            "ADD 'https://get.helm.sh",
            "RUN downloads without a sha256sum check",
        ):
            assert expected in problems

    def test_runtime_runs_as_uid_10001(self) -> None:
        assert final_stage("USER") == ["10001:10001"]
        (create_user,) = [v for v in final_stage("RUN") if "useradd" in v]
        assert "--uid 10001" in create_user

    def test_runtime_serves_on_8080_with_a_python_health_check(self) -> None:
        assert final_stage("EXPOSE") == ["8080"]
        assert json.loads(final_stage("ENTRYPOINT")[0]) == ["autopilot"]
        assert json.loads(final_stage("CMD")[0]) == ["serve", "--host", "0.0.0.0", "--port", "8080"]
        (check,) = final_stage("HEALTHCHECK")
        assert "python" in check and "http://127.0.0.1:8080/healthz" in check
        assert "curl" not in check

    def test_data_dir_is_a_volume_the_settings_point_at(self) -> None:
        (env,) = final_stage("ENV")
        assert "AUTOPILOT_DATA_DIR=/var/lib/autopilot" in env
        assert json.loads(final_stage("VOLUME")[0]) == ["/var/lib/autopilot"]

    def test_runtime_has_git_for_the_bot(self) -> None:
        assert any("apt-get install" in v and " git " in f" {v} " for v in final_stage("RUN"))

    def test_helm_version_is_pinned_and_its_checksum_has_no_default(self) -> None:
        args = arg_defaults(DOCKERFILE)
        assert args["HELM_VERSION"] is not None and args["HELM_VERSION"].count(".") == 2
        assert args["HELM_VERSION"].startswith("v")
        assert args["HELM_SHA256"] is None  # unknown offline: the build must be given it


class TestBuildContext:
    def test_dockerignore_lets_through_exactly_what_the_build_copies(self) -> None:
        ignore = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
        assert ignore[ignore.index("*") if "*" in ignore else -1] == "*", "start from deny-all"
        copied = set()
        for ins in instructions(DOCKERFILE):
            if ins.instruction == "COPY" and "--from=" not in ins.value:
                copied.update(ins.value.split()[:-1])
        assert copied == allowed
        for source in copied:
            assert (REPO_ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def helm_download_script() -> str:
    (script,) = [
        i.value for i in instructions(DOCKERFILE) if i.instruction == "RUN" and "HELM_SHA256" in i.value
    ]
    return script


def fake_helm_release(directory: Path, version: str) -> tuple[Path, str]:
    """A release tarball laid out like get.helm.sh's, holding a `helm` that prints its version."""
    body = f"#!/bin/sh\necho {version}+gfake\n".encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("linux-amd64/helm")
        info.size, info.mode = len(body), 0o755
        tar.addfile(info, io.BytesIO(body))
    tarball = directory / f"helm-{version}-linux-amd64.tar.gz"
    tarball.write_bytes(buffer.getvalue())
    return tarball, hashlib.sha256(tarball.read_bytes()).hexdigest()


def run_helm_download(tmp_path: Path, sha256: str) -> subprocess.CompletedProcess[str]:
    """The Dockerfile's Helm RUN step as the builder runs it, with a local mirror and a temp install dir."""
    workdir, bindir = tmp_path / "work", tmp_path / "bin"
    workdir.mkdir()
    bindir.mkdir()
    script = helm_download_script().replace("/usr/local/bin/helm", str(bindir / "helm"))
    env = {
        "PATH": f"{VENV_BIN}:/usr/bin:/bin",
        "HELM_VERSION": "v4.2.3",
        "HELM_SHA256": sha256,
        "HELM_MIRROR": (tmp_path / "mirror").as_uri(),
        "TARGETARCH": "amd64",
    }
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


class TestHelmDownload:
    @pytest.fixture
    def mirror_sha256(self, tmp_path: Path) -> str:
        (tmp_path / "mirror").mkdir()
        _, sha256 = fake_helm_release(tmp_path / "mirror", "v4.2.3")
        return sha256

    def test_verified_release_is_installed(self, tmp_path: Path, mirror_sha256: str) -> None:
        result = run_helm_download(tmp_path, mirror_sha256)
        assert result.returncode == 0, result.stderr
        assert "v4.2.3+gfake" in result.stdout
        assert os.access(tmp_path / "bin/helm", os.X_OK)

    def test_wrong_checksum_fails_the_build_and_installs_nothing(
        self, tmp_path: Path, mirror_sha256: str
    ) -> None:
        result = run_helm_download(tmp_path, "0" * 64)
        assert result.returncode != 0
        assert "FAILED" in result.stdout + result.stderr
        assert not (tmp_path / "bin/helm").exists()

    def test_missing_checksum_fails_before_downloading(self, tmp_path: Path, mirror_sha256: str) -> None:
        result = run_helm_download(tmp_path, "")
        assert result.returncode == 1
        assert "HELM_SHA256 is not set" in result.stderr
        assert "helm-v4.2.3-linux-amd64.tar.gz.sha256sum" in result.stderr
        assert not (tmp_path / "work/helm.tar.gz").exists()
