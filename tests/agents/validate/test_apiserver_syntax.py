"""The syntax the API server checks beyond its schemas: names, labels, port names, quantities and
cron schedules, each a table of values it accepts and refuses (with its messages)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agents.validate.apiserver_wording import field_path
from agents.validate.cron_schedule import schedule_problem, time_zone_problem
from agents.validate.k8s_names import (
    dns1035_label,
    dns1123_label,
    dns1123_subdomain,
    label_value,
    path_segment_name,
    port_name,
    qualified_name,
)
from agents.validate.quantity import QuantityError, parse_quantity
from agents.validate.rules.contract import LONG_RELEASE_NAME
from agents.validate.rules.object_names import name_problems


def test_field_paths_read_like_the_api_servers() -> None:
    assert field_path(("spec", "template", "spec", "containers", 0, "volumeMounts", 1, "mountPath")) == (
        "spec.template.spec.containers[0].volumeMounts[1].mountPath"
    )
    assert field_path(()) == ""


def test_the_long_release_name_is_the_longest_helm_install_accepts() -> None:
    assert len(LONG_RELEASE_NAME) == 53 and dns1123_label(LONG_RELEASE_NAME) == []


@pytest.mark.parametrize("name", ["web", "my-app-1", "a" * 63, "0day"])
def test_valid_dns_labels(name: str) -> None:
    assert dns1123_label(name) == []


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("a" * 64, "must be no more than 63 characters"),
        ("Web", "a lowercase RFC 1123 label must consist of"),
        ("web-", "must start and end with an alphanumeric character"),
        ("my.app", "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'"),
    ],
)
def test_invalid_dns_labels(name: str, fragment: str) -> None:
    assert any(fragment in m for m in dns1123_label(name))


def test_services_must_start_with_a_letter_but_other_objects_need_not() -> None:
    assert dns1035_label("0day") and "start with an alphabetic character" in dns1035_label("0day")[0]
    assert name_problems("Service", "0day") and name_problems("ConfigMap", "0day") == []


def test_subdomains_allow_dots_and_253_characters() -> None:
    assert dns1123_subdomain("config.example.com") == []
    assert dns1123_subdomain("a" * 253) == []
    assert dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]
    assert dns1123_subdomain("a..b") and dns1123_subdomain("under_score")


@pytest.mark.parametrize(
    ("kind", "name", "problems"),
    [
        ("ConfigMap", "x" * 100, []),
        ("Service", "x" * 64, [(("metadata", "name"), "must be no more than 63 characters")]),
        ("CronJob", "x" * 53, [(("metadata", "name"), "must be no more than 52 characters")]),
        ("CronJob", "x" * 52, []),
        ("Job", "x" * 64, [(("spec", "template", "labels"), "must be no more than 63 characters")]),
        ("ClusterRole", "system:auth-delegator", []),
        ("ClusterRole", "a/b", [(("metadata", "name"), "may not contain '/'")]),
    ],
)
def test_name_rules_depend_on_the_kind(kind: str, name: str, problems: list[object]) -> None:
    assert name_problems(kind, name) == problems


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("app.kubernetes.io/name", True),
        ("example.com/Tier_1", True),
        ("tier", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("Example.com/tier", False),  # the prefix is a lowercase DNS subdomain
        ("/tier", False),
        ("example.com/", False),
        ("-tier", False),
    ],
)
def test_label_keys(key: str, ok: bool) -> None:
    assert (qualified_name(key) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("v1.2_3", True),
        ("MyValue", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("1.0+build", False),
    ],
)
def test_label_values(value: str, ok: bool) -> None:
    assert (label_value(value) == []) is ok


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        ("http", []),
        ("h2c-1", []),
        ("metrics-exporter", ["must be no more than 15 characters"]),
        ("Http", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]),
        ("8080", ["must contain at least one letter (a-z)"]),
        ("web--ui", ["must not contain consecutive hyphens"]),
        ("-web", ["must not begin or end with a hyphen"]),
    ],
)
def test_port_names_are_iana_service_names(name: str, messages: list[str]) -> None:
    assert port_name(name) == messages


def test_rbac_names_are_path_segments() -> None:
    assert path_segment_name("system:controller:web") == []
    assert path_segment_name("..") == ["may not be '..'"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Fraction(1, 10)),
        ("1", Fraction(1)),
        (2, Fraction(2)),
        (0.5, Fraction(1, 2)),
        ("1000m", Fraction(1)),
        ("512Mi", Fraction(512 * 2**20)),
        ("0.5Gi", Fraction(2**29)),
        ("1G", Fraction(10**9)),
        ("1k", Fraction(1000)),
        ("2e3", Fraction(2000)),
        ("1E3", Fraction(1000)),  # an exponent, not exa: "1E" alone would be 10**18
        ("1E", Fraction(10**18)),
        ("1.5Ki", Fraction(1536)),
        ("250u", Fraction(1, 4000)),
        ("-1", Fraction(-1)),
    ],
)
def test_quantities_parse_exactly(text: str | int | float, value: Fraction) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "1Gb", "Mi", "one", "1.2.3", None, True, [1]])
def test_what_is_not_a_quantity_is_refused(text: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_binary_and_decimal_suffixes_compare_by_value() -> None:
    assert parse_quantity("1Gi") > parse_quantity("1G")
    assert parse_quantity("512Mi") == parse_quantity("0.5Gi")
    assert parse_quantity("1") == parse_quantity("1000m")


@pytest.mark.parametrize(
    "schedule",
    [
        "*/15 3-5 * jan-mar mon-fri",
        "0 0 1 1 *",
        "59 23 31 12 6",
        "0 */2 * * SUN",
        "0 9-17/2 ? * 1,3,5",
        "@hourly",
        "@daily",
        "@every 1h30m",
    ],
)
def test_schedules_the_api_server_accepts(schedule: str) -> None:
    assert schedule_problem(schedule) is None


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("0 24 * * *", "end of range (24) above maximum (23): 24"),
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("0 0 * 13 *", "end of range (13) above maximum (12): 13"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("0 0 * *", "expected exactly 5 fields, found 4: [0 0 * *]"),
        ("0 0 0 * * *", "expected exactly 6 fields"),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("TZ=UTC 0 0 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        ("x * * * *", "failed to parse int from x"),
        ("", "empty spec string"),
    ],
)
def test_schedules_the_api_server_refuses(schedule: str, problem: str) -> None:
    found = schedule_problem(schedule)
    assert found is not None
    if problem == "expected exactly 6 fields":
        assert found.startswith("expected exactly 5 fields, found 6")
    else:
        assert found == problem


def test_time_zones_come_from_the_tz_database() -> None:
    assert time_zone_problem("Europe/Paris") is None and time_zone_problem("Etc/UTC") is None
    assert time_zone_problem("Europe/Pariss") == "unknown time zone Europe/Pariss"


def test_without_a_tz_database_no_zone_is_called_unknown() -> None:
    assert time_zone_problem("Europe/Paris", known=frozenset()) is None
    assert time_zone_problem("Europe/Paris", known=frozenset({"Etc/UTC"})) == "unknown time zone Europe/Paris"
