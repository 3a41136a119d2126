"""trunkql as an Apollo Federation 2 subgraph (``TRUNKQL_FEDERATION=true``).

``Provider`` and ``Route`` are entities keyed by ``id``: another subgraph may return
``Provider`` references (``{__typename: "Provider", id: "…"}``) and the router asks trunkql for
the rest through ``Query._entities``. ``Query._service { sdl }`` tells the router what this
subgraph serves.

The federated schema is the default schema plus those two root fields, and its SDL is the default
schema's SDL (``schema.graphql``) with ``@key(fields: "id")`` on the entities and an ``@link`` to
the federation spec. The keys are applied to the printed document, not to the Strawberry types:
``@strawberry.federation.type(keys=...)`` would put ``@key`` (and the ``key`` directive with its
``_FieldSet`` scalar) into the default schema too, which clients and schema.graphql rely on
staying as it is.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Annotated, Any, NewType, cast

import strawberry
from graphql import (
    DefinitionNode,
    DocumentNode,
    GraphQLError,
    ObjectTypeDefinitionNode,
    parse,
    print_ast,
)
from strawberry.schema.config import StrawberryConfig

from models.route import Route as RouteModel
from schema.base import TrunkqlSchema
from schema.context import Info
from schema.errors import query_error
from schema.providers.types import Provider
from schema.routes.types import Route
from services import providers as provider_service
from services.errors import ServiceError, invalid
from services.ids import parse_id

FEDERATION_SPEC = "https://specs.apollo.dev/federation/v2.3"
# Entity type -> its key's fields (a federation FieldSet).
ENTITY_KEYS: Mapping[str, str] = {"Provider": "id", "Route": "id"}

# Federation's ``_Any``: an entity representation, ``{"__typename": "Provider", "id": "…"}``.
Representation = NewType("Representation", object)
REPRESENTATION_SCALAR = strawberry.scalar(
    name="_Any",
    description="An entity representation: __typename and the fields of the entity's key.",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

Entity = Annotated[Provider | Route, strawberry.union("_Entity")]


def subgraph_sdl(sdl: str) -> str:
    """``sdl`` (the default schema) as a Federation 2 subgraph: ``@link`` to the spec and
    ``@key`` on each entity type. Fails if an entity type is missing from ``sdl``."""
    document = parse(sdl)
    types = {d.name.value for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode)}
    if missing := set(ENTITY_KEYS) - types:
        raise ValueError(f"entity types missing from the schema: {', '.join(sorted(missing))}")
    link = parse(
        f'extend schema @link(url: "{FEDERATION_SPEC}", import: ["@key"])', no_location=True
    ).definitions[0]
    definitions = (link, *(_keyed(definition) for definition in document.definitions))
    return print_ast(DocumentNode(definitions=definitions)) + "\n"


def _keyed(definition: DefinitionNode) -> DefinitionNode:
    """An entity type's definition with its ``@key``; any other definition as it is."""
    if not isinstance(definition, ObjectTypeDefinitionNode):
        return definition
    fields = ENTITY_KEYS.get(definition.name.value)
    if fields is None:
        return definition
    example = parse(f'type T @key(fields: "{fields}") {{ id: ID! }}', no_location=True)
    [key] = cast("ObjectTypeDefinitionNode", example.definitions[0]).directives or ()
    return replace(definition, directives=(*(definition.directives or ()), key))


@strawberry.type(name="_Service", description="What this subgraph serves, for a federation router.")
class Service:
    sdl: str


class SubgraphSchema(TrunkqlSchema):
    """The default schema plus ``_service`` and ``_entities``. ``sdl`` is what ``_service``
    answers; None where the schema is not exposed (``TRUNKQL_EXPOSE_SCHEMA=false``), like
    introspection: a router then composes from ``trunkql export-schema --federation``."""

    def __init__(self, *, sdl: str | None, **options: Any) -> None:
        super().__init__(
            config=StrawberryConfig(scalar_map={Representation: REPRESENTATION_SCALAR}), **options
        )
        self.sdl = sdl


def _reference(index: int, representation: object) -> tuple[str, uuid.UUID]:
    """A representation's type name and id; INVALID_ARGUMENT at ["representations", index]."""
    where = ("representations", str(index))
    if not isinstance(representation, dict):
        raise invalid("a representation is an object with __typename and id", *where)
    typename = representation.get("__typename")
    if not isinstance(typename, str) or typename not in ENTITY_KEYS:
        raise invalid(
            f"__typename must be one of {', '.join(ENTITY_KEYS)}, got {typename!r}",
            *where,
            "__typename",
        )
    return typename, parse_id(representation.get("id"), *where, "id")


async def _routes_by_id(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, RouteModel]:
    """The routes with these ids, deleted ones included, in one query (the counterpart of
    ``services.providers.providers_by_id``; services.routes has no batch read yet)."""
    return {row.id: row for row in await RouteModel.filter(id__in=list(ids))}


@strawberry.type
class FederationQueries:
    @strawberry.field(name="_service", description="This subgraph's SDL, for a federation router.")
    def service(self, info: Info) -> Service:
        schema = info.schema
        assert isinstance(schema, SubgraphSchema)
        if schema.sdl is None:
            raise GraphQLError(
                "the schema is not exposed here (TRUNKQL_EXPOSE_SCHEMA=false); compose from "
                "`trunkql export-schema --federation`",
                extensions={"code": "FORBIDDEN"},
            )
        return Service(sdl=schema.sdl)

    @strawberry.field(
        name="_entities",
        description="The entities these representations name, in order; null for an id that "
        "matches nothing. One query per entity type, however many representations.",
    )
    async def entities(
        self, info: Info, representations: list[Representation]
    ) -> list[Entity | None]:
        try:
            references = [_reference(i, r) for i, r in enumerate(representations)]
        except ServiceError as exc:
            raise query_error(exc) from None
        wanted: dict[str, set[uuid.UUID]] = {name: set() for name in ENTITY_KEYS}
        for typename, rid in references:
            wanted[typename].add(rid)
        providers = (
            await provider_service.providers_by_id(wanted["Provider"]) if wanted["Provider"] else {}
        )
        routes = await _routes_by_id(wanted["Route"]) if wanted["Route"] else {}
        viewer = info.context.principal
        found: list[Provider | Route | None] = []
        for typename, rid in references:
            if typename == "Provider":
                provider = providers.get(rid)
                found.append(Provider.from_model(provider, viewer) if provider else None)
            else:
                route = routes.get(rid)
                found.append(Route.from_model(route) if route else None)
        return found
