import logging
from datetime import UTC, datetime


class LogfmtFormatter(logging.Formatter):
    """One greppable key=value line per record: ts, level, logger, msg (and exc)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace('"', "'").replace("\n", " ")
        line = (
            f"ts={datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds')} "
            f'level={record.levelname.lower()} logger={record.name} msg="{message}"'
        )
        if record.exc_info:
            exc_type = record.exc_info[0].__name__ if record.exc_info[0] else "Exception"
            line += f" exc={exc_type}"
        return line
