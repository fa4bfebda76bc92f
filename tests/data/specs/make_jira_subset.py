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
from typing import Any

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


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def main(source: str) -> None:
    spec = json.loads(Path(source).read_text(encoding="utf-8"))
    paths = {path: item for path, item in spec["paths"].items() if KEEP.match(path)}
    components: dict[str, dict[str, Any]] = {}
    pending = refs(paths) | {f"#/components/schemas/{name}" for name in EXTRA}
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen or not ref.startswith("#/components/"):
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        node = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        pending |= refs(node)
    subset = {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "description": "Subset: see make_jira_subset.py"},
        "servers": spec.get("servers", []),
        "paths": dict(sorted(paths.items())),
        "components": {
            kind: dict(sorted(items.items()))
            for kind, items in sorted(components.items())
        },
    }
    text = json.dumps(subset, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    count = sum(map(len, components.values()))
    print(f"{len(paths)} paths, {count} components -> {OUT}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1])
