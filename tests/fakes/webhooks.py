"""How a webhook travels: the exact body bytes, signed and headed the way GitHub sends them.

What the body says is built in `tests.fakes.payloads`; this module only delivers it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass
from typing import Any

_deliveries = itertools.count(1)


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` header GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(event: str, body: bytes, secret: str, delivery: str | None = None) -> dict[str, str]:
    """Headers GitHub sends: event name, a unique delivery id, and the HMAC-SHA256 signature."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/fake",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or f"delivery-{next(_deliveries)}",
        "X-GitHub-Hook-ID": "1",
        "X-Hub-Signature-256": sign(body, secret),
    }


@dataclass(frozen=True)
class Delivery:
    """A webhook as it arrives over HTTP: raw body bytes and GitHub's headers."""

    event: str
    body: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


def deliver(event: str, payload: dict[str, Any], secret: str, *, delivery_id: str | None = None) -> Delivery:
    """Serialise and sign `payload` as GitHub would deliver `event`."""
    body = json.dumps(payload).encode()
    return Delivery(event, body, signed_headers(event, body, secret, delivery_id))
