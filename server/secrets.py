"""Signing and encryption keys: from the environment, or generated once and kept in a file.

A first start with no TRUNKQL_JWT_SECRET / TRUNKQL_SECRET_KEY generates strong random keys and keeps
them in a JSON file readable only by its owner (mode 0600), so tokens minted by ``trunkql token``
and credentials encrypted at rest keep working across restarts.
"""

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from server.settings import Settings


@dataclass(frozen=True)
class Keys:
    jwt_secret: str = field(repr=False)
    secret_key: str = field(repr=False)
    generated_in: Path | None = None  # set when this call created the file


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a trunkql secrets file")
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)
    os.chmod(tmp, 0o600)  # the umask may have narrowed it, never widened: make it exact
    os.replace(tmp, path)


def load_keys(settings: Settings) -> Keys:
    if settings.jwt_secret and settings.secret_key:
        return Keys(jwt_secret=settings.jwt_secret, secret_key=settings.secret_key)
    path = settings.resolved_secrets_file()
    stored = _read(path)
    missing = {
        name: secrets.token_urlsafe(48)
        for name in ("jwt_secret", "secret_key")
        if name not in stored
    }
    if missing:
        stored.update(missing)
        _write_private(path, stored)
    return Keys(
        jwt_secret=settings.jwt_secret or stored["jwt_secret"],
        secret_key=settings.secret_key or stored["secret_key"],
        generated_in=path if missing else None,
    )
