"""Every word the bot says on GitHub, in one place so tests and reviewers can read it.

Each function returns Markdown. Comments the bot may need to find again carry a hidden
marker (`<!-- autopilot:status thread=owner/repo#12 -->`), read back by `find_marker`.
Nothing here ever receives a token: callers pass only user-visible facts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from agents.validate.object_counts import ObjectCounts

COMMAND = "/autopilot"
MAX_ECHO_CHARS = 80  # user text echoed back is cut so a reply never repeats a wall of text

MARKER_KINDS = frozenset(
    {"status", "question", "escalation", "pr", "config-error", "refusal", "busy", "finalised", "reply"}
)
_MARKER = re.compile(r"<!-- autopilot:(?P<kind>[a-z-]+) thread=(?P<thread>[^\s>]+) -->")

# The stages a run goes through, in order, as the status comment shows them.
STAGES: tuple[tuple[str, str], ...] = (
    ("plan", "Plan the chart"),
    ("generate", "Generate the chart files"),
    ("validate", "Validate (lint, render, schemas, security)"),
    ("heal", "Fix what validation found"),
    ("pr", "Open the pull request"),
)
STAGE_KEYS = tuple(key for key, _ in STAGES)

USAGE: dict[str, str] = {
    "chart": f"`{COMMAND} chart <request> [--set key=value …]` — plan, generate and validate a chart, then open a PR",
    "plan": f"`{COMMAND} plan <request> [--set key=value …]` — show the plan only, without writing files",
    "answer": f"`{COMMAND} answer <text>` — answer the bot's open question",
    "revise": f"`{COMMAND} revise <text>` — change the plan or chart on this PR",
    "fix": f"`{COMMAND} fix` — run validation and self-heal again on this PR",
    "validate": f"`{COMMAND} validate` — validate the chart on this PR and report",
    "status": f"`{COMMAND} status` — show where the current run is",
    "cancel": f"`{COMMAND} cancel` — stop the current run",
    "help": f"`{COMMAND} help` — show this help",
}


def marker(kind: str, thread_id: str) -> str:
    """The hidden HTML comment that lets the bot find its own comment for a thread later."""
    if kind not in MARKER_KINDS:
        raise ValueError(f"unknown marker kind {kind!r}; expected one of {sorted(MARKER_KINDS)}")
    return f"<!-- autopilot:{kind} thread={thread_id} -->"


def find_marker(body: str) -> tuple[str, str] | None:
    """Return `(kind, thread_id)` of the first bot marker in a comment body, or None."""
    match = _MARKER.search(body)
    if match is None or match["kind"] not in MARKER_KINDS:
        return None
    return match["kind"], match["thread"]


def _echo(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """User text made safe to quote inline: one line, no backticks, no mentions, bounded length."""
    flat = " ".join(text.split()).replace("`", "'").replace("@", "@\u200b")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _quote(text: str, limit: int = 2000) -> str:
    """Multi-line user text as a Markdown block quote, mentions defused, bounded length."""
    body = text.strip().replace("@", "@\u200b")
    if len(body) > limit:
        body = body[: limit - 1] + "…"
    return "\n".join(f"> {line}" for line in body.splitlines())


def _cell(value: object) -> str:
    """A value made safe for one Markdown table cell."""
    return _echo(str(value)).replace("|", "\\|") or " "


# --- help and command errors -------------------------------------------------------------------


def help_text() -> str:
    lines = "\n".join(f"- {text}" for text in USAGE.values())
    return (
        "**k8s-autopilot** turns a request into a validated Helm chart pull request.\n\n"
        f"Commands (one per comment, at the start of a line):\n\n{lines}\n\n"
        f"Example: `{COMMAND} chart nginx with ingress on shop.example.com --set replicas=3`"
    )


def usage(verb: str) -> str:
    return f"Usage: {USAGE[verb]}"


def unknown_verb(verb: str, suggestion: str | None) -> str:
    hint = f" Did you mean `{COMMAND} {suggestion}`?" if suggestion else ""
    return f"I don't know the command `{_echo(verb)}`.{hint}\n\n{help_text()}"


def missing_argument(verb: str, what: str) -> str:
    return f"`{COMMAND} {verb}` needs {what}.\n\n{usage(verb)}"


def unexpected_argument(verb: str, extra: str) -> str:
    return f"`{COMMAND} {verb}` takes no arguments, but got `{_echo(extra)}`.\n\n{usage(verb)}"


def unknown_option(verb: str, option: str) -> str:
    return f"`{COMMAND} {verb}` has no option `{_echo(option)}`; only `--set key=value` is accepted.\n\n{usage(verb)}"


def bad_set_flag(verb: str, value: str) -> str:
    return (
        f"`--set {_echo(value)}` is not `key=value` (e.g. `--set replicas=3`, "
        f'`--set image="ghcr.io/acme/shop:1.4"`).\n\n{usage(verb)}'
    )


def bad_quoting(verb: str, detail: str) -> str:
    return f"I couldn't read the quoting in the `--set` flags ({_echo(detail)}): close every quote.\n\n{usage(verb)}"


def comment_too_long(length: int, limit: int) -> str:
    return (
        f"This command is {length:,} characters long; the limit is {limit:,}. "
        "Please shorten the request, or put long details in a file in the repository and refer to it."
    )


# --- refusals and states ------------------------------------------------------------------------


def unauthorised(thread_id: str, user: str, requirement: str) -> str:
    return (
        f"{marker('refusal', thread_id)}\n"
        f"Sorry @{user}, only {requirement} can run k8s-autopilot in this repository. "
        "Ask a maintainer to run the command, or to add you in `.github/autopilot.yml` (`allowed:`)."
    )


def busy(thread_id: str, stage: str) -> str:
    return (
        f"{marker('busy', thread_id)}\n"
        f"A run is already in progress here (stage: **{_echo(stage)}**). "
        f"Wait for it to finish, or stop it with `{COMMAND} cancel`."
    )


def fork_pr_refusal(thread_id: str, head_repo: str) -> str:
    return (
        f"{marker('refusal', thread_id)}\n"
        f"This pull request comes from the fork `{_echo(head_repo)}`. k8s-autopilot does not push to "
        "or run on forks, so that secrets and write access stay in this repository. "
        f"Open the request as an issue here and run `{COMMAND} chart …` there instead."
    )


def config_error(thread_id: str, path: str, problem: str) -> str:
    return (
        f"{marker('config-error', thread_id)}\n"
        f"I can't use `{path}`: {problem}\n\n"
        "Fix the file on the default branch and run the command again; "
        f"`{COMMAND} help` lists the commands."
    )


def cancelled(thread_id: str, user: str) -> str:
    return f"{marker('reply', thread_id)}\nRun cancelled by @{user}. Start again with `{COMMAND} chart …`."


def nothing_to_cancel(thread_id: str) -> str:
    return f"{marker('reply', thread_id)}\nThere is no run in progress here to cancel."


def finalised_note(thread_id: str, pr_url: str) -> str:
    return (
        f"{marker('finalised', thread_id)}\n"
        f"Done: the chart is in {pr_url}. Review it there; "
        f"`{COMMAND} revise <text>` on the PR asks for changes."
    )


# --- what the chart does not do -------------------------------------------------------------------

NOT_DONE_HEADING = "Not done from your request:"
MAX_NOT_DONE = 20
MAX_REASON_CHARS = 300

NotDoneItem = tuple[str, str]
"""(the user's words, why the chart does not do them)."""


_CONTROL = re.compile(r"[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _inert(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """User words made inert in Markdown/HTML: no markers, tags, bidi or control characters."""
    flat = _echo(_CONTROL.sub(" ", text), limit)
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def not_done_section(items: Sequence[NotDoneItem]) -> str:
    """The parts of a request the chart does not do, in the user's words; "" when there are none."""
    if not items:
        return ""
    shown = items[:MAX_NOT_DONE]
    lines = [f"- “{_inert(words)}”: {_inert(reason, MAX_REASON_CHARS)}" for words, reason in shown]
    if len(items) > len(shown):
        lines.append(f"- … and {len(items) - len(shown)} more")
    return f"**{NOT_DONE_HEADING}**\n\n" + "\n".join(lines)


def with_not_done(note: str, items: Sequence[NotDoneItem], where: str = "the pull request") -> str:
    """A status note and how many parts of the request are not done, pointing to where they are listed.

    The status comment carries only the count: it is the comment the bot finds again by its
    hidden markers, so it never echoes request text (a forged marker or instructions in it).
    """
    if not items:
        return note
    count = f"**{NOT_DONE_HEADING}** {len(items)} part(s), listed in {where}."
    return f"{note}\n\n{count}" if note else count


# --- status, questions, escalation ---------------------------------------------------------------


def status_comment(
    thread_id: str,
    *,
    done: Collection[str],
    current: str | None = None,
    note: str = "",
    failed: str | None = None,
) -> str:
    """The one status comment per thread, edited in place as the run moves through `STAGES`."""
    unknown = [s for s in [*done, current, failed] if s is not None and s not in STAGE_KEYS]
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; expected one of {list(STAGE_KEYS)}")
    lines = []
    for key, label in STAGES:
        box = "☑" if key in done else "☐"
        suffix = ""
        if key == failed:
            suffix = " — ❌ failed"
        elif key == current and key not in done:
            suffix = " — ⏳ in progress"
        lines.append(f"- {box} {label}{suffix}")
    body = "\n".join(lines)
    tail = f"\n\n{note}" if note else ""
    return f"{marker('status', thread_id)}\n### k8s-autopilot status\n\n{body}{tail}"


def question_comment(thread_id: str, questions: Sequence[str], not_done: Sequence[NotDoneItem] = ()) -> str:
    """Questions the planner could not answer itself; the user replies with `answer`."""
    if not questions:
        raise ValueError("question_comment needs at least one question")
    items = "\n".join(f"{i}. {q}" for i, q in enumerate(questions, start=1))
    missing = f"\n\n{not_done_section(not_done)}" if not_done else ""
    return (
        f"{marker('question', thread_id)}\n"
        f"Before I write the chart I need a few answers:\n\n{items}\n\n"
        f"Reply with `{COMMAND} answer <your answers>` (one comment may answer all of them).{missing}"
    )


MAX_PROPOSED_DIFF_LINES = 60


def proposed_diff_section(diff: str) -> str:
    """A fix the bot worked out but did not push (it was not strictly better), fenced and truncated."""
    if not diff.strip():
        return ""
    lines = diff.replace("```", "`\u200b``").splitlines()
    shown = lines[:MAX_PROPOSED_DIFF_LINES]
    more = f"\n… {len(lines) - len(shown)} more line(s) not shown" if len(lines) > len(shown) else ""
    body = "\n".join(shown)
    return (
        "\n\nI did not push this proposed change: it did not leave the chart with strictly fewer errors "
        f"and no new ones. Apply it yourself if it looks right:\n\n```diff\n{body}\n```{more}"
    )


def escalation_comment(
    thread_id: str,
    attempts: int,
    problems: Iterable[tuple[str, str, str]],
    *,
    allowed: int,
    bot_commits_in_a_row: int | None = None,
    proposed_diff: str = "",
) -> str:
    """Self-heal gave up: why it stopped (in the setting's own terms), what is still wrong as
    (rule id, location, message), and the change it proposed but did not push. `attempts` are this
    round's, `allowed` is `max_heal_attempts`."""
    rows = "\n".join(f"| `{_cell(rule)}` | {_cell(loc)} | {_cell(msg)} |" for rule, loc, msg in problems)
    table = f"| Rule | Where | Problem |\n|---|---|---|\n{rows}" if rows else "_(no findings were reported)_"
    return (
        f"{marker('escalation', thread_id)}\n"
        f"{_why_healing_stopped(attempts, allowed, bot_commits_in_a_row)}. A human needs to look:\n\n"
        f"{table}{proposed_diff_section(proposed_diff)}\n\n"
        f"Push a fix to the branch, or describe the change with `{COMMAND} revise <text>`; "
        f"`{COMMAND} fix` tries again."
    )


def _why_healing_stopped(attempts: int, allowed: int, bot_commits_in_a_row: int | None) -> str:
    if bot_commits_in_a_row is not None:
        return (
            f"I stopped healing after {bot_commits_in_a_row} commits of mine in a row with no human "
            "commit in between (`max_bot_commits_in_a_row`), and the chart is not green"
        )
    if allowed == 0:
        return "Self-heal is off here (`max_heal_attempts: 0`) and the chart is not green"
    if attempts >= allowed:
        return (
            f"I used all {allowed} fix attempt(s) that `max_heal_attempts` allows "
            "and could not get the chart green"
        )
    return (
        f"I made {attempts} of the {allowed} fix attempt(s) that `max_heal_attempts` allows: "
        f"attempt {attempts} could not improve the chart, so the others would not have either"
    )


# --- pull request body -----------------------------------------------------------------------------


MAX_PLAN_ROWS = 80


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, Mapping | list) for v in value):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{i}]")
    elif value is None or value == [] or value == {}:
        return
    elif isinstance(value, list):
        yield prefix, ", ".join(str(v) for v in value)
    else:
        yield prefix, value


