"""One-step carrier setup (the spec's POST /providers/setup): validate the carrier API key, create
the carrier-side SIP trunk, create the provider record — all or nothing.

Every setup is journaled (``SetupJournal``) before the first carrier call and after each carrier
resource is created, so that a failure at any step — the database insert included — deletes what
was made, in reverse order, and a rollback that cannot finish leaves a record of exactly which
carrier resources may remain. The API key is used for the carrier calls only: never stored, never
logged, never put in an error.
"""

import asyncio
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from carriers.base import (
    Carrier,
    CarrierCleanupFailed,
    CarrierCredentialsRejected,
    CarrierError,
    CarrierRequestRejected,
    CarrierResource,
    CarrierUnavailable,
    TrunkResult,
    record_progress,
    rollback_resources,
    to_roll_back,
)
from models.enums import ProviderType
from models.provider import Provider
from models.setup import ProviderCredential, SetupJournal, SetupStatus
from services import validation
from services.clock import utcnow
from services.errors import ErrorCode, FieldError, ServiceError
from services.providers import insert_provider
from services.secret_box import SecretBox, SecretBoxError
from services.transactions import atomically, despite_cancellation

log = logging.getLogger("trunkql.setup")


class KnownCarrier(StrEnum):
    """Carriers the platform knows by name. Only those with an adapter in ``carriers/`` can be set
    up; the others are refused with UNSUPPORTED_CARRIER."""

    TELNYX = "telnyx"
    TWILIO = "twilio"
    BANDWIDTH = "bandwidth"


API_KEY_MAX_LENGTH = 512
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass(frozen=True)
class SetupRequest:
    """Raw client values; ``api_key`` is a secret and kept out of repr()."""

    carrier: object
    name: object
    detail: object = ""
    api_key: object = None
    idempotency_key: object = None

    def __repr__(self) -> str:
        return f"SetupRequest(carrier={self.carrier!r}, name={self.name!r}, api_key=<hidden>)"


@dataclass(frozen=True)
class _Checked:
    carrier: Carrier
    name: str
    detail: str
    api_key: str
    idempotency_key: str | None

    def __repr__(self) -> str:
        return f"_Checked(carrier={self.carrier.name!r}, name={self.name!r}, api_key=<hidden>)"

    @property
    def digest(self) -> str:
        """Identifies the request without its secret, to refuse a key reused for another one."""
        raw = json.dumps([self.carrier.name, self.name, self.detail])
        return hashlib.sha256(raw.encode()).hexdigest()


def _invalid(message: str, *field: str) -> FieldError:
    return FieldError(field, ErrorCode.INVALID_ARGUMENT, message)


