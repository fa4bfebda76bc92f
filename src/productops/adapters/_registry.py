"""The adapter registry: built-ins, third-party plugins, and your own classes.

Names map to adapter classes. Three sources, looked up in this order:

1. classes registered in code with `register`;
2. the built-in adapters, imported on first use (so ``import productops``
   stays fast and a missing optional dependency only matters when used);
3. third-party packages that declare an entry point in the group
   ``productops.adapters``::

       [project.entry-points."productops.adapters"]
       acme = "acme_productops:AcmeAdapter"

   Entry points are read once, on the first lookup. A plugin that fails to
   import emits `PluginLoadWarning` and is skipped; it never breaks
   productops. Set ``PRODUCTOPS_DISABLE_PLUGINS=1`` to ignore plugins.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..errors import AdapterError, AdapterNotFoundError, PluginLoadWarning

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterInfo",
    "available",
    "get",
    "register",
    "registry",
]

ENTRY_POINT_GROUP = "productops.adapters"
"""The entry-point group third-party adapters declare."""


@dataclass(frozen=True, slots=True)
class AdapterInfo:
    """Where an adapter comes from.

    Attributes
    ----------
    name : str
        Its registry name (``"jira"``).
    target : str
        ``"module:Class"``.
    origin : str
        ``"built-in"``, ``"plugin <distribution>"`` or ``"registered"``.
    extra : str or None
        The productops extra that installs its dependencies, if any.

    Examples
    --------
    >>> AdapterInfo("demo", "demo_pkg:DemoAdapter", "registered", None).origin
    'registered'
    """

    name: str
    target: str
    origin: str
    extra: str | None = None


_BUILTINS: dict[str, AdapterInfo] = {
    "confluence": AdapterInfo(
        "confluence",
        "productops.adapters.confluence:ConfluenceAdapter",
        "built-in",
        None,
    ),
    "github": AdapterInfo(
        "github", "productops.adapters.github:GitHubAdapter", "built-in", None
    ),
    "jira": AdapterInfo(
        "jira", "productops.adapters.jira:JiraAdapter", "built-in", None
    ),
    "slack": AdapterInfo(
        "slack", "productops.adapters.slack:SlackAdapter", "built-in", None
    ),
    "teams": AdapterInfo(
        "teams", "productops.adapters.teams:TeamsAdapter", "built-in", None
    ),
}
"""Adapters shipped with productops, by name (filled as modules land)."""

_lock = threading.RLock()
_registered: dict[str, type[Any]] = {}
_plugins: dict[str, importlib.metadata.EntryPoint] | None = None
_loaded: dict[str, type[Any]] = {}


def _plugins_disabled() -> bool:
    return os.environ.get("PRODUCTOPS_DISABLE_PLUGINS", "").strip() not in ("", "0")


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    global _plugins
    with _lock:
        if _plugins is None:
            found: dict[str, importlib.metadata.EntryPoint] = {}
            if not _plugins_disabled():
                for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                    found.setdefault(point.name, point)
            _plugins = found
        return _plugins


def _reset() -> None:
    """Forget loaded plugins and registrations (for tests)."""
    global _plugins
    with _lock:
        _plugins = None
        _loaded.clear()
        _registered.clear()


def register(name: str, cls: type[Any], *, replace: bool = False) -> None:
    """Register an adapter class under `name`, for `get`.

    Parameters
    ----------
    name : str
        Lowercase registry name.
    cls : type
        The adapter class; ``cls(**settings)`` must build one.
    replace : bool, default False
        Allow replacing an adapter already known under `name`.

    Raises
    ------
    AdapterError
        If `name` is taken and `replace` is false, or is not lowercase.

    Examples
    --------
    >>> from productops import adapters
    >>> class EchoAdapter:
    ...     name = "echo"
    ...     def __init__(self, **settings):
    ...         self.settings = settings
    >>> adapters.register("echo", EchoAdapter, replace=True)
    >>> adapters.get("echo", channel="#ops").settings
    {'channel': '#ops'}
    """
    if not name or name != name.lower() or not name.replace("_", "").isalnum():
        msg = f"adapter names are lowercase letters, digits and '_', not {name!r}"
        raise AdapterError(msg, adapter=name)
    with _lock:
        taken = name in _registered or name in _BUILTINS or name in _entry_points()
        if taken and not replace:
            msg = f"an adapter named {name!r} exists already; pass replace=True"
            raise AdapterError(msg, adapter=name)
        _registered[name] = cls
        _loaded.pop(name, None)


def available() -> dict[str, AdapterInfo]:
    """Return every adapter that `get` can build, by name, without importing any.

    Examples
    --------
    >>> from productops import adapters
    >>> isinstance(adapters.available(), dict)
    True
    """
    with _lock:
        found = dict(_BUILTINS)
        for name, point in _entry_points().items():
            if name not in found:
                distribution = getattr(point.dist, "name", None) or "unknown"
                found[name] = AdapterInfo(name, point.value, f"plugin {distribution}")
        for name, cls in _registered.items():
            found[name] = AdapterInfo(
                name, f"{cls.__module__}:{cls.__qualname__}", "registered"
            )
        return dict(sorted(found.items()))


def adapter_class(name: str) -> type[Any]:
    """Return the adapter class registered under `name`, importing it if needed.

    Raises
    ------
    AdapterNotFoundError
        If no adapter has that name (the message lists those that exist), its
        optional dependencies are missing (it names the extra to install), or
        the plugin failed to load.
    """
    with _lock:
        if name in _registered:
            return _registered[name]
        if name in _loaded:
            return _loaded[name]
        if name in _BUILTINS:
            cls = _import_builtin(_BUILTINS[name])
        elif name in _entry_points():
            cls = _import_plugin(name, _entry_points()[name])
        else:
            known = ", ".join(available()) or "none"
            msg = f"no adapter named {name!r}; available: {known}"
            raise AdapterNotFoundError(msg, adapter=name)
        _loaded[name] = cls
        return cls


def _import_builtin(info: AdapterInfo) -> type[Any]:
    module, _, attribute = info.target.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)  # type: ignore[no-any-return]
    except ImportError as exc:
        hint = f"pip install 'productops[{info.extra}]'" if info.extra else "reinstall"
        msg = f"the {info.name} adapter needs {exc.name or 'a dependency'}: {hint}"
        raise AdapterNotFoundError(msg, adapter=info.name) from exc


def _import_plugin(name: str, point: importlib.metadata.EntryPoint) -> type[Any]:
    try:
        loaded = point.load()
    except Exception as exc:
        distribution = getattr(point.dist, "name", None) or point.value
        message = (
            f"the adapter plugin {name!r} from {distribution} failed to load "
            f"({type(exc).__name__}: {exc}); it is skipped"
        )
        warnings.warn(message, PluginLoadWarning, stacklevel=4)
        raise AdapterNotFoundError(message, adapter=name) from exc
    if not isinstance(loaded, type):
        message = f"the adapter plugin {name!r} points at {point.value}, not a class"
        warnings.warn(message, PluginLoadWarning, stacklevel=4)
        raise AdapterNotFoundError(message, adapter=name)
    return loaded


def get(name: str, **settings: Any) -> Any:
    """Build the adapter `name` with `settings`.

    Settings not given here come from environment variables and the profile
    file (see the adapter's documentation); ``profile=`` picks the profile.

    Raises
    ------
    AdapterNotFoundError
        If there is no such adapter, or it cannot be imported.
    AdapterConfigError
        If a setting is missing or invalid.

    Examples
    --------
    >>> from productops import adapters
    >>> try:
    ...     adapters.get("no-such-tool")
    ... except adapters.AdapterNotFoundError as exc:
    ...     print(str(exc).split(";")[0])
    no adapter named 'no-such-tool'
    """
    return adapter_class(name)(**settings)


registry: Mapping[str, AdapterInfo] = MappingProxyType(_BUILTINS)
"""The built-in adapters, read-only; `available` adds plugins and registrations."""
