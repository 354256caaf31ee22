"""Typed application errors with stable codes and Vietnamese messages.

Every refusal the software gives a person is an `AppError`: `code` is stable (scripts, the UI and
tests match on it), `message` is the polite Vietnamese sentence shown to the officer, `field` names
the input at fault when there is one, and `params` carries the values that went into the message.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of all expected errors. Never carries personal data in `code` or `params` keys."""

    def __init__(self, code: str, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params: dict[str, Any] = params

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            data["field"] = self.field
        return data


class ValidationError(AppError):
    """Input that breaks a rule (bad ID number, empty name, malformed date…)."""


class NotFoundError(AppError):
    """A referenced thing (procedure, dossier, agency…) does not exist."""


class StateError(AppError):
    """The action is not allowed in the dossier's current state."""


class CapacityError(AppError):
    """A finite resource ran out (e.g. no dossier code left in the leased blocks)."""


class ConfigurationError(AppError):
    """The installation is not set up for the request (no data directory, no counter…)."""


class PermissionDeniedError(AppError):
    """The acting officer's role does not allow the action (code "auth.forbidden"), or the
    account may not act at all right now (locked by the administrator, or locked out)."""


class AuthenticationError(AppError):
    """Sign-in refused: wrong user name or password, or too many failed attempts."""
