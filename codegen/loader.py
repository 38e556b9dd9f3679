"""Load and validate api_spec/*.yaml into spec objects, reporting `file:line: message`."""

from __future__ import annotations

import ast
import datetime
import difflib
import functools
import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "api_spec"

SIGNS = ("none", "wbi", "wbi+dm", "app", "app-tv")
AUTHS = ("none", "optional", "required")
BODIES = ("query", "form", "json")
ENVELOPES = ("data", "result", "none")
LOCATIONS = ("query", "form", "json", "path")
METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH")
# Parameter types the runtime knows how to check and encode.
SEMANTIC_TYPES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "bvid": "str",
    "aid": "int",
    "mid": "int",
    "cid": "int",
    "id": "int",
    "date": "str | datetime.date",
    "json": "Any",
    "object": "dict[str, Any]",
    "file": "Any",
    "list[int]": "Sequence[int]",
    "list[str]": "Sequence[str]",
}
PAGINATE_STYLES = ("page", "cursor")
# Names a pydantic model field may not take as is.
RESERVED_FIELDS = {
    "model_config",
    "model_fields",
    "model_extra",
    "model_computed_fields",
    "copy",
    "dict",
    "json",
    "schema",
    "construct",
    "validate",
    "fields",
    "parse_obj",
    "parse_raw",
    "from_orm",
    "update_forward_refs",
    "schema_json",
    "register",
    # builtins used in annotations: a field of that name would shadow them in the class body
    "list",
    "str",
    "int",
    "float",
    "bool",
}


