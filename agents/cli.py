"""The engine's command line: `autopilot chart | plan | validate | fix`.

Every user mistake ends in one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import yaml

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from agents.llm import ModelCallBudget

EXIT_OK = 0
EXIT_FINDINGS = 1  # the command ran, and the chart has errors (or questions stayed open)
EXIT_USAGE = 2  # the user's input could not be used
MODEL_CALLS_PER_CHART = 2  # with AUTOPILOT_LLM: one to read the request, one for a heal round
MODEL_CALLS_PER_FIX = 1


SET_HELP = (
    "answer a planner question or override the plan, e.g. --set image=ghcr.io/acme/api:2.0 (repeatable)"
)
KUBE_VERSION_HELP = (
    "Kubernetes version to validate against, e.g. 1.33 (repeatable; default: the three newest)"
)


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code attached."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def add_engine_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register chart/plan/validate/fix on a subparser set (shared by the bot's CLI)."""
    chart = sub.add_parser("chart", help="plan, generate and validate a chart from a request")
    chart.add_argument(
        "request", help='what to chart, e.g. "nginx" or "a django app on ghcr.io/acme/shop:1.4"'
    )
    chart.add_argument(
        "--out", default="charts", help="directory the chart folder is written into (default: charts)"
    )
    chart.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    chart.add_argument(
        "--yes", action="store_true", help="never ask: fail listing the open questions instead"
    )
    chart.add_argument(
        "--kube-version", dest="kube_versions", action="append", metavar="V", help=KUBE_VERSION_HELP
    )
    chart.add_argument("--force", action="store_true", help="overwrite an existing chart directory")
    chart.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text for people (default), json for programs (status, files written, findings, heal attempts)",
    )
    chart.set_defaults(handler=cmd_chart)

    plan = sub.add_parser("plan", help="print the chart plan for a request as YAML")
    plan.add_argument("request", help='what to chart, e.g. "nginx with ingress for shop.example.com"')
    plan.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    plan.set_defaults(handler=cmd_plan)

    validate = sub.add_parser("validate", help="lint, render and check a chart directory")
    validate.add_argument("chart_dir", type=Path, help="the chart folder (the one holding Chart.yaml)")
    validate.add_argument(
        "--kube-version", dest="kube_versions", action="append", metavar="V", help=KUBE_VERSION_HELP
    )
    validate.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text for people (default), json for programs, github for workflow-command annotations",
    )
    validate.add_argument("--no-security", action="store_true", help="skip security checks")
    _add_policy(validate)
    validate.set_defaults(handler=cmd_validate)

    fix = sub.add_parser("fix", help="heal a chart in place; prints the diff and what is left")
    fix.add_argument("chart_dir", type=Path, help="the chart folder to heal in place")
    fix.add_argument(
        "--max-attempts",
        type=int,
        default=3,
        metavar="N",
        help="fix rounds before giving up; it stops sooner when a round cannot improve the chart (default: 3)",
    )
    fix.add_argument(
        "--kube-version", dest="kube_versions", action="append", metavar="V", help=KUBE_VERSION_HELP
    )
    _add_policy(fix)
    fix.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text for people (default), json for programs (with model_calls)",
    )
    fix.set_defaults(handler=cmd_fix)


def _add_policy(command: argparse.ArgumentParser) -> None:
    from agents.validate.policy import DEFAULT_POLICY, POLICIES

    command.add_argument(
        "--policy",
        choices=POLICIES,
        default=DEFAULT_POLICY,
        help="Pod Security Standard the chart is held to (default: restricted; "
        "baseline or privileged-allowed for node agents that need host access)",
    )


