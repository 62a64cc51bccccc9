"""The web app's and CLI's exception family: one base, a code, a message in the user's words."""

from __future__ import annotations


class AppError(Exception):
    """An error the user caused or can act on. `code` is machine-readable, the message is for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(AppError):
    status = 404
    code = "not_found"


class NotYetAvailable(AppError):
    """A command or route whose capability belongs to work not yet done."""

    status = 501
    code = "not_available"
