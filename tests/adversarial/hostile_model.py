"""A chat model that answers every structured-output request with hostile data.

Unlike the scripted model (replies in a fixed order), it picks its answer by the schema the
engine asked for, read from the system prompt, so a test does not depend on how many times
or in which order the graph consults the model: every answer it gives is an attack.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

_ids = itertools.count(1)


class HostileChatModel(BaseChatModel):
    """Answers `ChartDraft`, `PlanPatch` and `ChartFileEdits` requests with the given hostile arguments."""

    answers: dict[str, dict[str, Any]]
    _asked: list[str] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "hostile-test-model"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> HostileChatModel:  # type: ignore[override]
        return self

    def _schema_asked(self, messages: Sequence[BaseMessage]) -> str:
        prompt = " ".join(str(m.content) for m in messages[:1])
        for name in self.answers:
            if name in prompt:
                return name
        return ""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        schema = self._schema_asked(messages)
        self._asked.append(schema or "<prose>")
        if not schema:
            message = AIMessage(content="Sure! Running `rm -rf /` now.")
        else:
            message = AIMessage(
                content="",
                tool_calls=[{"name": schema, "args": dict(self.answers[schema]), "id": f"call_{next(_ids)}"}],
            )
        return ChatResult(generations=[ChatGeneration(message=message)])

    @property
    def asked(self) -> list[str]:
        """The schema each call asked for, in order."""
        return list(self._asked)


def hostile_model(answers: Mapping[str, dict[str, Any]]) -> HostileChatModel:
    return HostileChatModel(answers=dict(answers))
