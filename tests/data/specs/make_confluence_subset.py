"""Cut the Confluence Cloud v2 OpenAPI description down to what productops uses.

The full description (0.5 MB) lives outside the repository; this keeps the
operations the Confluence adapter and FakeConfluence use (`KEEP`: list, get,
create and update pages; list spaces), with every component they reference,
so the contract tests run on any checkout. Run it by hand when the
description is updated::

    python tests/data/specs/make_confluence_subset.py \\
        PATH/TO/confluence-cloud-v2.openapi-v2.v3.json

Source: Atlassian's published OpenAPI description of the Confluence Cloud REST
API v2 (https://dac-static.atlassian.com/cloud/confluence/openapi-v2.v3.json).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from _subset import components, referenced, refs, write

KEEP = {
    "/pages": ("get", "post"),
    "/pages/{id}": ("get", "put"),
    "/spaces": ("get",),
}
OUT = Path(__file__).with_name("confluence-cloud-v2.subset.json")


def main(source: str) -> None:
    spec = json.loads(Path(source).read_text(encoding="utf-8"))
    paths: dict[str, Any] = {}
    for path, methods in KEEP.items():
        item = spec["paths"][path]
        kept = {m: op for m, op in item.items() if m in methods or m == "parameters"}
        for operation in kept.values():
            if isinstance(operation, dict):
                operation.pop("x-atlassian-connect-scope", None)
        paths[path] = kept
    found = referenced(spec, refs(paths), "#/components/")
    subset = {
        "openapi": spec["openapi"],
        "info": {
            **spec["info"],
            "description": "Subset: see make_confluence_subset.py",
        },
        "servers": spec.get("servers", []),
        "paths": dict(sorted(paths.items())),
        "components": components(found),
    }
    write(OUT, subset, f"{len(paths)} paths, {len(found)} components")


if __name__ == "__main__":
    main(sys.argv[1])
