"""Bilibili rich text as Markdown: article HTML, opus / dynamic rich-text nodes, note deltas.

All three go through one `markdownify` converter taught Bilibili's markup: article HTML as it
comes, opus paragraphs and note (Quill delta) operations after being laid out as plain HTML.
Escaping, lists, quotes and code blocks are therefore handled in one place.

```python
from bilibili_sdk.markdown import from_article, from_note, from_opus

from_article('<h1>Title</h1><p><strong>bold</strong> text</p>')   # '# Title\\n\\n**bold** text'
```

Needs the `markdownify` package (a core dependency); it is imported on first use.
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from markdownify import MarkdownConverter

__all__ = ["from_article", "from_note", "from_opus"]

# Article cards: the card kind (from the class or `data-type`) -> (id prefix, URL template).
_CARDS: dict[str, tuple[str, str]] = {
    "video": ("av", "https://www.bilibili.com/video/av{}"),
    "article": ("cv", "https://www.bilibili.com/read/cv{}"),
    "music": ("au", "https://www.bilibili.com/audio/au{}"),
    "audio": ("au", "https://www.bilibili.com/audio/au{}"),
    "fanju": ("ep", "https://www.bilibili.com/bangumi/play/ep{}"),
    "bangumi": ("ep", "https://www.bilibili.com/bangumi/play/ep{}"),
    "caricature": ("mc", "https://manga.bilibili.com/detail/mc{}"),
    "manga": ("mc", "https://manga.bilibili.com/detail/mc{}"),
    "live": ("", "https://live.bilibili.com/{}"),
    "shop": ("pw", "https://show.bilibili.com/platform/detail.html?id={}"),
}
# `data-*` id attributes of cards -> the card kind they imply.
_CARD_ID_ATTRS = {
    "data-aid": "video",
    "data-cvid": "article",
    "data-auid": "music",
    "data-epid": "fanju",
    "data-mcid": "caricature",
    "data-roomid": "live",
}
_LANG_CLASS = re.compile(r"^(?:lang|language)-(.+)$")


def https(url: str) -> str:
    """`//host/x` and `http://host/x` as `https://host/x`; other URLs unchanged."""
    url = url.strip()
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("http://"):
        return "https://" + url[len("http://") :]
    return url


def _classes(el: Any) -> list[str]:
    value = el.get("class") or []
    return value.split() if isinstance(value, str) else list(value)


_converter: MarkdownConverter | None = None


def _convert(markup: str) -> str:
    global _converter
    if _converter is None:
        _converter = _make_converter()
    return _converter.convert(markup).strip("\n")


def _make_converter() -> MarkdownConverter:
    from markdownify import ATX, MarkdownConverter

    # markdownify's stub declares only the constructor and convert(): reach the rest untyped.
    base: Any = MarkdownConverter

    class BiliConverter(MarkdownConverter):
        """markdownify with Bilibili's article markup: figures, cards, code boxes, colours."""

        def convert_figure(self, el: Any, text: str, parent_tags: Any) -> str:
            classes = _classes(el)
            if "code-box" in classes:
                return text
            card = _card(el)
            if card is not None:
                return "\n\n" + card + "\n\n"
            img = el.find("img")
            if img is None:
                return text
            if _is_cut_off(img):
                return "\n\n---\n\n"
            caption_el = el.find("figcaption")
            caption = caption_el.get_text(" ", strip=True) if caption_el is not None else ""
            out = _image(img, caption)
            if caption:
                out += "\n\n*" + base.escape(self, caption, parent_tags) + "*"
            return "\n\n" + out + "\n\n"

        def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
            classes = _classes(el)
            if "latex" in classes:
                code = unquote(el.get("alt") or "")
                return f"$${code}$$" if "\n" in code else f"${code}$"
            if _is_cut_off(el):
                return "\n\n---\n\n"
            card = _card(el)
            if card is not None:
                return card
            return _image(el, el.get("alt") or "")

        def convert_span(self, el: Any, text: str, parent_tags: Any) -> str:
            # Colour and font-size spans keep only their text; a line-through is kept.
            style = (el.get("style") or "").replace(" ", "")
            if "line-through" in style:
                return str(base.convert_del(self, el, text, parent_tags))
            return text

        def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
            href = el.get("href")
            if href:
                el["href"] = https(href)
                if not text.strip():
                    text = base.escape(self, el["href"], parent_tags)
            return str(base.convert_a(self, el, text, parent_tags))

        def convert_pre(self, el: Any, text: str, parent_tags: Any) -> str:
            encoded = el.get("codecontent")
            if encoded:
                text = unquote(encoded)
            lang = (el.get("data-lang") or "").split("@")[0].strip().lower()
            if not lang:
                code = el.find("code")
                for c in [*_classes(el), *(_classes(code) if code is not None else [])]:
                    m = _LANG_CLASS.match(c)
                    if m:
                        lang = m.group(1).lower()
                        break
            text = text.strip("\n")
            if not text:
                return ""
            return f"\n\n```{lang}\n{text}\n```\n\n"

        def convert_x_text(self, el: Any, text: str, parent_tags: Any) -> str:
            # Raw Markdown from the opus/note layout (formulas): not escaped again.
            return str(el.get("data-md") or "")

    return BiliConverter(heading_style=ATX, bullets="-", strong_em_symbol="*")


