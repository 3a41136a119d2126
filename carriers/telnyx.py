"""Telnyx (API v2) carrier adapter on aiohttp.

Wire format, as documented by Telnyx (developers.telnyx.com and the generated SDKs):

* base URL ``https://api.telnyx.com/v2``, header ``Authorization: Bearer <key>``;
* success bodies are ``{"data": ...}`` (lists add ``"meta"`` with ``page_number``,
  ``page_size``, ``total_pages``, ``total_results``); ids are digit strings;
* error bodies are ``{"errors": [{"code": "10009", "title": ..., "detail": ...,
  "source": {"pointer": "/user_name"}, "meta": {"url": ...}}]}``;
* 429 responses carry ``x-ratelimit-limit``, ``x-ratelimit-remaining`` and
  ``x-ratelimit-reset`` (seconds until the window resets), code 10011;
* list filters: ``filter[name][contains]`` on outbound voice profiles and
  ``filter[connection_name][contains]`` on credential connections (case-insensitive, at least
  three characters), paged by ``page[number]`` / ``page[size]`` (at most 250).

Secrets: the API key only ever lives in a local variable and the Authorization header. It is
never stored on the adapter, never logged, and every carrier-supplied text put in a message is
scrubbed of it. aiohttp exceptions are not chained onto ours (``from None``) because some carry
``request_info``, which holds the request headers and so the key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from carriers.base import (
    CarrierCleanupFailed,
    CarrierCredentialsRejected,
    CarrierError,
    CarrierRequestRejected,
    CarrierResource,
    CarrierUnavailable,
    OnCreated,
    TrunkResult,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "SIP_HOSTNAME",
    "TelnyxCarrier",
    "make_sip_password",
    "make_sip_username",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.telnyx.com/v2"
# Telnyx's SIP proxy; credential connections register and send calls here.
SIP_HOSTNAME: Final = "sip.telnyx.com"

KIND_OUTBOUND_VOICE_PROFILE: Final = "outbound_voice_profile"
KIND_CREDENTIAL_CONNECTION: Final = "credential_connection"

_LOWER_ALNUM: Final = string.ascii_lowercase + string.digits
_ALNUM: Final = string.ascii_letters + string.digits
# Telnyx: user_name "must be 4-32 characters long and alphanumeric values only".
_USERNAME_MAX: Final = 32
_USERNAME_SUFFIX_LEN: Final = 8
# Not documented by Telnyx: we keep our own names short enough for any UI and log line.
_NAME_TRUNK_PART_MAX: Final = 60
_NAME_SUFFIX_LEN: Final = 8
_PASSWORD_LEN: Final = 24  # Telnyx accepts 8-128 characters
_PAGE_SIZE: Final = 250  # Telnyx's maximum page[size]
_MAX_LOOKUP_PAGES: Final = 20  # bounds a lookup; our names are unique so one page suffices
_MAX_DETAIL_LEN: Final = 500


@dataclass(frozen=True)
class _Collection:
    """One Telnyx collection we create in, and how to find a record in it by name."""

    kind: str
    path: str
    name_field: str
    name_filter: str
    label: str  # human wording for messages, plural


_PROFILES: Final = _Collection(
    kind=KIND_OUTBOUND_VOICE_PROFILE,
    path="/outbound_voice_profiles",
    name_field="name",
    name_filter="filter[name][contains]",
    label="outbound voice profiles",
)
_CONNECTIONS: Final = _Collection(
    kind=KIND_CREDENTIAL_CONNECTION,
    path="/credential_connections",
    name_field="connection_name",
    name_filter="filter[connection_name][contains]",
    label="credential connections",
)
_BY_KIND: Final = {c.kind: c for c in (_PROFILES, _CONNECTIONS)}


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: Mapping[str, str]
    body: Any  # parsed JSON, or None when the body was empty or not JSON


class _Ambiguous(Exception):
    """An attempt ended without telling us whether the carrier acted on it."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def make_sip_username(trunk_name: str) -> str:
    """A Telnyx credential user_name derived from ``trunk_name``.

    4-32 ASCII alphanumerics (Telnyx's rule), with a letter among the first five (this project's
    rule, which keeps names from looking like phone numbers). It starts with the lower-cased
    letters/digits of the trunk name so operators can recognise it, then random characters:
    Telnyx user names are globally unique across all accounts, so the name alone is not enough.
    """
    base = "".join(ch for ch in trunk_name.lower() if ch in _LOWER_ALNUM)
    base = base[: _USERNAME_MAX - _USERNAME_SUFFIX_LEN - 1]  # leave room for a leading letter
    suffix = "".join(secrets.choice(_LOWER_ALNUM) for _ in range(_USERNAME_SUFFIX_LEN))
    username = base + suffix
    if not any(ch.isalpha() for ch in username[:5]):
        username = "t" + username
    return username[:_USERNAME_MAX]


