"""`judge` on hand-made reports: a fixed parse error reveals the objects its failed render hid."""

from __future__ import annotations

from agents.heal.verify import judge
from agents.validate.finding import Finding, Severity, ValidationReport

PARSE_ERROR = Finding(
    rule_id="helm-lint",
    severity=Severity.ERROR,
    message='parse error at (shop/templates/extra.yaml:4): function "nosuchfunc" not defined',
    file="templates/extra.yaml",
    line=4,
)
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: {n}\n"
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-extra\n"


def _report(findings: list[Finding], **templates: str) -> ValidationReport:
    rendered = {f"templates/{name}.yaml": text for name, text in templates.items()}
    return ValidationReport(chart_dir="shop", findings=findings, rendered={"values.yaml": rendered})


def test_objects_a_failed_render_hid_are_not_changes_once_the_parse_error_is_fixed() -> None:
    before = _report([PARSE_ERROR])  # the whole render failed: no object was seen
    after = _report([], deployment=DEPLOYMENT.format(n=1), extra=CONFIG_MAP)
    assert judge(before, after, [PARSE_ERROR]).kept


def test_an_object_that_rendered_before_still_must_not_change_when_the_parse_error_is_fixed() -> None:
    before = _report([PARSE_ERROR], deployment=DEPLOYMENT.format(n=1))
    after = _report([], deployment=DEPLOYMENT.format(n=3), extra=CONFIG_MAP)
    verdict = judge(before, after, [PARSE_ERROR])
    assert not verdict.kept and "Deployment in templates/deployment.yaml" in verdict.reason


def test_without_a_blocking_error_an_object_that_appears_is_still_outside_scope() -> None:
    missing = Finding(
        rule_id="wiring/service-selector",
        severity=Severity.ERROR,
        message="Service/shop selects no pod",
        file="templates/service.yaml",
        resource="Service/shop",
    )
    before = _report([missing], deployment=DEPLOYMENT.format(n=1))
    after = _report([], deployment=DEPLOYMENT.format(n=1), extra=CONFIG_MAP)
    verdict = judge(before, after, [missing])
    assert not verdict.kept and "ConfigMap in templates/extra.yaml" in verdict.reason
