"""Test-wide settings.

Hypothesis: no per-example deadline and no "too slow" health check. Both measure
wall time, which on a shared CI machine says more about the machine's load than
about the code; speed is measured in `benchmarks/`, never in tests.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "productops",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("productops")
