"""Confluence Cloud (REST v2): publish documents as pages, list the pages of a space.

`ConfluenceAdapter` is a `DocumentSink`. What it does on the wire (every path,
parameter and body as in Atlassian's OpenAPI description of the v2 API,
``openapi-v2.v3.json``), and why:

- **Spaces** are addressed by id in v2; a space *key* (``PO``) is resolved once
  with ``GET /wiki/api/v2/spaces?keys=PO``. A setting of digits only is taken
  as the id itself.
- **Publishing** finds the page by title (``GET /pages?space-id=&title=
  &status=current&body-format=storage``), then creates it (``POST /pages``) or
  updates it (``PUT /pages/{id}`` with ``version.number`` one above the
  version it read). A page whose stored storage body already equals the new
  one is left alone: no new version, reported as ``"unchanged"``.
- **Version conflicts**: when someone else saved the page in between,
  Confluence answers 409; the page is read again once and the update retried
  on top of the new version, then a clear `APIError` says so.
- **Paging** follows the cursor of ``Link: <...>; rel="next"``, else of the
  body's ``_links.next``; both are relative to the site (they start with
  ``/wiki``).
- **Markdown** becomes storage format (XHTML) with markdown-it-py (`storage`):
  raw HTML is escaped, fenced code becomes the ``code`` macro.

Authentication is HTTP Basic with the account's email and an API token, as for
Jira Cloud.
"""

from __future__ import annotations

import base64
import html
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, field_validator

from .._tabular import Tabular
from ..errors import (
    AdapterConfigError,
    APIError,
    InvalidInputError,
    NotFoundError,
    ResponseFormatError,
)
from ._config import AdapterSettings
from ._http import HttpAdapter, HttpCore, JiraRules, RetryPolicy
from ._paging import LinkHeader, PageRequest, paginate

if TYPE_CHECKING:
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "ConfluenceAdapter",
    "ConfluencePage",
    "ConfluenceSettings",
    "Publication",
    "storage",
]

logger = logging.getLogger("productops.adapters")

_NAME = "confluence"
_API = "/wiki/api/v2"
_FORMATS = ("markdown", "storage")
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_+#./-]{1,40}$")


# -- settings --------------------------------------------------------------------------


