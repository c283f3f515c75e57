"""Moved to tomoni.lib.client_ip (the audit log needs it and must not import the web layer).
Kept for ``AXES_CLIENT_IP_CALLABLE`` in settings; to be removed once that points there."""

from __future__ import annotations

from tomoni.lib.client_ip import client_ip

__all__ = ["client_ip"]
