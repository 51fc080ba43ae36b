"""The one way a số định danh cá nhân (12-digit personal ID, CCCD) is masked: 0123****5678.

It knows no model, so labels (`__str__`), exports, import messages and the log handlers can all
use it; who may see the number in full is decided in agents.personal_data.
"""

import logging
import re

# 12 digits standing alone: not part of a longer number (a BHYT card, a 13-digit tax code), and
# not a mã số BHXH (10 digits), which stays in full.
PERSONAL_ID_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{4}([0-9]{4})(?![0-9])")
MASKED_ID = re.compile(r"^[0-9]{4}\*{4}[0-9]{4}$")


def mask_personal_id(value) -> str:
    """'012345675678' -> '0123****5678'; anything that is not a 12-digit ID is returned as it is."""
    text = "" if value is None else str(value)
    if len(text) == 12 and text.isdigit():
        return f"{text[:4]}****{text[-4:]}"
    return text


def mask_personal_ids_in(text) -> str:
    """Every 12-digit number in a free text masked (a message, a log line, a traceback)."""
    return PERSONAL_ID_IN_TEXT.sub(r"\1****\2", "" if text is None else str(text))


def is_masked_personal_id(value) -> bool:
    """A cell that holds a masked ID (an exported list filled in again): the number itself is gone."""
    return bool(MASKED_ID.match(str(value or "").strip()))


class MaskPersonalIds(logging.Filter):
    """On a handler: the message, its arguments and the traceback are written with personal IDs
    masked, whoever logged them (our code, Django's request log, a database error's DETAIL line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_ids_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_ids_in(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_ids_in(record.stack_info)
        return True
