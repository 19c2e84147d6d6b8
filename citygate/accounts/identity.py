"""Checking who a person or an enterprise is, behind small interfaces chosen in settings.

``CITYGATE_IDENTITY_VERIFIER`` names the person verifier (name + ID number against the public
security records); ``CITYGATE_ENTERPRISE_VERIFIER`` the enterprise verifier (credit code and
legal representative against the business register). The development backends accept any
well-formed input; the HTTP backends POST JSON to ``CITYGATE_IDENTITY_URL`` and
``CITYGATE_ENTERPRISE_URL`` with the matching ``..._TOKEN`` as bearer token:

- identity: ``{"name", "id_number"}`` -> ``{"match": bool, "reference": str}``;
- enterprise: ``{"credit_code", "name", "legal_rep_name", "legal_rep_id_number"}`` ->
  ``{"match": bool, "legal_rep_match": bool, "registered_name": str, "reference": str}``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from citygate.accounts.outside import JsonHttpAdapter, OutsideServiceError
from citygate.accounts.validators import InvalidNumber, parse_credit_code, parse_id_number


class VerifierUnavailable(OutsideServiceError):
    """The verifier could not be asked, or its answer could not be read."""


@dataclass(frozen=True)
class VerificationResult:
    matched: bool
    # The verifier's own reference for this check, kept for audits and disputes.
    reference: str = ""


@dataclass(frozen=True)
class EnterpriseVerificationResult:
    # The code is registered, in force, and registered under this name.
    matched: bool
    # The person named is the enterprise's legal representative in the register.
    legal_rep_confirmed: bool
    registered_name: str = ""
    reference: str = ""


class IdentityVerifier:
    def verify(self, *, name: str, id_number: str) -> VerificationResult:
        raise NotImplementedError


class EnterpriseVerifier:
    def verify(
        self, *, credit_code: str, name: str, legal_rep_name: str, legal_rep_id_number: str
    ) -> EnterpriseVerificationResult:
        raise NotImplementedError


def _development_reference() -> str:
    return f"dev-{uuid.uuid4().hex[:12]}"


class DevelopmentIdentityVerifier(IdentityVerifier):
    """Accepts every well-formed ID number with any name: for development and tests only."""

    def verify(self, *, name: str, id_number: str) -> VerificationResult:
        try:
            parse_id_number(id_number)
        except InvalidNumber:
            return VerificationResult(matched=False)
        return VerificationResult(matched=True, reference=_development_reference())


class DevelopmentEnterpriseVerifier(EnterpriseVerifier):
    """Accepts every well-formed credit code and confirms the caller as legal representative."""

    def verify(
        self, *, credit_code: str, name: str, legal_rep_name: str, legal_rep_id_number: str
    ) -> EnterpriseVerificationResult:
        try:
            parse_credit_code(credit_code)
        except InvalidNumber:
            return EnterpriseVerificationResult(matched=False, legal_rep_confirmed=False)
        return EnterpriseVerificationResult(
            matched=True,
            legal_rep_confirmed=True,
            registered_name=name,
            reference=_development_reference(),
        )


def _ask(adapter: JsonHttpAdapter, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return adapter.post(payload)
    except OutsideServiceError as exc:
        raise VerifierUnavailable(str(exc)) from None


def _flag(answer: dict[str, Any], key: str, service: str) -> bool:
    value = answer.get(key)
    if not isinstance(value, bool):
        raise VerifierUnavailable(f"{service}: answer has no {key}")
    return value


def _text(answer: dict[str, Any], key: str) -> str:
    value = answer.get(key, "")
    return value if isinstance(value, str) else ""


class HttpIdentityVerifier(JsonHttpAdapter, IdentityVerifier):
    service = "identity"
    url_setting = "CITYGATE_IDENTITY_URL"
    auth_setting = "CITYGATE_IDENTITY_TOKEN"

    def verify(self, *, name: str, id_number: str) -> VerificationResult:
        answer = _ask(self, {"name": name, "id_number": id_number})
        return VerificationResult(
            matched=_flag(answer, "match", self.service), reference=_text(answer, "reference")
        )


class HttpEnterpriseVerifier(JsonHttpAdapter, EnterpriseVerifier):
    service = "enterprise"
    url_setting = "CITYGATE_ENTERPRISE_URL"
    auth_setting = "CITYGATE_ENTERPRISE_TOKEN"

    def verify(
        self, *, credit_code: str, name: str, legal_rep_name: str, legal_rep_id_number: str
    ) -> EnterpriseVerificationResult:
        answer = _ask(
            self,
            {
                "credit_code": credit_code,
                "name": name,
                "legal_rep_name": legal_rep_name,
                "legal_rep_id_number": legal_rep_id_number,
            },
        )
        return EnterpriseVerificationResult(
            matched=_flag(answer, "match", self.service),
            legal_rep_confirmed=_flag(answer, "legal_rep_match", self.service),
            registered_name=_text(answer, "registered_name"),
            reference=_text(answer, "reference"),
        )


def get_identity_verifier() -> IdentityVerifier:
    verifier: IdentityVerifier = import_string(settings.CITYGATE_IDENTITY_VERIFIER)()
    return verifier


def get_enterprise_verifier() -> EnterpriseVerifier:
    verifier: EnterpriseVerifier = import_string(settings.CITYGATE_ENTERPRISE_VERIFIER)()
    return verifier
