"""Product bugs the fuzzers found that are not fixed yet.

Each one has strict ``xfail`` regression tests in ``tests/fuzz/test_regressions.py`` that pin it
with the smallest request that shows it. So that a known bug does not hide new ones, the fuzzers
excuse an internal error only when it matches a known bug precisely: the backend, the operation
(the error's root field) and the exception the server logged for that request (found by the
error's ``requestId``). When a bug is fixed its regression tests pass, strict ``xfail`` turns that
into a failure, and whoever fixed it removes the marks and the entry here.
"""

from dataclasses import dataclass
from typing import Any

from tests.databases import BACKEND


@dataclass(frozen=True)
class KnownBug:
    summary: str
    regression_tests: str
    backends: frozenset[str]
    fields: frozenset[str]  # root fields of the operations it shows in
    log_signatures: tuple[str, ...]  # text of the exception the server logs for it


KNOWN_BUGS: tuple[KnownBug, ...] = ()


def _logged_for(request_id: str, server_log: str) -> str:
    return "\n".join(line for line in server_log.splitlines() if request_id in line)


def _is(bug: KnownBug, error: dict[str, Any], server_log: str) -> bool:
    field = str((error.get("path") or [""])[0])
    request_id = (error.get("extensions") or {}).get("requestId")
    if BACKEND not in bug.backends or field not in bug.fields or not request_id:
        return False
    logged = _logged_for(str(request_id), server_log)
    return any(signature in logged for signature in bug.log_signatures)


def known_bug(internal_errors: list[dict[str, Any]], server_log: str) -> KnownBug | None:
    """The known bug that explains every one of these internal errors, if one does."""
    for bug in KNOWN_BUGS:
        if internal_errors and all(_is(bug, error, server_log) for error in internal_errors):
            return bug
    return None