def plan_table(plan: BaseModel) -> str:
    """The plan as a two-column Markdown table of dotted field names (empty values left out)."""
    rows = list(_flatten(plan.model_dump(mode="json")))
    shown = rows[:MAX_PLAN_ROWS]
    lines = ["| Setting | Value |", "|---|---|", *(f"| `{key}` | {_cell(val)} |" for key, val in shown)]
    if len(rows) > len(shown):
        lines.append(f"| … | {len(rows) - len(shown)} more settings in `values.yaml` |")
    return "\n".join(lines)


def objects_table(counts: ObjectCounts) -> str:
    """What the chart creates on each Kubernetes version: kinds as rows, versions as columns."""
    versions = counts.versions
    if not versions:
        return ""
    head = "| Kind | " + " | ".join(f"Kubernetes {_cell(v.kube_version)}" for v in versions) + " |"
    rule = "|---|" + "---:|" * len(versions)
    rows = [
        f"| {_cell(kind)} | "
        + " | ".join(str(v.kinds.get(kind, 0)) if v.error is None else "–" for v in versions)
        + " |"
        for kind in counts.kinds
    ]
    totals = " | ".join(f"**{v.total}**" if v.error is None else "render failed" for v in versions)
    lines = [
        "### Objects per Kubernetes version\n",
        "Rendered with the chart's default values (`helm template --kube-version`).\n",
        head,
        rule,
        *rows,
        f"| **Total** | {totals} |",
    ]
    failures = [
        f"- Kubernetes {_cell(v.kube_version)}: {_echo(v.error)}" for v in versions if v.error is not None
    ]
    if failures:
        lines += ["", "Helm could not render the chart on:", *failures]
    elif counts.same_on_every_version and len(versions) > 1:
        lines += ["", "Every version gets the same objects."]
    return "\n".join(lines)


