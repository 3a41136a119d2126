"""Logging: JSON lines (or plain text) on standard error, each with the request id of the request
it belongs to, so a client's report, the response header and the log line can be matched."""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

# Set by RequestIdMiddleware for the task serving a request; log records pick it up from here.
current_request_id: ContextVar[str | None] = ContextVar("trunkql_request_id", default=None)

_CONFIGURED = "_trunkql_configured"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            line["requestId"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str, fmt: str = "json") -> None:
    """Idempotent: the CLI calls it, and so does each worker process's app factory."""
    root = logging.getLogger()
    if getattr(root, _CONFIGURED, False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root.handlers = [handler]
    root.setLevel(level)
    # The audit trail is JSON lines of its own: printed as they are, not wrapped again.
    audit = logging.getLogger("trunkql.audit")
    audit_handler = logging.StreamHandler(sys.stderr)
    audit_handler.setFormatter(logging.Formatter("%(message)s"))
    audit.handlers = [audit_handler]
    audit.propagate = False
    setattr(root, _CONFIGURED, True)
