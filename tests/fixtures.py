"""Where the tests' recorded API samples and specifications are.

``data/api`` holds copies of the project's researched API samples (their sources
are in ``data/api/SOURCES.md``); ``data/specs`` holds the parts of the tools'
OpenAPI descriptions that the adapters use (see ``make_jira_subset.py``).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
API = DATA / "api"
JIRA_SPEC = DATA / "specs" / "jira-cloud-platform.subset.json"
