"""A deep page is an index range, not a walk from the newest row down to the cursor (an offset in
disguise). Checked on the plan the database makes for the statement as the server sends it: with
bound parameters, and on PostgreSQL as the generic plan a prepared statement ends up with."""

import re
import uuid
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.provider import Provider
from services.pagination import page_query
from tests.databases import BACKEND
from tests.graphql_client import GraphQLClient
from tests.sql_counter import count_statements

PAGE = """
query($after: String) {
  providers(first: 100, after: $after) { edges { node { name } } pageInfo { endCursor } }
}
"""


async def _seed(count: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await Provider.bulk_create(
        [
            Provider(
                id=uuid.uuid4(),
                name=f"p{i:05d}",
                hostname="sip.example.com",
                tm_create=start + timedelta(seconds=i),
                tm_update=start,
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    await Tortoise.get_connection("default").execute_script("ANALYZE")


async def _plan(sql: str, params: list[object]) -> str:
    """The plan of ``sql`` with its parameters bound, never inlined: inlined values let the
    planner see the range whichever way the condition is written, which is how this hides."""
    async with in_transaction() as connection:
        if BACKEND == "sqlite":
            rows = await connection.execute_query_dict("EXPLAIN QUERY PLAN " + sql, params)
        else:
            # The generic plan, as PostgreSQL uses for a statement asyncpg has prepared once it
            # has been run a few times (PostgreSQL 16 would say EXPLAIN (GENERIC_PLAN)).
            await connection.execute_script("SET LOCAL plan_cache_mode = force_generic_plan")
            await connection.execute_script(f"PREPARE deep_page AS {sql}")
            # A generic plan does not look at the values: NULLs will do.
            nulls = ", ".join("NULL" for _ in params)
            rows = await connection.execute_query_dict(f"EXPLAIN EXECUTE deep_page({nulls})")
            await connection.execute_script("DEALLOCATE deep_page")
    return "\n".join(str(value) for row in rows for value in row.values())


async def test_a_deep_page_is_read_as_an_index_range(admin: GraphQLClient) -> None:
    await _seed(2000)
    after = None
    for _ in range(18):  # 1,800 rows deep
        response = await admin.execute(PAGE, {"after": after})
        after = response.data["providers"]["pageInfo"]["endCursor"]

    with count_statements() as counter:
        response = await admin.execute(PAGE, {"after": after})
    names = [edge["node"]["name"] for edge in response.data["providers"]["edges"]]
    assert names == [f"p{i:05d}" for i in range(199, 99, -1)]

    # The statement the server sent is the page query...
    query = page_query(Provider.filter(tm_delete__isnull=True), 100, after)
    sql = query.sql()  # builds the statement
    _, params = query.query.get_parameterized_sql()
    [statement] = counter.statements
    assert statement.startswith(sql), (statement, sql)

    # ... and the database bounds its index scan by the cursor's time, not only by "live".
    plan = await _plan(sql, params)
    if BACKEND == "sqlite":
        assert "USING INDEX idx_provider_live_created (tm_delete=? AND tm_create<?)" in plan, plan
    else:
        assert re.search(r"Index Cond: \(tm_create <= \$\d\)", plan), plan
