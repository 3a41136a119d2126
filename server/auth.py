"""Bearer tokens: signed JWTs carrying a subject and roles.

Exactly one algorithm is accepted, fixed by configuration (HS256 with trunkql's own secret, or
RS256/ES256 with the public key of a gateway that issues its own tokens), whatever a token's header
claims — so ``alg: none`` and algorithm-confusion tokens fail. ``exp`` and ``iat`` are required, a
token may not live longer than the configured maximum, and one issued in the future is refused.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import jwt
from starlette.responses import JSONResponse

from server.secrets import Keys
from server.settings import Settings
from services.principals import Principal, Role


class AuthenticationError(Exception):
    """The request carries no usable credentials. The message is safe to show the client."""


@dataclass(frozen=True)
class TokenPolicy:
    algorithm: str = "HS256"
    issuer: str = "trunkql"
    audience: str | None = None
    leeway_seconds: int = 30
    max_ttl_seconds: int = 24 * 3600


@dataclass(frozen=True)
class TokenVerifier:
    key: str = field(repr=False)  # the HS256 secret, or a PEM public key
    policy: TokenPolicy = TokenPolicy()

    def verify(self, token: str) -> Principal:
        policy = self.policy
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[policy.algorithm],
                issuer=policy.issuer,
                audience=policy.audience,
                leeway=policy.leeway_seconds,
                options={
                    "require": ["exp", "iat", "sub"],
                    "verify_aud": policy.audience is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the access token has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationError("the access token is not valid yet") from None
        except jwt.InvalidTokenError:
            raise AuthenticationError("the access token is not valid") from None
        self._check_lifetime(claims)
        return _principal(claims)

    def _check_lifetime(self, claims: dict[str, object]) -> None:
        issued, expires = claims.get("iat"), claims.get("exp")
        if not isinstance(issued, int | float) or not isinstance(expires, int | float):
            raise AuthenticationError("the access token is not valid")
        if issued > time.time() + self.policy.leeway_seconds:
            raise AuthenticationError("the access token is not valid yet")
        if expires - issued > self.policy.max_ttl_seconds:
            raise AuthenticationError(
                f"the access token lives longer than the allowed "
                f"{self.policy.max_ttl_seconds} seconds"
            )


def _principal(claims: dict[str, object]) -> Principal:
    subject = claims.get("sub")
    raw_roles = claims.get("roles", [])
    if not isinstance(subject, str) or not subject or not isinstance(raw_roles, list):
        raise AuthenticationError("the access token is not valid")
    known = {role.value: role for role in Role}
    roles = frozenset(known[name] for name in raw_roles if isinstance(name, str) and name in known)
    if not roles:
        raise AuthenticationError("the access token grants no trunkql role")
    return Principal(subject=subject, roles=roles)


def mint_token(
    secret: str,
    subject: str,
    roles: Iterable[Role],
    ttl_seconds: int,
    policy: TokenPolicy = TokenPolicy(),
) -> str:
    """An HS256 token trunkql itself accepts. (With RS256/ES256 the gateway mints tokens.)"""
    if policy.algorithm != "HS256":
        raise ValueError(
            f"trunkql mints HS256 tokens only; with {policy.algorithm} the issuer does"
        )
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "roles": sorted(role.value for role in roles),
        "iss": policy.issuer,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if policy.audience is not None:
        claims["aud"] = policy.audience
    return jwt.encode(claims, secret, algorithm="HS256")


def unauthenticated_response(message: str) -> JSONResponse:
    """HTTP 401 with a GraphQL-shaped error body, for a request refused before anything ran."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="trunkql"'},
    )


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("authentication required: send Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be: Bearer <token>")
    return token.strip()


def token_policy(settings: Settings) -> TokenPolicy:
    return TokenPolicy(
        algorithm=settings.jwt_algorithm,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
        max_ttl_seconds=settings.token_max_ttl_seconds,
    )


def token_verifier(settings: Settings, keys: Keys) -> TokenVerifier:
    """HS256 verifies with trunkql's own secret; RS256/ES256 with the configured public key."""
    if settings.jwt_algorithm == "HS256":
        key = keys.jwt_secret
    else:
        assert settings.jwt_public_key_file is not None  # Settings refuses it otherwise
        key = settings.jwt_public_key_file.read_text(encoding="utf-8")
    return TokenVerifier(key=key, policy=token_policy(settings))