def _is_cut_off(img: Any) -> bool:
    """Separator images carry a `cut-off` or `cut-off-<n>` class."""
    return any(c == "cut-off" or c.startswith("cut-off-") for c in _classes(img))


def _image(img: Any, caption: str) -> str:
    src = https(img.get("data-src") or img.get("src") or "")
    alt = caption.replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({src})" if src else ""


def _card(el: Any) -> str | None:
    """Markdown links for a card (`<figure class="... card">` or an `<img class="video-card"
    aid="...">`), or None when `el` is no card."""
    nodes = [el, *el.find_all(True)]
    for node in nodes:
        kind = None
        for c in _classes(node):
            if c.endswith("-card") and c[: -len("-card")] in _CARDS:
                kind = c[: -len("-card")]
        data_type = str(node.get("data-type") or "").lower()
        if kind is None and data_type in _CARDS:
            kind = data_type
        ids: str | None = None
        for attr, implied in _CARD_ID_ATTRS.items():
            if node.get(attr):
                ids = str(node.get(attr))
                kind = kind or implied
                break
        if ids is None and node.get("aid"):
            ids = str(node.get("aid"))
        if ids is None and kind is not None and node.get("data-id"):
            ids = str(node.get("data-id"))
        if kind is None or ids is None:
            continue
        prefix, template = _CARDS[kind]
        links = []
        for part in ids.split(","):
            m = re.search(r"\d+", part)
            if m is None:
                continue
            num = m.group(0)
            label = f"{prefix}{num}" if prefix else f"live {num}"
            links.append(f"[{label}]({template.format(num)})")
        if links:
            return "\n\n".join(links)
    return None


# ------------------------------------------------------------------ articles


def from_article(html: str) -> str:
    """Markdown of an article's HTML body (`article.get_detail(cvid).content`).

    Headings, bold, italic and struck-through text, colour and size spans (their text), images
    (`data-src` or `src`, made https) with their caption, quotes, lists, links, code boxes with
    their language, separator images (`---`) and video/article/audio/bangumi/live cards (links).
    """
    return _convert(html)


# ------------------------------------------------------------------ opus and dynamic rich text

_E = _html.escape


