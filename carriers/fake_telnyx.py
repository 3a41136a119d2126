"""A faithful fake of the parts of Telnyx API v2 that trunkql uses, served by aiohttp on loopback.

It exists so the adapter can be tested over real HTTP, in process (``start_fake_telnyx``) or out
of process (``run_fake_telnyx``, behind ``trunkql fake-telnyx --port N``), without ever calling
Telnyx. Shapes follow Telnyx's documentation:

* ``{"data": ...}`` envelopes, list ``meta`` = page_number/page_size/total_pages/total_results;
* ids are digit strings; records carry ``record_type``, ``created_at`` and ``updated_at``;
* ``POST /outbound_voice_profiles`` answers 200 and ``POST /credential_connections`` 201 (as in
  Telnyx's OpenAPI); a DELETE answers 200 with the deleted record;
* errors are ``{"errors": [{"code", "title", "detail", "source"?, "meta": {"url"}}]}`` with
  Telnyx's codes: 10009 (401), 10010 (403), 10005 (404), 10004/10015 (422), 10011 (429).

Where Telnyx's docs are silent the fake is deliberately strict, so adapter bugs surface here
rather than in production: connection names and SIP user names must be unique, and user names
must have a letter among their first five characters.

Fault injection (``FakeTelnyx.inject``) covers latency, 5xx/429/422 answers, dropped connections
and "the create happened but the answer was lost". HTTP control endpoints under ``/_fake/`` let
out-of-process tests do the same. API keys are never logged or exposed: calls are recorded with
a masked key (``mask_key``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, NamedTuple, cast, get_args

from aiohttp import web

__all__ = [
    "Call",
    "FakeTelnyx",
    "Fault",
    "FaultKind",
    "mask_key",
    "run_fake_telnyx",
    "start_fake_telnyx",
]

logger = logging.getLogger(__name__)

FaultKind = Literal["delay", "status", "drop", "apply_then_drop", "apply_then_delay"]

_ENDPOINTS: Final = ("balance", "outbound_voice_profiles", "credential_connections")
_DOCS_ERRORS: Final = "https://developers.telnyx.com/docs/overview/errors/"
# Telnyx: user_name "must be 4-32 characters long and alphanumeric values only".
_USER_NAME_RE: Final = re.compile(r"[A-Za-z0-9]{4,32}")
_ANI_FORMATS: Final = ("+E.164", "E.164", "+E.164-national", "E.164-national")
_DNIS_FORMATS: Final = ("+e164", "e164", "national", "sip_username")
_FORMAT_KEYS: Final = ("ani_number_format", "dnis_number_format")
# Telnyx's maximum page[size] is 250; the default used here (20) is the documented one.
_MAX_PAGE_SIZE: Final = 250
_DEFAULT_PAGE_SIZE: Final = 20

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def mask_key(api_key: str | None) -> str:
    """A stable, non-reversible label for a key, so tests can tell keys apart in ``calls``."""
    if not api_key:
        return "<none>"
    return "key:" + hashlib.sha256(api_key.encode()).hexdigest()[:8]


class Call(NamedTuple):
    """One request the fake received. ``path`` has no query string; ``key`` is masked."""

    method: str
    path: str
    key: str


@dataclass(frozen=True)
class Fault:
    """What to do to a matching request. Build with the classmethods.

    * ``delay``: wait ``seconds``, then answer normally (slow carrier, or a client timeout);
    * ``status``: answer ``status`` with a Telnyx-shaped error (5xx, 429 with rate-limit headers,
      422 with ``detail``/``pointer``) without acting on the request;
    * ``drop``: close the connection without answering, without acting on the request;
    * ``apply_then_drop`` / ``apply_then_delay``: act on the request (e.g. create the record),
      then drop the connection or wait ``seconds`` before answering.
    """

    kind: FaultKind
    seconds: float = 0.0
    status: int = 500
    reset: float = 1  # x-ratelimit-reset seconds, for 429
    retry_after: float | None = None  # optional Retry-After header, for 429
    detail: str | None = None
    pointer: str | None = None

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls(kind="delay", seconds=seconds)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls(kind="status", status=status)

    @classmethod
    def rate_limited(cls, reset: float = 1, retry_after: float | None = None) -> Fault:
        return cls(kind="status", status=429, reset=reset, retry_after=retry_after)

    @classmethod
    def rejected(
        cls, detail: str = "The request failed validation.", pointer: str | None = None
    ) -> Fault:
        return cls(kind="status", status=422, detail=detail, pointer=pointer)

    @classmethod
    def drop(cls) -> Fault:
        return cls(kind="drop")

    @classmethod
    def apply_then_drop(cls) -> Fault:
        return cls(kind="apply_then_drop")

    @classmethod
    def apply_then_delay(cls, seconds: float) -> Fault:
        return cls(kind="apply_then_delay", seconds=seconds)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Fault:
        kind = raw.get("kind")
        if kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {kind!r}")
        retry_after = raw.get("retry_after")
        return cls(
            kind=cast(FaultKind, kind),
            seconds=float(raw.get("seconds", 0.0)),
            status=int(raw.get("status", 500)),
            reset=float(raw.get("reset", 1)),
            retry_after=None if retry_after is None else float(retry_after),
            detail=None if raw.get("detail") is None else str(raw["detail"]),
            pointer=None if raw.get("pointer") is None else str(raw["pointer"]),
        )


@dataclass
class _Injection:
    endpoint: str
    method: str
    fault: Fault
    first_call: int  # 1-based call numbers of (endpoint, method) this applies to
    last_call: int

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "method": self.method,
            "fault": self.fault.to_json(),
            "first_call": self.first_call,
            "last_call": self.last_call,
        }


class _TelnyxError(Exception):
    """Raised inside handlers; rendered as a Telnyx error body."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.pointer = pointer
        self.parameter = parameter
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        error: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "meta": {"url": _DOCS_ERRORS + self.code},
        }
        if self.pointer is not None:
            error["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            error["source"] = {"parameter": self.parameter}
        return web.json_response({"errors": [error]}, status=self.status, headers=self.headers)


def _invalid(detail: str, pointer: str) -> _TelnyxError:
    return _TelnyxError(422, "10015", "Bad Request", detail, pointer=pointer)


def _missing(pointer: str) -> _TelnyxError:
    name = pointer.strip("/").replace("/", ".")
    detail = f"The '{name}' parameter is required."
    return _TelnyxError(422, "10004", "Missing required parameter", detail, pointer=pointer)


def _not_found() -> _TelnyxError:
    return _TelnyxError(
        404, "10005", "Resource not found", "The requested resource or URL could not be found."
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class FakeTelnyx:
    """State and behaviour of the fake. Serve it with ``start_fake_telnyx`` or ``make_app``.

    ``valid_keys`` may do everything; ``forbidden_keys`` maps a key that authenticates to the
    endpoints it gets 403 (code 10010) on, e.g. ``{"KEY_NO_CONN": {"credential_connections"}}``;
    any other key gets 401 (code 10009).
    """

    valid_keys: set[str] = field(default_factory=set)
    forbidden_keys: dict[str, set[str]] = field(default_factory=dict)
    outbound_voice_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    credential_connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _injections: list[_Injection] = field(default_factory=list, repr=False)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _last_id: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self.valid_keys = set(self.valid_keys)
        self.forbidden_keys = {k: set(v) for k, v in self.forbidden_keys.items()}
        self._new_id_counter()

    def __repr__(self) -> str:
        # Never show keys, even in a failing test's output.
        return (
            f"FakeTelnyx(outbound_voice_profiles={len(self.outbound_voice_profiles)}, "
            f"credential_connections={len(self.credential_connections)}, calls={len(self.calls)})"
        )

    def _new_id_counter(self) -> None:
        # 19-digit ids like Telnyx's ("1293384261075731499"); sequential keeps tests readable.
        self._last_id = 1293384261075731499

    def _next_id(self) -> str:
        self._last_id += 1
        return str(self._last_id)

    # ----------------------------------------------------------------- test controls

    def inject(
        self,
        endpoint: str,
        method: str,
        fault: Fault,
        *,
        on_call: int | None = None,
        times: int = 1,
    ) -> None:
        """Apply ``fault`` to ``times`` calls of ``method`` on ``endpoint``.

        ``endpoint`` is the first path segment after /v2 ("balance", "outbound_voice_profiles",
        "credential_connections"; leading "/v2/" is accepted). With ``on_call=N`` the faults hit
        calls N..N+times-1 (counted per endpoint and method since the last reset); otherwise the
        next ``times`` calls.
        """
        name = endpoint.strip("/").removeprefix("v2/").split("/", 1)[0]
        if name not in _ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {_ENDPOINTS}")
        if times < 1 or (on_call is not None and on_call < 1):
            raise ValueError("times and on_call must be at least 1")
        method = method.upper()
        first = on_call if on_call is not None else self._counts.get((name, method), 0) + 1
        self._injections.append(_Injection(name, method, fault, first, first + times - 1))

    def reset(self) -> None:
        """Forget every resource, call and fault (keys stay as configured)."""
        self.outbound_voice_profiles.clear()
        self.credential_connections.clear()
        self.calls.clear()
        self._injections.clear()
        self._counts.clear()
        self._new_id_counter()

    def calls_to(self, method: str, path: str) -> int:
        """How many calls had this method and exact path (e.g. "POST", "/v2/balance")."""
        return sum(1 for c in self.calls if c.method == method.upper() and c.path == path)

    def state(self) -> dict[str, Any]:
        return {
            "outbound_voice_profiles": self.outbound_voice_profiles,
            "credential_connections": self.credential_connections,
            "calls": [list(c) for c in self.calls],
            "faults": [i.to_json() for i in self._injections],
        }

    # ----------------------------------------------------------------- the app

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/v2/balance", self._balance)
        r.add_get("/v2/outbound_voice_profiles", self._list_profiles)
        r.add_post("/v2/outbound_voice_profiles", self._create_profile)
        r.add_get("/v2/outbound_voice_profiles/{id}", self._get_profile)
        r.add_delete("/v2/outbound_voice_profiles/{id}", self._delete_profile)
        r.add_get("/v2/credential_connections", self._list_connections)
        r.add_post("/v2/credential_connections", self._create_connection)
        r.add_get("/v2/credential_connections/{id}", self._get_connection)
        r.add_delete("/v2/credential_connections/{id}", self._delete_connection)
        r.add_get("/_fake/state", self._control_state)
        r.add_post("/_fake/faults", self._control_faults)
        r.add_post("/_fake/reset", self._control_reset)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        if not (request.path == "/v2" or request.path.startswith("/v2/")):
            return await handler(request)
        segments = request.path.strip("/").split("/")
        endpoint = segments[1] if len(segments) > 1 else ""
        method = request.method.upper()
        key = _bearer(request)
        count = self._counts.get((endpoint, method), 0) + 1
        self._counts[(endpoint, method)] = count
        self.calls.append(Call(method, request.path, mask_key(key)))
        logger.debug("fake telnyx: %s %s (%s, call %d)", method, request.path, mask_key(key), count)

        fault = self._fault_for(endpoint, method, count)
        if fault is not None:
            # kind and status only: a fault's detail text is test-supplied and could be anything.
            logger.debug("fake telnyx: injecting %s (status %d)", fault.kind, fault.status)
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "drop":
                return _drop(request)
            elif fault.kind == "status":
                return _fault_error(fault).response()

        try:
            self._authorize(key, endpoint)
            response = await handler(request)
        except _TelnyxError as exc:
            response = exc.response()
        except web.HTTPException as exc:
            # Unknown path or method: answer in Telnyx's shape, not aiohttp's text.
            if exc.status == 404:
                response = _not_found().response()
            else:
                response = _TelnyxError(exc.status, "10015", "Bad Request", exc.reason).response()

        if fault is not None and 200 <= response.status < 300:
            if fault.kind == "apply_then_drop":
                return _drop(request)
            if fault.kind == "apply_then_delay":
                await asyncio.sleep(fault.seconds)
        # Telnyx sends these on (nearly) every response; the fake does not count a real window.
        response.headers.setdefault("x-ratelimit-limit", "100")
        response.headers.setdefault("x-ratelimit-remaining", "99")
        response.headers.setdefault("x-ratelimit-reset", "1")
        return response

    def _fault_for(self, endpoint: str, method: str, count: int) -> Fault | None:
        for injection in self._injections:
            if (
                injection.endpoint == endpoint
                and injection.method == method
                and injection.first_call <= count <= injection.last_call
            ):
                return injection.fault
        return None

    def _authorize(self, key: str | None, endpoint: str) -> None:
        if key is not None and key in self.forbidden_keys:
            if endpoint in self.forbidden_keys[key]:
                raise _TelnyxError(
                    403,
                    "10010",
                    "Authorization failed",
                    "You do not have permission to perform the requested action on the "
                    "specified resource or resources.",
                )
            return
        if key is None or key not in self.valid_keys:
            raise _TelnyxError(
                401,
                "10009",
                "Authentication failed",
                "The required authentication headers were either invalid or not included in "
                "the request.",
            )

    # ----------------------------------------------------------------- /v2 handlers

    async def _balance(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "data": {
                    "record_type": "balance",
                    "pending": "0.00",
                    "balance": "100.00",
                    "credit_limit": "0.00",
                    "available_credit": "100.00",
                    "currency": "USD",
                }
            }
        )

    async def _list_profiles(self, request: web.Request) -> web.StreamResponse:
        contains = request.query.get("filter[name][contains]")
        records = [
            r
            for r in self.outbound_voice_profiles.values()
            if contains is None or contains.lower() in str(r["name"]).lower()
        ]
        return _page(request, [self._profile_view(r) for r in records])

    async def _create_profile(self, request: web.Request) -> web.StreamResponse:
        body = await _json_object(request)
        name = body.get("name")
        if name is None:
            raise _missing("/name")
        if not isinstance(name, str) or not name.strip():
            raise _invalid("name must be a non-empty string.", "/name")
        now = _now()
        record: dict[str, Any] = {
            "id": self._next_id(),
            "record_type": "outbound_voice_profile",
            "name": name,
            "traffic_type": body.get("traffic_type", "conversational"),
            "service_plan": body.get("service_plan", "global"),
            "concurrent_call_limit": body.get("concurrent_call_limit"),
            "enabled": body.get("enabled", True),
            "tags": body.get("tags", []),
            "usage_payment_method": body.get("usage_payment_method", "rate-deck"),
            "whitelisted_destinations": body.get("whitelisted_destinations", ["US", "CA"]),
            "max_destination_rate": body.get("max_destination_rate"),
            "daily_spend_limit": body.get("daily_spend_limit"),
            "daily_spend_limit_enabled": body.get("daily_spend_limit_enabled", False),
            "billing_group_id": body.get("billing_group_id"),
            "created_at": now,
            "updated_at": now,
        }
        self.outbound_voice_profiles[record["id"]] = record
        # Telnyx's OpenAPI documents 200 (not 201) for this create.
        return web.json_response({"data": self._profile_view(record)}, status=200)

    async def _get_profile(self, request: web.Request) -> web.StreamResponse:
        record = self.outbound_voice_profiles.get(request.match_info["id"])
        if record is None:
            raise _not_found()
        return web.json_response({"data": self._profile_view(record)})

    async def _delete_profile(self, request: web.Request) -> web.StreamResponse:
        record = self.outbound_voice_profiles.pop(request.match_info["id"], None)
        if record is None:
            raise _not_found()
        return web.json_response({"data": self._profile_view(record)})

    def _profile_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        connections = sum(
            1
            for c in self.credential_connections.values()
            if c["outbound"].get("outbound_voice_profile_id") == record["id"]
        )
        return {**record, "connections_count": connections}

    async def _list_connections(self, request: web.Request) -> web.StreamResponse:
        contains = request.query.get("filter[connection_name][contains]")
        if contains is not None and len(contains) < 3:
            # Documented: "Requires at least three characters."
            raise _TelnyxError(
                422,
                "10015",
                "Bad Request",
                "filter[connection_name][contains] requires at least three characters.",
                parameter="filter[connection_name][contains]",
            )
        profile_id = request.query.get("filter[outbound.outbound_voice_profile_id]")
        records = [
            r
            for r in self.credential_connections.values()
            if (contains is None or contains.lower() in str(r["connection_name"]).lower())
            and (profile_id is None or r["outbound"].get("outbound_voice_profile_id") == profile_id)
        ]
        return _page(request, records)

    async def _create_connection(self, request: web.Request) -> web.StreamResponse:
        body = await _json_object(request)
        for required in ("connection_name", "user_name", "password"):
            if body.get(required) is None:
                raise _missing(f"/{required}")
        name, user_name, password = body["connection_name"], body["user_name"], body["password"]
        if not isinstance(name, str) or not name.strip():
            raise _invalid("connection_name must be a non-empty string.", "/connection_name")
        if any(c["connection_name"] == name for c in self.credential_connections.values()):
            # Not documented; the fake is strict so duplicate creates can never go unnoticed.
            raise _invalid("connection_name has already been taken.", "/connection_name")
        if not isinstance(user_name, str) or not _USER_NAME_RE.fullmatch(user_name):
            raise _invalid(
                "user_name must be 4-32 characters long and alphanumeric values only.",
                "/user_name",
            )
        if not any(ch.isalpha() for ch in user_name[:5]):
            raise _invalid(
                "user_name must have a letter among its first 5 characters.", "/user_name"
            )
        if any(
            c["user_name"].lower() == user_name.lower()
            for c in self.credential_connections.values()
        ):
            # Telnyx: user names are globally unique and case-insensitive.
            raise _invalid("user_name has already been taken.", "/user_name")
        if not isinstance(password, str) or not 8 <= len(password) <= 128:
            raise _invalid("password must be 8 to 128 characters long.", "/password")

        outbound = body.get("outbound") or {}
        inbound = body.get("inbound") or {}
        if not isinstance(outbound, dict):
            raise _invalid("outbound must be an object.", "/outbound")
        if not isinstance(inbound, dict):
            raise _invalid("inbound must be an object.", "/inbound")
        profile_id = outbound.get("outbound_voice_profile_id")
        if profile_id is not None and str(profile_id) not in self.outbound_voice_profiles:
            raise _TelnyxError(
                422,
                "10017",
                "Associated resource does not exist",
                "The outbound voice profile does not exist.",
                pointer="/outbound/outbound_voice_profile_id",
            )
        ani = inbound.get("ani_number_format", "E.164-national")
        if ani not in _ANI_FORMATS:
            raise _invalid(
                f"ani_number_format must be one of {_ANI_FORMATS}.", "/inbound/ani_number_format"
            )
        dnis = inbound.get("dnis_number_format", "e164")
        if dnis not in _DNIS_FORMATS:
            raise _invalid(
                f"dnis_number_format must be one of {_DNIS_FORMATS}.", "/inbound/dnis_number_format"
            )

        now = _now()
        record: dict[str, Any] = {
            "id": self._next_id(),
            "record_type": "credential_connection",
            "active": body.get("active", True),
            "user_name": user_name,
            # Telnyx's connection record includes the password; so does the fake's.
            "password": password,
            "connection_name": name,
            "anchorsite_override": body.get("anchorsite_override", "Latency"),
            "sip_uri_calling_preference": body.get("sip_uri_calling_preference", "disabled"),
            "default_on_hold_comfort_noise_enabled": True,
            "dtmf_type": body.get("dtmf_type", "RFC 2833"),
            "encode_contact_header_enabled": False,
            "encrypted_media": None,
            "onnet_t38_passthrough_enabled": False,
            "webhook_event_url": body.get("webhook_event_url"),
            "webhook_event_failover_url": body.get("webhook_event_failover_url", ""),
            "webhook_api_version": body.get("webhook_api_version", "1"),
            "webhook_timeout_secs": body.get("webhook_timeout_secs"),
            "tags": body.get("tags", []),
            "inbound": {
                "ani_number_format": ani,
                "dnis_number_format": dnis,
                "codecs": ["G722", "G711U", "G711A", "G729", "OPUS", "H.264"],
                "channel_limit": None,
                "generate_ringback_tone": False,
                "isup_headers_enabled": False,
                "prack_enabled": False,
                "sip_compact_headers_enabled": True,
                "timeout_1xx_secs": 3,
                "timeout_2xx_secs": 90,
                **{k: v for k, v in inbound.items() if k not in _FORMAT_KEYS},
            },
            "outbound": {
                "call_parking_enabled": False,
                "ani_override": "",
                "ani_override_type": "always",
                "channel_limit": None,
                "instant_ringback_enabled": True,
                "generate_ringback_tone": False,
                "localization": "US",
                "t38_reinvite_source": "customer",
                "outbound_voice_profile_id": None if profile_id is None else str(profile_id),
                **{k: v for k, v in outbound.items() if k != "outbound_voice_profile_id"},
            },
            "created_at": now,
            "updated_at": now,
        }
        self.credential_connections[record["id"]] = record
        return web.json_response({"data": record}, status=201)

    async def _get_connection(self, request: web.Request) -> web.StreamResponse:
        record = self.credential_connections.get(request.match_info["id"])
        if record is None:
            raise _not_found()
        return web.json_response({"data": record})

    async def _delete_connection(self, request: web.Request) -> web.StreamResponse:
        record = self.credential_connections.pop(request.match_info["id"], None)
        if record is None:
            raise _not_found()
        return web.json_response({"data": record})

    # ----------------------------------------------------------------- /_fake control

    async def _control_state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.state())

    async def _control_faults(self, request: web.Request) -> web.StreamResponse:
        """Body: {"endpoint", "method", "fault": {"kind", ...}, "on_call"?, "times"?}."""
        try:
            raw = await request.json()
            on_call = raw.get("on_call")
            self.inject(
                str(raw["endpoint"]),
                str(raw["method"]),
                Fault.from_json(raw["fault"]),
                on_call=None if on_call is None else int(on_call),
                times=int(raw.get("times", 1)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"faults": [i.to_json() for i in self._injections]}, status=201)

    async def _control_reset(self, request: web.Request) -> web.StreamResponse:
        self.reset()
        return web.json_response({"reset": True})


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer; the returned response is never sent."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=500)


