"""JSON Schema of the record types, with field docs taken from the source.

Field documentation lives in attribute docstrings (read by the API reference).
Pydantic can copy them into the schema itself (``use_attribute_docstrings``), but
doing so parses every class's source at import time; this module does it only
when a schema is asked for.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from itertools import pairwise
from typing import Any

from pydantic import BaseModel

__all__ = ["json_schema"]


@functools.cache
def _attribute_docs(cls: type) -> dict[str, str]:
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not issubclass(klass, BaseModel):
            continue
        if klass.__module__.split(".")[0] != "productops":
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for node, following in pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ")


def _annotate(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    schema["description"] = _summary(cls)
    docs = _attribute_docs(cls)
    for name, prop in schema.get("properties", {}).items():
        if name in docs:
            prop["description"] = docs[name]


def _models_in(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    pending = [model]
    while pending:
        cls = pending.pop()
        if cls.__name__ in found:
            continue
        found[cls.__name__] = cls
        for field in cls.model_fields.values():
            pending += [
                arg
                for arg in _type_args(field.annotation)
                if isinstance(arg, type) and issubclass(arg, BaseModel)
            ]
    return found


def _type_args(annotation: object) -> list[object]:
    args = [annotation]
    for arg in getattr(annotation, "__args__", ()):
        args += _type_args(arg)
    return args


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the JSON Schema of a record type, with every field documented.

    Parameters
    ----------
    model : type
        A productops record type such as `WorkItem`.

    Returns
    -------
    dict
        A JSON Schema (draft 2020-12) in validation mode.

    Examples
    --------
    >>> from productops import Link
    >>> schema = json_schema(Link)
    >>> schema["required"], schema["properties"]["target"]["description"]
    (['kind', 'target'], 'Key of the linked item.')
    """
    schema = model.model_json_schema()
    models = _models_in(model)
    _annotate(schema, model)
    for name, definition in schema.get("$defs", {}).items():
        if name in models:
            _annotate(definition, models[name])
    return schema
