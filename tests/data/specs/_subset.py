"""What the make_*_subset.py scripts share: follow $refs, write the subset.

Each script keeps some paths of a tool's OpenAPI (or Swagger 2) description and
every schema they reference, so the contract tests run on any checkout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def refs(node: Any) -> set[str]:
    """Return every ``$ref`` string found anywhere in `node`."""
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


def referenced(spec: dict[str, Any], roots: set[str], prefix: str) -> dict[str, Any]:
    """Return every ``ref -> node`` reachable from `roots` under `prefix`.

    `prefix` is ``"#/components/"`` (OpenAPI 3) or ``"#/definitions/"``
    (Swagger 2); references elsewhere are left alone.
    """
    found: dict[str, Any] = {}
    pending = set(roots)
    while pending:
        ref = pending.pop()
        if ref in found or not ref.startswith(prefix):
            continue
        node: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        found[ref] = node
        pending |= refs(node)
    return found


def components(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Group ``#/components/<kind>/<name>`` nodes by kind, both levels sorted."""
    grouped: dict[str, dict[str, Any]] = {}
    for ref, node in found.items():
        _, _, kind, name = ref.split("/", 3)
        grouped.setdefault(kind, {})[name] = node
    return {
        kind: dict(sorted(items.items())) for kind, items in sorted(grouped.items())
    }


def write(out: Path, subset: dict[str, Any], summary: str) -> None:
    """Write `subset` as compact JSON and say what it holds."""
    out.write_text(json.dumps(subset, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{summary} -> {out}")  # noqa: T201
