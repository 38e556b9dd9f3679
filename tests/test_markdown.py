"""bilibili_sdk.markdown: article HTML, opus / dynamic rich text and note deltas as Markdown.

Every construct has a hand-written sample with its exact Markdown; the recorded dynamic rich
text (`dynamic/space#1`) and note content (`note/action#2`) check the real shapes, and the
catalogue examples check whole documents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bilibili_sdk.markdown import from_article, from_note, from_opus

COLLECT = Path(__file__).parent / "fixtures" / "collect"
EXAMPLES = Path(__file__).resolve().parent.parent / "api_spec" / "examples"


def _record(file: str, rid: str) -> dict[str, Any]:
    for line in (COLLECT / file).read_text("utf-8").splitlines():
        rec = json.loads(line)
        if rec["id"] == rid:
            return rec  # type: ignore[no-any-return]
    raise LookupError(rid)


def _example(ns: str, name: str) -> Any:
    return json.loads((EXAMPLES / ns / f"{name}.json").read_text("utf-8"))[0]["body"]["data"]


# ------------------------------------------------------------------ articles

ARTICLE_CASES = [
    pytest.param("<h1>Title</h1><p>text</p>", "# Title\n\ntext", id="heading"),
    pytest.param("<h2>a</h2><h3>b</h3>", "## a\n\n### b", id="heading-levels"),
    pytest.param(
        "<p><strong>bold</strong> <em>it</em> <i>i</i> <b>b</b></p>",
        "**bold** *it* *i* **b**",
        id="bold-italic",
    ),
    pytest.param(
        '<p><span style="text-decoration: line-through;">gone</span> kept</p>',
        "~~gone~~ kept",
        id="strikethrough-span",
    ),
    pytest.param("<p><del>a</del> <s>b</s></p>", "~~a~~ ~~b~~", id="del-s"),
    pytest.param(
        '<p><span class="color-pink-03">red</span> <span class="font-size-20">big</span></p>',
        "red big",
        id="colour-and-size-spans-keep-text",
    ),
    pytest.param(
        '<figure class="img-box" contenteditable="false"><img data-src="//i0.hdslb.com/bfs/'
        'article/a.png" src="//i0.hdslb.com/placeholder.png" width="640"/>'
        '<figcaption class="caption">A [caption]</figcaption></figure>',
        "![A \\[caption\\]](https://i0.hdslb.com/bfs/article/a.png)\n\n*A [caption]*",
        id="image-data-src-and-caption",
    ),
    pytest.param(
        '<figure class="img-box"><img src="http://i0.hdslb.com/bfs/article/b.jpg"/></figure>',
        "![](https://i0.hdslb.com/bfs/article/b.jpg)",
        id="image-src-http-made-https",
    ),
    pytest.param(
        '<p>before</p><figure class="img-box"><img src="//i0.hdslb.com/bfs/article/'
        'cut.png" class="cut-off-5"/></figure><p>after</p>',
        "before\n\n---\n\nafter",
        id="separator-image",
    ),
    pytest.param(
        '<figure class="img-box"><img class="cut-off" src="//x/c.png"/></figure>',
        "---",
        id="separator-plain-class",
    ),
    pytest.param(
        "<blockquote><p>one</p><p>two</p></blockquote>", "> one\n>\n> two", id="blockquote"
    ),
    pytest.param("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b", id="ordered-list"),
    pytest.param("<ul><li>a</li><li>b</li></ul>", "- a\n- b", id="unordered-list"),
    pytest.param(
        '<p>see <a href="//www.bilibili.com/read/cv1">this</a></p>',
        "see [this](https://www.bilibili.com/read/cv1)",
        id="link-made-https",
    ),
    pytest.param(
        '<p><a href="https://example.com/a_b"></a></p>',
        "<https://example.com/a_b>",
        id="empty-link-shows-its-url",
    ),
    pytest.param(
        '<figure class="code-box"><pre class="prettyprint" data-lang="Python@python" '
        'codecontent="def%20f()%3A%0A%20%20%20%20return%201"><code>ignored</code></pre>'
        "</figure>",
        "```python\ndef f():\n    return 1\n```",
        id="code-box-codecontent-data-lang",
    ),
    pytest.param(
        '<pre class="code lang-python"><code>x = 1\nprint(x)</code></pre>',
        "```python\nx = 1\nprint(x)\n```",
        id="code-lang-class",
    ),
    pytest.param(
        '<pre><code class="language-js">let a_b = 1;</code></pre>',
        "```js\nlet a_b = 1;\n```",
        id="code-language-class-no-escaping",
    ),
    pytest.param(
        '<figure class="img-box"><img src="//i0.hdslb.com/c.png" class="video-card nomal" '
        'aid="170001,170002"/></figure>',
        "[av170001](https://www.bilibili.com/video/av170001)\n\n"
        "[av170002](https://www.bilibili.com/video/av170002)",
        id="video-cards",
    ),
    pytest.param(
        '<figure class="img-box"><img class="article-card" aid="4815593"/></figure>',
        "[cv4815593](https://www.bilibili.com/read/cv4815593)",
        id="article-card",
    ),
    pytest.param(
        '<figure class="img-box"><img class="music-card" aid="au10624"/></figure>',
        "[au10624](https://www.bilibili.com/audio/au10624)",
        id="music-card-prefixed-id",
    ),
    pytest.param(
        '<figure class="img-box"><img class="fanju-card" aid="ep250"/></figure>'
        '<figure class="img-box"><img class="live-card" aid="23058"/></figure>',
        "[ep250](https://www.bilibili.com/bangumi/play/ep250)\n\n"
        "[live 23058](https://live.bilibili.com/23058)",
        id="bangumi-and-live-cards",
    ),
    pytest.param(
        '<figure class="article card" data-cvid="12"><div>title</div></figure>'
        '<figure class="video card" data-aid="34"></figure>'
        '<figure class="audio card" data-auid="56"></figure>',
        "[cv12](https://www.bilibili.com/read/cv12)\n\n"
        "[av34](https://www.bilibili.com/video/av34)\n\n"
        "[au56](https://www.bilibili.com/audio/au56)",
        id="data-attribute-cards",
    ),
    pytest.param('<p>e = <img class="latex" alt="mc%5E2"/></p>', "e = $mc^2$", id="latex-image"),
    pytest.param("<p>a*b_c</p>", "a\\*b\\_c", id="markdown-characters-escaped"),
]


@pytest.mark.parametrize(("html", "markdown"), ARTICLE_CASES)
def test_from_article(html: str, markdown: str) -> None:
    assert from_article(html) == markdown


def test_from_article_whole_example_body() -> None:
    body = _example("article", "get_detail")["content"]
    assert from_article(body) == (
        "各位小可爱们大家好啊，我们以**av2075941**为例。\n\n"
        "# 视频基本信息\n\n"
        "接口地址如下~~旧地址~~：\n\n"
        "![F12 network 面板](https://i0.hdslb.com/bfs/article/"
        "00497c8df7130f22e5b953694b8931a22d32f133.jpg)\n\n"
        "*F12 network 面板*\n\n"
        "> 所有接口仅供学习\n\n"
        "1. 打开视频页\n2. 刷新并筛选 XHR\n\n"
        "```python\nimport requests\nprint(requests.get(url).json())\n```\n\n"
        "---\n\n"
        "[av2075941](https://www.bilibili.com/video/av2075941)\n\n"
        "详见 [ep2](https://www.bilibili.com/read/cv4820548)"
    )


# ------------------------------------------------------------------ opus and dynamic rich text


def word(text: str, **style: bool) -> dict[str, Any]:
    return {"type": "TEXT_NODE_TYPE_WORD", "word": {"words": text, "style": style}}


def rich(kind: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TEXT_NODE_TYPE_RICH", "rich": {"type": kind, "text": text, **extra}}


EMOJI = {
    "type": "RICH_TEXT_NODE_TYPE_EMOJI",
    "text": "[doge]",
    "emoji": {"icon_url": "http://i0.hdslb.com/bfs/emote/doge.png", "text": "[doge]"},
}


def test_rich_nodes_text_mention_emoji_topic_link() -> None:
    nodes = [
        {"type": "RICH_TEXT_NODE_TYPE_TEXT", "text": "hi "},
        {"type": "RICH_TEXT_NODE_TYPE_AT", "text": "@someone", "rid": "9"},
        {"type": "RICH_TEXT_NODE_TYPE_TEXT", "text": " "},
        EMOJI,
        {"type": "RICH_TEXT_NODE_TYPE_TEXT", "text": " "},
        {
            "type": "RICH_TEXT_NODE_TYPE_TOPIC",
            "text": "#t#",
            "jump_url": "//search.bilibili.com/all?keyword=t",
        },
        {"type": "RICH_TEXT_NODE_TYPE_TEXT", "text": " "},
        {"type": "RICH_TEXT_NODE_TYPE_WEB", "text": "网页链接", "jump_url": "https://example.com/"},
    ]
    assert from_opus(nodes) == (
        "hi [@someone](https://space.bilibili.com/9) [doge] "
        "[#t#](https://search.bilibili.com/all?keyword=t) [网页链接](https://example.com/)"
    )
    assert from_opus(nodes[3:4], emoji_images=True) == (
        "![\\[doge\\]](https://i0.hdslb.com/bfs/emote/doge.png)"
    )


def test_topic_without_url_links_to_search() -> None:
    topic = {"type": "RICH_TEXT_NODE_TYPE_TOPIC", "text": "#原神#"}
    assert from_opus([topic]) == "[#原神#](https://search.bilibili.com/all?keyword=%23原神%23)"


def test_recorded_dynamic_rich_text() -> None:
    items = _record("dynamic.jsonl", "dynamic/space#1")["examples"][0]["data"]["items"]
    desc = items[3]["modules"]["module_dynamic"]["desc"]
    assert from_opus(desc) == (
        "圈错号了[呆]//[@柴刀娘木木](https://space.bilibili.com/9):"
        "[@bishi](https://space.bilibili.com/1)我来组成分母，测试欧气，我要是中了再抽人送出[偷笑]"
    )
    # the rich_text_nodes list itself, with a topic, newlines and a web link
    nodes = items[2]["modules"]["module_dynamic"]["desc"]["rich_text_nodes"]
    assert from_opus(nodes) == (
        "[#干杯十周年#](https://search.bilibili.com/all?keyword="
        "%23%E5%B9%B2%E6%9D%AF%E5%8D%81%E5%91%A8%E5%B9%B4%23)Yo,My Friend,Nice to see you again."
        "[网页链接](https://www.bilibili.com/blackboard/bilibili2009.html)"
    )
    orig = items[0]["orig"]["modules"]["module_dynamic"]["desc"]
    assert from_opus(orig).splitlines()[:2] == [
        "[#金秋音乐季#](https://search.bilibili.com/all?keyword="
        "%23%E9%87%91%E7%A7%8B%E9%9F%B3%E4%B9%90%E5%AD%A3%23)  ",
        "大家推荐给我很多神曲 一直没机会做  ",
    ]


OPUS_CASES = [
    pytest.param(
        [
            {
                "para_type": 1,
                "text": {
                    "nodes": [
                        word("b", bold=True),
                        word(" "),
                        word("i", italic=True),
                        word(" "),
                        word("s", strikethrough=True),
                    ]
                },
            }
        ],
        "**b** *i* ~~s~~",
        id="styled-words",
    ),
    pytest.param(
        [
            {"para_type": 8, "heading": {"level": 2, "nodes": [word("Head")]}},
            {"para_type": 1, "text": {"nodes": [word("body")]}},
        ],
        "## Head\n\nbody",
        id="heading",
    ),
    pytest.param(
        [
            {
                "para_type": 2,
                "pic": {
                    "pics": [{"url": "//i0.hdslb.com/a.jpg"}, {"url": "http://i0.hdslb.com/b.jpg"}]
                },
            }
        ],
        "![](https://i0.hdslb.com/a.jpg)\n\n![](https://i0.hdslb.com/b.jpg)",
        id="pictures",
    ),
    pytest.param(
        [
            {"para_type": 1, "text": {"nodes": [word("a")]}},
            {"para_type": 3, "line": {"pic": {"url": "x"}}},
            {"para_type": 1, "text": {"nodes": [word("b")]}},
        ],
        "a\n\n---\n\nb",
        id="line",
    ),
    pytest.param(
        [
            {
                "para_type": 4,
                "text": {"nodes": [word("quoted "), rich("RICH_TEXT_NODE_TYPE_AT", "@u", rid="5")]},
            }
        ],
        "> quoted [@u](https://space.bilibili.com/5)",
        id="quote",
    ),
    pytest.param(
        [
            {
                "para_type": 5,
                "list": {
                    "style": 1,
                    "items": [
                        {"level": 1, "order": 1, "nodes": [word("one")]},
                        {"level": 2, "order": 1, "nodes": [word("inner")]},
                        {"level": 1, "order": 2, "nodes": [word("two")]},
                    ],
                },
            }
        ],
        "1. one\n   1. inner\n2. two",
        id="ordered-list-nested",
    ),
    pytest.param(
        [
            {
                "para_type": 5,
                "list": {
                    "style": 2,
                    "items": [
                        {"level": 2, "nodes": [word("deep first")]},
                        {"level": 1, "nodes": [word("top")]},
                    ],
                },
            }
        ],
        "- - deep first\n- top",
        id="list-starting-deeper",
    ),
    pytest.param(
        [
            {
                "para_type": 5,
                "list": {
                    "style": 2,
                    "items": [
                        {"level": 1, "nodes": [word("x")]},
                        {"level": 1, "nodes": [word("y", bold=True)]},
                    ],
                },
            }
        ],
        "- x\n- **y**",
        id="bulleted-list",
    ),
    pytest.param(
        [
            {
                "para_type": 7,
                "code": {
                    "lang": "language-python",
                    "content": "if a &lt; b:\n    print(&quot;x_y&quot;)",
                },
            }
        ],
        '```python\nif a < b:\n    print("x_y")\n```',
        id="code",
    ),
    pytest.param(
        [
            {
                "para_type": 6,
                "link_card": {
                    "card": {
                        "type": "LINK_CARD_TYPE_UGC",
                        "ugc": {
                            "title": "A video",
                            "jump_url": "//www.bilibili.com/video/BV1xx411c7mD",
                        },
                    }
                },
            }
        ],
        "[A video](https://www.bilibili.com/video/BV1xx411c7mD)",
        id="link-card",
    ),
    pytest.param(
        [
            {
                "para_type": 1,
                "text": {
                    "nodes": [
                        word("E = "),
                        {"type": "TEXT_NODE_TYPE_FORMULA", "formula": {"latex_content": "mc^2"}},
                    ]
                },
            }
        ],
        "E = $mc^2$",
        id="formula",
    ),
    pytest.param(
        [{"para_type": 1, "text": {"nodes": [word("line1\nline2")]}}],
        "line1  \nline2",
        id="newline-in-words",
    ),
]


@pytest.mark.parametrize(("paragraphs", "markdown"), OPUS_CASES)
def test_from_opus_paragraphs(paragraphs: list[Any], markdown: str) -> None:
    assert from_opus(paragraphs) == markdown
    assert from_opus({"paragraphs": paragraphs}) == markdown  # a module_content mapping


def test_from_opus_takes_models() -> None:
    from bilibili_sdk.models.opus import OpusDetail

    detail = OpusDetail.model_validate(_example("opus", "get_info"))
    content = next(m.module_content for m in detail.item.modules if m.module_content)
    assert content is not None
    expected = from_opus(_example("opus", "get_info")["item"]["modules"][2]["module_content"])
    assert from_opus(content) == from_opus(content.paragraphs) == expected
    assert expected.startswith(
        "## 开场\n\n好家伙 **加粗**，[@柴刀娘木木](https://space.bilibili.com/9)[呆]"
    )


# ------------------------------------------------------------------ notes


def test_recorded_note_content() -> None:
    # The `content` a real note was saved with (collect note/action#2, its example request).
    content = '[{"attributes":{"bold":true},"insert":"STRONG"},{"insert":"\\n"}]'
    assert from_note(content) == "**STRONG**"


NOTE_CASES = [
    pytest.param(
        [{"insert": "Title"}, {"insert": "\n", "attributes": {"header": 1}}, {"insert": "text\n"}],
        "# Title\n\ntext",
        id="header",
    ),
    pytest.param(
        [
            {"insert": "b", "attributes": {"bold": True}},
            {"insert": " "},
            {"insert": "i", "attributes": {"italic": True}},
            {"insert": " "},
            {"insert": "s", "attributes": {"strike": True}},
            {"insert": " "},
            {"insert": "c", "attributes": {"color": "#ff0000", "size": "20px"}},
            {"insert": "\n"},
        ],
        "**b** *i* ~~s~~ c",
        id="inline-styles-colour-dropped",
    ),
    pytest.param(
        [{"insert": "site", "attributes": {"link": "//www.bilibili.com"}}, {"insert": "\n"}],
        "[site](https://www.bilibili.com)",
        id="link",
    ),
    pytest.param(
        [
            {"insert": "a"},
            {"insert": "\n", "attributes": {"list": "ordered"}},
            {"insert": "b"},
            {"insert": "\n", "attributes": {"list": "ordered"}},
            {"insert": "after\nx"},
            {"insert": "\n", "attributes": {"list": "bullet"}},
        ],
        "1. a\n2. b\n\nafter\n\n- x",
        id="lists",
    ),
    pytest.param(
        [
            {"insert": "q"},
            {"insert": "\n", "attributes": {"blockquote": True}},
            {"insert": "x = 1"},
            {"insert": "\n", "attributes": {"code-block": True}},
            {"insert": "y_2"},
            {"insert": "\n", "attributes": {"code-block": True}},
        ],
        "> q\n\n```\nx = 1\ny_2\n```",
        id="quote-and-code",
    ),
    pytest.param(
        [
            {"insert": "see "},
            {"insert": {"imageUpload": {"url": "//i0.hdslb.com/bfs/note/a.png", "status": "done"}}},
            {"insert": "\n"},
            {"insert": {"cut-off": {"type": "1", "url": "x"}}},
            {"insert": "end\n"},
        ],
        "see\n\n![](https://i0.hdslb.com/bfs/note/a.png)\n\n---\n\nend",
        id="image-and-separator",
    ),
    pytest.param(
        [{"insert": {"tag": {"title": "P1 - 00:12", "seconds": 12}}}, {"insert": " note\n"}],
        "P1 - 00:12 note",
        id="video-timestamp-tag",
    ),
]


@pytest.mark.parametrize(("ops", "markdown"), NOTE_CASES)
def test_from_note(ops: list[Any], markdown: str) -> None:
    assert from_note(ops) == markdown
    assert from_note(json.dumps(ops)) == markdown  # as served: a JSON string
    assert from_note({"ops": ops}) == markdown


def test_from_note_html_escaped_string() -> None:
    raw = json.dumps([{"insert": "a&b", "attributes": {"bold": True}}, {"insert": "\n"}])
    escaped = raw.replace('"', "&quot;")
    assert from_note(escaped) == "**a&b**"


def test_from_note_catalogue_example() -> None:
    content = _example("note", "get_public_info")["content"]
    assert from_note(content) == (
        "## 视频要点\n\n**STRONG** 与普通文字\n\n1. 第一条\n2. 第二条\n\n"
        "![](https://i0.hdslb.com/bfs/note/9f2c3b1e0d7a4c6b8e5f1a2b3c4d5e6f7a8b9c0d.png)"
    )
