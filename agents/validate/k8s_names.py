"""Kubernetes name and label syntax (apimachinery's util/validation), with the API server's wording.

Each function returns the API server's messages for a value, empty when the value is valid.
"""

from __future__ import annotations

import re

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
LABEL_VALUE_MAX = 63
QUALIFIED_NAME_MAX = 63
PORT_NAME_MAX = 15

_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE = re.compile(f"^{_DNS1123_LABEL}$")
_DNS1123_SUBDOMAIN = f"{_DNS1123_LABEL}(\\.{_DNS1123_LABEL})*"
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN}$")
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_RE = re.compile(f"^{_DNS1035_LABEL}$")
_QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_RE = re.compile(f"^{_QUALIFIED_NAME}$")
_LABEL_VALUE = f"({_QUALIFIED_NAME})?"
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE}$")
_PORT_NAME_CHARSET_RE = re.compile("^[-a-z0-9]+$")
_PORT_NAME_LETTER_RE = re.compile("[a-z]")


def _too_long(limit: int) -> str:
    return f"must be no more than {limit} characters"


def _format(what: str, pattern: str, examples: tuple[str, ...]) -> str:
    shown = ",  or ".join(f"'{e}'" for e in examples)
    return f"{what} (e.g. {shown}, regex used for validation is '{pattern}')"


DNS1123_LABEL_MSG = _format(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character",
    _DNS1123_LABEL,
    ("my-name", "123-abc"),
)
DNS1123_SUBDOMAIN_MSG = _format(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character",
    _DNS1123_SUBDOMAIN,
    ("example.com",),
)
DNS1035_LABEL_MSG = _format(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character",
    _DNS1035_LABEL,
    ("my-name", "abc-123"),
)
QUALIFIED_NAME_MSG = _format(
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character",
    _QUALIFIED_NAME,
    ("MyName", "my.name", "123-abc"),
)
LABEL_VALUE_MSG = _format(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character",
    _LABEL_VALUE,
    ("MyValue", "my_value", "12345"),
)


def dns1123_label(value: str) -> list[str]:
    errors = [_too_long(DNS1123_LABEL_MAX)] if len(value) > DNS1123_LABEL_MAX else []
    return errors + ([] if _DNS1123_LABEL_RE.match(value) else [DNS1123_LABEL_MSG])


def dns1123_subdomain(value: str) -> list[str]:
    errors = [_too_long(DNS1123_SUBDOMAIN_MAX)] if len(value) > DNS1123_SUBDOMAIN_MAX else []
    return errors + ([] if _DNS1123_SUBDOMAIN_RE.match(value) else [DNS1123_SUBDOMAIN_MSG])


def dns1035_label(value: str) -> list[str]:
    errors = [_too_long(DNS1123_LABEL_MAX)] if len(value) > DNS1123_LABEL_MAX else []
    return errors + ([] if _DNS1035_LABEL_RE.match(value) else [DNS1035_LABEL_MSG])


def path_segment_name(value: str) -> list[str]:
    """RBAC objects may use any name that is a valid URL path segment."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in "/%" if c in value]


def qualified_name(value: str) -> list[str]:
    """A label or annotation key: an optional DNS subdomain prefix, '/', then a 63-character name."""
    prefix, slash, name = value.rpartition("/")
    errors: list[str] = []
    if slash:
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += [f"prefix part {m}" for m in dns1123_subdomain(prefix)]
    if not name:
        return [*errors, "name part must be non-empty"]
    if len(name) > QUALIFIED_NAME_MAX:
        errors.append(f"name part {_too_long(QUALIFIED_NAME_MAX)}")
    if not _QUALIFIED_NAME_RE.match(name):
        errors.append(QUALIFIED_NAME_MSG)
    return errors


def label_value(value: str) -> list[str]:
    errors = [_too_long(LABEL_VALUE_MAX)] if len(value) > LABEL_VALUE_MAX else []
    return errors + ([] if _LABEL_VALUE_RE.match(value) else [LABEL_VALUE_MSG])


def port_name(value: str) -> list[str]:
    """IANA_SVC_NAME, as container port names must be (RFC 6335)."""
    errors = [_too_long(PORT_NAME_MAX)] if len(value) > PORT_NAME_MAX else []
    if not _PORT_NAME_CHARSET_RE.match(value):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER_RE.search(value):
        errors.append("must contain at least one letter (a-z)")
    if "--" in value:
        errors.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        errors.append("must not begin or end with a hyphen")
    return errors
