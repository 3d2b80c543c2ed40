"""The `autopilot` command line as a user meets it: exit codes, files written, one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_chart_for_a_catalog_app_writes_a_valid_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "chart", "nginx", "--out", str(tmp_path), "--yes")
    assert code == 0, out + err
    chart = tmp_path / "nginx"
    assert (chart / "Chart.yaml").is_file()
    assert (chart / "values.schema.json").is_file()
    assert (chart / "templates" / "deployment.yaml").is_file()
    assert "valid" in out and "error" not in out


def test_chart_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "keep.txt").write_text("mine")
    code, _, err = run(capsys, "chart", "nginx", "--out", str(tmp_path), "--yes")
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert (tmp_path / "nginx" / "keep.txt").read_text() == "mine"


def test_chart_without_tty_lists_open_questions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chart", "a flask app", "--out", str(tmp_path), "--yes")
    assert code == 1
    assert "image:" in out and "--set" in out
    assert not any(tmp_path.iterdir())


def test_answering_with_set_completes_the_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "chart", "a flask app", "--set", "image=ghcr.io/acme/api:2.0", "--out", str(tmp_path), "--yes"
    )
    assert code == 0, out + err
    chart_yaml = yaml.safe_load(next(tmp_path.glob("*/Chart.yaml")).read_text())
    assert chart_yaml["appVersion"] == "2.0"


def test_plan_prints_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "redis", "--set", "replicas=1")
    assert code == 0
    plan = yaml.safe_load(out)
    assert plan["name"] == "redis" and plan["image"]["repository"].endswith("redis")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "nginx", "--set", "replicas=many"], "replicas"),
        (["plan", "nginx", "--set", "nosuchkey=1"], "nosuchkey"),
        (["validate", "/nonexistent/chart"], "is not a directory"),
        (["validate", str(FIXTURES), "--kube-version", "1.x"], "has no Chart.yaml"),
        (["validate", str(FIXTURES / "charts" / "good"), "--kube-version", "one.two"], "not a version"),
        (["fix", str(FIXTURES / "charts" / "good"), "--max-attempts", "0"], "at least 1"),
        (
            ["validate", str(FIXTURES / "charts" / "good"), "--kube-version", "1.24"],
            "older than every schema",
        ),
        (["fix", str(FIXTURES / "charts" / "good"), "--kube-version", "1.99"], "newer than the schemas"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_validate_a_good_chart_passes_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    good = str(FIXTURES / "charts" / "good")
    for fmt in ("text", "json", "github"):
        code, out, _ = run(capsys, "validate", good, "--format", fmt)
        assert code == 0, out
        assert "::error" not in out


def test_validate_a_broken_chart_names_file_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "validate", str(FIXTURES / "charts" / "mistakes" / "removed-api"), "--format", "github"
    )
    assert code == 1
    assert "::error file=" in out and ",line=" in out


def test_policy_flag_judges_a_node_agent_by_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    agent = str(FIXTURES / "wild" / "node-agent")
    code, out, _ = run(capsys, "validate", agent, "--kube-version", "1.33")
    assert code == 1 and "security/run-as-non-root" in out
    code, out, _ = run(capsys, "validate", agent, "--kube-version", "1.33", "--policy", "baseline")
    assert code == 0, out
    assert "(allowed by policy baseline)" in out


def test_fix_on_a_chart_with_no_error_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agent = shutil.copytree(FIXTURES / "wild" / "node-agent", tmp_path / "agent")
    before = {p: p.read_bytes() for p in agent.rglob("*") if p.is_file()}
    code, out, _ = run(capsys, "fix", str(agent), "--kube-version", "1.33", "--policy", "baseline")
    assert code == 0 and out.startswith("no changes")
    assert {p: p.read_bytes() for p in agent.rglob("*") if p.is_file()} == before


def test_fix_heals_a_chart_in_place_and_prints_the_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "shop"
    shutil.copytree(FIXTURES / "heal" / "shop", chart)
    for overlay in (FIXTURES / "heal" / "broken" / "types-quoted-port").rglob("*"):
        if overlay.is_file():
            target = chart / overlay.relative_to(FIXTURES / "heal" / "broken" / "types-quoted-port")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(overlay, target)
    code, out, err = run(capsys, "validate", str(chart))
    assert code == 1, "the overlay must break the chart"
    code, out, err = run(capsys, "fix", str(chart))
    assert code == 0, out + err
    assert out.startswith("---") or "\n---" in out or "@@" in out
    assert "healed" in out
    code, _, _ = run(capsys, "validate", str(chart))
    assert code == 0


def test_console_script_reports_bad_subcommand_without_traceback() -> None:
    script = Path(sys.executable).with_name("autopilot")
    done = subprocess.run([str(script), "frobnicate"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "invalid choice" in done.stderr and "Traceback" not in done.stderr


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    listed = capsys.readouterr().out
    for command in ("chart", "plan", "validate", "fix", "serve", "action", "worker", "db"):
        assert f"    {command} " in listed, command


def test_db_upgrade_against_an_unreachable_server_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOPILOT_DATABASE_URL", "postgresql://autopilot@127.0.0.1:1/none")
    code, _, err = run(capsys, "db", "upgrade")
    assert code == 2
    assert err.startswith("autopilot db upgrade: cannot connect to PostgreSQL") and "Traceback" not in err


def test_plan_lists_what_it_does_not_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "nginx with 3 replicas and KEDA scaling on queue length")
    assert code == 0
    assert '# Not done from your request:\n#   - "KEDA scaling on queue length": not understood\n' in out
    assert yaml.safe_load(out)["replicas"] == 3  # the plan YAML still parses: the list is comments


def test_plan_with_questions_still_lists_what_it_does_not_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "a flask app with a sidecar that tails logs")
    assert code == 1
    assert "# - image:" in out and '"sidecar that tails logs": not understood' in out


def test_chart_lists_what_it_does_not_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = "a worker that consumes from rabbitmq, image ghcr.io/acme/worker:2.3, no service, KEDA on queue length"
    code, out, err = run(capsys, "chart", request, "--out", str(tmp_path), "--yes")
    assert code == 0, out + err
    assert 'Not done from your request:\n  - "KEDA on queue length": not understood' in out
    values = yaml.safe_load((tmp_path / "worker" / "values.yaml").read_text())
    assert values["ports"] == [] and values["terminationGracePeriodSeconds"] == 60


def test_chart_with_open_questions_lists_what_it_does_not_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "chart", "a flask app with a sidecar that tails logs", "--out", str(tmp_path), "--yes"
    )
    assert code == 1
    assert "image:" in out and '"sidecar that tails logs": not understood' in out
