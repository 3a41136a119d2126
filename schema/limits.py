"""Limits on what one GraphQL request may ask for, and caches that make repeated documents cheap.

One extension does it all (``DocumentPolicy``), made per request from state built once per schema.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = 10  # introspection fields do not count
    max_aliases: int = 30
    max_tokens: int = 2000
    cache_size: int = 256  # parsed and validated documents kept (LRU)
    introspection: bool = True


class _Documents:
    """What every request of one schema shares: the extra validation rules and the caches of
    parsed documents and of their validation, both keyed by the document's text (the same text
    parses to the same document, so it validates the same way)."""

    def __init__(self, limits: SchemaLimits) -> None:
        rules: list[type[ASTValidationRule]] = [
            depth_rule(limits.max_depth, None),
            alias_rule(limits.max_aliases),
        ]
        if not limits.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self.max_tokens = limits.max_tokens
        self.cache_size = limits.cache_size
        # Tokens are counted while parsing, so a huge document is refused before it is built.
        self.parse: Callable[[str], DocumentNode] | None = (
            lru_cache(maxsize=limits.cache_size)(partial(parse, max_tokens=limits.max_tokens))
            if limits.cache_size
            else None
        )
        self._validated: OrderedDict[str, list[GraphQLError]] = OrderedDict()

    def validate(self, context: ExecutionContext) -> list[GraphQLError]:
        query, document = context.query, context.graphql_document
        assert document is not None  # parsed before validation
        if not self.cache_size or query is None:
            return validate_document(context.schema._schema, document, context.validation_rules)
        errors = self._validated.get(query)
        if errors is None:
            errors = validate_document(context.schema._schema, document, context.validation_rules)
            self._validated[query] = errors
            if len(self._validated) > self.cache_size:
                self._validated.popitem(last=False)
        else:
            self._validated.move_to_end(query)
        return errors


class DocumentPolicy(SchemaExtension):
    """The limits on a document and its caches, as one extension: Strawberry's MaxTokensLimiter,
    AddValidationRules, ParserCache and ValidationCache did the same as four, and each extension
    costs every request a pass through its hooks (BENCHMARKS.md, finding 2). Strawberry's own
    ValidationCache also keyed its cache by the document, hashing the whole syntax tree on every
    request; this one looks the text up.

    It also applies the GraphQL spec's rule that a document with several operations must name the
    one to run: Strawberry would quietly run the first; it is refused instead, so what runs is
    always what the client named."""

    def __init__(self, documents: _Documents) -> None:
        super().__init__()
        self.documents = documents

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.documents.max_tokens
        context.validation_rules = context.validation_rules + self.documents.rules
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        parse_cached = self.documents.parse
        if parse_cached is not None and context.query is not None:
            context.graphql_document = parse_cached(context.query)
        yield  # without the cache, Strawberry parses (with the max_tokens set above)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Strawberry fills a missing operation name in from the first operation; what the client
        # sent is kept in this attribute.
        provided = getattr(context, "_provided_operation_name", None)
        if document is not None and provided is None and _operation_count(document) > 1:
            # Set before validation runs, so validation is skipped and this is the answer.
            context.pre_execution_errors = [
                GraphQLError("operationName is required when the document has several operations")
            ]
        elif document is not None:
            context.pre_execution_errors = self.documents.validate(context)
        yield


def _operation_count(document: DocumentNode) -> int:
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


def limit_extensions(limits: SchemaLimits) -> Sequence[Callable[[], SchemaExtension]]:
    """The schema's extensions for ``limits``, as factories (a fresh extension per request, as
    Strawberry ≥0.316 wants) sharing one set of rules and caches: the rules are built once, so
    that the validation cache, keyed by text, always sees the same ones."""
    return [partial(DocumentPolicy, _Documents(limits))]