class SpecError(Exception):
    """One or more mistakes in the catalogue; str() lists them as `file:line: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class LineDict(dict[str, Any]):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ---------------------------------------------------------------- spec objects


@dataclass
class Param:
    name: str  # Python name
    wire: str
    type: str  # one of SEMANTIC_TYPES or an enum name
    location: str
    required: bool = False
    default: Any = None
    doc: str = ""
    min: int | None = None
    max: int | None = None
    enum: str | None = None  # enum class name when type is an enum
    choices: list[Any] | None = None  # inline allowed values
    sep: str = ","
    bool_as: str = "int"  # how a bool goes on the wire: int (0/1) or str (true/false)
    auto: str | None = None  # "unix_time": sent as the current time when not given
    line: int = 0


@dataclass
class Paginate:
    name: str
    style: str
    items: str
    page: str | None = None
    page_size: str | None = None
    total: str | None = None
    cursor: str | None = None
    next: str | None = None
    has_more: str | None = None
    item_type: str = "Any"
    first_page: int = 1


@dataclass
class Endpoint:
    namespace: str
    name: str
    doc: str
    method: str
    url: str
    sign: str
    auth: str
    csrf: bool | str  # True, False, or "query": in the query even for a POST
    body: str
    envelope: str
    response: str | None
    params: list[Param]
    one_of: list[list[str]]
    fixed: dict[str, dict[str, Any]]
    paginate: Paginate | None
    examples: list[dict[str, Any]]
    raises: dict[int, str]
    file: str
    line: int
    seed: str | None = None
    # Parameters taken positionally (the rest are keyword-only), in order.
    positional: list[str] = field(default_factory=list)
    # The endpoint is identified by a video: one positional-only slot `video` takes a BV id or
    # an av number. "both": aid and bvid are one_of; "aid"/"bvid": only that one is on the wire.
    video_slot: str | None = None
    # The body is not a JSON envelope: `bytes`, `text`, or `module:function` turning bytes
    # into the result (types in `response` not in the catalogue come from that module).
    decode: str | None = None

    @property
    def decode_module(self) -> str | None:
        return self.decode.split(":")[0] if self.decode and ":" in self.decode else None


@dataclass
class ModelField:
    name: str  # Python attribute name
    alias: str | None
    type: str  # Python annotation text
    optional: bool
    doc: str = ""
    # Must be present in every response (no lenient default): the id a call is about.
    required: bool = False
    # A credential (cookie, token, a URL carrying them): left out of the model's repr.
    secret: bool = False
    line: int = 0


@dataclass
class Model:
    name: str
    namespace: str
    doc: str
    fields: list[ModelField]
    line: int
    root: str | None = None  # for non-object responses: a type alias instead of a class
    file: str = ""
    union: Union | None = None  # a tagged union of models chosen by one field's value


@dataclass
class Union:
    on: str  # the wire field whose value picks the variant
    variants: dict[str, str]  # value -> model
    other: str | None  # model for values not listed (None: unknown values are an error)


@dataclass
class EnumSpec:
    name: str
    namespace: str
    doc: str
    kind: str  # str | int
    values: dict[str, Any]
    module: str | None = None  # defined by hand in this module; the models re-export it


@dataclass
class Namespace:
    name: str
    doc: str
    file: str
    endpoints: list[Endpoint] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    enums: list[EnumSpec] = field(default_factory=list)
    # Hand-written mixin classes `<Cls>Extras` / `Async<Cls>Extras` the generated classes extend.
    extras: str | None = None


@dataclass
class Catalogue:
    namespaces: list[Namespace]
    errors_table: dict[int, tuple[str, str]]  # code -> (exception class, doc)
    # `file:line: warning: ...` for what is allowed but should be fixed (a parameter without doc).
    warnings: list[str] = field(default_factory=list)

    def endpoints(self) -> list[Endpoint]:
        return [ep for ns in self.namespaces for ep in ns.endpoints]

    def models(self) -> dict[str, Model]:
        return {m.name: m for ns in self.namespaces for m in ns.models}

    def enums(self) -> dict[str, EnumSpec]:
        return {e.name: e for ns in self.namespaces for e in ns.enums}


# ---------------------------------------------------------------- parsing

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MODEL_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_TYPE_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Names every generated module can use in a type expression (builtins and `typing.Any`).
# Models may also use the types of `bilibili_sdk._types` that they import: `_model_type_names()`.
_BUILTIN_TYPES = {"int", "str", "float", "bool", "Any", "list", "dict", "None"}
PKG_SRC = ROOT / "src" / "bilibili_sdk"
COMMON = "common"  # the namespace of pieces several namespaces share (models only)
MODELS_TEMPLATE = Path(__file__).resolve().parent / "templates" / "models.py.j2"


def _module_all(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            return [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


@functools.cache
def _model_type_names() -> frozenset[str]:
    """The types of `bilibili_sdk._types` a generated models module can name.

    A name qualifies when `_types.py` exports it in `__all__`, binds it to a type (a class or an
    alias such as `BoolInt = Annotated[...]`, not a constant like OTHER or a function like
    tagged_by) and models.py.j2 imports it. Read with `ast`, so validating imports no pydantic.
    """
    tree = ast.parse((PKG_SRC / "_types.py").read_text(encoding="utf-8"))
    types: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            types.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and not isinstance(
            node.value, ast.Constant
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            types.update(t.id for t in targets if isinstance(t, ast.Name))
    imported: set[str] = set()
    template = MODELS_TEMPLATE.read_text(encoding="utf-8")
    for names in re.findall(r"^from \.+_types import (.+)$", template, re.M):
        imported.update(n.strip() for n in names.split(","))
    return frozenset(types & imported & set(_module_all(tree)))


@functools.cache
def _exception_classes() -> dict[str, frozenset[str]]:
    """The classes of `_exceptions.py`, each with the names of its bases.

    Read with `ast` rather than imported: importing `bilibili_sdk._exceptions` runs
    `bilibili_sdk/__init__.py` (httpx and the client), which validating has no need for.
    """
    tree = ast.parse((PKG_SRC / "_exceptions.py").read_text(encoding="utf-8"))
    return {
        node.name: frozenset(b.id for b in node.bases if isinstance(b, ast.Name))
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }


@functools.cache
def _code_exceptions() -> frozenset[str]:
    """Exception names that errors.yaml and `raises:` may use.

    At run time `exception_for_code` looks the name up in `_exceptions.py` and falls back to
    plain ResponseCodeException for anything that is not a ResponseCodeException subclass, so
    a typo (or ArgsException) would silently lose the specific class.
    """
    bases = _exception_classes()
    found = {"ResponseCodeException"} & set(bases)
    grew = True
    while grew:
        more = {name for name, parents in bases.items() if parents & found} - found
        found |= more
        grew = bool(more)
    return frozenset(found)


def _exception_problem(value: Any) -> str | None:
    """Why `value` cannot name the exception for a response code, or None when it can."""
    known = _code_exceptions()
    if isinstance(value, str) and value in known:
        return None
    if isinstance(value, str) and value in _exception_classes():
        return f"{value} is not a ResponseCodeException subclass"
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, sorted(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown exception {value!r}{hint}: expected a ResponseCodeException subclass "
        "from bilibili_sdk/_exceptions.py"
    )


class _Ctx:
    def __init__(self, file: str, spec_dir: Path = SPEC_DIR) -> None:
        self.file = file
        self.spec_dir = spec_dir
        self.errors: list[str] = []

    def err(self, line: int, msg: str) -> None:
        self.errors.append(f"{self.file}:{line}: {msg}")


def _check_keys(ctx: _Ctx, d: LineDict, allowed: set[str], what: str) -> None:
    for k in d:
        if k not in allowed:
            ctx.err(d.lines.get(k, d.line), f"unknown key {k!r} in {what}")


def _want(ctx: _Ctx, d: LineDict, key: str, typ: type | tuple[type, ...], what: str) -> Any:
    if key not in d:
        ctx.err(d.line, f"{what}: missing required key {key!r}")
        return None
    v = d[key]
    if not isinstance(v, typ):
        ctx.err(d.lines[key], f"{what}: {key!r} must be {_tname(typ)}, got {type(v).__name__}")
        return None
    return v


def _opt(
    ctx: _Ctx, d: LineDict, key: str, typ: type | tuple[type, ...], what: str, default: Any
) -> Any:
    if key not in d:
        return default
    v = d[key]
    if not isinstance(v, typ) or (isinstance(v, bool) and typ is int):
        ctx.err(d.lines[key], f"{what}: {key!r} must be {_tname(typ)}, got {type(v).__name__}")
        return default
    return v


def _tname(typ: type | tuple[type, ...]) -> str:
    if isinstance(typ, tuple):
        return " or ".join(t.__name__ for t in typ)
    return typ.__name__


def _choice(
    ctx: _Ctx, d: LineDict, key: str, choices: tuple[str, ...], what: str, default: str
) -> str:
    v = d.get(key, default)
    if v not in choices:
        ctx.err(
            d.lines.get(key, d.line),
            f"{what}: {key!r} must be one of {', '.join(choices)}; got {v!r}",
        )
        return default
    return str(v)


def py_attr(name: str) -> str:
    """A safe Python attribute name for a wire field name."""
    s = re.sub(r"[^0-9A-Za-z_]", "_", name)
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", s).lower()
    if not s or s[0].isdigit():
        s = "f_" + s
    if keyword.iskeyword(s) or s in RESERVED_FIELDS or s.startswith("model_"):
        s += "_"
    return s


def _parse_field(ctx: _Ctx, fname: str, raw: Any, line: int, model: str) -> ModelField | None:
    doc = ""
    alias: str | None = None
    required = secret = False
    if isinstance(raw, str):
        typ = raw
    elif isinstance(raw, LineDict):
        _check_keys(
            ctx,
            raw,
            {"type", "alias", "doc", "optional", "required", "secret"},
            f"field {model}.{fname}",
        )
        required = _opt(ctx, raw, "required", bool, f"field {model}.{fname}", False)
        secret = _opt(ctx, raw, "secret", bool, f"field {model}.{fname}", False)
        typ = _want(ctx, raw, "type", str, f"field {model}.{fname}") or "Any"
        doc = _opt(ctx, raw, "doc", str, f"field {model}.{fname}", "")
        alias = _opt(ctx, raw, "alias", str, f"field {model}.{fname}", None)
        if raw.get("optional") is True and not typ.endswith("?"):
            typ += "?"
    else:
        ctx.err(line, f"field {model}.{fname}: expected a type string or a mapping")
        return None
    optional = typ.endswith("?")
    typ = typ.rstrip("?").strip()
    if optional and required:
        ctx.err(line, f"field {model}.{fname}: a field cannot be both optional and required")
    wire = alias if alias is not None else fname
    attr = fname if alias is not None else py_attr(fname)
    if not _IDENT.match(attr) or keyword.iskeyword(attr):
        ctx.err(line, f"field {model}.{fname}: {attr!r} is not a valid Python name")
        return None
    return ModelField(
        name=attr,
        alias=wire if wire != attr else None,
        type=typ,
        optional=optional,
        doc=doc,
        required=required,
        secret=secret,
        line=line,
    )


def _parse_models(ctx: _Ctx, ns: Namespace, raw: LineDict) -> None:
    for mname, mraw in raw.items():
        line = raw.lines[mname]
        if not _MODEL_NAME.match(mname):
            ctx.err(line, f"model name {mname!r} must be CapWords")
            continue
        if isinstance(mraw, str):  # a type alias, e.g. `Tags: list[Tag]`
            ns.models.append(Model(mname, ns.name, "", [], line, root=mraw, file=ctx.file))
            continue
        if not isinstance(mraw, LineDict):
            ctx.err(line, f"model {mname}: expected a mapping")
            continue
        _check_keys(ctx, mraw, {"doc", "fields", "union"}, f"model {mname}")
        doc = _opt(ctx, mraw, "doc", str, f"model {mname}", "")
        if "union" in mraw:
            u = mraw["union"]
            uwhat = f"model {mname} union"
            if "fields" in mraw or not isinstance(u, LineDict):
                ctx.err(line, f"{uwhat}: a union is a mapping and has no fields of its own")
                continue
            _check_keys(ctx, u, {"field", "variants", "other"}, uwhat)
            on = _want(ctx, u, "field", str, uwhat) or "type"
            variants = _want(ctx, u, "variants", LineDict, uwhat) or {}
            union = Union(
                on,
                {str(k): str(v) for k, v in variants.items()},
                _opt(ctx, u, "other", str, uwhat, None),
            )
            root = " | ".join(
                list(dict.fromkeys(union.variants.values()))
                + ([union.other] if union.other else [])
            )
            ns.models.append(
                Model(mname, ns.name, doc, [], line, root=root, file=ctx.file, union=union)
            )
            continue
        fraw = mraw.get("fields") or LineDict()
        if not isinstance(fraw, LineDict):
            ctx.err(mraw.lines.get("fields", line), f"model {mname}: fields must be a mapping")
            continue
        fields: list[ModelField] = []
        seen: set[str] = set()
        for fname, ftype in fraw.items():
            f = _parse_field(ctx, str(fname), ftype, fraw.lines[fname], mname)
            if f is None:
                continue
            if f.name in seen:
                ctx.err(fraw.lines[fname], f"model {mname}: field {f.name!r} defined twice")
                continue
            seen.add(f.name)
            fields.append(f)
        ns.models.append(Model(mname, ns.name, doc, fields, line, file=ctx.file))


def _parse_enums(ctx: _Ctx, ns: Namespace, raw: LineDict) -> None:
    for ename, eraw in raw.items():
        line = raw.lines[ename]
        if not _MODEL_NAME.match(ename) or not isinstance(eraw, LineDict):
            ctx.err(line, f"enum {ename!r}: CapWords name with a mapping expected")
            continue
        _check_keys(ctx, eraw, {"doc", "values", "from"}, f"enum {ename}")
        values = _want(ctx, eraw, "values", LineDict, f"enum {ename}") or {}
        kinds = {type(v) for v in values.values()}
        if kinds - {int, str} or len(kinds) > 1:
            ctx.err(line, f"enum {ename}: values must be all int or all str")
            continue
        for member in values:
            if not re.match(r"^_?[A-Z][A-Z0-9_]*$|^_[0-9A-Z_]+$", member):
                ctx.err(values.lines[member], f"enum {ename}: member {member!r} must be UPPER_CASE")
        ns.enums.append(
            EnumSpec(
                ename,
                ns.name,
                _opt(ctx, eraw, "doc", str, f"enum {ename}", ""),
                "int" if kinds == {int} else "str",
                dict(values),
                _opt(ctx, eraw, "from", str, f"enum {ename}", None),
            )
        )


_PARAM_KEYS = {
    "wire",
    "type",
    "required",
    "default",
    "doc",
    "in",
    "min",
    "max",
    "enum",
    "sep",
    "bool_as",
    "auto",
}
_ENDPOINT_KEYS = {
    "doc",
    "method",
    "url",
    "sign",
    "auth",
    "csrf",
    "body",
    "envelope",
    "response",
    "params",
    "one_of",
    "fixed",
    "fixed_query",
    "paginate",
    "examples",
    "raises",
    "seed",
    "decode",
    "positional",
}
# What a parameter value must be, per semantic type: mirrors bilibili_sdk._validate, which
# checks the default again on every call that does not override it.
_EXPECT = {
    "str": "a str",
    "int": "an int",
    "float": "a number",
    "bool": "a bool",
    "bvid": "a BV id like 'BV1xx411c7mD'",
    "aid": "a positive int",
    "mid": "a positive int",
    "cid": "a positive int",
    "id": "a positive int",
    "date": "a quoted 'YYYY-MM-DD' string",
    "json": "JSON data",
    "object": "a JSON object (a mapping)",
    "file": "file content",
    "list[int]": "a non-empty list of ints",
    "list[str]": "a non-empty list of str",
}
_BVID = re.compile(r"^BV1[1-9A-HJ-NP-Za-km-z]{9}$")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _fits(ptype: str, v: Any) -> bool:
    """Whether `v` is a valid value for a parameter of semantic type `ptype`."""
    if ptype == "int":
        return _is_int(v)
    if ptype in ("aid", "mid", "cid", "id"):
        return _is_int(v) and v > 0
    if ptype == "float":
        return _is_int(v) or isinstance(v, float)
    if ptype == "bool":
        return isinstance(v, bool)
    if ptype == "str":
        return isinstance(v, str)
    if ptype == "bvid":
        return isinstance(v, str) and bool(_BVID.match(v))
    if ptype == "date":  # an unquoted YAML date is a datetime.date: its repr needs an import
        try:
            return isinstance(v, str) and bool(datetime.date.fromisoformat(v))
        except ValueError:
            return False
    if ptype in ("list[int]", "list[str]"):
        item = _is_int if ptype == "list[int]" else (lambda x: isinstance(x, str))
        return isinstance(v, list) and bool(v) and all(item(x) for x in v)
    return True  # json: any YAML value serialises


def _default_problem(p: Param) -> str | None:
    """Why `p.default` is not a valid value of `p`, or None. Enum types are checked later."""
    v = p.default
    if p.type in SEMANTIC_TYPES and not _fits(p.type, v):
        return f"is not {_EXPECT[p.type]}"
    if p.choices is not None and not any(v == c and type(v) is type(c) for c in p.choices):
        return "is not one of " + ", ".join(repr(c) for c in p.choices)
    if p.min is not None and _is_int(v) and v < p.min:
        return f"is below min {p.min}"
    if p.max is not None and _is_int(v) and v > p.max:
        return f"is above max {p.max}"
    return None


_DECODE = re.compile(r"^(bytes|text|[a-z_][a-z0-9_.]*:[a-z_][a-z0-9_]*)$")


def _parse_endpoint(ctx: _Ctx, ns: Namespace, name: str, raw: Any, line: int) -> None:
    what = f"endpoint {ns.name}.{name}"
    if not isinstance(raw, LineDict):
        ctx.err(line, f"{what}: expected a mapping")
        return
    if not _IDENT.match(name) or name != name.lower():
        ctx.err(line, f"{what}: name must be snake_case")
    _check_keys(ctx, raw, _ENDPOINT_KEYS, what)
    doc = _want(ctx, raw, "doc", str, what) or ""
    method = _choice(ctx, raw, "method", METHODS, what, "GET")
    url = _want(ctx, raw, "url", str, what) or "https://api.bilibili.com/"
    if not url.startswith(("https://", "http://")):
        ctx.err(raw.lines.get("url", line), f"{what}: url must be absolute")
    sign = _choice(ctx, raw, "sign", SIGNS, what, "none")
    auth = _choice(ctx, raw, "auth", AUTHS, what, "none")
    body = _choice(ctx, raw, "body", BODIES, what, "query" if method == "GET" else "form")
    csrf: bool | str
    if raw.get("csrf") == "query":
        # why: some JSON-body POSTs (feed/space/set_top, feed/create/dyn) read csrf from the URL
        csrf = "query"
    else:
        csrf = _opt(ctx, raw, "csrf", bool, what, method != "GET" and auth == "required")
    envelope = _choice(ctx, raw, "envelope", ENVELOPES, what, "data")
    response = raw.get("response")
    if response is not None and not isinstance(response, str):
        ctx.err(raw.lines["response"], f"{what}: response must be a type string or null")
        response = None
    seed = _opt(ctx, raw, "seed", str, what, None)
    decode = _opt(ctx, raw, "decode", str, what, None)
    if decode is not None and not _DECODE.match(decode):
        ctx.err(raw.lines["decode"], f"{what}: decode must be bytes, text or module:function")
        decode = None
    if decode in ("bytes", "text") and response != {"bytes": "bytes", "text": "str"}[decode]:
        ctx.err(raw.lines["decode"], f"{what}: decode {decode} returns {decode}; fix response")

    params: list[Param] = []
    praw = raw.get("params") or LineDict()
    if not isinstance(praw, LineDict):
        ctx.err(raw.lines.get("params", line), f"{what}: params must be a mapping")
        praw = LineDict()
        praw.lines = {}
    wires: dict[str, str] = {}
    for pname, pr in praw.items():
        pline = praw.lines[pname]
        pwhat = f"{what} param {pname}"
        if isinstance(pr, str):
            pr_d = LineDict({"type": pr})
            pr_d.line = pline
            pr_d.lines = {"type": pline}
            pr = pr_d
        if not isinstance(pr, LineDict):
            ctx.err(pline, f"{pwhat}: expected a type string or a mapping")
            continue
        if not _IDENT.match(pname) or keyword.iskeyword(pname) or pname in ("self", "client"):
            ctx.err(pline, f"{pwhat}: not a valid Python parameter name")
            continue
        _check_keys(ctx, pr, _PARAM_KEYS, pwhat)
        ptype = _want(ctx, pr, "type", str, pwhat) or "str"
        enum_name = None
        if ptype not in SEMANTIC_TYPES:
            enum_name = ptype  # resolved later
        wire = _opt(ctx, pr, "wire", str, pwhat, pname)
        loc = _choice(ctx, pr, "in", LOCATIONS, pwhat, body)
        if loc == "path" and "{" + wire + "}" not in url:
            ctx.err(pline, f"{pwhat}: in=path but the url has no {{{wire}}}")
        key = f"{loc}:{wire}"
        if key in wires:
            ctx.err(pline, f"{pwhat}: wire name {wire!r} already used by {wires[key]!r}")
        wires[key] = pname
        choices = pr.get("enum")
        if choices is not None and not isinstance(choices, list):
            ctx.err(pr.lines["enum"], f"{pwhat}: enum must be a list of allowed values")
            choices = None
        p = Param(
            name=pname,
            wire=wire,
            type=ptype,
            location=loc,
            required=_opt(ctx, pr, "required", bool, pwhat, False),
            default=pr.get("default"),
            doc=_opt(ctx, pr, "doc", str, pwhat, ""),
            min=_opt(ctx, pr, "min", int, pwhat, None),
            max=_opt(ctx, pr, "max", int, pwhat, None),
            enum=enum_name,
            choices=choices,
            sep=_opt(ctx, pr, "sep", str, pwhat, ","),
            bool_as=_choice(ctx, pr, "bool_as", ("int", "str"), pwhat, "int"),
            auto=_choice(ctx, pr, "auto", ("unix_time", "none"), pwhat, "none")
            if "auto" in pr
            else None,
            line=pline,
        )
        if p.required and p.default is not None:
            ctx.err(pline, f"{pwhat}: a required parameter cannot have a default")
        for c in choices or []:
            if p.type in SEMANTIC_TYPES and not _fits(p.type, c):
                ctx.err(pr.lines["enum"], f"{pwhat}: enum value {c!r} is not {_EXPECT[p.type]}")
        if p.default is not None:
            problem = _default_problem(p)
            if problem:
                ctx.err(pr.lines["default"], f"{pwhat}: default {p.default!r} {problem}")
        if p.type == "object" and loc != "json":
            # why: only a JSON body can nest an object; elsewhere use `json` (a JSON string)
            ctx.err(pline, f"{pwhat}: type object goes in a JSON body (in: json)")
        if p.type == "file" and (loc != "form" or method == "GET"):
            ctx.err(pline, f"{pwhat}: type file goes in the form of a POST (sent as multipart)")
        if p.sep == "repeat" and (p.type not in ("list[int]", "list[str]") or loc != "query"):
            ctx.err(pline, f"{pwhat}: sep repeat is for list types in the query")
        if p.sep == "repeat" and sign != "none":
            # why: signing sorts and encodes one value per key
            ctx.err(pline, f"{pwhat}: sep repeat cannot be used on a signed endpoint")
        params.append(p)

    names = {p.name for p in params}
    one_of: list[list[str]] = []
    for grp in raw.get("one_of") or []:
        if not isinstance(grp, list) or len(grp) < 2:
            ctx.err(raw.lines["one_of"], f"{what}: one_of takes lists of two or more names")
            continue
        for n in grp:
            if n not in names:
                ctx.err(raw.lines["one_of"], f"{what}: one_of names unknown parameter {n!r}")
            elif any(p.required for p in params if p.name == n):
                ctx.err(
                    raw.lines["one_of"], f"{what}: {n!r} is in one_of, so it cannot be required"
                )
        one_of.append([str(n) for n in grp])

    positional, video_slot = _positional(ctx, raw, what, params, one_of)

    fixed: dict[str, dict[str, Any]] = {}
    for key, loc in (("fixed", body), ("fixed_query", "query")):
        fr = raw.get(key)
        if fr is None:
            continue
        if not isinstance(fr, LineDict):
            ctx.err(raw.lines[key], f"{what}: {key} must be a mapping")
            continue
        for k, v in fr.items():
            if f"{loc}:{k}" in wires:
                ctx.err(fr.lines[k], f"{what}: fixed {k!r} clashes with a parameter")
            fixed.setdefault(loc, {})[k] = v

    paginate = None
    pg = raw.get("paginate")
    if pg is not None:
        pwhat = f"{what} paginate"
        if not isinstance(pg, LineDict):
            ctx.err(raw.lines["paginate"], f"{pwhat}: expected a mapping")
        else:
            _check_keys(
                ctx,
                pg,
                {
                    "name",
                    "style",
                    "items",
                    "page",
                    "page_size",
                    "total",
                    "cursor",
                    "next",
                    "has_more",
                    "first_page",
                },
                pwhat,
            )
            paginate = Paginate(
                name=_want(ctx, pg, "name", str, pwhat) or "iter_items",
                style=_choice(ctx, pg, "style", PAGINATE_STYLES, pwhat, "page"),
                items=_want(ctx, pg, "items", str, pwhat) or "",
                page=_opt(ctx, pg, "page", str, pwhat, None),
                page_size=_opt(ctx, pg, "page_size", str, pwhat, None),
                total=_opt(ctx, pg, "total", str, pwhat, None),
                cursor=_opt(ctx, pg, "cursor", str, pwhat, None),
                next=_opt(ctx, pg, "next", str, pwhat, None),
                has_more=_opt(ctx, pg, "has_more", str, pwhat, None),
                first_page=_opt(ctx, pg, "first_page", int, pwhat, 1),
            )
            if not paginate.name.startswith("iter_"):
                ctx.err(pg.lines.get("name", pg.line), f"{pwhat}: name must start with iter_")
            for ref in (paginate.page, paginate.page_size, paginate.cursor):
                if ref is not None and ref not in names:
                    ctx.err(pg.line, f"{pwhat}: {ref!r} is not a parameter")
            if paginate.style == "page" and not paginate.page:
                ctx.err(pg.line, f"{pwhat}: page style needs `page`")
            if paginate.style == "cursor" and not (paginate.cursor and paginate.next):
                ctx.err(pg.line, f"{pwhat}: cursor style needs `cursor` and `next`")

    raises: dict[int, str] = {}
    rr = raw.get("raises")
    if rr is not None:
        if not isinstance(rr, LineDict):
            ctx.err(raw.lines["raises"], f"{what}: raises must map codes to exception names")
        else:
            for k, v in rr.items():
                try:
                    code = int(k)
                except ValueError:
                    ctx.err(rr.lines[k], f"{what}: raises key {k!r} is not an integer code")
                    continue
                problem = _exception_problem(v)
                if problem:
                    ctx.err(rr.lines[k], f"{what}: raises {k}: {problem}")
                    continue
                raises[code] = str(v)

    examples: list[dict[str, Any]] = []
    ex = raw.get("examples")
    if ex is None:
        ex = f"{name}.json"
    if not isinstance(ex, str):
        ctx.err(raw.lines.get("examples", line), f"{what}: examples names a JSON file")
    else:
        path = ctx.spec_dir / "examples" / ns.name / ex
        if not path.is_file():
            ctx.err(
                raw.lines.get("examples", line), f"{what}: example file {_rel(path)} is missing"
            )
        else:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as e:
                ctx.errors.append(f"{_rel(path)}:{e.lineno}: invalid JSON: {e.msg}")
                data = []
            if not isinstance(data, list) or not data:
                ctx.err(line, f"{what}: {ex} must hold a non-empty JSON array of examples")
            else:
                for i, item in enumerate(data):
                    if not (isinstance(item, dict) and "source" in item and "body" in item):
                        ctx.errors.append(f"{_rel(path)}:1: item {i} needs `source` and `body`")
                    elif decode and item.get("encoding") not in ("base64", "text"):
                        ctx.errors.append(
                            f"{_rel(path)}:1: item {i}: a raw body needs `encoding` base64 or text"
                        )
                    else:
                        examples.append(item)

    ns.endpoints.append(
        Endpoint(
            namespace=ns.name,
            name=name,
            doc=doc,
            method=method,
            url=url,
            sign=sign,
            auth=auth,
            csrf=csrf,
            body=body,
            envelope=envelope,
            response=response,
            params=params,
            one_of=one_of,
            fixed=fixed,
            paginate=paginate,
            examples=examples,
            raises=raises,
            file=ctx.file,
            line=line,
            seed=seed,
            decode=decode,
            positional=positional,
            video_slot=video_slot,
        )
    )


def _positional(
    ctx: _Ctx, raw: LineDict, what: str, params: list[Param], one_of: list[list[str]]
) -> tuple[list[str], str | None]:
    """Which parameters identify the resource, and so are taken positionally.

    Default: a video (aid/bvid) when the endpoint takes one, else the first required
    parameter. `positional: [a, b]` names them; `positional: []` opts out.
    """
    by_name = {p.name: p for p in params}
    video: str | None = None
    if any(set(g) == {"aid", "bvid"} for g in one_of):
        video = "both"
    elif "aid" in by_name and by_name["aid"].required and by_name["aid"].type == "aid":
        video = "aid"
    elif "bvid" in by_name and by_name["bvid"].required and by_name["bvid"].type == "bvid":
        video = "bvid"
    if "positional" not in raw:
        if video:
            return [], video
        first = next((p.name for p in params if p.required), None)
        return ([first] if first else []), None
    names = raw["positional"]
    line = raw.lines["positional"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        ctx.err(line, f"{what}: positional takes a list of parameter names")
        return [], None
    if names == ["video"]:
        if not video:
            ctx.err(line, f"{what}: positional [video] needs aid/bvid parameters")
        return [], video
    out: list[str] = []
    for n in names:
        p = by_name.get(n)
        if p is None:
            ctx.err(line, f"{what}: positional names unknown parameter {n!r}")
        else:  # a one_of member may be positional: `get_season(88)` or `get_season(ep_id=5)`
            out.append(n)
    seen_optional = False
    for n in out:
        if not by_name[n].required:
            seen_optional = True
        elif seen_optional:
            ctx.err(line, f"{what}: required {n!r} cannot follow an optional positional")
    return out, None


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _type_names(expr: str) -> list[str]:
    return [t for t in _TYPE_TOKEN.findall(expr) if t not in _BUILTIN_TYPES]


def _bad_expr(expr: str) -> str | None:
    """Why `expr` is not a Python type expression, or None."""
    try:
        ast.parse(expr, mode="eval")
    except SyntaxError as e:
        return f"invalid type expression {expr!r}: {e.msg}"
    return None


def _resolve(ctx: _Ctx, cat: Catalogue) -> None:
    models = cat.models()
    enums = cat.enums()
    seen_models: dict[str, str] = {}
    for ns in cat.namespaces:
        for m in ns.models:
            if m.name in seen_models or m.name in enums:
                ctx.errors.append(f"{m.file}:{m.line}: model {m.name} is defined twice")
            seen_models[m.name] = ns.name
            exprs = [(f.type, f.line, f" field {f.name}") for f in m.fields]
            if m.root:
                exprs.append((m.root, m.line, ""))
            for expr, line, part in exprs:
                where = f"{m.file}:{line}: model {m.name}{part}"
                bad = _bad_expr(expr)
                if bad:
                    ctx.errors.append(f"{where}: {bad}")
                    continue
                for t in _type_names(expr):
                    if t not in models and t not in enums and t not in _model_type_names():
                        ctx.errors.append(f"{where}: unknown type {t!r}")
                        continue
                    owner = (
                        (models[t].namespace if t in models else enums[t].namespace)
                        if (t in models or t in enums)
                        else ns.name
                    )
                    if owner not in (ns.name, COMMON):
                        # why: models import only their own namespace and `common`, so no
                        # namespace loads another's models and no import cycle can form.
                        ctx.errors.append(
                            f"{where}: {t} belongs to {owner}; a piece that {ns.name} and "
                            f"{owner} share goes in {COMMON}.yaml"
                        )
        endpoint_names: set[str] = set()
        for ep in ns.endpoints:
            where = f"{ep.file}:{ep.line}"
            names = {ep.name} | ({ep.paginate.name} if ep.paginate else set())
            for n in names:
                if n in endpoint_names:
                    ctx.errors.append(f"{where}: method name {n!r} used twice in {ns.name}")
                endpoint_names.add(n)
            bad = _bad_expr(ep.response) if ep.response else None
            if bad:
                ctx.errors.append(f"{where}: {ep.name}: response: {bad}")
            elif ep.response:
                for t in _type_names(ep.response):
                    if t == "bytes" and ep.decode:
                        continue
                    if t not in models and t not in enums and not ep.decode_module:
                        ctx.errors.append(f"{where}: {ep.name}: model {t!r} does not exist")
            for p in ep.params:
                if p.enum and p.enum not in enums:
                    ctx.errors.append(
                        f"{ep.file}:{p.line}: {ep.name} param {p.name}: unknown type {p.type!r}"
                    )
                elif p.enum and p.default is not None:
                    values = list(enums[p.enum].values.values())
                    if not any(p.default == v and type(p.default) is type(v) for v in values):
                        pwhat = f"endpoint {ns.name}.{ep.name} param {p.name}"
                        ctx.errors.append(
                            f"{ep.file}:{p.line}: {pwhat}: default {p.default!r} is not a value"
                            f" of {p.enum} ({', '.join(repr(v) for v in values)})"
                        )
            if ep.paginate and ep.response:
                ep.paginate.item_type = _item_type(ctx, where, ep, models)


def _resolve_path(
    ctx: _Ctx, where: str, start: str, path: str, models: dict[str, Model]
) -> tuple[str, str] | None:
    """Map a dotted path of wire or Python names to Python names; return it and its type."""
    typ = start
    out = []
    for part in path.split("."):
        m = models.get(typ)
        if m is None or m.root is not None:
            ctx.errors.append(f"{where}: paginate path {path!r}: {typ} is not a model")
            return None
        f = next((f for f in m.fields if part in (f.name, f.alias)), None)
        if f is None:
            ctx.errors.append(f"{where}: paginate path {path!r}: {m.name} has no field {part!r}")
            return None
        out.append(f.name)
        typ = f.type
    return ".".join(out), typ


def _item_type(ctx: _Ctx, where: str, ep: Endpoint, models: dict[str, Model]) -> str:
    assert ep.paginate is not None and ep.response is not None
    pg = ep.paginate
    for attr in ("total", "has_more", "next"):
        value = getattr(pg, attr)
        if value:
            got = _resolve_path(ctx, where, ep.response, value, models)
            if got:
                setattr(pg, attr, got[0])
    if pg.items == ".":  # the payload itself is the list
        typ = ep.response
        alias = models.get(typ)
        if alias is not None and alias.root is not None and alias.union is None:
            typ = alias.root
    else:
        got = _resolve_path(ctx, where, ep.response, pg.items, models)
        if got is None:
            return "Any"
        pg.items, typ = got
    mt = re.fullmatch(r"list\[(.+)\]", typ)
    if not mt:
        ctx.errors.append(f"{where}: paginate items {pg.items!r} is not a list ({typ})")
        return "Any"
    return mt.group(1)


def _read_yaml(path: Path, rel: str) -> tuple[Any, str | None]:
    """The parsed file, or None and a `file:line: message` naming where the syntax breaks."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader), None
    except UnicodeDecodeError as e:
        return None, f"{rel}:1: not UTF-8: {e.reason}"
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = (mark.line + 1) if mark else 1
        problem = e.problem or e.context or "invalid YAML"
        if e.problem and e.context and e.context_mark and e.context_mark.line + 1 != line:
            problem += f" ({e.context} started on line {e.context_mark.line + 1})"
        return None, f"{rel}:{line}: {problem}"
    except yaml.YAMLError as e:
        return None, f"{rel}:1: {str(e).splitlines()[0] if str(e) else 'invalid YAML'}"


