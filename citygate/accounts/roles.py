"""Roles a person can hold, and the one place that answers "may this person do that"."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ENTERPRISE_AGENT = "enterprise_agent", _("Enterprise agent")
    CLERK = "clerk", _("Clerk")
    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    EDITOR = "editor", _("Editor")
    OPERATOR = "operator", _("Operator")
    AUDITOR = "auditor", _("Auditor")


# Roles held through a StaffRole row; resident and enterprise agent come from the account itself.
STAFF_ROLES = frozenset(
    {Role.CLERK, Role.DEPARTMENT_ADMIN, Role.EDITOR, Role.OPERATOR, Role.AUDITOR}
)

# Roles that act for one department and so are granted with it.
ROLES_NEEDING_DEPARTMENT = frozenset({Role.CLERK, Role.DEPARTMENT_ADMIN})
