"""The carrier interface shared by every SIP trunk provider adapter, and its typed errors.

Callers (the GraphQL layer and services) only ever see these types, so each adapter must map
its provider's failures onto them. Every ``message`` is written to be safe to show to an API
client: adapters must never put an API key (or a SIP password) into a message, a repr or a log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Carrier",
    "CarrierCleanupFailed",
    "CarrierCredentialsRejected",
    "CarrierError",
    "CarrierRequestRejected",
    "CarrierResource",
    "CarrierUnavailable",
    "OnCreated",
    "TrunkResult",
    "record_progress",
    "rollback_resources",
    "to_roll_back",
]


class CarrierError(Exception):
    """Base of every carrier failure.

    ``message`` is safe to show a client: it never contains the API key. ``carrier`` names the
    adapter ("telnyx") so one handler can serve several carriers.
    """

    def __init__(self, message: str, *, carrier: str) -> None:
        super().__init__(message)
        self.message = message
        self.carrier = carrier
        # Set when the failure is a create the carrier refused outright: the resource announced
        # for it (by name) was never made, so there is nothing of it to roll back.
        self.not_created: CarrierResource | None = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(carrier={self.carrier!r}, message={self.message!r})"


class CarrierCredentialsRejected(CarrierError):
    """The carrier refused the API key (401), or the key lacks a permission (403).

    The message says what was refused, e.g. "not permitted to create credential connections".
    """


class CarrierUnavailable(CarrierError):
    """Timeout, connection error, 429 or 5xx after the bounded retries, or the deadline passed."""


class CarrierRequestRejected(CarrierError):
    """The carrier rejected the request itself (422 or another 4xx).

    ``field`` names the carrier-side field the carrier blamed (from ``errors[].source.pointer``,
    as a dotted path such as ``"outbound.outbound_voice_profile_id"``), or None.
    """

    def __init__(self, message: str, *, carrier: str, field: str | None = None) -> None:
        super().__init__(message, carrier=carrier)
        self.field = field

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(carrier={self.carrier!r}, message={self.message!r}, "
            f"field={self.field!r})"
        )


class CarrierCleanupFailed(CarrierError):
    """Deleting carrier-side resources failed; ``resources`` were left behind.

    ``cause`` is the typed error behind the first failure (for example CarrierUnavailable or
    CarrierCredentialsRejected), so a caller can decide whether retrying later makes sense.
    """

    def __init__(
        self,
        message: str,
        *,
        carrier: str,
        resources: Sequence[CarrierResource],
        cause: CarrierError | None = None,
    ) -> None:
        super().__init__(message, carrier=carrier)
        self.resources: list[CarrierResource] = list(resources)
        self.cause = cause

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(carrier={self.carrier!r}, message={self.message!r}, "
            f"resources={self.resources!r})"
        )


@dataclass(frozen=True)
class CarrierResource:
    """One thing created at the carrier, enough to find and delete it again.

    ``id`` is None when a create's outcome is unknown (the answer never came: a deadline cut the
    request, or the look-up after a timeout failed too). Such a resource may or may not exist;
    it is known by its unique name, and deleting it looks it up by name first.
    """

    kind: str  # e.g. "outbound_voice_profile", "credential_connection"
    id: str | None  # the carrier's id; None while unknown (see above)
    name: str  # the name it was created with

    def describe(self) -> str:
        if self.id is None:
            return f"{self.kind} named {self.name!r} (id unknown: it may exist)"
        return f"{self.kind} {self.id} ({self.name})"


@dataclass(frozen=True)
class TrunkResult:
    """What a caller needs to store for a new trunk."""

    hostname: str  # SIP host to send calls to, e.g. "sip.telnyx.com"
    sip_username: str
    # A secret: kept out of repr() so logging a result can never leak it.
    sip_password: str = field(repr=False)
    resources: tuple[CarrierResource, ...]  # in creation order
    # hash=False: a dict is unhashable, and a result is never used as a key anyway.
    metadata: dict[str, str] = field(hash=False)
    # Extra SIP headers the platform sends to this carrier (stored on the provider record by
    # services/setup.py); Telnyx's names the credential connection's user.
    tech_headers: dict[str, str] = field(default_factory=dict, hash=False)


OnCreated = Callable[[CarrierResource], Awaitable[None]]


class Carrier(Protocol):
    """One carrier adapter. Methods take the API key per call; adapters never store it."""

    name: str  # "telnyx"

    async def validate_key(self, api_key: str) -> None:
        """Cheap read proving the key works; raises CarrierCredentialsRejected if it does not."""
        ...

    async def create_trunk(
        self, api_key: str, trunk_name: str, on_created: OnCreated | None = None
    ) -> TrunkResult:
        """Validate the key, then create the carrier-side resources one by one.

        ``on_created(resource)`` is awaited twice per resource: just before its create is sent,
        with ``id=None`` (it may exist from now on, known by its unique name), and right after it
        exists, with its id (replacing the first by kind and name). So the caller always knows
        what to roll back if a later step, its own DB insert, or the process itself fails.
        create_trunk does NOT roll back by itself; the caller deletes in reverse order with
        delete_resource (or rollback_resources).
        """
        ...

    async def delete_resource(self, api_key: str, resource: CarrierResource) -> None:
        """Delete one resource; "not found" counts as already deleted.

        Raises CarrierCleanupFailed (with ``resources=[resource]`` and the typed ``cause``).
        """
        ...


async def rollback_resources(
    carrier: Carrier, api_key: str, resources: Sequence[CarrierResource]
) -> None:
    """Delete ``resources`` in reverse creation order, trying every one even after a failure.

    Dependants are created after what they depend on (a connection after its outbound voice
    profile), so reverse order deletes dependants first. Raises one CarrierCleanupFailed listing
    every resource left behind, in creation order.
    """
    left_behind: list[CarrierResource] = []
    first_cause: CarrierError | None = None
    for resource in reversed(resources):
        try:
            await carrier.delete_resource(api_key, resource)
        except CarrierCleanupFailed as exc:
            left_behind.extend(exc.resources)
            first_cause = first_cause or exc.cause or exc
    if left_behind:
        left_behind.reverse()
        names = ", ".join(r.describe() for r in left_behind)
        reason = f": {first_cause.message}" if first_cause is not None else ""
        raise CarrierCleanupFailed(
            f"Could not delete {len(left_behind)} {carrier.name} resource(s): {names}{reason}",
            carrier=carrier.name,
            resources=left_behind,
            cause=first_cause,
        )


def to_roll_back(
    resources: Sequence[CarrierResource], failure: BaseException | None
) -> list[CarrierResource]:
    """What may exist after ``failure``: the reported resources, less a create refused outright."""
    refused = failure.not_created if isinstance(failure, CarrierError) else None
    return [r for r in resources if r != refused]


def record_progress(
    resources: Sequence[CarrierResource], reported: CarrierResource
) -> list[CarrierResource]:
    """What exists (or may) after ``on_created(reported)``: a resource with an id replaces the
    by-name entry reported before its create (same kind and name); anything else is appended."""
    for index, known in enumerate(resources):
        if known.kind == reported.kind and known.name == reported.name:
            return [*resources[:index], reported, *resources[index + 1 :]]
    return [*resources, reported]
