"""Field encryption and blind indexes: published vectors, round trips, binding and key changes."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.db import connection
from django.test import override_settings

from citygate.accounts.models import User, normalise_phone
from citygate.privacy import crypto
from citygate.privacy.fields import BlindIndexField

K1 = "k1:" + base64.b64encode(bytes(range(32))).decode()
K2 = "k2:" + base64.b64encode(bytes(range(32, 64))).decode()
INDEX_KEY = base64.b64encode(bytes(range(64, 96))).decode()


def _keys(data_keys: str, suite: str = "aes") -> override_settings:
    return override_settings(
        CITYGATE_CRYPTO=suite, CITYGATE_DATA_KEYS=data_keys, CITYGATE_INDEX_KEY=INDEX_KEY
    )


# --- Published vectors ----------------------------------------------------------------------

SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_ecb_gbt32907_example_1_matches() -> None:
    # given: GB/T 32907-2016 Appendix A, example 1 (key = plaintext)
    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()  # noqa: S305

    # when
    ciphertext = encryptor.update(SM4_KEY) + encryptor.finalize()

    # then
    assert ciphertext.hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_ecb_gbt32907_example_2_after_a_million_rounds_matches() -> None:
    # given: example 2 encrypts the plaintext 1,000,000 times with the same key (~0.6 s)
    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()  # noqa: S305
    block = SM4_KEY

    # when
    for _ in range(1_000_000):
        block = encryptor.update(block)

    # then
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"


def test_sm4_gcm_rfc8998_vector_matches() -> None:
    # given: RFC 8998 Appendix A.1
    nonce = bytes.fromhex("00001234567800000000abcd")
    plaintext = bytes.fromhex(
        "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
        "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa"
    )
    aad = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")

    # when
    sealed = crypto.sm4_gcm_encrypt(SM4_KEY, nonce, plaintext, aad)

    # then
    assert sealed[:-16].hex() == (
        "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
        "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
    )
    assert sealed[-16:].hex() == "83de3541e4c2b58177e065a9bf7b62ec"


def test_sm3_of_abc_matches_gbt32905_example_1() -> None:
    assert crypto.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sm3_of_64_bytes_matches_gbt32905_example_2() -> None:
    assert crypto.sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_keyed_hash_under_sm_matches_gmt0042_hmac_sm3_vector() -> None:
    # given: GM/T 0042-2015 Appendix D.3, first example
    key = bytes(range(1, 33))
    message = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" * 2

    # when
    digest = crypto.keyed_hash(key, message, suite="sm")

    # then
    assert digest == "ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a"


def test_blind_index_under_sm_is_hmac_sm3_with_the_derived_index_key() -> None:
    # given
    with _keys(K1, suite="sm"):
        ring = crypto.keyring()
        derived = crypto.derive_key(ring.index_key, "sm", "index")

        # when
        index = crypto.blind_index("phone", "13800138000")

    # then
    expected = hmac.new(derived, b"phone\x1f13800138000", lambda: hashlib.new("sm3")).hexdigest()
    assert index == expected


def test_blind_index_differs_by_suite_and_by_purpose() -> None:
    # when
    with _keys(K1, suite="aes"):
        aes_phone = crypto.blind_index("phone", "13800138000")
        aes_other = crypto.blind_index("id_number", "13800138000")
    with _keys(K1, suite="sm"):
        sm_phone = crypto.blind_index("phone", "13800138000")

    # then
    assert len({aes_phone, aes_other, sm_phone}) == 3
    assert all(len(value) == 64 for value in (aes_phone, aes_other, sm_phone))


# --- Round trips and tampering --------------------------------------------------------------


@pytest.mark.parametrize("suite", ["aes", "sm"])
def test_encrypt_then_decrypt_returns_the_clear_text(suite: str) -> None:
    # given
    with _keys(K1, suite=suite):
        # when
        stored = crypto.encrypt("张三 13800138000", context="accounts.user.name")

        # then
        assert stored.startswith(f"cg1:{suite}:k1:")
        assert "13800138000" not in stored
        assert crypto.decrypt(stored, context="accounts.user.name") == "张三 13800138000"


@pytest.mark.parametrize("suite", ["aes", "sm"])
def test_encrypt_twice_gives_different_ciphertexts(suite: str) -> None:
    with _keys(K1, suite=suite):
        first = crypto.encrypt("13800138000", context="c")
        second = crypto.encrypt("13800138000", context="c")

    assert first != second


@pytest.mark.parametrize("suite", ["aes", "sm"])
def test_decrypt_with_one_flipped_byte_raises(suite: str) -> None:
    # given
    with _keys(K1, suite=suite):
        stored = crypto.encrypt("110105198001010123", context="c")
        head, token = stored.rsplit(":", 1)
        raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        raw[20] ^= 0x01
        tampered = head + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")

        # when / then
        with pytest.raises(crypto.CryptoError):
            crypto.decrypt(tampered, context="c")


@pytest.mark.parametrize("suite", ["aes", "sm"])
def test_decrypt_under_another_column_context_raises(suite: str) -> None:
    # given
    with _keys(K1, suite=suite):
        stored = crypto.encrypt("13800138000", context="accounts.user.phone")

        # when / then
        with pytest.raises(crypto.CryptoError):
            crypto.decrypt(stored, context="accounts.user.name")


@pytest.mark.parametrize(
    "stored",
    ["", "plain text", "cg1:aes:k1", "cg1:des:k1:AAAA", "cg1:aes:k1:!!!!", "cg1:aes:k1:AAAA"],
)
def test_decrypt_malformed_value_raises_crypto_error(stored: str) -> None:
    with _keys(K1), pytest.raises(crypto.CryptoError):
        crypto.decrypt(stored, context="c")


@pytest.mark.django_db
def test_ciphertext_copied_into_another_column_fails_to_load() -> None:
    # given: a user whose phone ciphertext is copied by hand into the name column
    user = User.objects.create_user(phone="13800138000")
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET name = phone")  # noqa: S608

    # when / then
    with pytest.raises(crypto.CryptoError):
        User.objects.get(pk=user.pk)


# --- Keys and suites ------------------------------------------------------------------------


def test_rotation_old_key_still_decrypts_and_new_values_use_the_newest_key() -> None:
    # given
    with _keys(K1):
        old = crypto.encrypt("13800138000", context="c")

    # when
    with _keys(f"{K1},{K2}"):
        read_back = crypto.decrypt(old, context="c")
        new = crypto.encrypt("13800138000", context="c")
        stale = crypto.needs_reencryption(old)
        fresh = crypto.needs_reencryption(new)

    # then
    assert read_back == "13800138000"
    assert crypto.describe(old) == ("aes", "k1")
    assert crypto.describe(new) == ("aes", "k2")
    assert stale
    assert not fresh


def test_decrypt_after_its_key_was_removed_raises() -> None:
    with _keys(K1):
        old = crypto.encrypt("13800138000", context="c")

    with _keys(K2), pytest.raises(crypto.CryptoError):
        crypto.decrypt(old, context="c")


def test_suite_switch_aes_values_still_read_under_sm() -> None:
    # given
    with _keys(K1, suite="aes"):
        old = crypto.encrypt("110105198001010123", context="c")

    # when
    with _keys(K1, suite="sm"):
        read_back = crypto.decrypt(old, context="c")
        new = crypto.encrypt("110105198001010123", context="c")
        stale = crypto.needs_reencryption(old)

    # then
    assert read_back == "110105198001010123"
    assert crypto.describe(new) == ("sm", "k1")
    assert stale


@pytest.mark.django_db
def test_orm_rotation_and_suite_switch_keep_values_readable() -> None:
    # given: a user written under aes with k1
    with _keys(K1, suite="aes"):
        user = User.objects.create_user(phone="13800138000", name="张三")

    # when: read under sm with k1,k2
    with _keys(f"{K1},{K2}", suite="sm"):
        loaded = User.objects.get(pk=user.pk)

    # then
    assert (loaded.phone, loaded.name) == ("13800138000", "张三")


@pytest.mark.parametrize(
    ("data_keys", "problem"),
    [
        ("", "no data keys"),
        ("k1", "key_id:base64"),
        ("k-1:" + base64.b64encode(bytes(32)).decode(), "key_id:base64"),
        ("k1:not base64!", "not valid base64"),
        ("k1:" + base64.b64encode(bytes(16)).decode(), "32 bytes"),
        (f"{K1},{K1}", "twice"),
    ],
)
def test_parse_data_keys_rejects_malformed_settings(data_keys: str, problem: str) -> None:
    with pytest.raises(crypto.KeyConfigurationError, match=problem):
        crypto.parse_data_keys(data_keys)


def test_keyring_outside_debug_and_tests_refuses_development_keys() -> None:
    with (
        override_settings(DEBUG=False, TESTING=False, CITYGATE_DATA_KEYS="", CITYGATE_INDEX_KEY=""),
        pytest.raises(crypto.KeyConfigurationError),
    ):
        crypto.keyring()


def test_keyring_with_unknown_suite_refuses() -> None:
    with override_settings(CITYGATE_CRYPTO="des"), pytest.raises(crypto.KeyConfigurationError):
        crypto.keyring()


def test_chain_digest_follows_the_named_algorithm() -> None:
    assert crypto.chain_digest(b"abc", "sm3") == crypto.sm3_hex(b"abc")
    assert crypto.chain_digest(b"abc", "sha256") == hashlib.sha256(b"abc").hexdigest()
    with override_settings(CITYGATE_CRYPTO="sm"):
        assert crypto.chain_algorithm() == "sm3"
    with pytest.raises(crypto.CryptoError):
        crypto.chain_digest(b"abc", "md5")


# --- Fields ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_blind_index_field_fills_itself_from_the_normalised_source() -> None:
    # when
    user = User.objects.create_user(phone="+86 138-0013-8000")

    # then
    assert user.phone_index == crypto.blind_index("phone", normalise_phone("13800138000"))
    assert User.objects.get(phone_index=crypto.blind_index("phone", "13800138000")) == user


def test_encrypted_field_refuses_lookups_other_than_isnull() -> None:
    with pytest.raises(TypeError):
        User.objects.filter(phone="13800138000")


def test_blind_index_field_deconstruct_keeps_non_default_options() -> None:
    # given
    field = BlindIndexField(source="phone", purpose="phone", null=False, max_length=80)
    field.set_attributes_from_name("phone_index")

    # when
    _, _, _, kwargs = field.deconstruct()

    # then
    assert kwargs["null"] is False
    assert kwargs["max_length"] == 80
    assert "editable" not in kwargs
