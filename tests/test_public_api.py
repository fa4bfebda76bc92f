"""The public surface: what `__all__` promises, and what importing costs."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import productops
import productops.adapters
import productops.adapters.confluence
import productops.adapters.files
import productops.adapters.github
import productops.adapters.jira
import productops.adapters.slack
import productops.adapters.teams
import productops.errors
import productops.flow
import productops.forecast
import productops.kpi
import productops.model
import productops.people
import productops.release
import productops.report
import productops.scoring
import productops.scoring.risk
import productops.testing

PUBLIC_MODULES = [
    productops,
    productops.adapters,
    productops.adapters.confluence,
    productops.adapters.files,
    productops.adapters.github,
    productops.adapters.jira,
    productops.adapters.slack,
    productops.adapters.teams,
    productops.errors,
    productops.model,
    productops.flow,
    productops.forecast,
    productops.kpi,
    productops.people,
    productops.release,
    productops.report,
    productops.scoring,
    productops.scoring.risk,
    productops.testing,
]


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_all_is_sorted_and_unique(module: types.ModuleType) -> None:
    names = list(module.__all__)
    assert names == sorted(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_name_in_all_resolves(module: types.ModuleType) -> None:
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_no_private_name_is_exported(module: types.ModuleType) -> None:
    assert [n for n in module.__all__ if n.startswith("_") and n != "__version__"] == []


def test_top_level_reexports_every_model_type_and_error() -> None:
    model_names = set(productops.model.__all__) - {
        "Key",
        "NonEmptyStr",
        "Probability",
        "Timestamp",
        "RECORD_TYPES",
        "json_schema",
        "parse_timestamp",
    }
    missing = model_names - set(productops.__all__)
    assert not missing
    for name in model_names:
        assert getattr(productops, name) is getattr(productops.model, name)


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_public_classes_are_documented_with_an_example(
    module: types.ModuleType,
) -> None:
    undocumented = []
    for name in module.__all__:
        value = getattr(module, name)
        if isinstance(value, type):
            doc = value.__doc__ or ""
            is_enum = hasattr(value, "__members__")
            if not doc.strip() or (not is_enum and "Examples" not in doc):
                undocumented.append(name)
    assert undocumented == []


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        productops.nope  # noqa: B018


HEAVY = [
    "pandas",
    "matplotlib",
    "openpyxl",
    "numpy",
    "networkx",
    "httpx",
    "rich",
    "click",
]


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_import_productops_loads_no_heavy_or_optional_dependency() -> None:
    code = f"import sys, productops; print([m for m in {HEAVY!r} if m in sys.modules])"
    assert run_python(code) == "[]"


def test_loading_the_demo_needs_no_optional_dependency() -> None:
    code = (
        "import sys, productops as po; po.datasets.load_demo(); "
        "print([m for m in ['pandas', 'matplotlib', 'openpyxl'] if m in sys.modules])"
    )
    assert run_python(code) == "[]"


def test_model_loads_on_first_access_and_is_cached() -> None:
    code = (
        "import sys, productops as po; before = 'productops.model' in sys.modules; "
        "cls = po.WorkItem; print(before, 'WorkItem' in vars(po), po.WorkItem is cls)"
    )
    assert run_python(code) == "False True True"
