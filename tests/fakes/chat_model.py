"""A scripted chat model: replies are given up front, so LLM paths are tested without a network.

LangChain's `GenericFakeChatModel` has no `bind_tools`; returning `self` from it is enough for
`with_structured_output(Schema)` to work: a scripted reply that carries a tool call named after
the pydantic class is parsed (and validated) into that class, exactly as a real provider's is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import PrivateAttr

_ids = itertools.count(1)


def tool_reply(schema_name: str, args: dict[str, Any]) -> AIMessage:
    """A reply that calls the structured-output tool `schema_name` with `args`."""
    return AIMessage(content="", tool_calls=[{"name": schema_name, "args": args, "id": f"call_{next(_ids)}"}])


def text_reply(text: str) -> AIMessage:
    """A reply with prose only: what a model does when it ignores the requested format."""
    return AIMessage(content=text)


class ScriptedChatModel(GenericFakeChatModel):
    """Answers each call with the next scripted reply and records the prompts it was sent."""

    _prompts: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    def __init__(self, replies: Iterable[AIMessage], **kwargs: Any) -> None:
        super().__init__(messages=iter(list(replies)), **kwargs)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self._prompts.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    @property
    def prompts(self) -> list[list[BaseMessage]]:
        """Every prompt received, in order (to assert what the engine told the model)."""
        return self._prompts

    @property
    def calls(self) -> int:
        return len(self._prompts)