def _dump(value: Any) -> Any:
    """Plain dicts/lists from pydantic models (wire names), unchanged otherwise."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(by_alias=True, mode="json")
    return value


def _text_html(text: str) -> str:
    return _E(text).replace("\n", "<br>")


def _link(href: str, text: str) -> str:
    return f'<a href="{_E(https(href))}">{_text_html(text)}</a>' if href else _text_html(text)


def _rich_html(rich: Mapping[str, Any], emoji_images: bool) -> str:
    """One `RICH_TEXT_NODE_TYPE_*` node (dynamic text, opus rich nodes) as inline HTML."""
    kind = str(rich.get("type") or "")
    text = str(rich.get("text") or rich.get("orig_text") or "")
    if kind.endswith("_EMOJI"):
        emoji = rich.get("emoji") or {}
        label = str(emoji.get("text") or text)
        url = str(emoji.get("icon_url") or emoji.get("gif_url") or "")
        if emoji_images and url:
            return f'<img src="{_E(https(url))}" alt="{_E(label)}">'
        return _text_html(label)
    if kind.endswith("_AT"):
        mid = str(rich.get("rid") or "")
        return _link(f"https://space.bilibili.com/{mid}" if mid else "", text)
    if kind.endswith("_TOPIC") and not rich.get("jump_url"):
        keyword = text.strip("#")
        return _link(f"https://search.bilibili.com/all?keyword=%23{keyword}%23", text)
    return _link(str(rich.get("jump_url") or ""), text)


def _node_html(node: Mapping[str, Any], emoji_images: bool) -> str:
    """One opus text node (`TEXT_NODE_TYPE_WORD` / `_RICH` / `_FORMULA`) or a dynamic rich node."""
    kind = str(node.get("type") or "")
    if node.get("word") is not None or kind == "TEXT_NODE_TYPE_WORD":
        word = node.get("word") or {}
        out = _text_html(str(word.get("words") or ""))
        style = word.get("style") or {}
        if out.strip():
            if style.get("strikethrough"):
                out = f"<del>{out}</del>"
            if style.get("italic"):
                out = f"<em>{out}</em>"
            if style.get("bold"):
                out = f"<strong>{out}</strong>"
        return out
    if node.get("formula") is not None or kind == "TEXT_NODE_TYPE_FORMULA":
        latex = str((node.get("formula") or {}).get("latex_content") or "")
        return f'<x-text data-md="{_E("$" + latex + "$")}"></x-text>'
    if node.get("rich") is not None:
        return _rich_html(node.get("rich") or {}, emoji_images)
    return _rich_html(node, emoji_images)


def _nodes_html(nodes: Iterable[Any], emoji_images: bool) -> str:
    return "".join(_node_html(_dump(n), emoji_images) for n in nodes or [])


def _list_html(data: Mapping[str, Any], emoji_images: bool) -> str:
    """An opus list paragraph (style 1 ordered, else bulleted), nested by item `level`."""
    tag = "ol" if data.get("style") == 1 else "ul"
    items = [_dump(x) for x in data.get("items") or []]

    def level(k: int) -> int:
        return max(1, int(items[k].get("level") or 1))

    def build(k: int, depth: int) -> tuple[str, int]:
        out = [f"<{tag}>"]
        while k < len(items) and level(k) >= depth:
            if level(k) == depth:
                body = _nodes_html(items[k].get("nodes") or [], emoji_images)
                k += 1
            else:  # deeper than its parent: an item holding only the sub-list
                body = ""
            if k < len(items) and level(k) > depth:
                sub, k = build(k, level(k))
                body += sub
            out.append(f"<li>{body}</li>")
        out.append(f"</{tag}>")
        return "".join(out), k

    if not items:
        return ""
    # Start at the shallowest level, so that an item less indented than the first is kept.
    return build(0, min(level(k) for k in range(len(items))))[0]


def _card_html(card: Mapping[str, Any]) -> str:
    """A link card paragraph: the first title + jump_url found in it."""
    stack: list[Any] = [card]
    while stack:
        item = stack.pop(0)
        if isinstance(item, Mapping):
            url = item.get("jump_url") or item.get("url")
            title = item.get("title") or item.get("desc1")
            if isinstance(url, str) and url and isinstance(title, str) and title:
                return f"<p>{_link(url, title)}</p>"
            stack.extend(v for v in item.values() if isinstance(v, (Mapping, list)))
        elif isinstance(item, list):
            stack.extend(item)
    return ""


def _paragraph_html(para: Mapping[str, Any], emoji_images: bool) -> str:
    kind = para.get("para_type")
    if kind == 2:
        pics = (para.get("pic") or {}).get("pics") or []
        return "".join(
            f'<figure class="img-box"><img src="{_E(str(_dump(p).get("url") or ""))}"></figure>'
            for p in pics
        )
    if kind == 3:
        return "<hr>"
    if kind == 4:
        nodes = (para.get("text") or {}).get("nodes") or []
        return f"<blockquote><p>{_nodes_html(nodes, emoji_images)}</p></blockquote>"
    if kind == 5:
        return _list_html(para.get("list") or {}, emoji_images)
    if kind == 6:
        return _card_html(para.get("link_card") or {})
    if kind == 7:
        code = para.get("code") or {}
        lang = str(code.get("lang") or "").removeprefix("language-")
        content = _html.unescape(str(code.get("content") or ""))
        return f'<pre data-lang="{_E(lang)}"><code>{_E(content)}</code></pre>'
    if kind == 8:
        heading = para.get("heading") or {}
        level = min(6, max(1, int(heading.get("level") or 1)))
        return f"<h{level}>{_nodes_html(heading.get('nodes') or [], emoji_images)}</h{level}>"
    nodes = (para.get("text") or {}).get("nodes") or []
    return f"<p>{_nodes_html(nodes, emoji_images)}</p>"


def from_opus(paragraphs_or_nodes: Any, *, emoji_images: bool = False) -> str:
    """Markdown of opus paragraphs or of dynamic rich-text nodes.

    Takes the `paragraphs` of an opus `module_content` (text, pictures, lines, quotes, lists,
    link cards, code, headings), a dynamic's `rich_text_nodes` / an opus paragraph's `nodes`
    (text, @mentions linked to the user's space, emoji as their text such as `[doge]`, topics
    and links), the mapping holding either list, or the pydantic models of these. With
    `emoji_images=True` emoji become images.
    """
    data = _dump(paragraphs_or_nodes)
    if isinstance(data, Mapping):
        for key in ("paragraphs", "rich_text_nodes", "nodes"):
            if key in data:
                data = data[key]
                break
        else:
            data = [data]
    items = [_dump(x) for x in data or []]
    if any(isinstance(x, Mapping) and "para_type" in x for x in items):
        body = "".join(_paragraph_html(p, emoji_images) for p in items)
    else:
        body = f"<p>{_nodes_html(items, emoji_images)}</p>"
    return _convert(body)


# ------------------------------------------------------------------ notes (Quill delta)


def _note_ops(content: Any) -> list[Any]:
    data = _dump(content)
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError:
            data = json.loads(_html.unescape(data if isinstance(data, str) else data.decode()))
    if isinstance(data, Mapping):
        data = data.get("ops") or data.get("content") or []
    return list(data or [])


def _note_inline(text: str, attrs: Mapping[str, Any]) -> str:
    out = _text_html(text)
    if not text.strip():
        return out
    if attrs.get("strike"):
        out = f"<del>{out}</del>"
    if attrs.get("italic"):
        out = f"<em>{out}</em>"
    if attrs.get("bold"):
        out = f"<strong>{out}</strong>"
    link = attrs.get("link")
    if isinstance(link, str) and link:
        out = f'<a href="{_E(https(link))}">{out}</a>'
    return out


def _note_embed(embed: Mapping[str, Any]) -> tuple[str, bool]:
    """(HTML, is_block) of a note's embedded object: image, separator, video timestamp."""
    if "imageUpload" in embed:
        url = str((embed.get("imageUpload") or {}).get("url") or "")
        return f'<figure class="img-box"><img src="{_E(url)}"></figure>', True
    if "cut-off" in embed:
        return "<hr>", True
    if "tag" in embed:
        tag = embed.get("tag") or {}
        return _text_html(str(tag.get("title") or tag.get("desc") or "")), False
    return "", False


