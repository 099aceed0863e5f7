"""What one running app shares across windows and dialogs: the secret store (its session-only fallback must
be one store, so a password typed once is not asked for again in another dialog)."""

from __future__ import annotations

from tamdesk.secrets import SecretStore

_secrets: SecretStore | None = None


def shared_secrets() -> SecretStore:
    global _secrets
    if _secrets is None:
        _secrets = SecretStore()
    return _secrets