def _fault_error(fault: Fault) -> _TelnyxError:
    if fault.status == 429:
        headers = {
            "x-ratelimit-limit": "100",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": f"{fault.reset:g}",
        }
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        return _TelnyxError(
            429,
            "10011",
            "Too many requests",
            "You have exceeded the maximum number of allowed requests.",
            headers=headers,
        )
    if fault.status == 422:
        return _TelnyxError(
            422,
            "10015",
            "Bad Request",
            fault.detail or "The request failed validation.",
            pointer=fault.pointer,
        )
    if 400 <= fault.status < 500:
        return _TelnyxError(fault.status, "10015", "Bad Request", fault.detail or "Bad request.")
    return _TelnyxError(
        fault.status, "10007", "Unexpected error", fault.detail or "An unexpected error occured."
    )


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _TelnyxError(
            400, "10015", "Bad Request", "The request failed because it was not well-formed."
        )
    return body


def _page(request: web.Request, records: list[dict[str, Any]]) -> web.Response:
    """One page, newest first (Telnyx's default sort is by created_at)."""

    def _int(name: str, default: int, maximum: int | None) -> int:
        raw = request.query.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1 or (maximum is not None and value > maximum):
            raise _TelnyxError(422, "10015", "Bad Request", f"{name} is invalid.", parameter=name)
        return value

    size = _int("page[size]", _DEFAULT_PAGE_SIZE, _MAX_PAGE_SIZE)
    number = _int("page[number]", 1, None)
    ordered = sorted(records, key=lambda r: (r["created_at"], int(r["id"])), reverse=True)
    total_pages = max(1, -(-len(ordered) // size))
    chunk = ordered[(number - 1) * size : number * size]
    return web.json_response(
        {
            "data": chunk,
            "meta": {
                "page_number": number,
                "page_size": size,
                "total_pages": total_pages,
                "total_results": len(ordered),
            },
        }
    )


async def start_fake_telnyx(
    fake: FakeTelnyx, host: str = "127.0.0.1", port: int = 0
) -> tuple[web.AppRunner, str]:
    """Serve ``fake``; returns the runner (call ``await runner.cleanup()``) and the /v2 base URL.

    ``port=0`` picks a free port. handler_cancellation lets a client that gave up (timeout)
    cancel a delayed handler, and the short shutdown timeout keeps test teardown fast.
    """
    runner = web.AppRunner(
        fake.make_app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    # runner.addresses holds the bound socket addresses, so port=0 resolves to the real port.
    bound_port = int(runner.addresses[0][1]) if runner.addresses else port
    return runner, f"http://{host}:{bound_port}/v2"


def run_fake_telnyx(
    host: str,
    port: int,
    valid_keys: Iterable[str] = (),
    forbidden_keys: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """Serve a fresh FakeTelnyx until interrupted (for ``trunkql fake-telnyx --port N``)."""
    fake = FakeTelnyx(
        valid_keys=set(valid_keys),
        forbidden_keys={k: set(v) for k, v in (forbidden_keys or {}).items()},
    )

    async def _serve() -> None:
        runner, url = await start_fake_telnyx(fake, host, port)
        # The URL only: keys are never printed.
        print(f"fake Telnyx listening on {url} (controls under /_fake/)", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve())