class ConfluenceSettings(AdapterSettings):
    """Settings of the Confluence adapter.

    Each comes from an argument, an environment variable
    ``PRODUCTOPS_CONFLUENCE_<SETTING>`` or the profile file, in that order.

    Examples
    --------
    >>> settings = ConfluenceSettings.resolve(
    ...     {"base_url": "https://127.0.0.1:8443/wiki/", "email": "bot@example.com",
    ...      "token": "t0k3n-value", "space": "PO"}, env={}, config_file=None)
    >>> settings.base_url, settings.page_size, settings.token
    ('https://127.0.0.1:8443', 25, SecretStr('**********'))
    """

    adapter = _NAME

    base_url: str
    """The site, ``https://<site>.atlassian.net`` (a trailing ``/wiki`` is
    dropped; the adapter adds ``/wiki/api/v2``)."""
    email: str
    """The account the API token belongs to."""
    token: SecretStr
    """An Atlassian API token (HTTP Basic with `email`)."""
    space: str | None = None
    """Default space: its key (``PO``) or its id (digits only)."""
    parent: str | None = None
    """Default parent page id of new pages; ``None``: the space's home page."""
    page_size: int = Field(default=25, ge=1, le=250)
    """Pages asked for per list request (the API allows 1-250)."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds per request (connecting is capped at 10 s)."""

    @field_validator("base_url")
    @classmethod
    def _site(cls, value: str) -> str:
        value = value.rstrip("/")
        return value.removesuffix("/wiki") if value.endswith("/wiki") else value


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConfluencePage(Tabular):
    """A Confluence page as the adapter read it.

    Attributes
    ----------
    id : str
        The page id.
    title : str
    space_id : str
    parent_id : str or None
        The parent page, ``None`` at the top of the space.
    version : int
        The current version number.
    status : str
        ``"current"``, ``"draft"``, ``"archived"``...
    url : str
        The page in the browser (``_links.base`` + ``_links.webui``).
    body : str or None
        The storage-format body, when it was asked for.

    Examples
    --------
    >>> page = ConfluencePage("1", "Notes", "9", None, 2, "current",
    ...                       "https://example.invalid/wiki/x/1")
    >>> page
    ConfluencePage(id='1', title='Notes', space_id='9', version=2, url='https://example.invalid/wiki/x/1')
    """

    id: str
    title: str
    space_id: str
    parent_id: str | None
    version: int
    status: str
    url: str
    body: str | None = None

    def __repr__(self) -> str:
        return (
            f"ConfluencePage(id={self.id!r}, title={self.title!r}, "
            f"space_id={self.space_id!r}, version={self.version}, url={self.url!r})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return the page as one flat dict (without its body), in a list.

        Examples
        --------
        >>> ConfluencePage("1", "N", "9", None, 1, "current", "u").to_records()[0]["id"]
        '1'
        """
        return [self._record()]

    def _record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "space_id": self.space_id,
            "parent_id": self.parent_id,
            "version": self.version,
            "status": self.status,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Publication(Tabular):
    """What `ConfluenceAdapter.publish_page` did.

    Attributes
    ----------
    action : {"created", "updated", "unchanged"}
        ``"unchanged"``: the stored body already equalled the new one (and the
        parent was right), so no version was added.
    page : ConfluencePage
        The page as it now is.
    conflicts : int
        Version conflicts (409) met and resolved on the way (0 or 1).

    Examples
    --------
    >>> page = ConfluencePage("1", "Notes", "9", None, 1, "current", "u")
    >>> Publication("created", page)
    Publication(action='created', id='1', version=1, url='u')
    >>> Publication("created", page).to_records()[0]["action"]
    'created'
    """

    action: Literal["created", "updated", "unchanged"]
    page: ConfluencePage
    conflicts: int = 0

    @property
    def url(self) -> str:
        """The page's URL."""
        return self.page.url

    def __repr__(self) -> str:
        return (
            f"Publication(action={self.action!r}, id={self.page.id!r}, "
            f"version={self.page.version}, url={self.page.url!r})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one row: the action, the conflicts and the page's fields."""
        return [
            {"action": self.action, "conflicts": self.conflicts} | self.page._record()
        ]


# -- Markdown to storage format --------------------------------------------------------


def _cdata(text: str) -> str:
    """Wrap `text` in CDATA sections; a ``]]>`` inside is split across two."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _code(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    info = token.info.strip().split()[0] if token.info.strip() else ""
    language = (
        f'<ac:parameter ac:name="language">{html.escape(info.lower())}</ac:parameter>'
        if info and _LANGUAGE.match(info)
        else ""
    )
    return (
        f'<ac:structured-macro ac:name="code">{language}'
        f"<ac:plain-text-body>{_cdata(token.content)}</ac:plain-text-body>"
        "</ac:structured-macro>\n"
    )


def _image(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    if re.match(r"^https?://", src, re.IGNORECASE):
        resource = f'<ri:url ri:value="{html.escape(src)}" />'
    else:
        name = src.rstrip("/").rsplit("/", 1)[-1]
        resource = f'<ri:attachment ri:filename="{html.escape(name)}" />'
    return f'<ac:image ac:alt="{html.escape(alt)}">{resource}</ac:image>'


def _strike_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return '<span style="text-decoration: line-through;">'


def _strike_close(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return "</span>"


def storage(markdown: str) -> str:
    r"""Return Markdown as Confluence storage format (XHTML), escaped and well-formed.

    CommonMark with tables and strikethrough, rendered by markdown-it-py with
    raw HTML turned off: ``<script>`` in the text arrives as text.
    Strikethrough becomes ``<span style="text-decoration: line-through;">``,
    the storage format's markup for it. Fenced and
    indented code becomes the ``code`` macro, its text in a CDATA section
    (with the fence's language, when it names one). Images become
    ``<ac:image>``: an ``http(s)`` source a ``<ri:url>``, any other source an
    attachment of the page named by the source's last path segment. Characters
    XML 1.0 does not allow are removed.

    Parameters
    ----------
    markdown : str

    Returns
    -------
    str
        A storage-format fragment (no root element).

    Notes
    -----
    The code macro's markup follows Atlassian's "Code Block Macro" page
    (``<ac:structured-macro ac:name="code">`` with an optional ``language``
    ``<ac:parameter>`` and an ``<ac:plain-text-body>`` CDATA body); its
    default language is Java, so a fence without a language gets none.

    Examples
    --------
    >>> storage("# Notes\n\nShipped <script>x</script> & more.")
    '<h1>Notes</h1>\n<p>Shipped &lt;script&gt;x&lt;/script&gt; &amp; more.</p>\n'
    >>> print(storage("```python\nprint(1)\n```"))
    <ac:structured-macro ac:name="code"><ac:parameter ac:name="language">python</ac:parameter><ac:plain-text-body><![CDATA[print(1)
    ]]></ac:plain-text-body></ac:structured-macro>
    <BLANKLINE>
    """  # noqa: E501 - the output is one line
    from markdown_it import MarkdownIt  # lazily: markdown-it-py comes with rich

    parser = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True}).enable(
        ["table", "strikethrough"]
    )
    parser.add_render_rule("fence", _code)
    parser.add_render_rule("code_block", _code)
    parser.add_render_rule("image", _image)
    parser.add_render_rule("s_open", _strike_open)
    parser.add_render_rule("s_close", _strike_close)
    return str(parser.render(_NOT_XML.sub("", markdown)))


# -- paging ----------------------------------------------------------------------------


_HEADER = LinkHeader(("results",), adapter=_NAME)


class _Cursor:
    """Confluence's cursor paging: the ``Link`` header, else ``_links.next``."""

    def items(self, body: Any, request: PageRequest) -> list[Any]:
        return _HEADER.items(body, request)

    def next(
        self, request: PageRequest, body: Any, response: httpx.Response
    ) -> PageRequest | None:
        found = _HEADER.next(request, body, response)
        if found is not None:
            return found
        links = body.get("_links") if isinstance(body, dict) else None
        link = links.get("next") if isinstance(links, dict) else None
        if isinstance(link, str) and link:
            return PageRequest(request.method, link, {}, request.json)
        return None


# -- the adapter -----------------------------------------------------------------------


class ConfluenceAdapter(HttpAdapter):
    r"""Publish Markdown or storage-format documents as Confluence pages.

    Parameters
    ----------
    profile : str, optional
        The profile-file table to read settings from.
    client : httpx.Client, optional
        Bring your own client (proxies, certificates); it is not closed here.
    transport : httpx.BaseTransport, optional
        A test transport, such as ``FakeConfluence().transport()``.
    sleep : callable, default time.sleep
        How to wait before a retry (tests pass a recorder).
    **settings
        Any `ConfluenceSettings` field: ``base_url``, ``email``, ``token``,
        ``space``, ``parent``, ``page_size``, ``timeout``.

    Attributes
    ----------
    settings : ConfluenceSettings
        The resolved settings (the token shows as ``'**********'``).

    Raises
    ------
    AdapterConfigError
        If a setting is missing or invalid (the message says where to set it).

    Examples
    --------
    >>> from productops.testing import FakeConfluence
    >>> fake = FakeConfluence(spaces=("PO",))
    >>> email, token = fake.credentials
    >>> wiki = ConfluenceAdapter(base_url=fake.base_url, email=email, token=token,
    ...                          space="PO", transport=fake.transport())
    >>> wiki.publish("Release notes", "# 2026.3\n\n- Faster exports")
    'http://localhost/wiki/spaces/PO/pages/1002/Release+notes'
    >>> wiki
    <ConfluenceAdapter http://localhost space=PO>
    """

    name: ClassVar[str] = _NAME

    def __init__(
        self,
        *,
        profile: str | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **settings: Any,
    ) -> None:
        self.settings = ConfluenceSettings.resolve(settings, profile=profile)
        s = self.settings
        token = s.secret("token")
        source = s.sources.get("token", "argument")
        basic = base64.b64encode(f"{s.email}:{token}".encode()).decode()
        self._http = HttpCore(
            adapter=_NAME,
            base_url=s.base_url,
            headers={"Accept": "application/json"},
            auth=httpx.BasicAuth(s.email, token),
            timeout=s.timeout,
            retry=RetryPolicy(),
            rules=JiraRules(),
            secrets=[token, basic],
            credential=f"API token from {source} for {s.email}",
            client=client,
            transport=transport,
            sleep=sleep,
        )
        self._spaces: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<ConfluenceAdapter {self._http.base_url} space={self.settings.space}>"

    # -- lifecycle ---------------------------------------------------------------------

    # -- reading -----------------------------------------------------------------------

    def space_id(self, space: str | None = None) -> str:
        """Return the id of `space` (a key or an id; default: the setting).

        Raises
        ------
        AdapterConfigError
            If no space is given or set.
        NotFoundError
            If no space has that key (an `APIError` with status 404).

        Examples
        --------
        >>> from productops.testing import FakeConfluence
        >>> fake = FakeConfluence(spaces=("PO", "ENG"))
        >>> email, token = fake.credentials
        >>> wiki = ConfluenceAdapter(base_url=fake.base_url, email=email,
        ...                          token=token, transport=fake.transport())
        >>> wiki.space_id("ENG"), wiki.space_id("98765")
        ('98766', '98765')
        """
        given = space or self.settings.space
        if not given:
            msg = (
                f"{_NAME}: no space given; pass space=..., set "
                f"{ConfluenceSettings.env_var('space')}, or add space to the "
                "profile file"
            )
            raise AdapterConfigError(msg, adapter=_NAME)
        if given.isdigit():
            return given
        if given not in self._spaces:
            url = f"{_API}/spaces"
            body = self._http.json("GET", url, params={"keys": given})
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                what = f"GET {url}"
                raise _format_error(what, "there is no list at 'results'")
            ids = [
                str(r["id"])
                for r in results
                if isinstance(r, dict) and r.get("key") == given and "id" in r
            ]
            if not ids:
                msg = f"{_NAME}: there is no space with the key {given!r}"
                raise NotFoundError(msg, adapter=_NAME, status_code=404)
            self._spaces[given] = ids[0]
        return self._spaces[given]

    def pages(
        self, space: str | None = None, *, title: str | None = None
    ) -> Iterator[ConfluencePage]:
        """Yield the current pages of a space, following the cursor from page to page.

        Parameters
        ----------
        space : str, optional
            A space key or id; default the ``space`` setting.
        title : str, optional
            Only pages with exactly this title.

        Yields
        ------
        ConfluencePage
            With its storage body.

        Raises
        ------
        ResponseFormatError
            If a page of results is not in Confluence's shape (naming every
            bad record).

        Examples
        --------
        >>> from productops.testing import FakeConfluence
        >>> fake = FakeConfluence(spaces=("PO",))
        >>> for name in ("A", "B", "C"):
        ...     _ = fake.add_page("PO", name, "<p>x</p>")
        >>> email, token = fake.credentials
        >>> wiki = ConfluenceAdapter(base_url=fake.base_url, email=email,
        ...                          token=token, space="PO", page_size=2,
        ...                          transport=fake.transport())
        >>> [page.title for page in wiki.pages()]
        ['PO Home', 'A', 'B', 'C']
        """
        params: dict[str, Any] = {
            "space-id": self.space_id(space),
            "status": "current",
            "body-format": "storage",
            "limit": self.settings.page_size,
        }
        if title is not None:
            params["title"] = title
        first = PageRequest("GET", f"{_API}/pages", params)
        for page in paginate(self._http, _Cursor(), first):
            base = _base(page.body, self._http.base_url)
            yield from _pages(page.items, base, page.request.describe())

    def page(self, page_id: str) -> ConfluencePage:
        """Return one page, with its storage body.

        Raises
        ------
        NotFoundError
            If there is no such page.

        Examples
        --------
        >>> from productops.testing import FakeConfluence
        >>> fake = FakeConfluence(spaces=("PO",))
        >>> page_id = fake.add_page("PO", "Plan", "<p>Dates</p>")
        >>> email, token = fake.credentials
        >>> wiki = ConfluenceAdapter(base_url=fake.base_url, email=email,
        ...                          token=token, transport=fake.transport())
        >>> wiki.page(page_id).body
        '<p>Dates</p>'
        """
        url = f"{_API}/pages/{quote(page_id, safe='')}"
        body = self._http.json("GET", url, params={"body-format": "storage"})
        return _pages([body], _base(body, self._http.base_url), f"GET {url}")[0]

    # -- publishing --------------------------------------------------------------------

    def publish(
        self,
        title: str,
        body: str,
        *,
        parent: str | None = None,
        space: str | None = None,
        format: Literal["markdown", "storage"] = "markdown",
    ) -> str:
        """Create or update the page `title`; return its URL.

        See `publish_page`, which this calls and which says what happened.

        Examples
        --------
        >>> from productops.testing import FakeConfluence
        >>> fake = FakeConfluence(spaces=("PO",))
        >>> email, token = fake.credentials
        >>> wiki = ConfluenceAdapter(base_url=fake.base_url, email=email,
        ...                          token=token, space="PO",
        ...                          transport=fake.transport())
        >>> wiki.publish("Plan", "<p>Dates</p>", format="storage")
        'http://localhost/wiki/spaces/PO/pages/1002/Plan'
        """
        return self.publish_page(
            title, body, parent=parent, space=space, format=format
        ).url

    def publish_page(
        self,
        title: str,
        body: str,
        *,
        parent: str | None = None,
        space: str | None = None,
        format: Literal["markdown", "storage"] = "markdown",
    ) -> Publication:
        """Create or update the page `title` in a space; say what was done.

        The page is looked up by title among the space's current pages. A new
        one is created under `parent`; an existing one gets a new version,
        unless its stored storage body already equals the new body and it
        sits under `parent` (when one is given): then nothing is sent and the
        action is ``"unchanged"``. Confluence may normalise a stored body (for
        example attribute order), and a page it normalised gets one more
        version on the next publish; never a wrong one.

        Parameters
        ----------
        title : str
            The page title (unique within a space).
        body : str
            Markdown, or storage format with ``format="storage"``.
        parent : str, optional
            Parent page id; default the ``parent`` setting, else new pages go
            under the space's home page and existing pages stay where they are.
            An existing page under another parent is moved.
        space : str, optional
            A space key or id; default the ``space`` setting.
        format : {"markdown", "storage"}, default "markdown"
            Markdown is converted with `storage`.

        Returns
        -------
        Publication

        Raises
        ------
        InvalidInputError
            If `title` is blank or `format` unknown (naming both).
        APIError
            A 409 version conflict that persists after one re-read and retry
            (someone keeps saving the page), or as mapped by the HTTP core.

        Examples
        --------
        >>> from productops.testing import FakeConfluence
        >>> fake = FakeConfluence(spaces=("PO",))
        >>> email, token = fake.credentials
        >>> wiki = ConfluenceAdapter(base_url=fake.base_url, email=email,
        ...                          token=token, space="PO",
        ...                          transport=fake.transport())
        >>> [wiki.publish_page("Plan", text).action for text in ("v1", "v2", "v2")]
        ['created', 'updated', 'unchanged']
        """
        problems = []
        if not title.strip():
            problems.append("title: must not be blank")
        if format not in _FORMATS:
            problems.append(f"format: {format!r} is not 'markdown' or 'storage'")
        if problems:
            msg = f"{_NAME}: invalid publish arguments: " + "; ".join(problems)
            raise InvalidInputError(msg)
        value = body if format == "storage" else storage(body)
        space_id = self.space_id(space)
        parent_id = parent or self.settings.parent
        found = next(iter(self.pages(space_id, title=title)), None)
        if found is None:
            return Publication(
                "created", self._create(space_id, title, value, parent_id)
            )
        try:
            return self._update(found, title, value, parent_id)
        except APIError as exc:
            if exc.status_code != 409:
                raise
        logger.info("%s: version conflict on page %s; re-reading", _NAME, found.id)
        again = self.page(found.id)
        try:
            result = self._update(again, title, value, parent_id)
        except APIError as exc:
            if exc.status_code != 409:
                raise
            msg = (
                f"{_NAME}: page {found.id} ({title!r}) was saved by someone else "
                "twice while publishing (409 version conflict); nothing was "
                "overwritten; publish again when the page is quiet"
            )
            raise APIError(
                msg,
                adapter=_NAME,
                status_code=409,
                request_id=exc.request_id,
                body=exc.body,
            ) from exc
        return Publication(result.action, result.page, conflicts=1)

    # -- internals ---------------------------------------------------------------------

    def _create(
        self, space_id: str, title: str, value: str, parent_id: str | None
    ) -> ConfluencePage:
        url = f"{_API}/pages"
        payload: dict[str, Any] = {
            "spaceId": space_id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": value},
        }
        if parent_id:
            payload["parentId"] = parent_id
        body = self._http.json("POST", url, json=payload)
        page = _pages([body], _base(body, self._http.base_url), f"POST {url}")[0]
        return _with_body(page, value)

    def _update(
        self, page: ConfluencePage, title: str, value: str, parent_id: str | None
    ) -> Publication:
        moved = parent_id is not None and parent_id != page.parent_id
        if page.body == value and page.title == title and not moved:
            return Publication("unchanged", page)
        url = f"{_API}/pages/{quote(page.id, safe='')}"
        payload: dict[str, Any] = {
            "id": page.id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": value},
            "version": {"number": page.version + 1},
        }
        if moved:
            payload["parentId"] = parent_id
        body = self._http.json("PUT", url, json=payload)
        updated = _pages([body], _base(body, self._http.base_url), f"PUT {url}")[0]
        return Publication("updated", _with_body(updated, value))


# -- parsing ---------------------------------------------------------------------------


def _format_error(what: str, *problems: str) -> ResponseFormatError:
    listed = "\n  - ".join(problems)
    msg = (
        f"{_NAME}: the answer to {what} is not in Confluence's shape; nothing from "
        f"it was used:\n  - {listed}"
    )
    return ResponseFormatError(msg, adapter=_NAME, request=what)


def _with_body(page: ConfluencePage, value: str) -> ConfluencePage:
    """Return `page` with the body just sent, when the answer left it out."""
    if page.body is not None:
        return page
    return ConfluencePage(
        page.id,
        page.title,
        page.space_id,
        page.parent_id,
        page.version,
        page.status,
        page.url,
        value,
    )


def _base(body: Any, site: str) -> str:
    links = body.get("_links") if isinstance(body, dict) else None
    base = links.get("base") if isinstance(links, dict) else None
    return base.rstrip("/") if isinstance(base, str) and base else f"{site}/wiki"


def _pages(records: Sequence[Any], base: str, what: str) -> list[ConfluencePage]:
    """Map page records; one error naming every bad record and field."""
    pages: list[ConfluencePage] = []
    problems: list[str] = []
    for index, raw in enumerate(records):
        if not isinstance(raw, Mapping):
            problems.append(f"page #{index}: not an object")
            continue
        label = (
            f"page {raw['id']}"
            if isinstance(raw.get("id"), str)
            else (f"page #{index}")
        )
        bad = [
            name
            for name in ("id", "title", "spaceId", "status")
            if not isinstance(raw.get(name), str)
        ]
        version = raw.get("version")
        number = version.get("number") if isinstance(version, Mapping) else None
        if not isinstance(number, int) or isinstance(number, bool):
            bad.append("version.number")
        links = raw.get("_links")
        webui = links.get("webui") if isinstance(links, Mapping) else None
        if not isinstance(webui, str):
            bad.append("_links.webui")
        if bad:
            problems.append(f"{label}: missing or wrong type: {', '.join(bad)}")
            continue
        body = raw.get("body")
        stored = body.get("storage") if isinstance(body, Mapping) else None
        value = stored.get("value") if isinstance(stored, Mapping) else None
        parent = raw.get("parentId")
        pages.append(
            ConfluencePage(
                id=raw["id"],
                title=raw["title"],
                space_id=raw["spaceId"],
                parent_id=str(parent) if parent else None,
                version=int(number),  # type: ignore[arg-type]
                status=raw["status"],
                url=base + str(webui),
                body=value if isinstance(value, str) else None,
            )
        )
    if problems:
        raise _format_error(what, *problems)
    return pages