class ValidationLine(BaseModel):
    """One validation step's outcome as the PR body shows it."""

    check: str  # e.g. "helm lint", "render 1.30", "schemas", "security"
    ok: bool
    detail: str = ""


def pr_body(
    thread_id: str,
    *,
    request: str,
    chart_path: str,
    plan: BaseModel,
    validation: Sequence[ValidationLine],
    heal_attempts: int = 0,
    issue_number: int | None = None,
    not_done: Sequence[NotDoneItem] = (),
) -> str:
    from bot.pr_diagram import chart_overview  # the plan model loads only when a PR body is written

    results = "\n".join(
        f"| {_cell(v.check)} | {'✅ pass' if v.ok else '❌ fail'} | {_cell(v.detail)} |" for v in validation
    )
    closes = f"\n\nCloses #{issue_number}." if issue_number else ""
    heal = f"\n\nSelf-heal made {heal_attempts} fix attempt(s)." if heal_attempts else ""
    missing = f"{not_done_section(not_done)}\n\n" if not_done else ""
    return (
        f"{marker('pr', thread_id)}\n"
        f"## Helm chart: `{_cell(chart_path)}`\n\n"
        f"Requested:\n\n{_quote(request)}\n\n"
        f"{chart_overview(plan)}"
        f"{missing}"
        f"<details><summary>Plan</summary>\n\n{plan_table(plan)}\n\n</details>\n\n"
        f"### Validation\n\n| Check | Result | Detail |\n|---|---|---|\n{results}{heal}\n\n"
        f"Comment `{COMMAND} revise <text>` to change it, `{COMMAND} fix` to re-run validation and self-heal."
        f"{closes}"
    )


