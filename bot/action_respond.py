"""Respond mode: replay the conversation from its state comment, run the App's handlers, save it."""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agents.checkpoint import open_checkpointer
from agents.graph import ChartSession
from agents.llm import LLMConfigError, build_chat_model
from agents.validate.finding import Severity
from bot.action_outputs import EXIT_FINDINGS, EXIT_OK, append_summary, table_cell, write_outputs
from bot.action_settings import ActionError, ActionSettings, read_event
from bot.action_state import (
    RecordingSession,
    RunFacts,
    StartCall,
    StateRejected,
    replay,
    state_rejected_comment,
)
from bot.action_thread import load_state, save_state, thread_for_event
from bot.config import RepoConfigError, Settings, SettingsError, load_repo_config, load_settings
from bot.events import EventPayloadError, RepositoryEvent, parse_event
from bot.git import GitIdentity
from bot.github import GitHubClient
from bot.redact import redact
from bot.store import Job, JobStatus, RunRecord, SqliteStore
from bot.threads import ThreadId

if TYPE_CHECKING:
    from bot.runner import JobResult

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


def _run_facts(record: RunRecord | None) -> RunFacts:
    """The run facts the state comment carries, from the store's record of the run."""
    if record is None:
        return RunFacts()
    return RunFacts.model_validate(record.model_dump(exclude={"thread_id", "updated_at"}))


def _chat_model(bot_settings: Settings, api_key: SecretStr | None) -> BaseChatModel | None:
    """The App settings' chat model (AUTOPILOT_LLM), given the action's `llm-api-key`; None without one."""
    key = api_key.get_secret_value() if api_key else None
    try:
        return build_chat_model(bot_settings.llm, base_url=bot_settings.llm_base_url, api_key=key)
    except LLMConfigError as exc:
        raise ActionError(str(exc)) from None


def _respond_summary(thread: str, result: JobResult | None, record: RunRecord | None) -> str:
    """The step summary of a respond run: the conversation, what was handled and where it stands."""
    lines = ["## k8s-autopilot respond\n", f"- Conversation: `{table_cell(thread)}`"]
    if result is not None:
        handled = ", ".join(result.handled) or result.note or "nothing to do"
        lines.append(f"- Handled: {table_cell(handled)}")
    if record is not None:
        lines.append(f"- Stage: **{table_cell(record.stage)}**")
        if record.branch:
            lines.append(f"- Branch: `{table_cell(record.branch)}`")
        if record.pr_number:
            lines.append(f"- Pull request: #{record.pr_number}")
    return "\n".join(lines) + "\n"


def _chart_path(settings: ActionSettings, client: GitHubClient, session: ChartSession, thread: str) -> str:
    """The `chart-path` output: where the planned chart lives under the default branch's `charts_dir`."""
    current = session.state(thread)
    plan = current.chart_plan if current else None
    if plan is None:
        return ""
    repo = client.get_repo(settings.owner, settings.repo)
    try:
        config = load_repo_config(
            client.get_file(settings.owner, settings.repo, settings.config_path, repo.default_branch)
        )
    except RepoConfigError:
        return ""
    return f"{config.charts_dir}/{plan.name}"


def run_respond(settings: ActionSettings, out: TextIO, err: TextIO) -> int:
    """Respond mode: rebuild the conversation from its state comment, run the App's handlers, save it."""
    from bot.runner import Bot, handle_job  # the App's job entry point, imported only in respond mode

    payload = read_event(settings)
    try:
        event = parse_event(settings.event_name, payload)
    except EventPayloadError as exc:
        raise ActionError(f"GITHUB_EVENT_NAME={settings.event_name}: {exc}") from None
    if not isinstance(event, RepositoryEvent):
        out.write(
            f"k8s-autopilot: {settings.event_name or '(no event)'} events are not handled in respond mode\n"
        )
        return EXIT_OK
    if event.repository.full_name != settings.repository:
        raise ActionError(
            f"the event is about {event.repository.full_name}, but GITHUB_REPOSITORY={settings.repository}"
        )
    try:
        bot_settings = load_settings(require_app=False)
    except SettingsError as exc:
        raise ActionError(str(exc)) from None
    login = settings.bot_login or ACTIONS_LOGIN
    bot_settings = bot_settings.model_copy(update={"bot_login": login})
    trusted = {login.lower()}
    assert settings.token is not None  # ActionSettings requires it in respond mode
    llm = _chat_model(bot_settings, settings.llm_api_key)
    with GitHubClient.from_token(settings.token, base_url=settings.api_url) as client:
        thread = thread_for_event(settings, event, client, trusted)
        if thread is None:
            out.write("k8s-autopilot: this event is not about a conversation of the bot; nothing to do\n")
            return EXIT_OK
        try:
            state, state_at = load_state(settings, client, thread, trusted)
        except StateRejected as exc:
            number = ThreadId.parse(thread).number
            client.create_comment(
                settings.owner, settings.repo, number, state_rejected_comment(thread, str(exc))
            )
            raise ActionError(f"the stored conversation state of {thread} was rejected: {exc}") from None
        settings.runner_temp.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="autopilot-action-", dir=settings.runner_temp) as tmp:
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
                            settings.owner, settings.repo, number, state_rejected_comment(thread, str(exc))
                        )
                        raise ActionError(
                            f"the stored conversation of {thread} no longer replays: {exc}"
                        ) from None
                    session.calls.clear()
                    bot = Bot(
                        settings=bot_settings,
                        store=store,
                        session=session,
                        github=TokenClients(settings.token, settings.api_url),
                        workdir=work / "clones",
                        identity=ACTIONS_IDENTITY,
                    )
                    job = _job_for(settings, payload)
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
                            save_state(settings, client, new_state, state_at)
                    except StateRejected as exc:
                        failure = failure or str(exc)
                    chart_path = (
                        _chart_path(settings, client, session, thread) if record and record.pr_number else ""
                    )
                    findings = _findings_count(session, thread)
            finally:
                store.close()
    write_outputs(
        settings,
        {
            "pull-request": str(record.pr_number) if record and record.pr_number else "",
            "chart-path": chart_path,
            "findings-count": str(findings),
        },
    )
    append_summary(settings, _respond_summary(thread, result, record))
    if failure:
        err.write(f"::error title=k8s-autopilot::the run on {thread} failed: {failure}\n")
        return EXIT_FINDINGS
    done = (", ".join(result.handled) or result.note) if result else ""
    out.write(f"k8s-autopilot: {thread}: {done or 'nothing to do'}\n")
    return EXIT_OK


def _findings_count(session: ChartSession, thread: str) -> int:
    """The `findings-count` output: errors and warnings of the conversation's last validation."""
    current = session.state(thread)
    if current is None:
        return 0
    return sum(1 for f in current.findings if f.severity in (Severity.ERROR, Severity.WARNING))


def _job_for(settings: ActionSettings, payload: Mapping[str, Any]) -> Job:
    """The triggering event as the App's queue would hand it to `handle_job`."""
    now = time.time()
    action = payload.get("action")
    return Job(
        id=f"action-{settings.run_id or uuid.uuid4().hex}",
        event=settings.event_name,
        action=action if isinstance(action, str) else "",
        payload=json.dumps(payload).encode(),
        status=JobStatus.RUNNING,
        attempts=1,
        created_at=now,
        updated_at=now,
    )