def make_sip_password(length: int = _PASSWORD_LEN) -> str:
    """A random SIP password with upper, lower and digit characters (secrets module)."""
    while True:
        password = "".join(secrets.choice(_ALNUM) for _ in range(length))
        # Some PBXs enforce character classes; re-draw rather than bias the distribution.
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def _resource_name(trunk_name: str, suffix: str) -> str:
    """``trunkql <trunk name> <suffix>``: readable in the Telnyx portal, unique per call.

    The random suffix makes a lookup by name exact, which is what makes retrying a create safe.
    """
    printable = "".join(ch if ch.isprintable() else " " for ch in trunk_name)
    cleaned = " ".join(printable.split())[:_NAME_TRUNK_PART_MAX] or "trunk"
    return f"trunkql {cleaned} {suffix}"


def _pointer_to_field(pointer: Any) -> str | None:
    """JSON pointer "/outbound/outbound_voice_profile_id" -> dotted "outbound.outbound_..."."""
    if not isinstance(pointer, str):
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]
    return ".".join(parts) or None


class TelnyxCarrier:
    """The Telnyx carrier. One shared aiohttp session is passed in; the app owns and closes it.

    Retries: GET and DELETE are retried on timeouts, connection errors, 429 and 5xx. POST creates
    are retried on 429 without further ado (the request was refused before processing). After a
    timeout, a dropped connection or a 5xx, a create may have happened and Telnyx offers no
    idempotency keys, so the adapter first looks the resource up by its exact (unique) name and
    uses it if found: a retry never makes a second one. Backoff is exponential with full jitter;
    429 waits honour ``Retry-After`` or ``x-ratelimit-reset``, capped at ``backoff_max``.

    ``operation_timeout`` bounds one logical call including its retries and waits. By default it
    is what the attempts and waits could take anyway, so only an explicit value shortens it.
    """

    name = "telnyx"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str = DEFAULT_BASE_URL,
        *,
        request_timeout: float = 10.0,
        max_attempts: int = 4,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        operation_timeout: float | None = None,
    ) -> None:
        if request_timeout <= 0:
            raise ValueError("request_timeout must be positive")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if backoff_base < 0 or backoff_max < 0:
            raise ValueError("backoff_base and backoff_max must not be negative")
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._request_timeout = request_timeout
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        if operation_timeout is None:
            operation_timeout = max_attempts * request_timeout + (max_attempts - 1) * backoff_max
        self._operation_timeout = operation_timeout

    def __repr__(self) -> str:
        return f"TelnyxCarrier(base_url={self._base_url!r})"

    # ----------------------------------------------------------------- public interface

    async def validate_key(self, api_key: str) -> None:
        """``GET /balance``: the cheapest read that every working key may perform."""
        self._check_key_shape(api_key)
        await self._call("GET", "/balance", api_key, action="read the account balance")

    async def create_trunk(
        self, api_key: str, trunk_name: str, on_created: OnCreated | None = None
    ) -> TrunkResult:
        await self.validate_key(api_key)

        # One suffix for both names, so the two resources of a trunk are easy to pair up.
        suffix = "".join(secrets.choice(_LOWER_ALNUM) for _ in range(_NAME_SUFFIX_LEN))
        name = _resource_name(trunk_name, suffix)
        created: list[CarrierResource] = []

        profile, _ = await self._create_reported(
            api_key,
            _PROFILES,
            name,
            {"name": name},
            action="create an outbound voice profile",
            on_created=on_created,
        )
        created.append(profile)

        user_name = make_sip_username(trunk_name)
        password = make_sip_password()
        connection, record = await self._create_reported(
            api_key,
            _CONNECTIONS,
            name,
            {
                "connection_name": name,
                "active": True,
                "user_name": user_name,
                "password": password,
                "outbound": {"outbound_voice_profile_id": profile.id},
                # Telnyx enums: ani_number_format "+E.164"; dnis_number_format "+e164".
                "inbound": {"ani_number_format": "+E.164", "dnis_number_format": "+e164"},
            },
            action="create a credential connection",
            on_created=on_created,
        )
        created.append(connection)

        sip_username = record.get("user_name") if isinstance(record, dict) else None
        if not isinstance(sip_username, str) or not sip_username:
            sip_username = user_name
        logger.info(
            "telnyx trunk created: outbound_voice_profile=%s credential_connection=%s",
            profile.id,
            connection.id,
        )
        return TrunkResult(
            hostname=SIP_HOSTNAME,
            sip_username=sip_username,
            sip_password=password,
            resources=tuple(created),
            metadata={
                "carrier": self.name,
                "connection_id": str(connection.id),
                "connection_name": connection.name,
                "outbound_voice_profile_id": str(profile.id),
                "outbound_voice_profile_name": profile.name,
                "sip_username": sip_username,
            },
            # Names the credential on calls through this trunk, so the platform's SIP side can
            # pick the matching (encrypted) password.
            tech_headers={"X-Telnyx-Username": sip_username},
        )

    async def delete_resource(self, api_key: str, resource: CarrierResource) -> None:
        """DELETE one resource; 404 means it is already gone, which is what we wanted."""
        collection = _BY_KIND.get(resource.kind)
        if collection is None:
            raise CarrierCleanupFailed(
                f"Unknown Telnyx resource kind {resource.kind!r}; cannot delete {resource.id}",
                carrier=self.name,
                resources=[resource],
            )
        label = collection.kind.replace("_", " ")
        try:
            self._check_key_shape(api_key)
            resource_id = resource.id
            if resource_id is None:
                found = await self._find_by_name(api_key, collection, resource.name)
                if found is None:
                    logger.info("telnyx %s %r was never created", resource.kind, resource.name)
                    return
                resource_id = found[0].id
                assert resource_id is not None
            if not resource_id.isdigit():
                # Telnyx ids are digit strings; anything else would be a path injection.
                raise CarrierRequestRejected(
                    f"Invalid Telnyx id {resource_id!r}", carrier=self.name, field="id"
                )
            reply = await self._call(
                "DELETE",
                f"{collection.path}/{resource_id}",
                api_key,
                action=f"delete {label} {resource_id}",
                accept_404=True,
            )
        except CarrierError as exc:
            raise CarrierCleanupFailed(
                f"Could not delete Telnyx {resource.describe()}: {exc.message}",
                carrier=self.name,
                resources=[resource],
                cause=exc,
            ) from exc
        if reply.status == 404:
            logger.info("telnyx %s %s was already deleted", resource.kind, resource_id)
        else:
            logger.info("telnyx %s %s deleted", resource.kind, resource_id)

    # ----------------------------------------------------------------- creates

    async def _create_reported(
        self,
        api_key: str,
        collection: _Collection,
        name: str,
        body: dict[str, Any],
        *,
        action: str,
        on_created: OnCreated | None,
    ) -> tuple[CarrierResource, dict[str, Any]]:
        """``_create``, telling ``on_created`` first what it is about to create (by name, id
        unknown) and then what it made. Reporting before the request means that even a process
        killed mid-request leaves the resource's name on record for the caller's rollback."""
        intent = CarrierResource(kind=collection.kind, id=None, name=name)
        if on_created is not None:
            await on_created(intent)
        try:
            resource, record = await self._create(api_key, collection, name, body, action=action)
        except (CarrierRequestRejected, CarrierCredentialsRejected) as refused:
            refused.not_created = intent  # a definite 4xx: nothing was made
            raise
        if on_created is not None:
            await on_created(resource)
        return resource, record

    async def _create(
        self,
        api_key: str,
        collection: _Collection,
        name: str,
        body: dict[str, Any],
        *,
        action: str,
    ) -> tuple[CarrierResource, dict[str, Any]]:
        """POST a create, retrying without ever making a second resource."""
        deadline = time.monotonic() + self._operation_timeout
        problem = "no attempt was made"
        attempt = 0
        while attempt < self._max_attempts:
            attempt += 1
            wait = self._backoff(attempt)
            try:
                reply = await self._send(
                    "POST", collection.path, api_key, json_body=body, deadline=deadline
                )
                if 200 <= reply.status < 300:
                    record = self._record_of(reply.body)
                    if record is not None:
                        return self._resource(collection, record, name), record
                    raise _Ambiguous(f"an unreadable {reply.status} response")
                if reply.status == 429:
                    # Refused before processing, so nothing was created: plain retry.
                    problem = "rate limited (429)"
                    wait = self._rate_limit_wait(reply.headers, attempt)
                elif reply.status >= 500:
                    # A gateway 502/504 can come after the backend committed the create.
                    raise _Ambiguous(f"a server error ({reply.status})")
                else:
                    raise self._rejection(reply, api_key, action)
            except _Ambiguous as exc:
                problem = exc.problem
                found = await self._find_after_ambiguity(api_key, collection, name, problem)
                if found is not None:
                    logger.warning(
                        "telnyx create of %s was ambiguous (%s); found it by name as %s",
                        collection.kind,
                        problem,
                        found[0].id,
                    )
                    return found
            logger.warning(
                "telnyx POST %s attempt %d/%d failed: %s",
                collection.path,
                attempt,
                self._max_attempts,
                problem,
            )
            if attempt < self._max_attempts:
                await self._sleep_before_retry(wait, deadline, action, problem)
        raise CarrierUnavailable(
            f"Telnyx is unavailable: could not {action} after {attempt} attempt(s) ({problem})",
            carrier=self.name,
        )

    async def _send(
        self,
        method: str,
        path: str,
        api_key: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        deadline: float,
    ) -> _Reply:
        """One HTTP exchange; transport failures become _Ambiguous (we got no answer)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            # Nothing was sent, so this is not ambiguous: no lookup is needed.
            raise CarrierUnavailable(
                f"Telnyx is unavailable: the deadline passed before {method} {path} was sent",
                carrier=self.name,
            )
        url = self._base_url + path
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        started = time.monotonic()
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=headers,
                # Per request, whatever the shared session's defaults are.
                timeout=aiohttp.ClientTimeout(total=min(self._request_timeout, remaining)),
                raise_for_status=False,
                # Telnyx does not redirect API calls; following one could carry the key to
                # another host, so a 3xx is reported as a rejection instead.
                allow_redirects=False,
            ) as resp:
                raw = await resp.read()
                status = resp.status
                reply_headers = {k.lower(): v for k, v in resp.headers.items()}
        except TimeoutError:
            logger.debug("telnyx %s %s timed out", method, path)
            raise _Ambiguous("a timeout") from None
        except aiohttp.ClientError as exc:
            # Only the class name: some aiohttp errors render request_info (headers, key).
            logger.debug("telnyx %s %s failed: %s", method, path, type(exc).__name__)
            raise _Ambiguous(f"a connection error ({type(exc).__name__})") from None
        logger.debug(
            "telnyx %s %s -> %d in %.3fs", method, path, status, time.monotonic() - started
        )
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        return _Reply(status=status, headers=reply_headers, body=body)

    async def _find_after_ambiguity(
        self, api_key: str, collection: _Collection, name: str, problem: str
    ) -> tuple[CarrierResource, dict[str, Any]] | None:
        try:
            return await self._find_by_name(api_key, collection, name)
        except CarrierUnavailable as exc:
            raise CarrierUnavailable(
                f"Telnyx is unavailable: a create of {collection.kind.replace('_', ' ')} "
                f"{name!r} ended with {problem}, and looking it up failed too, so it may exist "
                f"({exc.message})",
                carrier=self.name,
            ) from None

    async def _find_by_name(
        self, api_key: str, collection: _Collection, name: str
    ) -> tuple[CarrierResource, dict[str, Any]] | None:
        """List with the name filter, then match the returned name exactly.

        Telnyx's "contains" filter is a case-insensitive substring match, so equality has to be
        checked here; our names carry a random suffix, so at most one record can be equal.
        """
        page = 1
        while page <= _MAX_LOOKUP_PAGES:
            reply = await self._call(
                "GET",
                collection.path,
                api_key,
                action=f"look up {collection.label}",
                params={
                    collection.name_filter: name,
                    "page[number]": str(page),
                    "page[size]": str(_PAGE_SIZE),
                },
            )
            data = reply.body.get("data") if isinstance(reply.body, dict) else None
            for record in data if isinstance(data, list) else []:
                if (
                    isinstance(record, dict)
                    and record.get(collection.name_field) == name
                    and self._id_of(record) is not None
                ):
                    return self._resource(collection, record, name), record
            meta = reply.body.get("meta") if isinstance(reply.body, dict) else None
            total_pages = meta.get("total_pages") if isinstance(meta, dict) else None
            if not isinstance(total_pages, int) or page >= total_pages:
                return None
            page += 1
        return None

    # ----------------------------------------------------------------- idempotent calls

    async def _call(
        self,
        method: str,
        path: str,
        api_key: str,
        *,
        action: str,
        params: Mapping[str, str] | None = None,
        accept_404: bool = False,
    ) -> _Reply:
        """GET/DELETE with bounded retries; returns a 2xx reply (or a 404 if accepted)."""
        deadline = time.monotonic() + self._operation_timeout
        problem = "no attempt was made"
        attempt = 0
        while attempt < self._max_attempts:
            attempt += 1
            wait = self._backoff(attempt)
            try:
                reply = await self._send(method, path, api_key, params=params, deadline=deadline)
            except _Ambiguous as exc:
                problem = exc.problem
            else:
                if 200 <= reply.status < 300 or (reply.status == 404 and accept_404):
                    return reply
                if reply.status == 429:
                    problem = "rate limited (429)"
                    wait = self._rate_limit_wait(reply.headers, attempt)
                elif reply.status >= 500:
                    problem = f"a server error ({reply.status})"
                else:
                    raise self._rejection(reply, api_key, action)
            logger.warning(
                "telnyx %s %s attempt %d/%d failed: %s",
                method,
                path,
                attempt,
                self._max_attempts,
                problem,
            )
            if attempt < self._max_attempts:
                await self._sleep_before_retry(wait, deadline, action, problem)
        raise CarrierUnavailable(
            f"Telnyx is unavailable: could not {action} after {attempt} attempt(s) ({problem})",
            carrier=self.name,
        )

    # ----------------------------------------------------------------- helpers

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**(attempt-1))] (AWS's recipe)."""
        ceiling = min(self._backoff_max, self._backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0.0, ceiling)  # noqa: S311 - jitter, not a secret

    def _rate_limit_wait(self, headers: Mapping[str, str], attempt: int) -> float:
        """Seconds to wait after a 429: Retry-After, else x-ratelimit-reset, else backoff."""
        for header in ("retry-after", "x-ratelimit-reset"):
            value = headers.get(header)
            if value is None:
                continue
            try:
                seconds = float(value)
            except ValueError:
                continue  # e.g. an HTTP-date Retry-After; fall back to the next hint
            # Telnyx documents x-ratelimit-reset as seconds until reset; a value that looks
            # like an epoch timestamp is converted rather than trusted as a huge wait.
            if seconds > 1_000_000_000:
                seconds -= time.time()
            return min(max(seconds, 0.0), self._backoff_max)
        return self._backoff(attempt)

    async def _sleep_before_retry(
        self, wait: float, deadline: float, action: str, problem: str
    ) -> None:
        if time.monotonic() + wait >= deadline:
            raise CarrierUnavailable(
                f"Telnyx is unavailable: could not {action} before the deadline ({problem})",
                carrier=self.name,
            )
        await asyncio.sleep(wait)

    def _check_key_shape(self, api_key: str) -> None:
        """Refuse keys that cannot be a header value before aiohttp sees (and echoes) them."""
        if not api_key or not api_key.isascii() or not api_key.isprintable() or " " in api_key:
            raise CarrierCredentialsRejected(
                "The Telnyx API key is empty or malformed", carrier=self.name
            )

    def _rejection(self, reply: _Reply, api_key: str, action: str) -> CarrierError:
        """Turn a non-retryable 4xx into the matching typed error."""
        code, title, detail, pointer = self._first_error(reply.body)
        text = self._scrub(detail or title or "", api_key)
        suffix = f": {text}" if text else ""
        if reply.status == 401:
            return CarrierCredentialsRejected(
                f"Telnyx rejected the API key (authentication failed){suffix}",
                carrier=self.name,
            )
        if reply.status == 403:
            return CarrierCredentialsRejected(
                f"The Telnyx API key is not permitted to {action}{suffix}", carrier=self.name
            )
        code_part = f", code {code}" if code else ""
        return CarrierRequestRejected(
            f"Telnyx rejected the request to {action} (HTTP {reply.status}{code_part}){suffix}",
            carrier=self.name,
            field=_pointer_to_field(pointer),
        )

    @staticmethod
    def _first_error(body: Any) -> tuple[str | None, str | None, str | None, Any]:
        errors = body.get("errors") if isinstance(body, dict) else None
        if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
            return None, None, None, None
        first: dict[str, Any] = errors[0]
        source = first.get("source")
        pointer = source.get("pointer") if isinstance(source, dict) else None
        code, title, detail = (first.get(k) for k in ("code", "title", "detail"))
        return (
            str(code) if code is not None else None,
            title if isinstance(title, str) else None,
            detail if isinstance(detail, str) else None,
            pointer,
        )

    @staticmethod
    def _scrub(text: str, api_key: str) -> str:
        """Carrier text goes into client-visible messages: drop the key, bound the length."""
        if api_key:
            text = text.replace(api_key, "[redacted]")
        text = " ".join(text.split())
        return text[:_MAX_DETAIL_LEN]

    @staticmethod
    def _id_of(record: Mapping[str, Any]) -> str | None:
        raw = record.get("id")
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        return raw if isinstance(raw, str) and raw else None

    def _record_of(self, body: Any) -> dict[str, Any] | None:
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and self._id_of(data) is not None:
            return data
        return None

    def _resource(
        self, collection: _Collection, record: Mapping[str, Any], name: str
    ) -> CarrierResource:
        rid = self._id_of(record)
        assert rid is not None  # callers checked
        return CarrierResource(kind=collection.kind, id=rid, name=name)
