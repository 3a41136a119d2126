"""Work cancelled at any step — a server shutting down cancels its request tasks, a deadline
cancels what it awaits — leaves nothing half-done, and the database usable.

Tortoise's SQLite transaction, cancelled as it begins, kept its lock forever: every later query of
the process hung. Each case here cancels the same operation after 0, 1, 2, … event-loop steps,
until one run finishes before its cancellation, so some run is cancelled at every step it takes;
after each run the database must answer and the stored state must be all or nothing.
"""

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.applications import Starlette

from carriers.fake_telnyx import FakeTelnyx
from models.provider import Provider
from models.route import Route
from models.setup import SetupJournal, SetupStatus
from services import providers as provider_service
from services import routes as route_service
from services.setup import ProviderSetup, SetupRequest
from tests.conftest import TELNYX_KEY
from tests.factories import ACME, create_provider
from tests.graphql_client import GraphQLClient

MAX_STEPS = 5000


async def _usable() -> None:
    # A guard against a hang, not a speed check: any answer at all will do.
    async with asyncio.timeout(10):
        await Provider.all().count()


async def _cancel_after(steps: int, work: Coroutine[Any, Any, object]) -> bool:
    """Start ``work``, let it run ``steps`` event-loop steps, cancel it; True if it finished
    first (nothing was left to cancel)."""
    task = asyncio.ensure_future(work)
    for _ in range(steps):
        if task.done():
            break
        await asyncio.sleep(0)
    finished = task.done()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        assert not finished
    return finished


async def _at_every_step(
    operation: Callable[[int], Coroutine[Any, Any, object]],
    check: Callable[[int, bool], Coroutine[Any, Any, None]],
) -> int:
    """Cancel ``operation(step)`` after each number of steps until a run finishes; ``check``
    each outcome. Returns how many runs were cancelled."""
    for steps in range(MAX_STEPS):
        finished = await _cancel_after(steps, operation(steps))
        await _usable()
        await check(steps, finished)
        if finished:
            return steps
    raise AssertionError(f"the operation never finished within {MAX_STEPS} steps")


async def test_creating_a_route(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)

    def create(step: int) -> Coroutine[Any, Any, object]:
        values = {
            "customer_id": ACME,
            "name": f"r{step}",
            "provider_id": provider["id"],
            "priority": 1,
            "target": "+44",
        }
        return route_service.create_route(values)

    async def check(step: int, finished: bool) -> None:
        stored = await Route.filter(name=f"r{step}").count()
        assert stored == 1 if finished else stored in (0, 1)

    assert await _at_every_step(create, check) > 0


async def test_updating_a_route(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    route = await route_service.create_route(
        {
            "customer_id": ACME,
            "name": "r",
            "provider_id": provider["id"],
            "priority": 1,
            "target": "+1",
        }
    )

    def update(step: int) -> Coroutine[Any, Any, object]:
        # Two columns in one change: both or neither.
        return route_service.update_route(
            str(route.id), {"priority": step + 1, "target": f"+{step + 1}"}
        )

    async def check(step: int, finished: bool) -> None:
        stored = await Route.get(id=route.id)
        assert stored.target == f"+{stored.priority}"
        if finished:
            assert stored.priority == step + 1

    assert await _at_every_step(update, check) > 0


async def test_deleting_a_provider(admin: GraphQLClient) -> None:
    made: dict[int, str] = {}

    async def delete(step: int) -> None:
        made[step] = (await create_provider(admin, name=f"p{step}"))["id"]
        await provider_service.delete_provider(made[step])

    async def check(step: int, finished: bool) -> None:
        if step in made:
            stored = await Provider.get(id=uuid.UUID(made[step]))
            assert stored.tm_delete is not None or not finished

    assert await _at_every_step(delete, check) > 0


async def test_setting_a_provider_up(
    app: Starlette, admin: GraphQLClient, fake_telnyx: FakeTelnyx
) -> None:
    """The carrier side and the database agree after every run: a setup cancelled before its
    store committed is rolled back at the carrier; one cancelled after it is complete."""
    setup: ProviderSetup = app.state.provider_setup

    def run(step: int) -> Coroutine[Any, Any, object]:
        return setup.setup(SetupRequest(carrier="telnyx", name=f"s{step}", api_key=TELNYX_KEY))

    async def check(step: int, finished: bool) -> None:
        journals = await SetupJournal.all()
        assert {j.status for j in journals} <= {SetupStatus.COMPLETED, SetupStatus.ROLLED_BACK}, (
            step,
            [(j.name, j.resources) for j in journals if j.status == SetupStatus.PENDING],
        )
        completed = [j for j in journals if j.status == SetupStatus.COMPLETED]
        providers = await Provider.filter(tm_delete__isnull=True).count()
        assert providers == len(completed)
        # Every completed setup keeps its trunk; every rolled-back one left nothing.
        assert len(fake_telnyx.outbound_voice_profiles) == len(completed)
        assert len(fake_telnyx.credential_connections) == len(completed)
        assert all(j.api_key_encrypted is None for j in journals)

    cancelled = await _at_every_step(run, check)
    assert cancelled > 0
    # Runs cancelled before the store rolled back; some were cancelled while it was storing, and
    # it finished: completed besides the last run, which finished before its cancellation.
    statuses = [j.status for j in await SetupJournal.all()]
    assert SetupStatus.ROLLED_BACK in statuses
    assert statuses.count(SetupStatus.COMPLETED) >= 2
