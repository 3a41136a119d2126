"""Token rules beyond a valid signature: lifetime, issue time, algorithm, and gateway-issued
tokens (RS256/ES256) verified with a public key."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from server.auth import AuthenticationError, TokenPolicy, TokenVerifier, mint_token
from services.principals import Role
from tests.conftest import JWT_SECRET
from tests.factories import provider_input, stored_providers
from tests.graphql_client import GraphQLClient

CREATE = "mutation($i: CreateProviderInput!) { createProvider(input: $i) { provider { id } } }"


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "gw-user",
        "roles": ["PROJECT_SUPER_ADMIN"],
        "iss": "trunkql",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (_claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 4000), "not valid yet"),
        (_claims(exp=int(time.time()) + 2 * 24 * 3600), "longer than"),
        (_claims(nbf=int(time.time()) + 3600), "not valid yet"),
        (_claims(iat="yesterday"), "not valid"),
    ],
    ids=["issued in the future", "lifetime over the maximum", "not before", "iat not a number"],
)
async def test_tokens_outside_their_time_rules_are_refused(
    admin: GraphQLClient, claims: dict[str, object], message: str
) -> None:
    admin.token = jwt.encode(claims, JWT_SECRET, algorithm="HS256")

    response = await admin.execute(CREATE, {"i": provider_input()})

    assert response.status == 401
    assert response.error_codes == ["UNAUTHENTICATED"]
    assert message in response.errors[0]["message"]
    assert await stored_providers() == []


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _forged_hs256(claims: dict[str, object], secret: bytes) -> str:
    """An HS256 token keyed with ``secret`` — built by hand, since PyJWT refuses to use a public
    key as an HMAC secret (which is exactly the attack)."""
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        + "."
        + _b64(json.dumps(claims).encode())
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _rsa() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _pem(key), key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _ec() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    return _pem(key), key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize(("algorithm", "keys"), [("RS256", _rsa), ("ES256", _ec)])
def test_gateway_tokens_verify_with_the_public_key_only(algorithm: str, keys: object) -> None:
    private, public = keys()  # type: ignore[operator]
    verifier = TokenVerifier(key=public, policy=TokenPolicy(algorithm=algorithm))

    principal = verifier.verify(jwt.encode(_claims(), private, algorithm=algorithm))

    assert principal.subject == "gw-user"
    assert principal.roles == {Role.PROJECT_SUPER_ADMIN}
    # Algorithm confusion: an HS256 token "signed" with the public key as the secret.
    with pytest.raises(AuthenticationError):
        verifier.verify(_forged_hs256(_claims(), public.encode()))
    # Another key pair's token.
    other_private, _ = keys()  # type: ignore[operator]
    with pytest.raises(AuthenticationError):
        verifier.verify(jwt.encode(_claims(), other_private, algorithm=algorithm))


def test_an_hs256_deployment_refuses_rs256_tokens() -> None:
    private, _ = _rsa()
    verifier = TokenVerifier(key=JWT_SECRET)

    with pytest.raises(AuthenticationError):
        verifier.verify(jwt.encode(_claims(), private, algorithm="RS256"))


def test_audience_is_checked_when_configured() -> None:
    policy = TokenPolicy(audience="trunkql-api")
    verifier = TokenVerifier(key=JWT_SECRET, policy=policy)
    right = mint_token(JWT_SECRET, "a", [Role.PROJECT_VIEWER], 600, policy)

    assert verifier.verify(right).subject == "a"
    with pytest.raises(AuthenticationError):
        verifier.verify(jwt.encode(_claims(aud="another-api"), JWT_SECRET, algorithm="HS256"))
    with pytest.raises(AuthenticationError):
        verifier.verify(jwt.encode(_claims(), JWT_SECRET, algorithm="HS256"))


def test_small_clock_skew_is_tolerated() -> None:
    verifier = TokenVerifier(key=JWT_SECRET, policy=TokenPolicy(leeway_seconds=30))
    skewed = _claims(iat=int(time.time()) + 10, exp=int(time.time()) + 600)

    assert verifier.verify(jwt.encode(skewed, JWT_SECRET, algorithm="HS256")).subject == "gw-user"
