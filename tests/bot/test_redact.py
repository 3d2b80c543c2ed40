"""`bot.redact`: secrets never reach logs or exception text, in any of the forms they travel in."""

from __future__ import annotations

import base64
import io
import logging

import pytest

from bot.redact import MASK, RedactingFilter, SecretRegistry, install_redaction, redact

INSTALLATION_TOKEN = "ghs_" + "A1b2C3d4E5" * 3 + "f6G7h8"
PAT = "ghp_" + "Z9y8X7w6V5" * 3 + "u4T3s2"
FINE_GRAINED = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MjQyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----"


class TestRedact:
    @pytest.mark.parametrize("secret", [INSTALLATION_TOKEN, PAT, FINE_GRAINED, JWT, PEM])
    def test_token_shapes_are_masked_without_registration(self, secret: str) -> None:
        out = redact(f"clone failed with {secret} in the way")
        assert secret not in out and MASK in out and out.startswith("clone failed with ")

    def test_registered_secret_and_its_basic_auth_form(self) -> None:
        secret = "plain-secret-value-123"
        basic = base64.b64encode(f"x-access-token:{secret}".encode()).decode()
        out = redact(f"token={secret} header=Basic {basic}", [secret])
        assert secret not in out and basic not in out

    def test_authorization_headers_are_masked(self) -> None:
        out = redact(
            "Authorization: Basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0 and authorization: token abcdef123456"
        )
        assert "eC1hY2Nlc3MtdG9rZW46c2VjcmV0" not in out and "abcdef123456" not in out

    def test_short_strings_are_not_treated_as_secrets(self) -> None:
        assert redact("the main branch", ["main"]) == "the main branch"

    def test_ordinary_text_is_untouched(self) -> None:
        text = "Chart nginx rendered 7 objects; ghs is not a token; eyJ alone neither"
        assert redact(text) == text


class TestLogFilter:
    def _logger(self, registry: SecretRegistry) -> tuple[logging.Logger, io.StringIO]:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger(f"test-redact-{id(registry)}")
        logger.handlers = [handler]
        logger.propagate = False
        install_redaction(logger, registry)
        return logger, stream

    def test_message_arguments_are_masked(self) -> None:
        registry = SecretRegistry()
        registry.register("s3cret-value-xyz")
        logger, stream = self._logger(registry)
        logger.warning("pushing with %s and %s", "s3cret-value-xyz", INSTALLATION_TOKEN)
        assert "s3cret-value-xyz" not in stream.getvalue() and INSTALLATION_TOKEN not in stream.getvalue()
        assert "pushing with ***" in stream.getvalue()

    def test_exception_text_is_masked(self) -> None:
        registry = SecretRegistry()
        registry.register("another-secret-999")
        logger, stream = self._logger(registry)
        try:
            raise RuntimeError("git said: bad credentials another-secret-999")
        except RuntimeError:
            logger.exception("push failed")
        assert "another-secret-999" not in stream.getvalue() and "RuntimeError" in stream.getvalue()

    def test_install_is_idempotent(self) -> None:
        registry = SecretRegistry()
        logger, _ = self._logger(registry)
        install_redaction(logger, registry)
        assert sum(isinstance(f, RedactingFilter) for f in logger.handlers[0].filters) == 1
