"""Keep credentials out of logs, exception messages and comments.

Two layers: secrets we know (registered installation tokens, the App key) are masked
verbatim and in their Basic-auth form, and anything shaped like a GitHub token, a JWT or a
PEM block is masked even if nobody registered it.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable

MASK = "***"
MIN_SECRET_LENGTH = 8  # shorter strings would mask ordinary words

TOKEN_SHAPES = re.compile(
    r"(?:gh[pousr]_[A-Za-z0-9]{20,255})"  # classic and App tokens: ghp_, gho_, ghu_, ghs_, ghr_
    r"|(?:github_pat_[A-Za-z0-9_]{20,255})"  # fine-grained personal access tokens
    r"|(?:eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,})"  # JWTs (App auth)
    r"|(?:-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----)",
    re.DOTALL,
)
AUTH_HEADER = re.compile(r"(?i)(authorization:\s*(?:basic|bearer|token)\s+)[A-Za-z0-9+/=._-]+")


def _forms(secret: str) -> list[str]:
    """The secret as written, and as git/HTTP carry it inside a Basic auth header."""
    forms = [secret]
    for user in ("x-access-token", "x-oauth-basic"):
        forms.append(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return forms


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every given secret (and anything token-, JWT- or key-shaped) replaced by `***`."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            for form in _forms(secret):
                text = text.replace(form, MASK)
    text = AUTH_HEADER.sub(lambda m: m.group(1) + MASK, text)
    return TOKEN_SHAPES.sub(MASK, text)


class SecretRegistry:
    """The secrets this process holds right now; thread-safe, shared by the log filter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def register(self, secret: str) -> None:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            with self._lock:
                self._secrets.add(secret)

    def snapshot(self) -> list[str]:
        with self._lock:
            return sorted(self._secrets, key=len, reverse=True)  # longest first: no partial masks

    def redact(self, text: str) -> str:
        return redact(text, self.snapshot())


SECRETS = SecretRegistry()


def register_secret(secret: str) -> None:
    """Remember `secret` so every redacting log filter masks it from now on."""
    SECRETS.register(secret)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the message, its arguments and exception text."""

    def __init__(self, registry: SecretRegistry = SECRETS) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.registry.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.registry.redact(record.exc_text)
            # keep the type for handlers that inspect it, but the formatter will use exc_text
        if record.stack_info:
            record.stack_info = self.registry.redact(record.stack_info)
        return True


def install_redaction(
    logger: logging.Logger | None = None, registry: SecretRegistry = SECRETS
) -> RedactingFilter:
    """Attach a `RedactingFilter` to every handler of `logger` (root by default); returns the filter."""
    target = logger or logging.getLogger()
    redacting = RedactingFilter(registry)
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    return redacting
