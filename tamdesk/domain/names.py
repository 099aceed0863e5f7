"""How names of organizations compare: one key for "Müller AG", "muller ag" and "MÜLLER-AG."."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """The key two names of one organization share: case and accents folded, spaces and punctuation dropped.

    ``name_key("Müller AG") == name_key("MULLER-ag.") == "mullerag"``; letters with no decomposition (ß, ø, ł)
    fold by ``casefold`` only, so "Straße" and "Strasse" share a key while "Łódź" keys as "łodz".
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NOT_WORD.sub("", bare)
