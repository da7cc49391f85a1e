"""Log records carry no personal data: a message or traceback that happens to hold a mobile or an
ID number (a cell of a failed import, a value in an exception) is masked before any handler
writes it (RULES.md: personal data is never kept in clear outside its encrypted column)."""

import logging

from qiangji.core.crypto import mask_in_text


class MaskPersonalData(logging.Filter):
    """Masks mobiles and ID numbers in the formatted message and the exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_in_text(record.exc_text)
        return True