def load_errors(ctx: _Ctx) -> dict[int, tuple[str, str]]:
    """Read `errors.yaml` of `ctx.spec_dir`; mistakes go to `ctx.errors`."""
    path = ctx.spec_dir / "errors.yaml"
    if not path.is_file():
        return {}
    raw, problem = _read_yaml(path, ctx.file)
    if problem:
        ctx.errors.append(problem)
        return {}
    codes = raw.get("codes") if isinstance(raw, LineDict) else None
    if not isinstance(codes, LineDict):
        ctx.err(raw.lines.get("codes", 1) if isinstance(raw, LineDict) else 1, "needs `codes:`")
        return {}
    out: dict[int, tuple[str, str]] = {}
    for k, v in codes.items():
        line = codes.lines[k]
        if not isinstance(v, LineDict) or "exception" not in v:
            ctx.err(line, f"code {k}: needs `exception`")
            continue
        try:
            code = int(k)
        except ValueError:
            ctx.err(line, f"code {k!r} is not an integer")
            continue
        problem = _exception_problem(v["exception"])
        if problem:
            ctx.err(v.lines["exception"], f"code {k}: {problem}")
            continue
        out[code] = (str(v["exception"]), str(v.get("doc", "")))
    return out


def load(spec_dir: Path = SPEC_DIR) -> Catalogue:
    """Load the whole catalogue; raise SpecError listing every mistake."""
    errors: list[str] = []
    namespaces: list[Namespace] = []
    # Files are named `api_spec/<file>` in messages, whichever directory spec_dir is.
    ectx = _Ctx("api_spec/errors.yaml", spec_dir)
    errors_table = load_errors(ectx)
    errors.extend(ectx.errors)
    # A namespace file that does not parse leaves its models and enums undefined: resolving
    # names across files would then report every use of them elsewhere, so it is skipped and
    # only the syntax errors (and what each readable file says about itself) are reported.
    unreadable = False
    by_name: dict[str, Namespace] = {}
    for path in sorted(spec_dir.glob("*.yaml")):
        if path.name == "errors.yaml":
            continue
        # `user.yaml` and `user.more.yaml` are two parts of one namespace.
        stem = path.name.split(".")[0]
        rel = f"api_spec/{path.name}"
        ctx = _Ctx(rel, spec_dir)
        raw, problem = _read_yaml(path, rel)
        if problem or not isinstance(raw, LineDict):
            errors.append(problem or f"{rel}:1: expected a mapping at top level")
            unreadable = True
            continue
        _check_keys(
            ctx, raw, {"namespace", "doc", "endpoints", "models", "enums", "extras"}, "file"
        )
        name = raw.get("namespace")
        if name != stem:
            ctx.err(raw.lines.get("namespace", 1), f"namespace must be {stem!r} (the file name)")
        ns = by_name.get(stem)
        if ns is None:
            ns = by_name[stem] = Namespace(stem, str(raw.get("doc", "")), path.name)
            namespaces.append(ns)
        elif raw.get("doc"):
            ns.doc = ns.doc or str(raw["doc"])
        if "extras" in raw:
            extras = _opt(ctx, raw, "extras", str, "file", None)
            if ns.extras and extras and extras != ns.extras:
                ctx.err(raw.lines["extras"], f"extras already set to {ns.extras!r}")
            ns.extras = extras or ns.extras
        if isinstance(raw.get("enums"), LineDict):
            _parse_enums(ctx, ns, raw["enums"])
        if isinstance(raw.get("models"), LineDict):
            _parse_models(ctx, ns, raw["models"])
        eps = raw.get("endpoints")
        if eps is not None:
            if not isinstance(eps, LineDict):
                ctx.err(raw.lines["endpoints"], "endpoints must be a mapping")
            else:
                for ename, eraw in eps.items():
                    _parse_endpoint(ctx, ns, ename, eraw, eps.lines[ename])
        errors.extend(ctx.errors)
    cat = Catalogue(namespaces, errors_table)
    if not unreadable:
        rctx = _Ctx("api_spec")
        _resolve(rctx, cat)
        errors.extend(rctx.errors)
    if errors:
        raise SpecError(errors)
    cat.warnings = [
        f"{ep.file}:{p.line}: warning: {ep.namespace}.{ep.name} param {p.name} has no doc"
        for ep in cat.endpoints()
        for p in ep.params
        if not p.doc.strip()
    ]
    return cat
