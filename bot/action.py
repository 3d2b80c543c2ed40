"""`autopilot action`: the GitHub Action's runtime (see docs/action.md for the contract).

The composite action hands everything over in environment variables; this module reads them
once into `ActionEnv`, then runs one mode:

- `validate`: finds the charts to check (the `charts` input, else the charts the pull request
  changes), validates each, prints workflow annotations on the changed lines, writes the step
  summary and outputs, reports a check run when the token may, and exits 1 on any error finding;
- `respond`: handles the triggering event with the App's own handlers, the conversation
  carried between runs by `bot.action_state`.

Exit status: 0 done, 1 validate found errors, 2 the run could not start (one line says why).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, TextIO

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from agents.checkpoint import open_checkpointer
from agents.graph import ChartSession
from agents.llm import LLMConfigError, build_chat_model
from agents.validate import format_report, validate_chart
from agents.validate.chart_yaml import build_dependencies
from agents.validate.errors import ChartNotFoundError
from agents.validate.finding import Finding, Severity, ValidationReport
from bot import messages
from bot.action_state import (
    ActionState,
    RecordingSession,
    RunFacts,
    StartCall,
    StateRejected,
    StoredComment,
    decode_state,
    find_state_comment,
    replay,
    state_comment,
    state_rejected_comment,
)
from bot.config import RepoConfig, RepoConfigError, Settings, SettingsError, load_repo_config, load_settings
from bot.events import (
    EventPayloadError,
    IssueCommentEvent,
    PullRequestEvent,
    PullRequestReviewCommentEvent,
    PullRequestReviewEvent,
    RepositoryEvent,
    WorkflowRunEvent,
    parse_event,
    thread_id,
)
from bot.git import GitIdentity, changed_paths
from bot.github import Annotation, AnnotationLevel, GitHubClient, GitHubError
from bot.redact import redact
from bot.store import Job, JobStatus, RunRecord, SqliteStore
from bot.threads import ThreadId

if TYPE_CHECKING:
    from bot.runner import JobResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_CANNOT_START = 2

CHECK_NAME = "k8s-autopilot / validate"
ZERO_SHA = "0" * 40
MAX_SUMMARY_FINDINGS = 200  # per chart: the step summary is capped at 1 MiB by GitHub
_ANNOTATION_LEVELS: dict[Severity, AnnotationLevel] = {
    Severity.ERROR: "failure",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}

Mode = Literal["respond", "validate"]


class ActionError(Exception):
    """The run cannot start or go on; the message is one line naming the value and what to change."""


class ActionEnv(BaseModel):
    """What the composite action and the runner put in the environment (docs/action.md)."""

    model_config = ConfigDict(frozen=True)

    mode: Mode
    token: SecretStr | None
    api_url: str
    repository: str
    event_name: str
    event_path: Path
    workspace: Path
    runner_temp: Path
    step_summary: Path | None
    output: Path | None
    sha: str
    charts: str
    kube_versions: str
    config_path: str
    llm: str | None
    llm_api_key: SecretStr | None
    bot_login: str
    run_id: str

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def repo(self) -> str:
        return self.repository.split("/", 1)[1]

    @classmethod
    def read(cls, environ: Mapping[str, str], mode: str | None = None) -> ActionEnv:
        """Read and check the environment; `ActionError` names the first variable that is wrong."""
        chosen = (mode or environ.get("AUTOPILOT_MODE") or "").strip().lower()
        if chosen not in ("respond", "validate"):
            raise ActionError(
                f"mode {chosen or '(empty)'!r} is not known: set the action's `mode` input to respond or validate"
            )
        repository = environ.get("GITHUB_REPOSITORY", "")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
            raise ActionError(
                f"GITHUB_REPOSITORY={repository!r} is not 'owner/repo': run inside GitHub Actions, "
                "or set it as the runner does"
            )
        event_path = environ.get("GITHUB_EVENT_PATH", "")
        if not event_path:
            raise ActionError(
                "GITHUB_EVENT_PATH is not set: run inside GitHub Actions, or point it at the event JSON"
            )
        token = environ.get("GITHUB_TOKEN", "")
        if chosen == "respond" and not token:
            raise ActionError(
                "GITHUB_TOKEN is empty: pass `github-token` to the action (the default is the workflow's token) "
                "with contents, pull-requests, issues and checks write permissions"
            )
        workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
        runner_temp = Path(environ.get("RUNNER_TEMP") or "/tmp")
        summary, output = environ.get("GITHUB_STEP_SUMMARY"), environ.get("GITHUB_OUTPUT")
        key = environ.get("AUTOPILOT_LLM_API_KEY", "")
        return cls(
            mode=chosen,  # type: ignore[arg-type]  # checked above
            token=SecretStr(token) if token else None,
            api_url=(environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            repository=repository,
            event_name=environ.get("GITHUB_EVENT_NAME", ""),
            event_path=Path(event_path),
            workspace=workspace,
            runner_temp=runner_temp,
            step_summary=Path(summary) if summary else None,
            output=Path(output) if output else None,
            sha=environ.get("GITHUB_SHA", ""),
            charts=environ.get("AUTOPILOT_CHARTS", ""),
            kube_versions=environ.get("AUTOPILOT_KUBE_VERSIONS", ""),
            config_path=environ.get("AUTOPILOT_CONFIG") or ".github/autopilot.yml",
            llm=environ.get("AUTOPILOT_LLM") or None,
            llm_api_key=SecretStr(key) if key else None,
            bot_login=environ.get("AUTOPILOT_BOT_LOGIN", ""),
            run_id=environ.get("GITHUB_RUN_ID", ""),
        )

    def client(self) -> GitHubClient | None:
        """A client on the workflow token and GITHUB_API_URL, or None without a token."""
        if self.token is None:
            return None
        return GitHubClient.from_token(self.token, base_url=self.api_url)


def read_event(env: ActionEnv) -> dict[str, Any]:
    """The triggering webhook payload; `ActionError` when the file is missing or not a JSON object."""
    try:
        data = json.loads(env.event_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ActionError(
            f"GITHUB_EVENT_PATH={env.event_path}: cannot read the event ({exc.strerror or exc}); "
            "run inside GitHub Actions or point it at the event JSON"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ActionError(f"GITHUB_EVENT_PATH={env.event_path}: the event is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ActionError(f"GITHUB_EVENT_PATH={env.event_path}: the event must be a JSON object")
    return data


def inside(root: Path, relative: str, what: str) -> Path:
    """`root/relative`, refusing absolute paths and `..` so an input cannot point outside the checkout."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not relative.strip():
        raise ActionError(f"{what} {relative!r} must be a path inside the repository, e.g. charts/web")
    return root / pure