def from_note(content: Any) -> str:
    """Markdown of a note's content: the Quill delta of `note.get_*_info(...).content`.

    Takes the JSON string as served, the parsed list of operations, or `{"ops": [...]}`. Text
    keeps bold, italic, strike-through and links; a line's `header`, `list` (ordered/bullet),
    `blockquote` and `code-block` attributes make headings, lists, quotes and code; uploaded
    images become images and separators `---`.
    """
    blocks: list[tuple[str, str]] = []  # (kind, html): kind "p", "h2", "ordered", "bullet", ...
    line: list[str] = []
    for op in _note_ops(content):
        op = _dump(op)
        if not isinstance(op, Mapping):
            continue
        insert = op.get("insert")
        attrs = op.get("attributes") or {}
        if isinstance(insert, Mapping):
            markup, block = _note_embed(insert)
            if block:
                if line:
                    blocks.append(("p", "".join(line)))
                    line = []
                blocks.append(("raw", markup))
            else:
                line.append(markup)
            continue
        if not isinstance(insert, str):
            continue
        parts = insert.split("\n")
        for i, part in enumerate(parts):
            if part:
                line.append(_note_inline(part, attrs))
            if i < len(parts) - 1:  # a newline ends the line; its attributes format it
                kind = "p"
                if attrs.get("header"):
                    kind = f"h{min(6, max(1, int(attrs['header'])))}"
                elif attrs.get("list") in ("ordered", "bullet"):
                    kind = str(attrs["list"])
                elif attrs.get("blockquote"):
                    kind = "quote"
                elif attrs.get("code-block"):
                    kind = "code"
                blocks.append((kind, "".join(line)))
                line = []
    if line:
        blocks.append(("p", "".join(line)))
    return _convert(_note_html(blocks))


def _note_html(blocks: list[tuple[str, str]]) -> str:
    out: list[str] = []
    i = 0
    while i < len(blocks):
        kind, markup = blocks[i]
        if kind in ("ordered", "bullet", "quote", "code"):
            j = i
            while j < len(blocks) and blocks[j][0] == kind:
                j += 1
            group = [m for _, m in blocks[i:j]]
            if kind == "quote":
                out.append("<blockquote>" + "".join(f"<p>{m}</p>" for m in group) + "</blockquote>")
            elif kind == "code":
                code = "\n".join(_html.unescape(re.sub(r"<[^>]+>", "", m)) for m in group)
                out.append(f"<pre><code>{_E(code)}</code></pre>")
            else:
                tag = "ol" if kind == "ordered" else "ul"
                out.append(f"<{tag}>" + "".join(f"<li>{m}</li>" for m in group) + f"</{tag}>")
            i = j
            continue
        if kind == "raw":
            out.append(markup)
        elif kind.startswith("h"):
            out.append(f"<{kind}>{markup}</{kind}>")
        elif markup:
            out.append(f"<p>{markup}</p>")
        i += 1
    return "".join(out)
