"""The procedure catalogue: import format `motcua-catalogue/1`, its validating parser, the specs.

This module owns what a counter knows about a province before any dossier exists: administrative
units, agencies (with their QĐ 20/2020 e-identifiers), receiving points and their counters, and the
versioned TTHC list (duration, components, fees, channels). All of it is provincial data with
effective dates, never constants in code (DOMAIN §1, §4.9, §7). Parsing is pure: text in, a frozen
`Catalogue` out, or one `CatalogueFormatError` listing *every* problem with its line and JSON path,
so an administrator fixes a file in one pass. The format is documented in docs/CATALOGUE_FORMAT.md.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from app.domain.durations import Duration
from app.domain.errors import ValidationError

FORMAT_ID = "motcua-catalogue/1"
# QĐ 20/2020/QĐ-TTg (amended by QĐ 09/2025): four dot-separated levels, e.g. 000.00.20.H12 or
# H15.50.05.13. Only the shape is checked; the values come from the province's published list.
E_IDENTIFIER_RE = re.compile(r"^[0-9A-Z]{2,3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{2,3}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCALAR_RE = re.compile(r"true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")

UnitLevel = Literal["province", "commune"]
FeeKind = Literal["phí", "lệ phí", "khác"]
FeeUnit = Literal["per-dossier", "per-copy", "per-page"]
Delivery = Literal["counter", "post", "online"]
# Lookup tables rather than casts: a successful lookup is what gives the value its Literal type.
_LEVELS: dict[str, UnitLevel] = {"province": "province", "commune": "commune"}
_KINDS: dict[str, FeeKind] = {"phí": "phí", "lệ phí": "lệ phí", "khác": "khác"}
_FEE_UNITS: dict[str, FeeUnit] = {
    "per-dossier": "per-dossier",
    "per-copy": "per-copy",
    "per-page": "per-page",
}
_DELIVERIES: dict[str, Delivery] = {"counter": "counter", "post": "post", "online": "online"}
_CHANNELS = {1: 1, 2: 2, 3: 3}  # 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích (DOMAIN §2)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AdministrativeUnitSpec:
    id: str
    code: str
    name: str
    level: UnitLevel
    parent: str | None
    valid_from: date
    valid_to: date | None
    successor: str | None
    illustrative: bool = False


@dataclass(frozen=True, slots=True)
class AgencySpec:
    id: str
    e_identifier: str
    name: str
    parent_name: str  # capitalised parent body printed above the name on forms; may be ""
    unit: str
    valid_from: date
    valid_to: date | None
    successor: str | None
    illustrative: bool = False


@dataclass(frozen=True, slots=True)
class CounterSpec:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ReceivingPointSpec:
    id: str
    name: str
    agency: str
    unit: str
    place: str  # the town printed in "<place>, ngày … tháng … năm …"
    counters: tuple[CounterSpec, ...]


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    name: str
    originals: int
    copies: int
    must_digitise: bool
    note: str


@dataclass(frozen=True, slots=True)
class FeeTier:
    """`amount` for each page/copy up to and including number `up_to`; None = all the rest."""

    up_to: int | None
    amount: int


@dataclass(frozen=True, slots=True)
class FeeItemSpec:
    code: str
    name: str
    kind: FeeKind
    amount: int  # đồng per unit; equals tiers[0].amount when there are tiers
    unit: FeeUnit
    tiers: tuple[FeeTier, ...]
    cap: int | None  # ceiling per copy (per-page items) or per dossier (per-copy items)
    note: str
    illustrative: bool


@dataclass(frozen=True, slots=True)
class ProcedureSpec:
    code: str
    version: int
    effective_from: date
    name: str
    field: str
    level: UnitLevel
    resolving_agency: str
    receiving_agencies: tuple[str, ...]
    duration: Duration
    components: tuple[ComponentSpec, ...]
    fees: tuple[FeeItemSpec, ...]
    result: str
    result_delivery: tuple[Delivery, ...]
    channels: tuple[int, ...]
    illustrative: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    format: str
    province_name: str
    units: tuple[AdministrativeUnitSpec, ...]
    agencies: tuple[AgencySpec, ...]
    receiving_points: tuple[ReceivingPointSpec, ...]
    procedures: tuple[ProcedureSpec, ...]

    def agency(self, agency_id: str) -> AgencySpec | None:
        return next((a for a in self.agencies if a.id == agency_id), None)

    def procedure(self, code: str, version: int | None = None) -> ProcedureSpec | None:
        """That version of a procedure, or its highest version when `version` is None."""
        found = [p for p in self.procedures if p.code == code and version in (None, p.version)]
        return max(found, key=lambda p: p.version, default=None)


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    line: int | None
    path: str
    message: str

    def describe(self) -> str:
        where = f"dòng {self.line}, " if self.line is not None else ""
        return f"{where}{self.path or '(toàn tệp)'}: {self.message}"


class CatalogueFormatError(ValidationError):
    """The file breaks the format; `problems` holds every fault found, in file order."""

    def __init__(self, source: str, problems: Iterable[CatalogueProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line or 0, p.path)))
        listing = "\n".join(f"- {p.describe()}" for p in self.problems)
        message = f"Tệp danh mục «{source}» có {len(self.problems)} lỗi:\n{listing}"
        super().__init__("catalogue.invalid", message, source=source, count=len(self.problems))


def load_catalogue_file(path: str | Path) -> Catalogue:
    """Read and parse a catalogue file; utf-8-sig because Windows editors add a BOM."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = CatalogueProblem(None, "", f"tệp không phải văn bản UTF-8 (byte {exc.start})")
        raise CatalogueFormatError(file.name, [problem]) from None
    return parse_catalogue(text, source=file.name)