def _kube_versions(args: argparse.Namespace) -> list[str] | None:
    from agents.validate.kube_schema import schema_version_for

    versions: list[str] | None = args.kube_versions
    if not versions:
        return None
    normalised = []
    for v in versions:
        parts = v.lstrip("v").split(".")
        if not (2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
            raise CliError(f"--kube-version {v!r} is not a version like 1.33 or 1.33.0")
        version = ".".join(parts + ["0"] * (3 - len(parts)))
        try:
            schema_version_for(version)  # a version we have no schemas for is a usage error
        except ValueError as exc:
            raise CliError(str(exc)) from None
        normalised.append(version)
    return normalised


NOT_DONE_HEADING = "Not done from your request:"


def _write_not_done(out: TextIO, items: Sequence[Any], prefix: str = "") -> None:
    """List the parts of the request the chart does not do (NotDone: words + reason)."""
    if not items:
        return
    out.write(f"{prefix}{NOT_DONE_HEADING}\n")
    for item in items:
        out.write(f'{prefix}  - "{item.words}": {item.reason}\n')


def _require_chart_dir(path: Path) -> Path:
    if not path.is_dir():
        raise CliError(f"{path} is not a directory: give the folder that holds Chart.yaml")
    if not (path / "Chart.yaml").is_file():
        raise CliError(f"{path} has no Chart.yaml: is it a Helm chart folder?")
    return path


def _model(limit: int) -> tuple[BaseChatModel | None, ModelCallBudget | None]:
    """The chat model `AUTOPILOT_LLM` names, metered by a budget of `limit` calls; (None, None) without one."""
    from agents.llm import LLMConfigError, ModelCallBudget, chat_model_from_environment, metered

    try:
        model = chat_model_from_environment()
    except LLMConfigError as exc:
        raise CliError(f"AUTOPILOT_LLM: {exc}") from exc
    if model is None:
        return None, None
    budget = ModelCallBudget(limit)
    return metered(model, budget), budget


def _model_report(budget: ModelCallBudget | None) -> dict[str, Any]:
    if budget is None:
        return {"model": None, "model_calls": 0}
    return {"model": "configured", "model_calls": budget.calls, "model_call_limit": budget.limit}


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from agents.plan import PlanError, plan_request

    try:
        outcome = plan_request(args.request, args.sets)
    except PlanError as exc:
        raise CliError(str(exc)) from exc
    if outcome.plan is None:
        out.write("# open questions (answer with --set KEY=VALUE):\n")
        for q in outcome.questions:
            out.write(f"# - {q.key}: {q.prompt}\n")
        _write_not_done(out, outcome.not_done, "# ")
        return EXIT_FINDINGS
    for note in outcome.notes:
        out.write(f"# {note}\n")
    _write_not_done(out, outcome.not_done, "# ")
    out.write(yaml.safe_dump(outcome.plan.model_dump(mode="json", exclude_defaults=False), sort_keys=False))
    return EXIT_OK


def _ask(questions: Sequence[Mapping[str, Any]], ask: Callable[[str], str]) -> dict[str, str]:
    """Ask each open question on the terminal; an empty reply takes the question's default."""
    answers: dict[str, str] = {}
    for q in questions:
        default = q.get("default")
        suffix = f" [{default}]" if default else ""
        reply = ask(f"{q['prompt']}{suffix} ").strip()
        answers[str(q["key"])] = reply or (default or "")
    return answers


def cmd_chart(args: argparse.Namespace, out: TextIO) -> int:
    """Run the request through the agent graph; on a TTY its questions are asked, otherwise listed."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agents.chart import write_chart
    from agents.graph import ChartSession
    from agents.plan import PlanError

    interactive = not args.yes and sys.stdin.isatty() and args.format == "text"
    model, budget = _model(MODEL_CALLS_PER_CHART)
    session = ChartSession(InMemorySaver(), llm=model)
    thread = "cli"
    try:
        result = session.start(thread, args.request, args.sets, kube_versions=_kube_versions(args))
        while result.status == "interrupted" and result.kind == "clarify" and interactive:
            questions = (result.payload or {}).get("questions", [])
            result = session.resume(thread, _ask(questions, input))
    except PlanError as exc:
        raise CliError(str(exc)) from exc
    if result.status == "interrupted" and result.kind == "clarify":
        questions = (result.payload or {}).get("questions", [])
        if args.format == "json":
            report = {
                "status": "questions",
                "questions": questions,
                "not_done": [n.model_dump(mode="json") for n in result.not_done],
                **_model_report(budget),
            }
            out.write(json.dumps(report, indent=2) + "\n")
            return EXIT_FINDINGS
        out.write("The request needs more facts. Answer each with --set KEY=VALUE:\n")
        for q in questions:
            out.write(f"  {q['key']}: {q['prompt']}\n")
        _write_not_done(out, result.not_done)
        return EXIT_FINDINGS
    if result.status == "interrupted":  # escalate: healing ran out; write what we have and report it
        result = session.resume(thread, "give_up")
    plan = result.chart_plan
    if plan is None or not result.files:
        raise CliError(
            result.error or "no chart was produced; run `autopilot plan` to see the plan", EXIT_FINDINGS
        )
    chart_dir = Path(args.out) / plan.name
    if chart_dir.exists() and any(chart_dir.iterdir()) and not args.force:
        raise CliError(
            f"{chart_dir} already exists and is not empty: use --force to overwrite or --out elsewhere"
        )
    write_chart(result.files, chart_dir)
    errors = [f for f in result.findings if f.severity == "error"]
    if args.format == "json":
        report = {
            "status": "valid" if not errors else "errors",
            "chart_dir": str(chart_dir),
            "files": sorted(result.files),
            "notes": list(result.notes),
            "not_done": [n.model_dump(mode="json") for n in result.not_done],
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in result.findings],
            "heal_attempts": len(result.heal_attempts),
            **_model_report(budget),
        }
        out.write(json.dumps(report, indent=2) + "\n")
        return EXIT_OK if not errors else EXIT_FINDINGS
    for note in result.notes:
        out.write(f"note: {note}\n")
    _write_not_done(out, result.not_done)
    for finding in result.findings:
        if finding.severity != "info":
            out.write(f"{finding.severity}: {finding.location}: [{finding.rule_id}] {finding.message}\n")
    status = "valid" if not errors else f"{len(errors)} error(s) left after healing"
    calls = f"; {budget.calls} model call(s)" if budget is not None else ""
    out.write(f"wrote {chart_dir} ({len(result.files)} files): {status}{calls}\n")
    return EXIT_OK if not errors else EXIT_FINDINGS


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from agents.validate import format_report, validate_chart

    chart_dir = _require_chart_dir(args.chart_dir)
    report = validate_chart(
        chart_dir, _kube_versions(args), security=not args.no_security, policy=args.policy
    )
    out.write(format_report(report, args.format))
    return EXIT_OK if report.ok else EXIT_FINDINGS


def cmd_fix(args: argparse.Namespace, out: TextIO) -> int:
    from agents.heal.llm_fixer import as_extra_fixer
    from agents.heal.loop import heal_chart

    if args.max_attempts < 1:
        raise CliError(f"--max-attempts must be at least 1, got {args.max_attempts}")
    from agents.validate import default_kube_versions, validate_chart

    chart_dir = _require_chart_dir(args.chart_dir)
    versions = _kube_versions(args) or default_kube_versions()
    model, budget = _model(MODEL_CALLS_PER_FIX)
    result = heal_chart(
        chart_dir,
        versions,
        max_attempts=args.max_attempts,
        extra_fixer=as_extra_fixer(model) if model is not None else None,
        validate=lambda path: validate_chart(path, versions, policy=args.policy),
    )
    if args.format == "json":
        report = {
            "healed": result.healed,
            "attempts": [a.model_dump(mode="json") for a in result.attempts],
            "diff": result.diff,
            "remaining": [f.model_dump(mode="json", exclude_none=True) for f in result.remaining],
            **_model_report(budget),
        }
        out.write(json.dumps(report, indent=2) + "\n")
        return EXIT_OK if result.healed else EXIT_FINDINGS
    if result.diff:
        out.write(result.diff)
    else:
        out.write("no changes\n")
        for line in result.rejected:
            out.write(f"{line}\n")
    for finding in result.remaining:
        out.write(f"{finding.severity}: {finding.location}: [{finding.rule_id}] {finding.message}\n")
    out.write(
        f"{'healed' if result.healed else 'not healed'} after {len(result.attempts)} attempt(s), "
        f"{len([f for f in result.remaining if f.severity == 'error'])} error(s) left\n"
    )
    return EXIT_OK if result.healed else EXIT_FINDINGS


def run_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed subcommand, turning user mistakes into one line and an exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        code: int = args.handler(args, out)
        return code
    except CliError as exc:
        err.write(f"autopilot: {exc}\n")
        return exc.code
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"autopilot: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("autopilot: interrupted\n")
        return 130
