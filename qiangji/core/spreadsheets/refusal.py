"""The one error a spreadsheet that cannot be read raises (its own module so that the upload
checks, the extent scan and the reader share it without importing each other)."""


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
