"""Choosing the chat model: unset means none; a missing provider package says what to install."""

from __future__ import annotations

import pytest

from agents.llm import LLMConfigError, build_chat_model


@pytest.mark.parametrize("spec", [None, "", "   "])
def test_no_spec_means_no_model(spec: str | None) -> None:
    assert build_chat_model(spec) is None


@pytest.mark.parametrize(
    ("spec", "package"),
    [
        ("openai:gpt-4o-mini", "langchain-openai"),
        ("anthropic:claude-sonnet-4-5", "langchain-anthropic"),
        ("ollama:llama3", "langchain-ollama"),
    ],
)
def test_missing_provider_package_names_the_pip_install(spec: str, package: str) -> None:
    pytest.importorskip("langchain_core")
    try:
        __import__(package.replace("-", "_"))
    except ImportError:
        pass
    else:  # the provider is installed on this machine: nothing to assert about a missing package
        pytest.skip(f"{package} is installed")
    with pytest.raises(LLMConfigError, match=f"pip install {package}"):
        build_chat_model(spec, base_url="http://127.0.0.1:11434")


@pytest.mark.parametrize("spec", ["gpt-4o-mini", "openai:", ":gpt"])
def test_spec_without_provider_and_model_is_explained(spec: str) -> None:
    with pytest.raises(LLMConfigError, match="provider:model"):
        build_chat_model(spec)


def test_unknown_provider_is_reported_with_the_spec() -> None:
    with pytest.raises(LLMConfigError, match="'nosuch:model'"):
        build_chat_model("nosuch:model")
