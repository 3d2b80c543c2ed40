"""Threads stored by an older release keep loading after the heal loop became one."""

from __future__ import annotations

from agents.heal.model import HealAttempt


def test_a_pass_stored_before_its_validation_loads_as_no_progress() -> None:
    attempt = HealAttempt.model_validate(
        {"number": 1, "errors_before": 3, "errors_after": None, "progressed": None}
    )
    assert (attempt.errors_after, attempt.progressed) == (3, False)


def test_a_validated_pass_from_an_older_release_keeps_its_outcome() -> None:
    attempt = HealAttempt.model_validate(
        {"number": 2, "errors_before": 3, "errors_after": 1, "progressed": None}
    )
    assert (attempt.errors_after, attempt.progressed) == (1, True)
    current = HealAttempt.model_validate(
        {"number": 1, "errors_before": 2, "errors_after": 2, "progressed": False}
    )
    assert current.progressed is False
