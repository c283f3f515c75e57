"""Signals the people app sends to the apps built on it (which it must not import)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that records a consent (or its withdrawal), with ``person_id``:
# the cases app recomputes the consent of every case whose main person that is, so access
# that rested on a withdrawn consent ends in the same transaction.
consent_changed = Signal()
