"""The deploy checks refuse development secrets and stand-in services in production."""

from django.test import override_settings

from citygate.core.checks import check_production_secrets

PRODUCTION = {
    "DEBUG": False,
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef",
    "CITYGATE_DATA_KEYS": "k1:" + "A" * 43 + "=",
    "CITYGATE_INDEX_KEY": "B" * 43 + "=",
    "CITYGATE_CRYPTO": "sm",
    "CITYGATE_SMS_BACKEND": "citygate.accounts.sms.HttpSmsGateway",
    "CITYGATE_IDENTITY_VERIFIER": "citygate.accounts.identity.HttpIdentityVerifier",
    "CITYGATE_ENTERPRISE_VERIFIER": "citygate.accounts.identity.HttpEnterpriseVerifier",
    "CITYGATE_WEB_PUSH_BACKEND": "citygate.inbox.channels.VapidWebPushBackend",
    "CITYGATE_VAPID_PRIVATE_KEY": "C" * 43,
    "CITYGATE_PUBLIC_URL": "https://citygate.example.org",
}


def _ids() -> set[str]:
    return {error.id for error in check_production_secrets(None) if error.id}


def test_deploy_checks_with_production_settings_find_nothing() -> None:
    with override_settings(**PRODUCTION):
        assert _ids() == set()


def test_deploy_checks_with_development_stand_ins_name_each() -> None:
    # given
    development = {
        **PRODUCTION,
        "SECRET_KEY": "development-only-secret-key-not-for-production-use-0000000000",
        "CITYGATE_DATA_KEYS": "",
        "CITYGATE_SMS_BACKEND": "citygate.accounts.sms.OutboxSmsGateway",
        "CITYGATE_IDENTITY_VERIFIER": "citygate.accounts.identity.DevelopmentIdentityVerifier",
        "CITYGATE_WEB_PUSH_BACKEND": "citygate.inbox.channels.OutboxWebPushBackend",
        "CITYGATE_VAPID_PRIVATE_KEY": "",
    }

    # when
    with override_settings(**development):
        found = _ids()

    # then
    assert found == {
        "citygate.E001",
        "citygate.E002",
        "citygate.E004",
        "citygate.E005",
        "citygate.E006",
        "citygate.E007",
    }
