"""Free-text replies mapped onto the planner's open questions."""

from __future__ import annotations

import pytest

from bot.handlers.answers import AnswerError, answers_from_text

SECRET = {"key": "secret_refs[0].name", "prompt": "Which existing Secret holds DATABASE_URL?"}
IMAGE = {"key": "image", "prompt": "Which container image?"}
PORTS = {"key": "ports", "prompt": "Which port?", "default": "8080"}


@pytest.mark.parametrize(
    ("questions", "text", "expected"),
    [
        ([SECRET], "shop-db", {"secret_refs[0].name": "shop-db"}),
        ([SECRET], "  the secret is\nshop-db ", {"secret_refs[0].name": "the secret is shop-db"}),
        (
            [IMAGE, PORTS],
            "image: ghcr.io/acme/x:1.0\nports=9090",
            {"image": "ghcr.io/acme/x:1.0", "ports": "9090"},
        ),
        ([IMAGE, PORTS], "2. 9090\n1. ghcr.io/acme/x:1.0", {"image": "ghcr.io/acme/x:1.0", "ports": "9090"}),
        ([IMAGE, PORTS], "ghcr.io/acme/x:1.0\n9090", {"image": "ghcr.io/acme/x:1.0", "ports": "9090"}),
        ([IMAGE, PORTS], "- ghcr.io/acme/x:1.0", {"image": "ghcr.io/acme/x:1.0", "ports": "8080"}),
        ([SECRET], "`secret_refs[0].name`: shop-db", {"secret_refs[0].name": "shop-db"}),
    ],
    ids=["single", "single-multiline", "keyed", "numbered", "in-order", "default-fills", "backticked-key"],
)
def test_reply_shapes(questions: list[dict[str, str]], text: str, expected: dict[str, str]) -> None:
    assert answers_from_text(questions, text) == expected


def test_missing_answer_names_the_key() -> None:
    with pytest.raises(AnswerError, match="`ports`") as err:
        answers_from_text([IMAGE, {"key": "ports", "prompt": "Which port?"}], "image: ghcr.io/acme/x:1.0")
    assert "ports: <answer>" in str(err.value)


def test_no_questions_no_answers() -> None:
    assert answers_from_text([], "anything") == {}
