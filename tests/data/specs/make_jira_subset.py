"""Cut the Jira Cloud OpenAPI description down to the operations productops uses.

The full description (2.4 MB) lives outside the repository; this keeps the paths
the Jira adapter and FakeJira use (`KEEP`), with every component they
reference, so the contract tests run on any checkout. Run it by hand when the
description is updated::

    python tests/data/specs/make_jira_subset.py \\
        PATH/TO/jira-cloud-platform.swagger-v3.v3.json

Source: Atlassian's published OpenAPI description of the Jira Cloud platform REST
API v3 (https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from _subset import components, referenced, refs, write

KEEP = re.compile(
    r"^/rest/api/3/("
    r"search(/jql|/approximate-count)?"
    r"|changelog/bulkfetch"
    r"|issue(/\{issueIdOrKey\}(/(changelog|transitions|comment))?)?"
    r"|field|myself|serverInfo|priority|issuetype|issueLinkType"
    r"|status|statuscategory|statuses/search"
    r"|project/\{projectIdOrKey\}(/(statuses|version|versions))?"
    r")$"
)
EXTRA = {"IssueLink", "IssueLinkType", "LinkedIssue", "UserDetails", "Version"}
"""Schemas the tests validate issue field values against directly."""
OUT = Path(__file__).with_name("jira-cloud-platform.subset.json")


def main(source: str) -> None:
    spec = json.loads(Path(source).read_text(encoding="utf-8"))
    paths = {path: item for path, item in spec["paths"].items() if KEEP.match(path)}
    found = referenced(
        spec,
        refs(paths) | {f"#/components/schemas/{name}" for name in EXTRA},
        "#/components/",
    )
    subset = {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "description": "Subset: see make_jira_subset.py"},
        "servers": spec.get("servers", []),
        "paths": dict(sorted(paths.items())),
        "components": components(found),
    }
    write(OUT, subset, f"{len(paths)} paths, {len(found)} components")


if __name__ == "__main__":
    main(sys.argv[1])
