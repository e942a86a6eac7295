"""Encryption and keyed hashes of personal data, and the masks shown in lists."""

import base64

import pytest
from cryptography.fernet import InvalidToken

from gonghui.core import crypto

ID_NUMBER = "32010219900101123X"
OTHER_KEY = base64.urlsafe_b64encode(b"another-data-key-of-32-bytes!!!!").decode()


def test_encrypt_round_trip_and_ciphertext_hides_the_value():
    token = crypto.encrypt(ID_NUMBER)
    assert token != ID_NUMBER
    assert ID_NUMBER not in token
    assert "19900101" not in token
    assert crypto.decrypt(token) == ID_NUMBER


def test_encryption_is_randomised():
    # Fernet uses a fresh IV each time: equal values do not give equal ciphertexts.
    assert crypto.encrypt(ID_NUMBER) != crypto.encrypt(ID_NUMBER)


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt(ID_NUMBER)
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[-1] ^= 1
    with pytest.raises(InvalidToken):
        crypto.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


def test_keyed_hash_is_stable_hex_and_not_a_plain_hash():
    import hashlib

    first = crypto.keyed_hash(ID_NUMBER)
    assert first == crypto.keyed_hash(ID_NUMBER)
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != crypto.keyed_hash(ID_NUMBER[:-1] + "1")
    # Without the key the hash cannot be recomputed from the value.
    assert first != hashlib.sha256(ID_NUMBER.encode()).hexdigest()


def test_hash_and_encryption_depend_on_the_data_key(settings):
    token = crypto.encrypt(ID_NUMBER)
    digest = crypto.keyed_hash(ID_NUMBER)
    settings.GONGHUI_DATA_KEY = OTHER_KEY
    assert crypto.keyed_hash(ID_NUMBER) != digest
    with pytest.raises(InvalidToken):
        crypto.decrypt(token)
    assert crypto.decrypt(crypto.encrypt(ID_NUMBER)) == ID_NUMBER


def test_encryption_key_and_hash_key_are_different():
    # Both derive from the one data key but with different HKDF labels.
    assert crypto._derive(b"gonghui-encryption") != crypto._derive(b"gonghui-lookup-hash")


@pytest.mark.parametrize(
    "value, masked",
    [
        (ID_NUMBER, "320************23X"),
        ("320102199001011234", "320************234"),
        ("1234567", "123*567"),
        ("123456", "******"),
        ("", ""),
    ],
)
def test_mask_id_number(value, masked):
    assert crypto.mask_id_number(value) == masked


def test_mask_id_number_hides_the_birth_date():
    assert "19900101" not in crypto.mask_id_number(ID_NUMBER)
    assert len(crypto.mask_id_number(ID_NUMBER)) == 18


@pytest.mark.parametrize(
    "value, masked", [("13800138000", "138****8000"), ("1380013800", "1380013800"), ("", "")]
)
def test_mask_mobile(value, masked):
    assert crypto.mask_mobile(value) == masked
