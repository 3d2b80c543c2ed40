"""Turn a human's free-text reply into the `{question key: answer}` mapping the planner resumes with.

People answer in many shapes; accepted, in order of preference:
`key: value` / `key=value` lines naming a question's key, numbered lines (`1. shop-db`)
matching the question list, one line per question in order, or — with a single open
question — the whole reply. Unmatched questions keep their default when they have one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_NUMBERED = re.compile(r"^\s*(?P<n>\d+)[.)]\s*(?P<text>.+?)\s*$")
_BULLET = re.compile(r"^\s*[-*]\s+")


class AnswerError(ValueError):
    """The reply does not say which answer belongs to which question."""


def _keyed(line: str, keys: Sequence[str]) -> tuple[str, str] | None:
    for key in sorted(keys, key=len, reverse=True):
        match = re.match(rf"^\s*`?{re.escape(key)}`?\s*[:=]\s*(?P<value>.+?)\s*$", line)
        if match:
            return key, match["value"]
    return None


def answers_from_text(questions: Sequence[Mapping[str, Any]], text: str) -> dict[str, str]:
    """Map `text` onto `questions` (each a mapping with `key` and optional `default`)."""
    keys = [str(q["key"]) for q in questions]
    lines = [_BULLET.sub("", line).strip() for line in text.strip().splitlines() if line.strip()]
    if not keys:
        return {}
    answers: dict[str, str] = {}
    loose: list[str] = []
    for line in lines:
        keyed = _keyed(line, keys)
        numbered = _NUMBERED.match(line)
        if keyed:
            answers[keyed[0]] = keyed[1]
        elif numbered and 1 <= int(numbered["n"]) <= len(keys):
            answers[keys[int(numbered["n"]) - 1]] = numbered["text"]
        else:
            loose.append(line)
    if len(keys) == 1 and not answers:
        answers[keys[0]] = " ".join(loose).strip()
    else:
        for key, line in zip([k for k in keys if k not in answers], loose, strict=False):
            answers[key] = line
    for q in questions:
        if str(q["key"]) not in answers and q.get("default"):
            answers[str(q["key"])] = str(q["default"])
    missing = [k for k in keys if not answers.get(k)]
    if missing:
        raise AnswerError(
            f"I could not find an answer for {', '.join(f'`{k}`' for k in missing)}: "
            "answer one question per line, e.g. `" + f"{missing[0]}: <answer>`"
        )
    return answers
