"""Password hashing with argon2id; the cost comes from the settings (cheap in tests only)."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from keepword.domain.errors import ValidationFailed
from keepword.settings import Settings

MIN_PASSWORD_LENGTH = 10


class PasswordHasher:
    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._argon2 = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        # Verified against when the username is unknown, so that a wrong name costs as much as a wrong password.
        self._decoy = self._argon2.hash("decoy password that matches nothing")

    def hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationFailed("password", f"at least {MIN_PASSWORD_LENGTH} characters")
        return self._argon2.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._argon2.verify(stored or self._decoy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._argon2.check_needs_rehash(stored)


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
