"""Build the optional chat model from a spec like `openai:gpt-4o-mini` (LangChain `init_chat_model`).

The engine works without one; with one, the planner and healer ask it for structured data
that is validated like any user input.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import BaseCallbackHandler

if TYPE_CHECKING:  # only a configured model needs LangChain's chat models (init_chat_model imports them)
    from langchain_core.language_models import BaseChatModel

PROVIDER_PACKAGES = {
    "openai": "langchain-openai",
    "azure_openai": "langchain-openai",
    "anthropic": "langchain-anthropic",
    "ollama": "langchain-ollama",
    "google_genai": "langchain-google-genai",
    "mistralai": "langchain-mistralai",
    "groq": "langchain-groq",
    "bedrock": "langchain-aws",
    "bedrock_converse": "langchain-aws",
}


class LLMConfigError(RuntimeError):
    """The model spec cannot be turned into a chat model; the message says how to fix it."""


def build_chat_model(
    spec: str | None, *, base_url: str | None = None, api_key: str | None = None, temperature: float = 0.0
) -> BaseChatModel | None:
    """Return the chat model named by `spec` ("provider:model"), or None when no spec is set."""
    if spec is None or not spec.strip():
        return None
    spec = spec.strip()
    provider, sep, model_name = spec.partition(":")
    if not sep or not provider or not model_name:
        raise LLMConfigError(
            f"LLM spec {spec!r} must be 'provider:model', e.g. openai:gpt-4o-mini, "
            "anthropic:claude-sonnet-4-5 or ollama:llama3"
        )
    kwargs: dict[str, Any] = {"temperature": temperature}
    if base_url:
        kwargs["base_url"] = base_url
    if api_key:
        kwargs["api_key"] = api_key
    # here, not at the top: without a model (the default) `langchain` itself is never imported
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(model_name, model_provider=provider, **kwargs)
    except ImportError as exc:
        package = PROVIDER_PACKAGES.get(provider, f"langchain-{provider.replace('_', '-')}")
        raise LLMConfigError(
            f"LLM provider {provider!r} needs the {package} package, which is not installed: "
            f"run `pip install {package}` or unset the LLM setting to use the rule-based engine"
        ) from exc
    except ValueError as exc:
        raise LLMConfigError(f"LLM spec {spec!r} is not usable: {exc}") from exc


class ModelBudgetSpent(RuntimeError):
    """A run asked the model more often than its budget allows; the caller goes on without it."""


class ModelCallBudget(BaseCallbackHandler):
    """Counts calls to one chat model and refuses those past `limit` (so a run's cost is bounded).

    A LangChain callback sees every provider call, however the model is wrapped
    (`with_structured_output`, tool binding); `raise_error` makes a refusal stop the call.
    """

    raise_error = True

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"a model call budget cannot be negative, got {limit}")
        self.limit = limit
        self.calls = 0
        self.refused = 0

    def _take(self) -> None:
        if self.calls >= self.limit:
            self.refused += 1
            raise ModelBudgetSpent(f"the model-call budget of {self.limit} for this run is spent")
        self.calls += 1

    def on_chat_model_start(self, serialized: dict[str, Any], messages: Any, **kwargs: Any) -> None:
        self._take()

    def on_llm_start(self, serialized: dict[str, Any], prompts: Any, **kwargs: Any) -> None:
        self._take()


def metered(model: BaseChatModel, budget: ModelCallBudget) -> BaseChatModel:
    """A shallow copy of `model` whose every call is counted (and bounded) by `budget`."""
    existing = model.callbacks if isinstance(model.callbacks, list) else []
    return model.model_copy(update={"callbacks": [*existing, budget]})


def chat_model_from_environment(environ: Mapping[str, str] | None = None) -> BaseChatModel | None:
    """The model `AUTOPILOT_LLM` names (with `AUTOPILOT_LLM_BASE_URL`, `AUTOPILOT_LLM_API_KEY`), as the App reads it."""
    env = os.environ if environ is None else environ
    return build_chat_model(
        env.get("AUTOPILOT_LLM"),
        base_url=env.get("AUTOPILOT_LLM_BASE_URL") or None,
        api_key=env.get("AUTOPILOT_LLM_API_KEY") or None,
    )
