"""The Strawberry schema class trunkql serves (plain, or as a federation subgraph)."""

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

# Client mistakes — a syntax or validation error, a NOT_FOUND or FORBIDDEN raised on purpose — are
# part of serving an API, not incidents: at DEBUG, so an operator's ERROR lines stay real.
client_errors = logging.getLogger("trunkql.graphql.client_errors")


def is_client_error(error: GraphQLError) -> bool:
    """Errors clients are meant to see: syntax and validation errors, and the GraphQL errors our
    resolvers and permission checks raise on purpose. Anything else is a bug or an outage."""
    return error.original_error is None or isinstance(error.original_error, GraphQLError)


class TrunkqlSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error of a result at ERROR with its traceback; only the
        server's own failures deserve that (they are also masked for the client)."""
        for error in errors:
            if is_client_error(error):
                client_errors.debug("%s", error.message)
            else:
                StrawberryLogger.error(error, execution_context)
