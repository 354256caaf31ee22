"""Versioned form templates: the wording, titles, labels and column layout of each form, per form
set, picked by the date of the document.

A form set is a folder `resources/templates/forms/<effective-date>/` holding `set.json` (name,
legal basis, the wording common to all forms) and one `NN-<name>.json` per form. The set in force
on a day is the one with the latest effective date not after it; a new circular is a new folder.
Renderers ask a `FormTemplate` for text by key and fill `{placeholders}`; a missing key or
placeholder is a `TemplateError` naming the file, so a broken template fails loudly in tests rather
than printing a half-empty form. A document dated before the first set came into force is not a
broken template but a request the forms do not cover: `NoTemplateInForceError`, an `AppError`
whose Vietnamese message the desktop and the CLI show like any other refusal.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app.domain.errors import NotFoundError
from app.domain.formatting import vn_date
from app.domain.forms import FormKind
from app.domain.text import nfc
from resources import resource_path

FORM_SET_FORMAT = "motcua-form-set/1"


class TemplateError(Exception):
    """A template folder or file is missing, malformed, or lacks a key the renderer needs.

    Not an `AppError` on purpose: it is a defect of the installed application (its message names
    files, in English, for whoever fixes it), so it reaches the crash handler and the log."""


class NoTemplateInForceError(TemplateError, NotFoundError):
    """No form set is in force on the document's date (it is before the first effective date):
    the templates are fine, the officer asked for a day the forms do not cover."""

    def __init__(self, on: date, first: date, kind: FormKind | None = None) -> None:
        what = f"mẫu {_lower_first(kind.label)}" if kind else "bộ biểu mẫu"
        form = {"form": kind.value} if kind else {}
        # TemplateError adds no __init__: this is AppError's (code, message, params).
        super().__init__(
            "template.not_in_force",
            f"Không có {what} áp dụng cho ngày {vn_date(on)}: các mẫu hiện có áp dụng từ ngày "
            f"{vn_date(first)}.",
            day=on.isoformat(),
            first=first.isoformat(),
            **form,
        )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # fraction of the table width
    key: str = ""


@dataclass(frozen=True)
class Signature:
    title: str
    name: str
    hint: str  # key of the common hint: «(Ký và ghi rõ họ tên)» or with the seal


@dataclass(frozen=True)
class FormTemplate:
    kind: FormKind
    form_no: str
    title: str
    issuer: str  # "receiving" | "resolving": whose header heads the document
    texts: Mapping[str, str]
    common: Mapping[str, str]
    columns: tuple[Column, ...]
    signatures: tuple[Signature, ...]
    source: str

    def raw(self, key: str) -> str:
        """The form's text for `key` (falling back to the set's common wording), unfilled: for
        patterns filled later, such as «Trang {page}/{pages}»."""
        raw = self.texts.get(key, self.common.get(key))
        if raw is None:
            raise TemplateError(f"{self.source}: no text «{key}»")
        return raw

    def text(self, key: str, **values: object) -> str:
        """The form's text for `key`, filled in with `values`."""
        raw = self.raw(key)
        try:
            return nfc(raw.format_map(values))
        except (KeyError, IndexError, ValueError) as error:
            raise TemplateError(f"{self.source}: text «{key}» needs {error}") from None

    def markup(self, key: str, **values: str) -> str:
        """Like `text`, for a paragraph: the template's own words are escaped, `values` are
        inserted as given (the caller escapes them and may wrap them in <b>…</b>)."""
        raw = self.raw(key)
        try:
            return escape(raw).format_map(values)
        except (KeyError, IndexError, ValueError) as error:
            raise TemplateError(f"{self.source}: text «{key}» needs {error}") from None

    def has(self, key: str) -> bool:
        return key in self.texts or key in self.common


@dataclass(frozen=True)
class FormSet:
    effective_from: date
    name: str
    legal_basis: str
    forms: Mapping[FormKind, FormTemplate]

    def form(self, kind: FormKind) -> FormTemplate:
        try:
            return self.forms[kind]
        except KeyError:
            raise TemplateError(
                f"form set {self.effective_from.isoformat()} has no template for form {kind.value}"
            ) from None