def parse_catalogue(text: str, source: str = "catalogue.json") -> Catalogue:
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        message = f"JSON sai cú pháp (cột {exc.colno}): {_JSON_MESSAGES.get(exc.msg, exc.msg)}"
        raise CatalogueFormatError(source, [CatalogueProblem(exc.lineno, "", message)]) from None
    except (ValueError, RecursionError) as exc:
        raise CatalogueFormatError(source, [CatalogueProblem(None, "", str(exc))]) from None
    reader = _Reader(_Positions(text))
    catalogue = _catalogue(reader, data)
    if reader.problems or catalogue is None:
        raise CatalogueFormatError(source, reader.problems)
    return catalogue


def _clean(value: str) -> str:
    # NFC so "lệ phí" typed on a Mac (NFD) compares and prints like everyone else's.
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()


def _reject_constant(name: str) -> object:
    raise ValueError(f"giá trị {name} không được phép trong JSON")


_JSON_MESSAGES = {
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Expecting value": "thiếu giá trị hoặc giá trị không hợp lệ",
    "Expecting property name enclosed in double quotes": "tên trường phải nằm trong nháy kép",
    "Unterminated string starting at": "chuỗi chưa có dấu nháy đóng",
    "Invalid control character at": "ký tự điều khiển (xuống dòng, tab) nằm trong chuỗi",
    "Extra data": "có dữ liệu thừa sau khi tài liệu JSON đã kết thúc",
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _parent(path: str) -> str:
    return path[: max(path.rfind("."), path.rfind("["), 0)]


class _Positions:
    """Line of every JSON path, by walking text that json.loads accepted (it keeps no positions)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[str, int] = {}
        self.duplicates: list[tuple[str, int]] = []
        self._value(self._skip(0), "")

    def _line(self, index: int) -> int:
        return bisect.bisect_left(self._newlines, index) + 1

    def _skip(self, i: int) -> int:
        while i < len(self._text) and self._text[i] in " \t\r\n":
            i += 1
        return i

    def _value(self, i: int, path: str) -> int:
        self.lines.setdefault(path, self._line(i))
        if self._text[i] == "{":
            return self._members(self._skip(i + 1), path)
        if self._text[i] == "[":
            return self._items(self._skip(i + 1), path)
        match = _STRING_RE.match(self._text, i) or _SCALAR_RE.match(self._text, i)
        return match.end() if match else i + 1

    def _members(self, i: int, path: str) -> int:
        while self._text[i] != "}":
            match = _STRING_RE.match(self._text, i)
            assert match is not None  # json.loads accepted the text: every key is a string
            key, end = json.loads(match.group()), match.end()
            child = _join(path, key)
            if child in self.lines:  # json.loads silently keeps the last of duplicate keys
                self.duplicates.append((child, self._line(i)))
            self.lines.setdefault(child, self._line(i))  # a field's errors point at its key
            i = self._skip(self._value(self._skip(self._skip(end) + 1), child))
            i = self._skip(i + 1) if self._text[i] == "," else i
        return i + 1

    def _items(self, i: int, path: str) -> int:
        n = 0
        while self._text[i] != "]":
            i, n = self._skip(self._value(i, f"{path}[{n}]")), n + 1
            i = self._skip(i + 1) if self._text[i] == "," else i
        return i + 1


class _Reader:
    """Typed field access that records a problem and returns a placeholder instead of raising."""

    def __init__(self, positions: _Positions) -> None:
        self._lines = positions.lines
        duplicates = positions.duplicates
        self.problems = [
            CatalogueProblem(n, p, "trường bị khai báo hai lần") for p, n in duplicates
        ]

    def fail(self, path: str, message: str) -> None:
        probe = path  # a missing field has no line of its own: use its nearest present ancestor
        while probe and probe not in self._lines:
            probe = _parent(probe)
        self.problems.append(CatalogueProblem(self._lines.get(probe), path, message))

    def many(
        self, obj: dict[str, object], key: str, path: str, item: _Item[T], non_empty: bool = False
    ) -> tuple[T, ...]:
        value, where = obj.get(key), _join(path, key)
        if not isinstance(value, list):
            if key in obj:
                self.fail(where, "phải là một danh sách […]")
            return ()
        if non_empty and not value:
            self.fail(where, "phải có ít nhất một phần tử")
        # Invalid elements stay in as None placeholders so index i keeps meaning `key[i]`; any
        # placeholder implies a recorded problem, so it never reaches a returned Catalogue.
        return tuple(item(self, raw, f"{where}[{i}]") for i, raw in enumerate(value))

    def record(self, raw: object, path: str, fields: _Fields) -> dict[str, Any] | None:
        """Read an object whose keys are exactly the dataclass fields listed in `fields`."""
        if not isinstance(raw, dict):
            self.fail(path, "phải là một đối tượng JSON {…}")
            return None
        for name, _, required in fields:
            if required and name not in raw:
                self.fail(_join(path, name), "thiếu trường bắt buộc")
        for key in raw.keys() - {name for name, _, _ in fields}:
            self.fail(_join(path, key), "trường không được hỗ trợ (kiểm tra chính tả)")
        return {name: read(self, raw, name, path) for name, read, _ in fields}

    def unique(self, entries: Iterable[tuple[str, object]], what: str) -> None:
        seen: dict[object, str] = {}
        for path, key in entries:
            if key in ("", None, 0):
                continue  # an empty or invalid value is already reported where it was read
            if key in seen:
                self.fail(path, f"{what} «{key}» bị trùng (đã có tại {seen[key]})")
            seen.setdefault(key, path)

    def known(self, path: str, value: str | None, known: dict[str, Any], what: str) -> None:
        if value and value not in known:
            self.fail(path, f"{what} «{value}» không có trong danh mục")

    def validity(self, path: str, spec: AdministrativeUnitSpec | AgencySpec) -> None:
        if spec.valid_from and spec.valid_to and spec.valid_to < spec.valid_from:
            self.fail(_join(path, "valid_to"), "valid_to phải bằng hoặc sau valid_from")
        if spec.successor and spec.valid_to is None:
            self.fail(_join(path, "successor"), "chỉ khai báo successor khi đã có valid_to")
        if spec.successor and spec.successor == spec.id:
            self.fail(_join(path, "successor"), "không thể tự kế thừa chính mình")


_Item = Callable[[_Reader, object, str], T]  # reads one list element at a path
_Read = Callable[[_Reader, dict[str, object], str, str], Any]  # reads obj[key] at a path
_Fields = tuple[tuple[str, _Read, bool], ...]  # (key, reader, required)
_Check = Callable[[_Reader, str, dict[str, Any]], None]  # cross-field rule on a read record


@cache
def _spec(layout: str) -> _Fields:
    """(key, reader, required) from `key:kind` words; kind defaults to required text, a leading
    `?` marks an optional key. Keys are the dataclass field names, so a record maps 1:1 onto it."""
    words = [(word.lstrip("?").partition(":"), word.startswith("?")) for word in layout.split()]
    return tuple((key, _KINDS_OF_FIELD[kind or "text"], not opt) for (key, _, kind), opt in words)


def _entity(build: Callable[..., T], layout: str, check: _Check | None = None) -> _Item[T | None]:
    def read(r: _Reader, raw: object, path: str) -> T | None:
        fields = r.record(raw, path, _spec(layout))
        if fields is None:
            return None
        if check is not None:
            check(r, path, fields)
        return build(**fields)

    return read


def _many(item: _Item[Any], non_empty: bool = False) -> _Read:
    return lambda r, obj, key, path: r.many(obj, key, path, item, non_empty)


def _item(convert: Callable[[object], Any], problem: str) -> _Item[Any]:
    """An element reader: `convert` returns the typed value, or None when the value is invalid."""

    def read(r: _Reader, raw: object, path: str) -> Any:
        value = convert(raw)
        if value is None:
            r.fail(path, problem)
        return value

    return read


def _field(
    convert: Callable[[object], Any], problem: str, default: Any = None, nullable: bool = False
) -> _Read:
    """A field reader; a missing key is reported by `_Reader.record`, an explicit null here."""

    def read(r: _Reader, obj: dict[str, object], key: str, path: str) -> Any:
        if obj.get(key) is None:
            if key in obj and not nullable:
                r.fail(_join(path, key), "không được để trống")
            return default
        return _item(convert, problem)(r, obj[key], _join(path, key))

    return read


def _text(value: object) -> str | None:
    return (_clean(value) or None) if isinstance(value, str) else None


def _note(value: object) -> str | None:
    return _clean(value) if isinstance(value, str) else None


def _day(value: object) -> date | None:
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None  # well-formed but impossible, e.g. 2025-02-30
    return None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _whole(minimum: int) -> Callable[[object], int | None]:
    return lambda v: v if isinstance(v, int) and not isinstance(v, bool) and v >= minimum else None


def _among(allowed: dict[Any, Any]) -> Callable[[object], Any]:
    def convert(value: object) -> Any:
        key = _clean(value) if isinstance(value, str) else value
        return (
            allowed.get(key) if isinstance(key, str | int) and not isinstance(key, bool) else None
        )

    return convert


def _choices(allowed: dict[Any, Any]) -> str:
    return f"phải là một trong: {', '.join(map(str, allowed))}"


def _duration(r: _Reader, obj: dict[str, object], key: str, path: str) -> Duration | None:
    raw = obj.get(key)
    fields = r.record(raw, _join(path, key), _spec("?value:count unit")) if key in obj else None
    if fields is None or not fields["unit"]:
        return None
    if fields["value"] is None and isinstance(raw, dict) and raw.get("value") is not None:
        return None  # the bad value is already reported
    try:
        return Duration.parse(fields["value"] or 0, fields["unit"])
    except ValidationError as exc:
        r.fail(_join(path, f"{key}.{'unit' if exc.field == 'unit' else 'value'}"), exc.message)
        return None


def _check_component(r: _Reader, path: str, fields: dict[str, Any]) -> None:
    if fields["originals"] == 0 and fields["copies"] == 0:
        r.fail(_join(path, "copies"), "số bản chính và số bản sao không được cùng bằng 0")


def _check_fee(r: _Reader, path: str, fields: dict[str, Any]) -> None:
    tiers: tuple[FeeTier | None, ...] = fields["tiers"]
    bounds = [t.up_to if t else 0 for t in tiers]
    numeric = [b for b in bounds[:-1] if b is not None]
    if (tiers or fields["cap"] is not None) and fields["unit"] == "per-dossier":
        r.fail(_join(path, "unit"), "bậc (tiers) và mức trần (cap) chỉ dùng với per-page, per-copy")
    if tiers and (None in bounds[:-1] or bounds[-1] is not None):
        r.fail(_join(path, "tiers"), "chỉ bậc cuối cùng có up_to = null, các bậc trước phải có số")
    elif numeric != sorted(set(numeric)):
        r.fail(_join(path, "tiers"), "up_to của các bậc phải tăng dần")
    if tiers and tiers[0] and fields["amount"] not in (None, tiers[0].amount):
        r.fail(_join(path, "amount"), "phải bằng mức thu của bậc đầu tiên")


def _check_procedure(r: _Reader, path: str, fields: dict[str, Any]) -> None:
    for key in ("receiving_agencies", "result_delivery", "channels"):
        r.unique(((f"{path}.{key}[{i}]", v) for i, v in enumerate(fields[key])), "giá trị")
    codes = [(f"{path}.fees[{i}].code", f.code if f else "") for i, f in enumerate(fields["fees"])]
    r.unique(codes, "mã phí")


_VALIDITY = "valid_from:date ?valid_to:end_date ?successor:ref ?illustrative:flag"
_UNIT = f"id code name level:level ?parent:ref {_VALIDITY}"
_AGENCY = f"id e_identifier name ?parent_name:note unit {_VALIDITY}"
_POINT = "id name agency unit place counters:counters"
_COMPONENT = "name originals:count copies:count ?must_digitise:flag ?note:note"
_FEE = "code name kind:fee_kind amount:count unit:fee_unit ?tiers:tiers ?cap:cap ?note:note"
_PROCEDURE = (
    "code version:version effective_from:date name field level:level resolving_agency"
    " receiving_agencies:agency_ids duration:duration components:components fees:fees result"
    " result_delivery:deliveries channels:channels ?illustrative:flag ?note:note"
)
_ROOT = (
    "format province_name units:units agencies:agencies receiving_points:points"
    " procedures:procedures"
)
_TEXT = "phải là chuỗi ký tự không rỗng"
_DATE = "phải là ngày có thật, dạng YYYY-MM-DD (ví dụ 2025-07-01)"
_KINDS_OF_FIELD: dict[str, _Read] = {
    "text": _field(_text, _TEXT),
    "note": _field(_note, "phải là chuỗi ký tự", default="", nullable=True),
    "ref": _field(_text, f"{_TEXT} hoặc null", nullable=True),
    "date": _field(_day, _DATE),
    "end_date": _field(_day, f"{_DATE} hoặc null", nullable=True),
    "count": _field(_whole(0), "phải là số nguyên không âm"),
    "version": _field(_whole(1), "phải là số nguyên từ 1 trở lên"),
    "bound": _field(_whole(1), "phải là số nguyên từ 1 trở lên hoặc null", nullable=True),
    "cap": _field(_whole(0), "phải là số nguyên không âm hoặc null", nullable=True),
    "flag": _field(_flag, "phải là true hoặc false", default=False),
    "level": _field(_among(_LEVELS), _choices(_LEVELS)),
    "fee_kind": _field(_among(_KINDS), _choices(_KINDS)),
    "fee_unit": _field(_among(_FEE_UNITS), _choices(_FEE_UNITS)),
    "duration": _duration,
    "agency_ids": _many(_item(_text, "phải là id của một cơ quan"), non_empty=True),
    "deliveries": _many(_item(_among(_DELIVERIES), _choices(_DELIVERIES)), non_empty=True),
    "channels": _many(_item(_among(_CHANNELS), _choices(_CHANNELS)), non_empty=True),
    "counters": _many(_entity(CounterSpec, "id name"), non_empty=True),
    "tiers": _many(_entity(FeeTier, "up_to:bound amount:count")),
    "components": _many(_entity(ComponentSpec, _COMPONENT, _check_component)),
    "fees": _many(_entity(FeeItemSpec, f"{_FEE} ?illustrative:flag", _check_fee)),
    "units": _many(_entity(AdministrativeUnitSpec, _UNIT), non_empty=True),
    "agencies": _many(_entity(AgencySpec, _AGENCY), non_empty=True),
    "points": _many(_entity(ReceivingPointSpec, _POINT), non_empty=True),
    "procedures": _many(_entity(ProcedureSpec, _PROCEDURE, _check_procedure), non_empty=True),
}
_read_catalogue = _entity(Catalogue, _ROOT)


def _catalogue(r: _Reader, data: object) -> Catalogue | None:
    catalogue = _read_catalogue(r, data, "")
    if catalogue is not None:
        if catalogue.format and catalogue.format != FORMAT_ID:
            r.fail("format", f"«{catalogue.format}» không được hỗ trợ (cần «{FORMAT_ID}»)")
        _cross_check(r, catalogue)
    return catalogue


def _cross_check(r: _Reader, c: Catalogue) -> None:
    """Uniqueness and references, once everything is read (so forward references are fine)."""
    units = [(f"units[{i}]", u) for i, u in enumerate(c.units) if u]
    agencies = [(f"agencies[{i}]", a) for i, a in enumerate(c.agencies) if a]
    points = [(f"receiving_points[{i}]", p) for i, p in enumerate(c.receiving_points) if p]
    procedures = [(f"procedures[{i}]", p) for i, p in enumerate(c.procedures) if p]
    r.unique(((f"{w}.id", u.id) for w, u in units), "id đơn vị hành chính")
    r.unique(((f"{w}.code", u.code) for w, u in units), "mã đơn vị hành chính")
    r.unique(((f"{w}.id", a.id) for w, a in agencies), "id cơ quan")
    r.unique(((f"{w}.e_identifier", a.e_identifier) for w, a in agencies), "mã định danh")
    r.unique(((f"{w}.id", p.id) for w, p in points), "id điểm tiếp nhận")
    counters = (
        (f"{w}.counters[{i}].id", k.id) for w, p in points for i, k in enumerate(p.counters) if k
    )
    r.unique(counters, "id quầy")  # counters are workstation identities across the province
    # (code, version) is the procedure key: a new version is a new entry with its own start date.
    keys = ((w, f"{p.code}, phiên bản {p.version}") for w, p in procedures)
    r.unique(keys, "thủ tục")
    level_of = {u.id: u.level for _, u in units}
    unit_of = {a.id: a.unit for _, a in agencies}
    for w, u in units:
        if u.level == "province" and u.parent:
            r.fail(f"{w}.parent", "đơn vị cấp tỉnh không có đơn vị cha")
        elif u.level == "commune" and level_of.get(u.parent or "") != "province":
            r.fail(f"{w}.parent", "đơn vị cấp xã phải có parent là id của một đơn vị cấp tỉnh")
        r.known(f"{w}.successor", u.successor, level_of, "đơn vị")
        r.validity(w, u)
    for w, a in agencies:
        if a.e_identifier and not E_IDENTIFIER_RE.match(a.e_identifier):
            r.fail(f"{w}.e_identifier", f"«{a.e_identifier}» sai dạng QĐ 20/2020 (000.00.20.H12)")
        r.known(f"{w}.unit", a.unit, level_of, "đơn vị")
        r.known(f"{w}.successor", a.successor, unit_of, "cơ quan")
        r.validity(w, a)
    for w, p in points:
        r.known(f"{w}.agency", p.agency, unit_of, "cơ quan")
        r.known(f"{w}.unit", p.unit, level_of, "đơn vị")
    for w, proc in procedures:
        r.known(f"{w}.resolving_agency", proc.resolving_agency, unit_of, "cơ quan")
        for i, agency_id in enumerate(proc.receiving_agencies):
            r.known(f"{w}.receiving_agencies[{i}]", agency_id, unit_of, "cơ quan")
        resolver_level = level_of.get(unit_of.get(proc.resolving_agency, ""))
        if proc.level and resolver_level and resolver_level != proc.level:
            message = f"«{proc.level}» khác cấp của cơ quan giải quyết ({resolver_level})"
            r.fail(f"{w}.level", message)