def load_workspace_config(env: ActionEnv) -> RepoConfig:
    """The repository's config file from the checkout (defaults when it does not exist)."""
    path = inside(env.workspace, env.config_path, "config")
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return RepoConfig()
    except OSError as exc:
        raise ActionError(f"config {env.config_path!r}: cannot read it ({exc.strerror or exc})") from None
    try:
        return load_repo_config(text)
    except RepoConfigError as exc:
        raise ActionError(f"config {env.config_path!r}: {exc}") from None


def kube_versions_for(env: ActionEnv, config: RepoConfig) -> list[str] | None:
    """`kube-versions` input (spaces or commas), else the config's; None: the validator's defaults."""
    raw = [v for v in re.split(r"[\s,]+", env.kube_versions) if v]
    if not raw:
        return list(config.kube_versions) or None
    try:
        return list(RepoConfig.model_validate({"kube_versions": raw}).kube_versions)
    except ValidationError as err:
        message = str(err.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ActionError(f"kube-versions {env.kube_versions!r}: {message}") from None


# --- which charts ------------------------------------------------------------------------------


def _chart_root(workspace: Path, path: Path) -> Path | None:
    """The nearest directory at or above `path` (inside the workspace) holding Chart.yaml."""
    for candidate in [path, *path.parents]:
        if candidate == workspace or workspace not in candidate.parents:
            return None
        if (candidate / "Chart.yaml").is_file():
            return candidate
    return None


def charts_from_input(workspace: Path, patterns: str) -> list[Path]:
    """Chart directories named by the `charts` input (paths or globs, one per line or space-separated)."""
    found: list[Path] = []
    root = workspace.resolve()
    for pattern in patterns.split():
        inside(workspace, pattern, "charts entry")
        matches = sorted(workspace.glob(pattern.rstrip("/")))
        charts = []
        for match in matches:
            target = match.parent if match.name == "Chart.yaml" else match
            if (target / "Chart.yaml").is_file() and root in [target.resolve(), *target.resolve().parents]:
                charts.append(target)
        if not charts:
            raise ActionError(
                f"charts entry {pattern!r} matches no chart directory (a folder with Chart.yaml) "
                f"under {workspace}; fix the path or glob in the `charts` input"
            )
        found.extend(c for c in charts if c not in found)
    return found


def all_charts(workspace: Path, charts_dir: str) -> list[Path]:
    """Every chart directly or deeply under `charts_dir`."""
    base = workspace / charts_dir
    return sorted({p.parent for p in base.rglob("Chart.yaml")}) if base.is_dir() else []


def _base_of(event_name: str, event: Mapping[str, Any]) -> str | None:
    if event_name in ("pull_request", "pull_request_target"):
        base = (event.get("pull_request") or {}).get("base") or {}
        sha = base.get("sha")
        return sha if isinstance(sha, str) else None
    if event_name == "push":
        before = event.get("before")
        return before if isinstance(before, str) and before != ZERO_SHA else None
    return None


def select_charts(env: ActionEnv, config: RepoConfig, event: Mapping[str, Any], err: TextIO) -> list[Path]:
    """The charts to validate: the `charts` input, else the changed ones, else (unknown diff) all."""
    if env.charts.strip():
        return charts_from_input(env.workspace, env.charts)
    base_sha = _base_of(env.event_name, event)
    paths = changed_paths(env.workspace, base_sha) if base_sha else None
    if paths is None:
        if base_sha:
            err.write(
                f"::warning title=k8s-autopilot::cannot diff against {base_sha[:12]} in {env.workspace}; "
                f"validating every chart under {config.charts_dir}/\n"
            )
        return all_charts(env.workspace, config.charts_dir)
    charts_root = env.workspace / config.charts_dir
    found: list[Path] = []
    for rel in paths:
        path = env.workspace / rel
        if charts_root not in path.parents:
            continue
        chart = _chart_root(env.workspace, path.parent)
        if chart is not None and chart not in found:
            found.append(chart)
    return sorted(found)


# --- reporting ---------------------------------------------------------------------------------


def write_outputs(env: ActionEnv, values: Mapping[str, str]) -> None:
    """Append outputs to $GITHUB_OUTPUT in the delimiter form, which no value can break out of."""
    if env.output is None:
        return
    with env.output.open("a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(env: ActionEnv, markdown: str) -> None:
    if env.step_summary is None:
        return
    with env.step_summary.open("a", encoding="utf-8") as fh:
        fh.write(markdown)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _repo_path(env: ActionEnv, report: ValidationReport, finding: Finding | None = None) -> str:
    path = Path(report.chart_dir) / (finding.file or "") if finding else Path(report.chart_dir)
    try:
        return path.resolve().relative_to(env.workspace.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _counts(report: ValidationReport) -> dict[Severity, int]:
    return {s: sum(1 for f in report.findings if f.severity == s) for s in Severity}


def summary_markdown(env: ActionEnv, reports: Sequence[ValidationReport]) -> str:
    """The step summary: one row per chart, then each chart's errors and warnings."""
    if not reports:
        return "## k8s-autopilot validate\n\nNo chart changed in this pull request; nothing to validate.\n"
    rows = []
    for report in reports:
        counts = _counts(report)
        result = "✅ pass" if report.ok else "❌ fail"
        rows.append(
            f"| `{_cell(_repo_path(env, report))}` | {result} | {counts[Severity.ERROR]} | "
            f"{counts[Severity.WARNING]} | {counts[Severity.INFO]} | {_cell(', '.join(report.kube_versions))} |"
        )
    parts = [
        "## k8s-autopilot validate\n",
        "| Chart | Result | Errors | Warnings | Info | Kubernetes |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    for report in reports:
        shown = [f for f in report.findings if f.severity != Severity.INFO][:MAX_SUMMARY_FINDINGS]
        if not shown:
            continue
        parts += [
            f"### `{_cell(_repo_path(env, report))}`\n",
            "| Severity | Rule | Where | Problem | Hint |",
            "|---|---|---|---|---|",
        ]
        for f in shown:
            where = _repo_path(env, report, f) + (f":{f.line}" if f.line else "") if f.file else "(chart)"
            parts.append(
                f"| {f.severity.value} | `{_cell(f.rule_id)}` | `{_cell(where)}` | {_cell(f.message)} | {_cell(f.hint)} |"
            )
        parts.append("")
    return "\n".join(parts) + "\n"


def _annotations(env: ActionEnv, reports: Sequence[ValidationReport]) -> list[Annotation]:
    annotations = []
    for report in reports:
        for f in report.findings:
            annotations.append(
                Annotation(
                    path=_repo_path(env, report, f) if f.file else _repo_path(env, report) + "/Chart.yaml",
                    start_line=f.line or 1,
                    end_line=f.line or 1,
                    annotation_level=_ANNOTATION_LEVELS[f.severity],
                    message=f.message + (f"\n{f.hint}" if f.hint else ""),
                    title=f.rule_id,
                )
            )
    return annotations


def report_check_run(
    env: ActionEnv, event: Mapping[str, Any], reports: Sequence[ValidationReport], summary: str, err: TextIO
) -> None:
    """A check run with every finding as an annotation; a read-only token (fork PRs) only gets a notice."""
    client = env.client()
    if client is None:
        return
    head = ((event.get("pull_request") or {}).get("head") or {}).get("sha") or env.sha
    if not head:
        return
    errors = sum(len(r.errors) for r in reports)
    try:
        with client:
            client.create_check_run(
                env.owner,
                env.repo,
                name=CHECK_NAME,
                head_sha=head,
                status="completed",
                conclusion="failure" if errors else "success",
                title=f"{errors} error(s) in {len(reports)} chart(s)"
                if errors
                else f"{len(reports)} chart(s) valid",
                summary=summary[:60_000],
                annotations=_annotations(env, reports),
            )
    except GitHubError as exc:
        err.write(
            f"::notice title=k8s-autopilot::no check run ({exc}); the findings are the annotations above "
            "and the step summary\n"
        )


def run_validate(env: ActionEnv, out: TextIO, err: TextIO) -> int:
    """Validate mode: charts → reports → annotations, summary, outputs, check run; 1 on errors."""
    event = read_event(env)
    config = load_workspace_config(env)
    versions = kube_versions_for(env, config)
    charts = select_charts(env, config, event, err)
    reports: list[ValidationReport] = []
    options = config.validation_options()
    for chart in charts:
        note = build_dependencies(chart)  # the runner has the network: fetch what charts/ lacks
        if note is not None:
            out.write(f"{Path(chart).as_posix()}: {note}\n")
        try:
            report = validate_chart(chart, versions, **options)
        except ChartNotFoundError as exc:
            raise ActionError(str(exc)) from None
        reports.append(report)
        out.write(format_report(report, "github", base_dir=env.workspace))
        counts = _counts(report)
        out.write(
            f"{_repo_path(env, report)}: {'ok' if report.ok else 'FAILED'} — {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s)\n"
        )
    summary = summary_markdown(env, reports)
    append_summary(env, summary)
    findings = sum(c[Severity.ERROR] + c[Severity.WARNING] for c in map(_counts, reports))
    write_outputs(
        env,
        {
            "chart-path": _repo_path(env, reports[0]) if reports else "",
            "findings-count": str(findings),
            "pull-request": "",
        },
    )
    if reports:
        report_check_run(env, event, reports, summary, err)
    else:
        out.write("k8s-autopilot: no chart changed; nothing to validate\n")
    return EXIT_FINDINGS if any(not r.ok for r in reports) else EXIT_OK


# --- respond mode ------------------------------------------------------------------------------

ACTIONS_LOGIN = "github-actions[bot]"  # who comments, opens PRs and pushes with a workflow token
ACTIONS_IDENTITY = GitIdentity(
    name=ACTIONS_LOGIN, email="41898282+github-actions[bot]@users.noreply.github.com"
)


@dataclass(frozen=True)
class TokenClients:
    """The runner's `InstallationClients` for a workflow token: every "installation" is this token."""

    token: SecretStr
    api_url: str

    def client_for(self, installation_id: int) -> GitHubClient:
        return GitHubClient.from_token(self.token, base_url=self.api_url)

    def installation_id_for(self, owner: str, repo: str) -> int:
        return 0  # a token has no installation; client_for ignores the id


def _thread_of_pull(env: ActionEnv, client: GitHubClient, number: int, trusted: set[str]) -> str:
    """A PR the bot opened belongs to the issue that asked for it (its body's hidden marker)."""
    pull = client.get_pull(env.owner, env.repo, number)
    found = messages.find_marker(pull.body or "")
    if found and found[0] == "pr" and pull.user.lower() in trusted:
        marked = found[1]
        if ThreadId.parse(marked).full_name == env.repository:
            return marked
    return thread_id(env.owner, env.repo, number)


def thread_for_event(
    env: ActionEnv, event: RepositoryEvent, client: GitHubClient, trusted: set[str]
) -> str | None:
    """The conversation this event continues (None: it is about nothing the bot started)."""
    if isinstance(event, IssueCommentEvent):
        if event.issue.is_pull_request:
            return _thread_of_pull(env, client, event.issue.number, trusted)
        return thread_id(env.owner, env.repo, event.issue.number)
    if isinstance(event, PullRequestReviewEvent | PullRequestReviewCommentEvent | PullRequestEvent):
        return _thread_of_pull(env, client, event.pull_request.number, trusted)
    if isinstance(event, WorkflowRunEvent):
        numbers = [pr.number for pr in event.workflow_run.pull_requests]
        if not numbers and event.workflow_run.head_branch:
            pull = client.find_pull(env.owner, env.repo, event.workflow_run.head_branch)
            numbers = [pull.number] if pull else []
        return _thread_of_pull(env, client, numbers[0], trusted) if numbers else None
    return None


def load_state(
    env: ActionEnv, client: GitHubClient, thread: str, trusted: set[str]
) -> tuple[ActionState, StoredComment | None]:
    """The thread's stored state and the comment holding it (fresh state when there is none)."""
    number = ThreadId.parse(thread).number
    comments = [
        StoredComment(id=c.id, body=c.body, user=c.user)
        for c in client.list_comments(env.owner, env.repo, number)
    ]
    found = find_state_comment(comments, trusted)
    if found is None:
        return ActionState(thread_id=thread), None
    return decode_state(found.body, thread), found


def save_state(
    env: ActionEnv, client: GitHubClient, state: ActionState, existing: StoredComment | None
) -> None:
    number = ThreadId.parse(state.thread_id).number
    body = state_comment(state)
    if existing is not None and existing.body == body:
        return
    client.upsert_comment(env.owner, env.repo, number, existing.id if existing else None, body)


def _run_facts(record: RunRecord | None) -> RunFacts:
    if record is None:
        return RunFacts()
    return RunFacts.model_validate(record.model_dump(exclude={"thread_id", "updated_at"}))


def _chat_model(settings: Settings, env: ActionEnv) -> BaseChatModel | None:
    key = env.llm_api_key.get_secret_value() if env.llm_api_key else None
    try:
        return build_chat_model(settings.llm, base_url=settings.llm_base_url, api_key=key)
    except LLMConfigError as exc:
        raise ActionError(str(exc)) from None


def _respond_summary(thread: str, result: JobResult | None, record: RunRecord | None) -> str:
    lines = ["## k8s-autopilot respond\n", f"- Conversation: `{_cell(thread)}`"]
    if result is not None:
        handled = ", ".join(result.handled) or result.note or "nothing to do"
        lines.append(f"- Handled: {_cell(handled)}")
    if record is not None:
        lines.append(f"- Stage: **{_cell(record.stage)}**")
        if record.branch:
            lines.append(f"- Branch: `{_cell(record.branch)}`")
        if record.pr_number:
            lines.append(f"- Pull request: #{record.pr_number}")
    return "\n".join(lines) + "\n"


def _chart_path(env: ActionEnv, client: GitHubClient, session: ChartSession, thread: str) -> str:
    current = session.state(thread)
    plan = current.chart_plan if current else None
    if plan is None:
        return ""
    repo = client.get_repo(env.owner, env.repo)
    try:
        config = load_repo_config(client.get_file(env.owner, env.repo, env.config_path, repo.default_branch))
    except RepoConfigError:
        return ""
    return f"{config.charts_dir}/{plan.name}"


def run_respond(env: ActionEnv, out: TextIO, err: TextIO) -> int:
    """Respond mode: rebuild the conversation from its state comment, run the App's handlers, save it."""
    from bot.runner import Bot, handle_job  # the App's job entry point, imported only in respond mode

    payload = read_event(env)
    try:
        event = parse_event(env.event_name, payload)
    except EventPayloadError as exc:
        raise ActionError(f"GITHUB_EVENT_NAME={env.event_name}: {exc}") from None
    if not isinstance(event, RepositoryEvent):
        out.write(f"k8s-autopilot: {env.event_name or '(no event)'} events are not handled in respond mode\n")
        return EXIT_OK
    if event.repository.full_name != env.repository:
        raise ActionError(
            f"the event is about {event.repository.full_name}, but GITHUB_REPOSITORY={env.repository}"
        )
    try:
        settings = load_settings(require_app=False)
    except SettingsError as exc:
        raise ActionError(str(exc)) from None
    login = env.bot_login or ACTIONS_LOGIN
    settings = settings.model_copy(update={"bot_login": login})
    trusted = {login.lower()}
    assert env.token is not None  # ActionEnv.read requires it in respond mode
    llm = _chat_model(settings, env)
    with GitHubClient.from_token(env.token, base_url=env.api_url) as client:
        thread = thread_for_event(env, event, client, trusted)
        if thread is None:
            out.write("k8s-autopilot: this event is not about a conversation of the bot; nothing to do\n")
            return EXIT_OK
        try:
            state, state_at = load_state(env, client, thread, trusted)
        except StateRejected as exc:
            number = ThreadId.parse(thread).number
            client.create_comment(env.owner, env.repo, number, state_rejected_comment(thread, str(exc)))
            raise ActionError(f"the stored conversation state of {thread} was rejected: {exc}") from None
        env.runner_temp.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="autopilot-action-", dir=env.runner_temp) as tmp:
            work = Path(tmp)
            store = SqliteStore(str(work / "store.db"))
            try:
                if state.run != RunFacts():
                    store.save_run(RunRecord(thread_id=thread, **state.run.model_dump()))
                with open_checkpointer(None, work / "checkpoints") as saver:
                    session = RecordingSession(saver, llm=llm)
                    try:
                        replay(session, thread, state.journal)
                    except StateRejected as exc:
                        number = ThreadId.parse(thread).number
                        client.create_comment(
                            env.owner, env.repo, number, state_rejected_comment(thread, str(exc))
                        )
                        raise ActionError(
                            f"the stored conversation of {thread} no longer replays: {exc}"
                        ) from None
                    session.calls.clear()
                    bot = Bot(
                        settings=settings,
                        store=store,
                        session=session,
                        github=TokenClients(env.token, env.api_url),
                        workdir=work / "clones",
                        identity=ACTIONS_IDENTITY,
                    )
                    job = _job_for(env, payload)
                    failure: str | None = None
                    result: JobResult | None = None
                    try:
                        result = handle_job(job, bot)
                    except Exception as exc:  # noqa: BLE001 - reported below; the state is still saved
                        failure = redact(f"{type(exc).__name__}: {exc}")
                    record = store.get_run(thread)
                    requester = state.requester
                    if any(isinstance(c, StartCall) for c in session.calls):
                        requester = event.sender.login if event.sender else None
                    new_state = state.recorded(session.calls).model_copy(
                        update={"run": _run_facts(record), "requester": requester}
                    )
                    try:
                        if new_state != state or state_at is None and new_state.journal:
                            save_state(env, client, new_state, state_at)
                    except StateRejected as exc:
                        failure = failure or str(exc)
                    chart_path = (
                        _chart_path(env, client, session, thread) if record and record.pr_number else ""
                    )
                    findings = _findings_count(session, thread)
            finally:
                store.close()
    write_outputs(
        env,
        {
            "pull-request": str(record.pr_number) if record and record.pr_number else "",
            "chart-path": chart_path,
            "findings-count": str(findings),
        },
    )
    append_summary(env, _respond_summary(thread, result, record))
    if failure:
        err.write(f"::error title=k8s-autopilot::the run on {thread} failed: {failure}\n")
        return EXIT_FINDINGS
    done = (", ".join(result.handled) or result.note) if result else ""
    out.write(f"k8s-autopilot: {thread}: {done or 'nothing to do'}\n")
    return EXIT_OK


def _findings_count(session: ChartSession, thread: str) -> int:
    current = session.state(thread)
    if current is None:
        return 0
    return sum(1 for f in current.findings if f.severity in (Severity.ERROR, Severity.WARNING))


def _job_for(env: ActionEnv, payload: Mapping[str, Any]) -> Job:
    now = time.time()
    action = payload.get("action")
    return Job(
        id=f"action-{env.run_id or uuid.uuid4().hex}",
        event=env.event_name,
        action=action if isinstance(action, str) else "",
        payload=json.dumps(payload).encode(),
        status=JobStatus.RUNNING,
        attempts=1,
        created_at=now,
        updated_at=now,
    )


def run_action(
    mode: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run one mode as the composite action calls it; every failure to start is one line and exit 2."""
    try:
        env = ActionEnv.read(os.environ if environ is None else environ, mode)
        if env.mode == "validate":
            return run_validate(env, out, err)
        return run_respond(env, out, err)
    except ActionError as exc:
        err.write(f"::error title=k8s-autopilot::{exc}\n")
        return EXIT_CANNOT_START


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.action [--mode respond|validate]`, the same as `autopilot action`."""
    from bot.action_command import build_action_parser

    args = build_action_parser().parse_args(argv)
    return run_action(args.mode)


if __name__ == "__main__":
    sys.exit(main())
