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


class RouteNotPathFilter(logging.Filter):
    """Django's own request errors name the path ("Internal Server Error: /groups/...");
    ours never do (a path can hold a feed token, a query string a search). Records that
    carry the request get its route name in place of the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is None or not hasattr(request, "path"):
            return True
        match = getattr(request, "resolver_match", None)
        route = f"route={match.view_name if match else '-'}"
        message = record.getMessage()
        for path in sorted({request.get_full_path(), request.path}, key=len, reverse=True):
            if path:
                message = message.replace(path, route)
        record.msg, record.args = message, ()
        return True
