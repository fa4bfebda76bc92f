"""Releases: readiness, risk roll-up, notes and calendar (being assembled)."""

__all__: list[str] = []
