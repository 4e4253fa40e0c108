"""Reading a scheme from YAML and turning validation errors into located messages."""
from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from perfkit.errors import SchemeError, did_you_mean
from perfkit.scheme import models
from perfkit.scheme.models import SchemeModel

__all__ = ["read_yaml", "model_from_dict", "yaml_path"]


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load`` (no tags, no code)."""
    path = Path(path)
    if not path.exists():
        raise SchemeError("file not found", where=[str(path)], hint="check the scheme path")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030")
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _no_duplicate_keys(node, str(path))
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.constructor.ConstructorError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = [str(path)] + ([f"line {mark.line + 1}, column {mark.column + 1}"] if mark else [])
        raise SchemeError(f"YAML tags such as {str(getattr(exc, 'problem', '')).split()[-1:]} are not allowed: "
                          "a scheme is plain data and nothing in it is ever run", where=where,
                          hint="remove the '!!...' tag and write the value itself") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = [str(path)] + ([f"line {mark.line + 1}, column {mark.column + 1}"] if mark else [])
        raise SchemeError(f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where,
                          hint="fix the YAML syntax (indentation, colons, quotes)") from None
    if not isinstance(data, dict):
        raise SchemeError("the scheme must be a YAML mapping (key: value) at the top level",
                          where=[str(path)])
    return data


def _no_duplicate_keys(node: yaml.Node, file: str, path: str = "") -> None:
    """Refuse a key given twice in one mapping anywhere in the document (YAML would keep
    the last one silently), naming its YAML path and both lines."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            line = key_node.start_mark.line + 1
            here = f"{path}.{key}" if path else str(key)
            if key in seen:
                raise SchemeError(f"key {key!r} is given twice in one mapping (lines {seen[key]} and {line}); "
                                  "YAML would silently keep the last one", where=[file, here],
                                  hint="delete one of them, or merge the two")
            seen[key] = line
            _no_duplicate_keys(value_node, file, here)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            pairs = item.value if isinstance(item, yaml.MappingNode) else ()
            ident = next((v.value for k, v in pairs if isinstance(k, yaml.ScalarNode) and k.value == "id"
                          and isinstance(v, yaml.ScalarNode)), None)
            _no_duplicate_keys(item, file, f"{path}[{i}]" + (f"({ident})" if ident else ""))


def yaml_path(raw: Any, loc: Sequence[Any]) -> str:
    """Render a pydantic location as a YAML path, naming node ids where there are any.

    >>> yaml_path({"structure": {"children": [{"id": "a"}]}}, ("structure", "children", 0, "points"))
    'structure.children[0](a).points'
    """
    out = ""
    cur = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            cur = cur[part] if isinstance(cur, Sequence) and not isinstance(cur, str) and part < len(cur) else None
            if isinstance(cur, Mapping) and "id" in cur:
                out += f"({cur['id']})"
        else:
            if part in ("function-after", "function-before", "function-plain") or str(part).startswith("function-"):
                continue
            out += ("." if out else "") + str(part)
            cur = cur.get(part) if isinstance(cur, Mapping) else None
    return out or "(top level)"


def _fields_at(loc: Sequence[Any]) -> list[str]:
    """The allowed keys of the model that sits at ``loc`` (for did-you-mean hints)."""
    model: Any = SchemeModel
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        model = None
        for cand in _model_candidates(ann, models):
            model = cand
            break
    return list(model.model_fields) if model is not None and hasattr(model, "model_fields") else []


def _model_candidates(ann: Any, models: Any):
    stack = [ann]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, models.BaseModel):
            yield a
            continue
        stack.extend(typing.get_args(a))


def model_from_dict(raw: dict[str, Any], *, file: str | None = None) -> SchemeModel:
    """Validate ``raw`` into a :class:`SchemeModel`, or raise one :class:`SchemeError`
    listing every problem with its YAML path."""
    try:
        return SchemeModel.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
            # pydantic puts the union member name (e.g. 'MethodSpec', 'str') in the location
            loc = [p for p in loc if not (isinstance(p, str) and p[:1].isupper())]
            path = yaml_path(raw, loc)
            msg = err["msg"]
            hint = ""
            if err["type"] == "extra_forbidden":
                key = loc[-1]
                allowed = _fields_at(loc[:-1])
                msg = f"unknown key {key!r}{did_you_mean(str(key), allowed)}"
                hint = f"allowed keys here: {', '.join(allowed)}" if allowed else ""
            elif err["type"] == "missing":
                msg = "required key is missing"
            elif err["type"] == "literal_error":
                got = err.get("input")
                expected = err.get("ctx", {}).get("expected", "")
                msg = f"{got!r} is not allowed{did_you_mean(str(got), [s.strip(chr(39)) for s in expected.replace(' or ', ', ').split(', ')])}; expected {expected}"
            problems.append((path, msg, hint))
        first = problems[0]
        more = "".join(f"\n  {p}: {m}" + (f" — {h}" if h else "") for p, m, h in problems[1:])
        err = SchemeError(first[1] + more, where=[file or "<scheme>", first[0]], hint=first[2])
        err.problems = problems
        raise err from None