# --- conversation replies (runner and handlers) ---------------------------------------------------

_REQUESTER = re.compile(r"<!-- autopilot:requester login=(?P<login>[A-Za-z0-9-]+(?:\[bot\])?) -->")


def requester_marker(login: str) -> str:
    """Hidden line in the status comment naming who asked: approvals from them do not count."""
    return f"<!-- autopilot:requester login={login} -->"


def find_requester(body: str) -> str | None:
    match = _REQUESTER.search(body)
    return match["login"] if match else None


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {_echo(item)}" for item in items)


def revision_reply(
    thread_id: str,
    *,
    applied: Sequence[str],
    unrecognised: Sequence[str],
    commit: str | None,
    values_diff: str = "",
    diagram_updated: bool = False,
) -> str:
    """What a review or `revise` changed (with the values diff), and what it could not understand."""
    parts = [marker("reply", thread_id)]
    if applied:
        parts.append(f"Applied your feedback:\n\n{_bullets(applied)}")
    if unrecognised:
        parts.append(
            f"I did not understand:\n\n{_bullets(unrecognised)}\n\n"
            f"Rephrase it with `{COMMAND} revise <text>` (e.g. `use 2 replicas`, `add ingress for shop.example.com`)."
        )
    if not applied and not unrecognised:
        parts.append("Your feedback made no change to the chart.")
    if commit and values_diff:
        parts.append(values_diff)
    if commit and diagram_updated:
        parts.append("The diagram in the pull request description shows the new shape of the chart.")
    parts.append(f"New commit: {commit}." if commit else "The chart on the branch is unchanged.")
    return "\n\n".join(parts)


