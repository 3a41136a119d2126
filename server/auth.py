"""Bearer tokens: signed JWTs carrying a subject and roles.

Only HS256 is accepted, whatever the token's header claims, so ``alg: none`` and algorithm-confusion
tokens fail verification. ``exp`` is required: a token without an expiry is refused.
"""

import time
from collections.abc import Iterable

import jwt

from services.principals import Principal, Role

ALGORITHM = "HS256"
ISSUER = "trunkql"
LEEWAY_SECONDS = 30


class AuthenticationError(Exception):
    """The request carries no usable credentials. The message is safe to show the client."""


def mint_token(secret: str, subject: str, roles: Iterable[Role], ttl_seconds: int) -> str:
    now = int(time.time())
    claims = {
        "sub": subject,
        "roles": sorted(role.value for role in roles),
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("the access token has expired") from None
    except jwt.InvalidTokenError:
        raise AuthenticationError("the access token is not valid") from None
    subject = claims.get("sub")
    raw_roles = claims.get("roles", [])
    if not isinstance(subject, str) or not subject or not isinstance(raw_roles, list):
        raise AuthenticationError("the access token is not valid")
    known = {role.value: role for role in Role}
    roles = frozenset(known[name] for name in raw_roles if isinstance(name, str) and name in known)
    if not roles:
        raise AuthenticationError("the access token grants no trunkql role")
    return Principal(subject=subject, roles=roles)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("authentication required: send Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be: Bearer <token>")
    return token.strip()
