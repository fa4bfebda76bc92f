"""Adapter settings from arguments, environment variables and a TOML profile.

Each setting is looked up in this order; the first source that has it wins:

1. an explicit argument: ``po.adapters.get("jira", token=...)``;
2. an environment variable ``PRODUCTOPS_<ADAPTER>_<SETTING>``, such as
   ``PRODUCTOPS_JIRA_TOKEN``;
3. the profile file: the table ``[<profile>.<adapter>]`` of the TOML file named
   by ``PRODUCTOPS_CONFIG``, else ``$XDG_CONFIG_HOME/productops/config.toml``
   (``~/.config/productops/config.toml``). The profile is ``profile=``, else
   ``PRODUCTOPS_PROFILE``, else ``"default"``.

Settings are validated by the adapter's `AdapterSettings` model. Secrets are
`pydantic.SecretStr`: they print as ``'**********'`` in reprs, logs and errors,
and a `ConfigurationError` names the *source* of a bad value, never the value.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from ..errors import AdapterConfigError

__all__ = ["AdapterSettings", "config_path"]


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Return where the profile file is looked for.

    Examples
    --------
    >>> config_path({"PRODUCTOPS_CONFIG": "/etc/productops.toml"}).as_posix()
    '/etc/productops.toml'
    >>> config_path({"XDG_CONFIG_HOME": "/cfg"}).as_posix()
    '/cfg/productops/config.toml'
    """
    env = os.environ if env is None else env
    if env.get("PRODUCTOPS_CONFIG"):
        return Path(env["PRODUCTOPS_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "productops" / "config.toml"


class AdapterSettings(BaseModel):
    """Base of every adapter's settings: validated, frozen, secrets hidden.

    Subclass it with the adapter's fields and set `adapter` to the adapter's
    name; declare tokens and passwords as `pydantic.SecretStr`. Then
    `resolve` gathers each field from arguments, environment variables and the
    profile file.

    Examples
    --------
    >>> from pydantic import SecretStr
    >>> class DemoSettings(AdapterSettings):
    ...     adapter = "demo"
    ...     base_url: str
    ...     token: SecretStr
    >>> settings = DemoSettings.resolve(
    ...     {"base_url": "https://127.0.0.1:8443"},
    ...     env={"PRODUCTOPS_DEMO_TOKEN": "s3cret"}, config_file=None)
    >>> settings
    DemoSettings(base_url='https://127.0.0.1:8443', token=SecretStr('**********'))
    >>> settings.sources["token"]
    'environment variable PRODUCTOPS_DEMO_TOKEN'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    adapter: ClassVar[str] = ""
    """The adapter's registry name; names the environment variables."""

    _sources: dict[str, str] = {}

    @property
    def sources(self) -> dict[str, str]:
        """Where each setting came from, for messages (never the values)."""
        return dict(self._sources)

    @classmethod
    def env_var(cls, field: str) -> str:
        """Return the environment variable that holds `field`.

        Examples
        --------
        >>> class JiraSettings(AdapterSettings):
        ...     adapter = "jira"
        >>> JiraSettings.env_var("base_url")
        'PRODUCTOPS_JIRA_BASE_URL'
        """
        return f"PRODUCTOPS_{cls.adapter.upper()}_{field.upper()}"

    @classmethod
    def resolve(
        cls,
        explicit: Mapping[str, Any],
        *,
        profile: str | None = None,
        env: Mapping[str, str] | None = None,
        config_file: Path | bool | None = True,
    ) -> Self:
        """Build the settings from arguments, environment and profile file.

        Parameters
        ----------
        explicit : mapping
            Arguments given in code; ``None`` values count as not given.
        profile : str, optional
            Profile table to read; default ``PRODUCTOPS_PROFILE`` or
            ``"default"``.
        env : mapping, optional
            Environment variables; default `os.environ`.
        config_file : path, None or True
            The TOML file; ``True`` (default) means `config_path`, ``None``
            reads no file.

        Raises
        ------
        AdapterConfigError
            If an argument is unknown, the file is unreadable, or a value is
            missing or invalid; the message names each setting and where to
            set it.
        """
        env = os.environ if env is None else env
        fields = cls.model_fields
        unknown = sorted(set(explicit) - set(fields))
        if unknown:
            msg = (
                f"{cls.adapter}: unknown settings {unknown}; "
                f"known settings are {sorted(fields)}"
            )
            raise AdapterConfigError(msg, adapter=cls.adapter)
        profile = profile or env.get("PRODUCTOPS_PROFILE") or "default"
        path = config_path(env) if config_file is True else config_file or None
        from_file = _profile_table(path, profile, cls.adapter)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name in fields:
            if explicit.get(name) is not None:
                values[name], sources[name] = explicit[name], "argument"
            elif env.get(cls.env_var(name)):
                values[name] = env[cls.env_var(name)]
                sources[name] = f"environment variable {cls.env_var(name)}"
            elif name in from_file:
                values[name] = from_file[name]
                sources[name] = f"[{profile}.{cls.adapter}] {name} in {path}"
        try:
            settings = cls(**values)
        except ValidationError as exc:
            raise AdapterConfigError(
                cls._explain(exc, sources, profile), adapter=cls.adapter
            ) from None
        object.__setattr__(settings, "_sources", sources)
        return settings

    @classmethod
    def _explain(
        cls, exc: ValidationError, sources: dict[str, str], profile: str
    ) -> str:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            field = ".".join(str(part) for part in error["loc"])
            name = str(error["loc"][0]) if error["loc"] else ""
            if error["type"] == "missing":
                problems.append(
                    f"{field}: missing; pass {field}=..., set {cls.env_var(field)}, "
                    f"or add {field} to [{profile}.{cls.adapter}] in the profile file"
                )
            else:
                where = sources.get(name, "default")
                problems.append(f"{field} (from {where}): {error['msg']}")
        return f"{cls.adapter} settings: " + "; ".join(problems)

    def secret(self, name: str) -> str:
        """Return the plain value of a secret setting, for an Authorization header.

        Examples
        --------
        >>> class T(AdapterSettings):
        ...     adapter = "t"
        ...     token: SecretStr
        >>> T(token="abc").secret("token")
        'abc'
        """
        value = getattr(self, name)
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return str(value)


def _profile_table(path: Path | None, profile: str, adapter: str) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"profile file {path}: {exc}"
        raise AdapterConfigError(msg, adapter=adapter) from None
    table = document.get(profile, {}).get(adapter, {})
    if not isinstance(table, dict):
        msg = f"profile file {path}: [{profile}.{adapter}] must be a table"
        raise AdapterConfigError(msg, adapter=adapter)
    return table
