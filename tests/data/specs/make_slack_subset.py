"""Cut Slack's Web API description down to the methods productops uses.

The full description (1.2 MB, Swagger 2.0) lives outside the repository; this
keeps the methods the Slack adapter and FakeSlack use (`KEEP`), with every
definition they reference, so the contract tests run on any checkout. Run it by
hand when the description is updated::

    python tests/data/specs/make_slack_subset.py PATH/TO/slack_web_openapi_v2.json

Source: slackapi/slack-api-specs ``web-api/slack_web_openapi_v2.json`` (official,
commit bc08db49625630e3585bf2f1322128ea04f2a7f3, not maintained since 2021).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _subset import referenced, refs, write

KEEP = ("/chat.postMessage", "/conversations.history")
OUT = Path(__file__).with_name("slack-web.subset.json")


def main(source: str) -> None:
    spec = json.loads(Path(source).read_text(encoding="utf-8"))
    paths = {path: spec["paths"][path] for path in KEEP}
    found = referenced(spec, refs(paths), "#/definitions/")
    definitions = {
        ref.removeprefix("#/definitions/"): node for ref, node in found.items()
    }
    subset = {
        "swagger": spec["swagger"],
        "info": {**spec["info"], "description": "Subset: see make_slack_subset.py"},
        "host": spec["host"],
        "basePath": spec["basePath"],
        "schemes": spec["schemes"],
        "paths": paths,
        "definitions": dict(sorted(definitions.items())),
    }
    write(OUT, subset, f"{len(paths)} paths, {len(definitions)} definitions")


if __name__ == "__main__":
    main(sys.argv[1])
