"""Personal data at rest: encryption and keyed hashes, both derived from GONGHUI_DATA_KEY.

ID numbers are stored encrypted (Fernet: AES-128-CBC + HMAC) and beside them an HMAC-SHA256 of
the normalised value, so an exact look-up needs no decryption and the hash reveals nothing
without the key.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(info: bytes) -> bytes:
    master = base64.urlsafe_b64decode(settings.GONGHUI_DATA_KEY)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"gonghui-encryption")))


@lru_cache(maxsize=4)
def _hash_key(key: str) -> bytes:
    return _derive(b"gonghui-lookup-hash")


def encrypt(value: str) -> str:
    return _fernet(settings.GONGHUI_DATA_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.GONGHUI_DATA_KEY).decrypt(token.encode()).decode()


def keyed_hash(value: str) -> str:
    return hmac.new(_hash_key(settings.GONGHUI_DATA_KEY), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """320************123: the area and the last three characters, nothing of the birth date."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value
