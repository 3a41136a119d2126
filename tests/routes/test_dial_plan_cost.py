"""A dial plan costs one indexed query, however many routes exist."""

import random
import re
import uuid
from datetime import UTC, datetime

from tortoise import Tortoise

from models.provider import Provider
from models.route import Route
from services.dial_plan import candidate_routes
from tests.databases import BACKEND
from tests.factories import ACME, PLATFORM, create_provider, create_route
from tests.graphql_client import GraphQLClient
from tests.sql_counter import count_statements

DIAL = """
query($destination: String!, $customerId: ID!) {
  dialPlan(destination: $destination, customerId: $customerId) {
    attempts { route { name provider { name } } provider { name } }
  }
}
"""
NUMBER = "+442079460000"


async def _add_unrelated_routes(count: int, seed: int) -> None:
    """Routes of other customers, and of ACME for other countries: none is in ACME's plan."""
    now = datetime.now(UTC)
    rng = random.Random(seed)
    providers = [
        Provider(
            id=uuid.uuid4(),
            name=f"noise{i}",
            hostname="sip.example.com",
            tm_create=now,
            tm_update=now,
        )
        for i in range(20)
    ]
    await Provider.bulk_create(providers)
    customers = [uuid.uuid4() for _ in range(100)]
    routes = []
    for i in range(count):
        own = i % 10 == 0
        routes.append(
            Route(
                id=uuid.uuid4(),
                customer_id=uuid.UUID(ACME) if own else rng.choice(customers),
                name=f"noise{i}",
                provider_id=rng.choice(providers).id,
                priority=rng.randrange(100),
                target=rng.choice(["+1", "+33", "+49", "+81"] if own else ["all", "+44", "+4420"]),
                tm_create=now,
                tm_update=now,
            )
        )
    await Route.bulk_create(routes, batch_size=500)


async def _plan(admin: GraphQLClient) -> list[str]:
    response = await admin.execute(DIAL, {"destination": NUMBER, "customerId": ACME})
    attempts = response.data["dialPlan"]["attempts"]
    return [attempt["route"]["name"] for attempt in attempts]


async def test_a_dial_plan_costs_one_query_whatever_the_number_of_routes(
    admin: GraphQLClient,
) -> None:
    for name, target, customer in [("uk", "+44", ACME), ("all", "all", PLATFORM)]:
        provider = await create_provider(admin, name=name)
        await create_route(admin, provider["id"], name=name, target=target, customerId=customer)

    counts = []
    for extra in (0, 2000):
        await _add_unrelated_routes(extra, seed=extra)
        with count_statements() as counter:
            assert await _plan(admin) == ["uk", "all"]
        counts.append(counter.count)

    assert counts == [1, 1]  # routes with their providers, joined; route { provider } is primed


async def test_routes_are_looked_up_by_the_numbers_prefixes_on_the_dial_index(
    admin: GraphQLClient,
) -> None:
    provider = await create_provider(admin, name="uk")
    await create_route(admin, provider["id"], name="uk", target="+44", customerId=ACME)
    await _add_unrelated_routes(5000, seed=1)
    connection = Tortoise.get_connection("default")
    await connection.execute_script("ANALYZE")  # the planner sees the table as it is

    with count_statements() as counter:
        assert await _plan(admin) == ["uk"]

    # The one statement the request ran is the candidate query, with the number's prefixes...
    lookup = candidate_routes(NUMBER, uuid.UUID(ACME))
    [statement] = counter.statements
    assert statement.startswith(lookup.sql())
    assert "'+4420794'" in lookup.sql(params_inline=True)
    # ... and the database answers it from the index, not by scanning the routes.
    explain = "EXPLAIN QUERY PLAN " if BACKEND == "sqlite" else "EXPLAIN "
    rows = await connection.execute_query_dict(explain + lookup.sql(params_inline=True))
    plan = "\n".join(str(value) for row in rows for value in row.values())
    assert "idx_route_dial" in plan, plan
    if BACKEND == "sqlite":
        assert "SEARCH route USING INDEX idx_route_dial (customer_id=? AND target=?" in plan
    assert not re.search(r"\bSCAN route\b|Seq Scan on route\b", plan), plan  # full scans
