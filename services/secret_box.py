"""Encryption at rest for credentials trunkql must be able to read back (a SIP password is needed
to place calls, so it cannot be hashed). Fernet: AES-128-CBC with HMAC-SHA256, authenticated."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBoxError(Exception):
    """A stored secret cannot be decrypted: wrong TRUNKQL_SECRET_KEY or damaged data."""


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("a secret key is required")
        # Fernet wants 32 url-safe base64 bytes; derive them so any strong passphrase works.
        digest = hashlib.sha256(b"trunkql-secret-box-v1:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretBoxError("cannot decrypt a stored secret with this key") from None
