"""``manage.py create_staff <login name> --role <role> [--department <code>]``.

Asks for the password twice (or reads one line from stdin with ``--password-stdin``), creates
the account and prints the otpauth:// URI for the authenticator app once. The URI holds the
TOTP secret: it is shown here and nowhere else.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citygate.accounts.roles import STAFF_ROLES
from citygate.accounts.services import staff_create
from citygate.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a staff account (password + TOTP) and print its otpauth URI once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login_name")
        parser.add_argument("--role", required=True, choices=sorted(r.value for r in STAFF_ROLES))
        parser.add_argument(
            "--department", default="", help="department code, e.g. public-security"
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_stdin"])
        try:
            created = staff_create(
                login_name=options["login_name"],
                password=password,
                role=options["role"],
                department_code=options["department"] or None,
            )
        except ApplicationError as error:
            problems = "; ".join(f"{field}: {message}" for field, message in error.fields.items())
            raise CommandError(problems or str(error.message)) from None

        self.stdout.write(f"Created staff account {created.user.login_name} ({options['role']}).")
        self.stdout.write("Add this to the authenticator app now; it is not shown again:")
        self.stdout.write(created.otpauth_uri)

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for the password: use --password-stdin.")
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise CommandError("The two passwords differ.")
        return first
