"""Limits on what one GraphQL request may ask for, and caches that make repeated documents cheap.

Passed to Strawberry as factories (a fresh extension per request, as Strawberry ≥0.316 wants), but
the validation rules are built once per schema: the validation cache is keyed by the rule classes,
and a class made per request would never hit it.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from graphql import ASTValidationRule, GraphQLError, OperationDefinitionNode
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule


class RequireOperationName(SchemaExtension):
    """The GraphQL spec: a document with several operations must name the one to run. Strawberry
    would quietly run the first; refuse instead, so what runs is always what the client named."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Strawberry fills a missing operation name in from the first operation; what the client
        # sent is kept in this attribute.
        provided = getattr(context, "_provided_operation_name", None)
        if document is not None and provided is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                # Set before validation runs, so validation is skipped and this is the answer.
                context.pre_execution_errors = [
                    GraphQLError(
                        "operationName is required when the document has several operations"
                    )
                ]
        yield


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = 10  # introspection fields do not count
    max_aliases: int = 30
    max_tokens: int = 2000
    cache_size: int = 256  # parsed and validated documents kept (LRU)
    introspection: bool = True


def limit_extensions(limits: SchemaLimits) -> Sequence[Callable[[], SchemaExtension]]:
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.max_depth, None),
        alias_rule(limits.max_aliases),
    ]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension]] = [
        # Tokens are counted while parsing, so a huge document is refused before it is built.
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(AddValidationRules, rules),
    ]
    if limits.cache_size:
        extensions += [
            partial(ParserCache, maxsize=limits.cache_size),
            partial(ValidationCache, maxsize=limits.cache_size),
        ]
    # After the validation cache, which would otherwise overwrite the refusal.
    extensions.append(RequireOperationName)
    return extensions
