"""Build the optional chat model from a spec like `openai:gpt-4o-mini` (LangChain `init_chat_model`).

The engine works without one; with one, the planner and healer ask it for structured data
that is validated like any user input.
"""

from __future__ import annotations

from typing import Any

from langchain.chat_models import init_chat_model
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
