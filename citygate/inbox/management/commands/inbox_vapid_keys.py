"""``manage.py inbox_vapid_keys``: a new VAPID key pair for Web Push.

Prints the private key for ``CITYGATE_VAPID_PRIVATE_KEY`` (keep it in the secret store) and
the public key browsers subscribe with (the app serves it itself at /api/v1/push/key).
Changing the key makes every device subscribe again.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand, CommandParser

from citygate.inbox.webpush import b64url_encode, public_key_of


class Command(BaseCommand):
    help = "Print a new VAPID key pair (base64url) for CITYGATE_VAPID_PRIVATE_KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--private-only", action="store_true", help="print the private key")

    def handle(self, *args: Any, **options: Any) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        private = b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))
        if options["private_only"]:
            self.stdout.write(private)
            return
        self.stdout.write(f"CITYGATE_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"public key: {public_key_of(key)}")