MAX_VALUES_DIFF_LINES = 60


def values_diff_section(before: str, after: str) -> str:
    """`values.yaml` before → after as a unified diff block; empty when the defaults did not change."""
    diff = list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), "values.yaml (before)", "values.yaml", n=2, lineterm=""
        )
    )
    if not diff:
        return ""
    shown = diff[:MAX_VALUES_DIFF_LINES]
    more = f"\n… {len(diff) - len(shown)} more line(s) in the commit" if len(diff) > len(shown) else ""
    return f"Changed defaults in `values.yaml`:\n\n{code_block(shown, 'diff')}{more}"


def heal_reply(
    thread_id: str, *, trigger: str, applied: Sequence[str], commit: str | None, remaining: int
) -> str:
    """Self-heal after a failing check (or `fix`) pushed a commit, or found nothing to do."""
    fixes = f"\n\n{_bullets(applied)}" if applied else ""
    tail = f" {remaining} problem(s) remain." if remaining else " Validation is clean now."
    if commit:
        return f"{marker('reply', thread_id)}\n{_echo(trigger)}: pushed {commit} with fixes:{fixes}\n\n{tail.strip()}"
    return f"{marker('reply', thread_id)}\n{_echo(trigger)}: nothing to fix on the branch.{tail}"


def validation_comment(
    thread_id: str, *, chart_path: str, errors: int, warnings: int, check_url: str | None
) -> str:
    verdict = "✅ passes" if errors == 0 else f"❌ has {errors} error(s)"
    link = f" Details: {check_url}" if check_url else ""
    return (
        f"{marker('reply', thread_id)}\n"
        f"Validation of `{_cell(chart_path)}` {verdict} and {warnings} warning(s).{link}"
    )


def status_summary(thread_id: str, *, stage: str, pr_url: str | None, branch: str | None) -> str:
    lines = [f"Stage: **{_echo(stage)}**"]
    if branch:
        lines.append(f"Branch: `{_echo(branch)}`")
    if pr_url:
        lines.append(f"Pull request: {pr_url}")
    return f"{marker('reply', thread_id)}\n" + "\n".join(f"- {line}" for line in lines)


def no_run(thread_id: str, verb: str) -> str:
    return (
        f"{marker('reply', thread_id)}\n"
        f"There is no k8s-autopilot run here for `{COMMAND} {verb}` to act on. "
        f"Start one with `{COMMAND} chart <request>`."
    )


def not_waiting_for_answer(thread_id: str) -> str:
    return (
        f"{marker('reply', thread_id)}\n"
        f"I have no open question here. `{COMMAND} revise <text>` changes an existing chart; "
        f"`{COMMAND} status` shows where the run is."
    )


def approval_not_counted(thread_id: str, user: str, reason: str) -> str:
    return (
        f"{marker('reply', thread_id)}\nThe approval by @{user} does not finalise the chart: {_echo(reason)}."
    )


