"""The demo's names are tomoni.lib.synthetic_names (the 名寄せ test generator uses them too)."""

from __future__ import annotations

from tomoni.lib.synthetic_names import BUILDINGS, FEMALE, MALE, PUBLIC_SURNAMES, SURNAMES

__all__ = ["BUILDINGS", "FEMALE", "MALE", "PUBLIC_SURNAMES", "SURNAMES"]
