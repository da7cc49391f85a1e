"""The one exception a service raises when a domain rule says no.

A view turns it into a form error, the API into a 409 with the same Chinese message, and the
spreadsheet engine into a row error: one rule, written once.
"""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