def _check_api_key(value: object) -> str:
    # Messages here never echo the value: it is a secret even when malformed.
    if not isinstance(value, str) or not value.strip():
        raise validation.InvalidValue("api_key is required: the carrier API key")
    if len(value) > API_KEY_MAX_LENGTH:
        raise validation.InvalidValue(f"api_key must be at most {API_KEY_MAX_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise validation.InvalidValue("api_key must not contain whitespace or control characters")
    return value


def _check_idempotency_key(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _IDEMPOTENCY_KEY.fullmatch(value):
        raise validation.InvalidValue(
            "idempotency_key must be 1-128 characters of letters, digits and ._:-"
        )
    return value


class ProviderSetup:
    def __init__(
        self, carriers: Mapping[str, Carrier], secret_box: SecretBox, deadline_seconds: float
    ) -> None:
        self._carriers = dict(carriers)
        self._secret_box = secret_box
        self._deadline = deadline_seconds

    async def setup(self, request: SetupRequest) -> Provider:
        checked = self._check(request)

        async def abandon(opened: SetupJournal | Provider) -> None:
            # Cancelled as the journal was written: nothing was made yet, close it at once.
            if isinstance(opened, SetupJournal):
                await self._abort(checked, opened, [], asyncio.CancelledError())

        journal = await despite_cancellation(self._open_journal(checked), abandon)
        if isinstance(journal, Provider):
            return journal  # the same idempotency key again: the first result
        created: list[CarrierResource] = []

        async def on_created(resource: CarrierResource) -> None:
            created[:] = record_progress(created, resource)
            if resource.id is not None:
                # Made, with its id: journalled with the next write (the next resource's
                # intent, or the final store), which follows with no carrier call between.
                # A crash before that leaves the by-name intent on record, which recovery
                # deletes by name; so each commit a setup waits for carries a carrier call.
                return
            # About to be created: on record before the request is sent (write-ahead).
            journal.resources = [asdict(r) for r in created]
            journal.tm_update = utcnow()
            await journal.save(update_fields=["resources", "tm_update"])

        try:
            async with asyncio.timeout(self._deadline):
                # create_trunk validates the key first (the spec's step 1).
                trunk = await checked.carrier.create_trunk(
                    checked.api_key, checked.name, on_created
                )
            return await self._store(checked, trunk, journal, created)
        except BaseException as exc:
            # Cancellation included: the client going away must not leave a trunk behind.
            failure = await asyncio.shield(self._abort(checked, journal, created, exc))
            if failure is not None and isinstance(exc, CarrierError | TimeoutError):
                raise failure from None
            raise

    def _check(self, request: SetupRequest) -> _Checked:
        errors: list[FieldError] = []
        values: dict[str, object] = {}
        rules = {
            "name": (request.name, validation.clean_name),
            "detail": (request.detail, validation.clean_detail),
            "api_key": (request.api_key, _check_api_key),
            "idempotency_key": (request.idempotency_key, _check_idempotency_key),
        }
        for field, (raw, rule) in rules.items():
            if raw is None and field in ("name", "api_key"):
                errors.append(_invalid(f"{field} is required", field))
                continue
            try:
                values[field] = rule(raw)
            except validation.InvalidValue as exc:
                errors.append(_invalid(exc.message, field, *exc.subpath))
        carrier = self._carriers.get(str(request.carrier)) if request.carrier else None
        if request.carrier is None:
            errors.append(_invalid("carrier is required", "carrier"))
        elif carrier is None:
            supported = ", ".join(sorted(self._carriers)) or "none"
            errors.append(
                FieldError(
                    ("carrier",),
                    ErrorCode.UNSUPPORTED_CARRIER,
                    f"no setup adapter for carrier {request.carrier!r}; supported: {supported}",
                )
            )
        if errors:
            raise ServiceError(errors)
        assert carrier is not None
        idempotency_key = values["idempotency_key"]
        assert idempotency_key is None or isinstance(idempotency_key, str)
        return _Checked(
            carrier=carrier,
            name=str(values["name"]),
            detail=str(values["detail"]),
            api_key=str(values["api_key"]),
            idempotency_key=idempotency_key,
        )

    async def _open_journal(self, checked: _Checked) -> SetupJournal | Provider:
        """A new journal entry, or — for an idempotency key seen before — its first result."""
        now = utcnow()
        try:
            return await SetupJournal.create(
                id=uuid.uuid4(),
                api_key_encrypted=self._secret_box.encrypt(checked.api_key),
                idempotency_key=checked.idempotency_key,
                request_digest=checked.digest,
                carrier=checked.carrier.name,
                name=checked.name,
                tm_create=now,
                tm_update=now,
            )
        except IntegrityError:
            if checked.idempotency_key is None:
                raise
        return await self._replay(checked)

    async def recover_interrupted(self, older_than_seconds: float) -> list[SetupJournal]:
        """Undo setups left pending by a process that stopped mid-way (killed, crashed).

        A setup still pending after ``older_than_seconds`` (longer than any live setup may take)
        has no process behind it. Each is claimed with a conditional update, so of several
        processes sharing the database exactly one undoes it; the carrier resources its journal
        names are deleted with the key kept (encrypted) for that purpose, which is then erased.
        """
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        finished = []
        for entry in await SetupJournal.filter(status=SetupStatus.PENDING, tm_update__lt=cutoff):
            claimed = await SetupJournal.filter(
                id=entry.id, status=SetupStatus.PENDING, tm_update=entry.tm_update
            ).update(tm_update=utcnow())
            if claimed:
                finished.append(await self._undo_interrupted(entry))
        return finished

    async def _undo_interrupted(self, entry: SetupJournal) -> SetupJournal:
        resources = [CarrierResource(**item) for item in entry.resources]  # type: ignore[arg-type]
        left, problem = resources, ""
        carrier = self._carriers.get(entry.carrier)
        try:
            if carrier is None:
                problem = f"no adapter for carrier {entry.carrier!r}"
            elif entry.api_key_encrypted is None:
                problem = "the carrier API key was not kept"
            else:
                api_key = self._secret_box.decrypt(entry.api_key_encrypted)
                await rollback_resources(carrier, api_key, resources)
                left = []
        except SecretBoxError as exc:
            problem = str(exc)
        except CarrierCleanupFailed as failed:
            left, problem = failed.resources, failed.message
        status = SetupStatus.CLEANUP_FAILED if left else SetupStatus.ROLLED_BACK
        message = "setup interrupted (its process stopped); " + (
            f"could not remove every carrier resource: {problem}"
            if left
            else "every carrier resource it made was removed"
        )
        await SetupJournal.filter(id=entry.id).update(
            status=status,
            resources=[asdict(r) for r in left],
            error_code="INTERRUPTED",
            error_message=message,
            api_key_encrypted=None,
            tm_update=utcnow(),
        )
        (log.error if left else log.warning)("setup %s of %r: %s", entry.id, entry.name, message)
        return await SetupJournal.get(id=entry.id)

    async def _replay(self, checked: _Checked) -> SetupJournal | Provider:
        earlier = await SetupJournal.get(idempotency_key=checked.idempotency_key)
        if earlier.request_digest != checked.digest:
            raise _conflict("this idempotency key was already used for a different setup request")
        if earlier.status == SetupStatus.COMPLETED and earlier.provider_id is not None:
            return await Provider.get(id=earlier.provider_id)
        if earlier.status == SetupStatus.ROLLED_BACK:
            # The earlier attempt failed and left nothing behind: this one may try again. The
            # conditional update lets exactly one of several concurrent retries claim the entry.
            claimed = await SetupJournal.filter(
                id=earlier.id, status=SetupStatus.ROLLED_BACK
            ).update(
                status=SetupStatus.PENDING,
                resources=[],
                api_key_encrypted=self._secret_box.encrypt(checked.api_key),
                error_code=None,
                error_message=None,
                tm_update=utcnow(),
            )
            if claimed:
                return await SetupJournal.get(id=earlier.id)
        if earlier.status == SetupStatus.CLEANUP_FAILED:
            raise _conflict(
                f"an earlier setup with this idempotency key failed and may have left carrier "
                f"resources (setup journal {earlier.id}); use a new idempotency key"
            )
        raise _conflict("a setup with this idempotency key is still in progress; retry later")

    async def _store(
        self,
        checked: _Checked,
        trunk: TrunkResult,
        journal: SetupJournal,
        created: list[CarrierResource],
    ) -> Provider:
        """The provider, its encrypted SIP credential and the journal's completion, atomically."""
        hostname = validation.clean_hostname(trunk.hostname)

        async def store(connection: BaseDBAsyncClient) -> Provider:
            provider = await insert_provider(
                {
                    "name": checked.name,
                    "detail": checked.detail,
                    "type": ProviderType.SIP,
                    "hostname": hostname,
                    "tech_headers": validation.clean_tech_headers(trunk.tech_headers),
                    "metadata": validation.clean_metadata(trunk.metadata),
                },
                using_db=connection,
            )
            await ProviderCredential.create(
                provider=provider,
                sip_username=trunk.sip_username,
                password_encrypted=self._secret_box.encrypt(trunk.sip_password),
                tm_create=provider.tm_create,
                using_db=connection,
            )
            await (
                SetupJournal.filter(id=journal.id)
                .using_db(connection)
                .update(
                    status=SetupStatus.COMPLETED,
                    provider_id=provider.id,
                    resources=[asdict(r) for r in created],
                    api_key_encrypted=None,
                    tm_update=utcnow(),
                )
            )
            return provider

        return await atomically(store)

    async def _abort(
        self,
        checked: _Checked,
        journal: SetupJournal,
        created: list[CarrierResource],
        exc: BaseException,
    ) -> ServiceError | None:
        """Undo the carrier side, journal the outcome, and say what happened. None if there is
        nothing to undo: the store committed (it runs to its end despite a cancellation, which
        then reaches the caller), so the setup is done and its provider is there to stay."""
        # The status itself, not exists(): on SQLite Tortoise counts rows by the connection's
        # change counter, which a statement of a cancelled caller (still running in aiosqlite's
        # thread) can move, and exists() then answers True for no row.
        stored = await SetupJournal.filter(id=journal.id).only("status").first()
        if stored is not None and stored.status == SetupStatus.COMPLETED:
            return None
        cause = _describe(checked.carrier.name, exc)
        left: list[CarrierResource] = []
        cleanup_error: CarrierCleanupFailed | None = None
        try:
            await rollback_resources(checked.carrier, checked.api_key, to_roll_back(created, exc))
        except CarrierCleanupFailed as failed:
            left, cleanup_error = failed.resources, failed
        errors = [cause]
        if cleanup_error is not None:
            listed = ", ".join(r.describe() for r in left)
            errors.append(
                FieldError(
                    (),
                    ErrorCode.CARRIER_UNAVAILABLE,
                    f"rollback incomplete: these {checked.carrier.name} resources may be left: "
                    f"{listed}; recorded in setup journal {journal.id}",
                )
            )
            log.error(
                "setup %s of %r failed and its rollback left %s resources: %s (%s)",
                journal.id,
                checked.name,
                checked.carrier.name,
                listed,
                cleanup_error.message,
            )
        await SetupJournal.filter(id=journal.id).update(
            status=SetupStatus.CLEANUP_FAILED if left else SetupStatus.ROLLED_BACK,
            resources=[asdict(r) for r in left],
            error_code=cause.code.name,
            error_message=cause.message,
            api_key_encrypted=None,
            tm_update=utcnow(),
        )
        return ServiceError(errors)


def _conflict(message: str) -> ServiceError:
    return ServiceError.single(ErrorCode.CONFLICT, message, "idempotency_key")


def _describe(carrier: str, exc: BaseException) -> FieldError:
    """The client-facing description of why a setup failed (never containing the API key)."""
    if isinstance(exc, CarrierCredentialsRejected):
        return FieldError(
            ("api_key",),
            ErrorCode.CARRIER_CREDENTIALS_REJECTED,
            f"{carrier} refused the API key: {exc.message}",
        )
    if isinstance(exc, CarrierRequestRejected):
        return FieldError(
            (), ErrorCode.INVALID_ARGUMENT, f"{carrier} refused the request: {exc.message}"
        )
    if isinstance(exc, CarrierUnavailable):
        return FieldError(
            (), ErrorCode.CARRIER_UNAVAILABLE, f"{carrier} is unavailable: {exc.message}"
        )
    if isinstance(exc, TimeoutError):
        return FieldError(
            (), ErrorCode.CARRIER_UNAVAILABLE, f"{carrier} did not complete the setup in time"
        )
    if isinstance(exc, CarrierError):
        return FieldError((), ErrorCode.CARRIER_UNAVAILABLE, f"{carrier} failed: {exc.message}")
    return FieldError(
        (),
        ErrorCode.CARRIER_UNAVAILABLE,
        "setup failed; every carrier resource it made was removed",
    )