def run_failed(thread_id: str, stage: str, problem: str) -> str:
    """A run stopped on an error; `problem` is already redacted by the caller."""
    return (
        f"{marker('reply', thread_id)}\n"
        f"The run stopped during **{_echo(stage)}**: {_quote(problem, 600).removeprefix('> ')}\n\n"
        f"Fix the cause and run the command again; `{COMMAND} status` shows where the run is."
    )


def plan_reply(
    thread_id: str, plan: BaseModel, notes: Sequence[str], not_done: Sequence[NotDoneItem] = ()
) -> str:
    assumed = f"\n\nAssumptions:\n\n{_bullets(notes)}" if notes else ""
    missing = f"\n\n{not_done_section(not_done)}" if not_done else ""
    return (
        f"{marker('reply', thread_id)}\n"
        f"The plan for this request (nothing written yet):\n\n{plan_table(plan)}{assumed}{missing}\n\n"
        f"Run `{COMMAND} chart …` with the same request to open a pull request."
    )


# --- what CI said ----------------------------------------------------------------------------------

MAX_CI_QUOTE_LINES = 40
MAX_CI_QUOTE_CHARS = 4000
MAX_CI_TEXT_CHARS = 300


def _ci_text(text: str) -> str:
    """A CI message or hint on one line: no backticks, no mentions, longer than an echo may be."""
    flat = " ".join(text.split()).replace("`", "'").replace("@", "@\u200b")
    return flat if len(flat) <= MAX_CI_TEXT_CHARS else flat[: MAX_CI_TEXT_CHARS - 1] + "…"


def code_block(lines: Sequence[str], info: str = "text") -> str:
    """Lines as a code block no line can close (the fence is longer than any backtick run)."""
    text = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _fenced(lines: Sequence[str]) -> str:
    """The last CI lines as a code block, bounded in lines and characters."""
    kept = list(lines[-MAX_CI_QUOTE_LINES:])
    text = "\n".join(kept)
    if len(text) > MAX_CI_QUOTE_CHARS:
        text = "…\n" + text[-MAX_CI_QUOTE_CHARS:]
    elif len(kept) < len(lines):
        text = "…\n" + text
    return code_block(text.split("\n"))


class CiProblem(BaseModel):
    """One thing CI reported, as the bot tells a person about it (lines already redacted)."""

    tool: str
    message: str
    location: str
    hint: str = ""
    lines: list[str] = []


def ci_findings_comment(
    thread_id: str,
    *,
    source: str,
    runtime: Sequence[CiProblem],
    unfixed: Sequence[CiProblem],
    model_calls: int | None,
) -> str:
    """CI failed on something the bot did not (or cannot) fix from the files: quote CI and say what to check."""
    parts = [
        f"{marker('escalation', thread_id)}\n{_echo(source)} failed, and I did not change the chart for this:"
    ]
    for problem in [*runtime, *unfixed]:
        where = f" ({_cell(problem.location)})" if problem.location != "(chart)" else ""
        what = f"**{_echo(problem.tool)}**{where}: {_ci_text(problem.message)}"
        look = f"\n  What to look at: {_ci_text(problem.hint)}." if problem.hint else ""
        parts.append(f"- {what}{look}")
    if runtime:
        parts.append(
            "The cluster refused or could not run the release; a file edit cannot be trusted to fix that, "
            "so I made no commit for it."
        )
    quoted = [line for problem in [*runtime, *unfixed] for line in problem.lines]
    if quoted:
        parts.append("What CI printed:\n\n" + _fenced(list(dict.fromkeys(quoted))))
    if model_calls is not None:
        parts.append(f"Model calls for this heal: {model_calls}.")
    parts.append(f"Push a fix to the branch, or describe the change with `{COMMAND} revise <text>`.")
    return "\n\n".join(parts)


def ci_heal_check_note(*, source: str, model_calls: int | None, model_call_limit: int | None) -> str:
    """The line our check run's summary gains after a heal driven by CI's own output."""
    model = (
        f"model calls: {model_calls} of at most {model_call_limit}"
        if model_calls is not None
        else "no model configured (model calls: 0)"
    )
    return f"Self-heal driven by what {_echo(source)} printed; {model}."
