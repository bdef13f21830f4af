"""Cloud-side names: what Spiderweb asks the cloud to call a resource.

The user's name is only unique per connection and kind, and may be reused after a delete; two
connections can share one account and region. So the cloud gets the user's name cleaned into the
characters every supported cloud accepts, plus a random suffix.
"""

from __future__ import annotations

import re
import secrets

_ALPHABET = "0123456789abcdefghijklmnopqrstuv"  # lower-case base32: safe in every cloud's names
SUFFIX_LENGTH = 10
STEM_LENGTH = 40


def cloud_name_for(name: str) -> str:
    """`Web Server_01` → `web-server-01-<10 random chars>`: lower-case letters, digits and hyphens,
    starting with a letter, at most 51 characters (GCP allows 63)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:STEM_LENGTH].strip("-")
    if not stem or not stem[0].isalpha():
        stem = f"r-{stem}" if stem else "r"
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{stem}-{suffix}"
