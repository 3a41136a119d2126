"""Counting the SQL statements a request costs, to prove it does not grow with the data."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def emit(self, record: logging.LogRecord) -> None:
        # Tortoise logs "%s: %s" with the SQL and its parameters as arguments.
        message = record.getMessage().lstrip()
        if message.upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            self.statements.append(message)


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    """Counts the SQL statements Tortoise sends (it logs each one at DEBUG)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