def default_root() -> Path:
    return resource_path("templates", "forms")


def form_template(kind: FormKind, on: date, root: Path | None = None) -> FormTemplate:
    """The template of `kind` in the set in force on `on`."""
    folder = root or default_root()
    return _load_set(folder / _in_force(folder, on, kind).isoformat()).form(kind)


def form_set_for(on: date, root: Path | None = None) -> FormSet:
    """The form set in force on `on`: the latest effective date not after it."""
    folder = root or default_root()
    return _load_set(folder / _in_force(folder, on).isoformat())


def _in_force(folder: Path, on: date, kind: FormKind | None = None) -> date:
    """The effective date of the set in force on `on`."""
    sets = available_sets(folder)
    if not sets:
        raise TemplateError(f"no form set in {folder}")
    in_force = [d for d in sets if d <= on]
    if not in_force:
        raise NoTemplateInForceError(on, sets[0], kind)
    return max(in_force)


def available_sets(root: Path) -> tuple[date, ...]:
    sets: list[date] = []
    if root.is_dir():
        for child in root.iterdir():
            try:
                day = date.fromisoformat(child.name)
            except ValueError:
                continue
            if (child / "set.json").is_file():
                sets.append(day)
    return tuple(sorted(sets))


_load_lock = threading.Lock()


def _load_set(folder: Path) -> FormSet:
    # Sets are read once per process: templates ship with the application and never change
    # while it runs. The lock keeps two print threads from parsing the same folder at once.
    with _load_lock:
        return _load_set_cached(folder)


@cache
def _load_set_cached(folder: Path) -> FormSet:
    meta = _read_json(folder / "set.json")
    if meta.get("format") != FORM_SET_FORMAT:
        raise TemplateError(f"{folder}/set.json: format must be {FORM_SET_FORMAT}")
    common = _strings(meta.get("common", {}), f"{folder}/set.json common")
    forms: dict[FormKind, FormTemplate] = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.json")):
        template = _form(path, common)
        if template.kind in forms:
            raise TemplateError(f"{path}: a second template for form {template.kind.value}")
        forms[template.kind] = template
    return FormSet(
        effective_from=date.fromisoformat(str(meta["effective_from"])),
        name=nfc(str(meta.get("name", ""))),
        legal_basis=nfc(str(meta.get("legal_basis", ""))),
        forms=forms,
    )


def _form(path: Path, common: Mapping[str, str]) -> FormTemplate:
    data = _read_json(path)
    source = f"{path.parent.name}/{path.name}"
    try:
        kind = FormKind(str(data["kind"]))
        columns = tuple(
            Column(nfc(str(c["title"])), float(c["width"]), str(c.get("key", "")))
            for c in data.get("table", {}).get("columns", [])
        )
        signatures = tuple(
            Signature(
                nfc(str(s["title"])),
                nfc(str(s.get("name", ""))),
                str(s.get("hint", "signature_hint")),
            )
            for s in data.get("signatures", [])
        )
        template = FormTemplate(
            kind=kind,
            form_no=nfc(str(data["form_no"])),
            title=nfc(str(data["title"])),
            issuer=str(data.get("issuer", "receiving")),
            texts=_strings(data.get("text", {}), source),
            common=common,
            columns=columns,
            signatures=signatures,
            source=source,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise TemplateError(f"{source}: malformed ({error})") from None
    if template.issuer not in ("receiving", "resolving"):
        raise TemplateError(f"{source}: issuer must be receiving or resolving")
    if columns and abs(sum(c.width for c in columns) - 1.0) > 0.01:
        raise TemplateError(f"{source}: column widths must add up to 1")
    return template


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise TemplateError(f"{path}: {error}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: a JSON object expected")
    return data


def _strings(raw: object, source: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise TemplateError(f"{source}: texts must be an object of strings")
    return {str(k): nfc(v) for k, v in raw.items()}
