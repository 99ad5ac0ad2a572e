"""A refusal the user should read: a template key and what the template needs to explain it."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """The request was understood but cannot be done; nothing was changed."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
