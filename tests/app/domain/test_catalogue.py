"""The catalogue import format: the bundled demo, normalisation, and one test per validation rule
checking that the problem names the right JSON path *and* the line an administrator must fix."""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.catalogue import (
    FORMAT_ID,
    Catalogue,
    CatalogueFormatError,
    CatalogueProblem,
    FeeTier,
    load_catalogue_file,
    parse_catalogue,
)
from app.domain.durations import DurationUnit
from app.domain.errors import ValidationError
from resources import resource_path

Doc = dict[str, Any]


def base_doc() -> Doc:
    """A small valid catalogue; the e-identifiers are the two shapes quoted in DOMAIN §3."""
    return {
        "format": FORMAT_ID,
        "province_name": "Sơn La",
        "units": [
            {"id": "son-la", "code": "14", "name": "Tỉnh Sơn La", "level": "province",
             "valid_from": "2025-07-01"},
            {"id": "to-hieu", "code": "03646", "name": "Phường Tô Hiệu", "level": "commune",
             "parent": "son-la", "valid_from": "2025-07-01"},
        ],
        "agencies": [
            {"id": "ag-tinh", "e_identifier": "000.00.20.H12", "name": "Sở Tư pháp tỉnh Sơn La",
             "parent_name": "UBND TỈNH SƠN LA", "unit": "son-la", "valid_from": "2025-07-01"},
            {"id": "ag-xa", "e_identifier": "H15.50.05.13", "name": "UBND phường Tô Hiệu",
             "unit": "to-hieu", "valid_from": "2025-07-01"},
        ],
        "receiving_points": [
            {"id": "rp-xa", "name": "Trung tâm PVHCC phường Tô Hiệu", "agency": "ag-xa",
             "unit": "to-hieu", "place": "Tô Hiệu", "counters": [{"id": "q1", "name": "Quầy 1"}]},
        ],
        "procedures": [
            {
                "code": "2.000815",
                "version": 1,
                "effective_from": "2025-07-01",
                "name": "Chứng thực bản sao từ bản chính",
                "field": "Chứng thực",
                "level": "commune",
                "resolving_agency": "ag-xa",
                "receiving_agencies": ["ag-xa"],
                "duration": {"value": 3, "unit": "working-days"},
                "components": [{"name": "Bản chính giấy tờ", "originals": 1, "copies": 2}],
                "fees": [
                    {"code": "P-CTBS", "name": "Phí chứng thực", "kind": "phí", "amount": 2000,
                     "unit": "per-page", "tiers": [{"up_to": 2, "amount": 2000},
                                                   {"up_to": None, "amount": 1000}],
                     "cap": 200000},
                ],
                "result": "Bản sao được chứng thực",
                "result_delivery": ["counter"],
                "channels": [1, 2],
            }
        ],
    }  # fmt: skip


def dump(doc: Doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


def problems_of(text: str) -> tuple[CatalogueProblem, ...]:
    with pytest.raises(CatalogueFormatError) as info:
        parse_catalogue(text)
    return info.value.problems


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in the document"
    return hits[occurrence - 1]


def opening_of(needle: str, occurrence: int = 1) -> Callable[[str], int]:
    """Line of the `{` of the object whose first key line contains `needle` (json indent=2)."""
    return lambda text: line_of(text, needle, occurrence) - 1


def at(needle: str, occurrence: int = 1) -> Callable[[str], int]:
    return lambda text: line_of(text, needle, occurrence)


def below(needle: str, lines: int) -> Callable[[str], int]:
    """Line of the `lines`-th element of a list that json indent=2 spreads over lines."""
    return lambda text: line_of(text, needle) + lines


def proc(doc: Doc) -> Doc:
    result: Doc = doc["procedures"][0]
    return result


# ------------------------------------------------------------------------------------ the demo


@pytest.fixture(scope="module")
def demo() -> Catalogue:
    return load_catalogue_file(resource_path("catalogue", "demo.json"))


def test_demo_catalogue_parses_with_its_format_id(demo: Catalogue) -> None:
    assert demo.format == FORMAT_ID
    assert demo.province_name == "Sơn La"


def test_demo_has_at_least_28_procedures_at_both_levels(demo: Catalogue) -> None:
    assert len(demo.procedures) >= 28
    levels = [p.level for p in demo.procedures]
    assert levels.count("commune") >= 10
    assert levels.count("province") >= 5


def test_demo_uses_every_duration_unit(demo: Catalogue) -> None:
    assert {p.duration.unit for p in demo.procedures} == set(DurationUnit)


def test_demo_has_a_procedure_with_at_least_15_components_for_printing(demo: Catalogue) -> None:
    assert max(len(p.components) for p in demo.procedures) >= 15


def test_demo_has_one_province_and_a_post_2025_ward_with_a_superseded_predecessor(
    demo: Catalogue,
) -> None:
    current = [u for u in demo.units if u.valid_to is None]
    assert {u.level for u in current} == {"province", "commune"}
    old = next(u for u in demo.units if u.valid_to is not None)
    assert old.valid_to == date(2025, 6, 30)
    assert old.successor in {u.id for u in current}


def test_demo_receiving_points_have_two_and_one_counters(demo: Catalogue) -> None:
    counts = sorted(len(p.counters) for p in demo.receiving_points)
    assert counts == [1, 2]
    assert all(p.place for p in demo.receiving_points)


def test_demo_chung_thuc_ban_sao_fee_follows_the_national_tiers(demo: Catalogue) -> None:
    procedure = demo.procedure("2.000815")
    assert procedure is not None
    (item,) = procedure.fees
    assert (item.kind, item.unit, item.amount, item.cap) == ("phí", "per-page", 2000, 200000)
    assert item.tiers == (FeeTier(2, 2000), FeeTier(None, 1000))
    assert not item.illustrative


def test_demo_every_e_identifier_is_flagged_illustrative(demo: Catalogue) -> None:
    # The real identifiers are not published in the sources used; a pilot must load its own.
    assert all(a.illustrative for a in demo.agencies)


# ----------------------------------------------------------------------- normalisation and API


def test_base_document_parses_and_accepts_both_domain_e_identifier_shapes() -> None:
    catalogue = parse_catalogue(dump(base_doc()))
    assert [a.e_identifier for a in catalogue.agencies] == ["000.00.20.H12", "H15.50.05.13"]
    assert catalogue.procedures[0].duration.describe() == "03 ngày làm việc"


def test_nfd_text_comes_out_nfc_and_enums_written_in_nfd_are_recognised() -> None:
    doc = base_doc()
    doc["province_name"] = unicodedata.normalize("NFD", "Sơn La")
    proc(doc)["name"] = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    proc(doc)["fees"][0]["kind"] = unicodedata.normalize("NFD", "lệ phí")
    catalogue = parse_catalogue(dump(doc))
    assert catalogue.province_name == "Sơn La"
    assert catalogue.procedures[0].name == unicodedata.normalize("NFC", "Đăng ký khai sinh")
    assert catalogue.procedures[0].fees[0].kind == "lệ phí"


def test_text_is_trimmed_and_inner_whitespace_collapsed() -> None:
    doc = base_doc()
    proc(doc)["name"] = "  Chứng thực \t bản sao\n "
    assert parse_catalogue(dump(doc)).procedures[0].name == "Chứng thực bản sao"


def test_same_code_with_a_new_version_is_accepted_and_lookup_prefers_the_latest() -> None:
    doc = base_doc()
    newer = copy.deepcopy(proc(doc))
    newer.update(version=2, effective_from="2026-01-01", duration={"unit": "same-day"})
    doc["procedures"].append(newer)
    catalogue = parse_catalogue(dump(doc))
    latest = catalogue.procedure("2.000815")
    assert latest is not None and latest.version == 2
    first = catalogue.procedure("2.000815", version=1)
    assert first is not None and first.duration.value == 3
    assert catalogue.procedure("9.999999") is None


def test_load_catalogue_file_accepts_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "tinh.json"
    path.write_bytes(b"\xef\xbb\xbf" + dump(base_doc()).encode("utf-8"))
    assert load_catalogue_file(path).province_name == "Sơn La"


def test_load_catalogue_file_refuses_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "tinh.json"
    path.write_bytes(dump(base_doc()).encode("utf-16"))
    with pytest.raises(CatalogueFormatError) as info:
        load_catalogue_file(path)
    assert "UTF-8" in info.value.problems[0].message
    assert "tinh.json" in info.value.message


# ------------------------------------------------------------------------ one rule, one problem


Mutation = Callable[[Doc], None]
RULES: list[tuple[str, Mutation, str, Callable[[str], int]]] = [
    ("missing required field",
     lambda d: proc(d).pop("name"), "procedures[0].name", opening_of('"code": "2.000815"')),
    ("empty text", lambda d: proc(d).update(name="   "), "procedures[0].name", at('"name": "   "')),
    ("string where an integer is needed",
     lambda d: proc(d).update(version="1"), "procedures[0].version", at('"version": "1"')),
    ("version below one", lambda d: proc(d).update(version=0), "procedures[0].version",
     at('"version": 0')),
    ("unknown unit level", lambda d: d["units"][1].update(level="district"), "units[1].level",
     at('"level": "district"')),
    ("unknown duration unit", lambda d: proc(d)["duration"].update(unit="weeks"),
     "procedures[0].duration.unit", at('"unit": "weeks"')),
    ("zero working days", lambda d: proc(d)["duration"].update(value=0),
     "procedures[0].duration.value", at('"value": 0')),
    ("duration value as text", lambda d: proc(d)["duration"].update(value="3"),
     "procedures[0].duration.value", at('"value": "3"')),
    ("duplicate unit id", lambda d: d["units"].append({**d["units"][0], "code": "99"}),
     "units[2].id", at('"id": "son-la"', 2)),
    ("duplicate unit code", lambda d: d["units"][1].update(code="14"), "units[1].code",
     at('"code": "14"', 2)),
    ("duplicate e-identifier", lambda d: d["agencies"][1].update(e_identifier="000.00.20.H12"),
     "agencies[1].e_identifier", at('"e_identifier": "000.00.20.H12"', 2)),
    ("duplicate counter id",
     lambda d: d["receiving_points"][0]["counters"].append({"id": "q1", "name": "Quầy 2"}),
     "receiving_points[0].counters[1].id", at('"id": "q1"', 2)),
    ("agency in an unknown unit", lambda d: d["agencies"][0].update(unit="ha-noi"),
     "agencies[0].unit", at('"unit": "ha-noi"')),
    ("unknown resolving agency", lambda d: proc(d).update(resolving_agency="so-khong-co"),
     "procedures[0].resolving_agency", at('"resolving_agency": "so-khong-co"')),
    ("unknown receiving agency", lambda d: proc(d).update(receiving_agencies=["ag-xa", "ag-x"]),
     "procedures[0].receiving_agencies[1]", at('"ag-x"')),
    ("receiving point of an unknown agency",
     lambda d: d["receiving_points"][0].update(agency="ag-khong-co"),
     "receiving_points[0].agency", at('"agency": "ag-khong-co"')),
    ("receiving point in an unknown unit",
     lambda d: d["receiving_points"][0].update(unit="xa-khong-co"),
     "receiving_points[0].unit", at('"unit": "xa-khong-co"')),
    ("unknown successor",
     lambda d: d["agencies"][1].update(valid_to="2026-12-31", successor="ag-moi"),
     "agencies[1].successor", at('"successor": "ag-moi"')),
    ("successor without an end date", lambda d: d["units"][1].update(successor="son-la"),
     "units[1].successor", at('"successor": "son-la"')),
    ("date not in ISO form", lambda d: d["units"][0].update(valid_from="01/07/2025"),
     "units[0].valid_from", at('"valid_from": "01/07/2025"')),
    ("impossible date", lambda d: proc(d).update(effective_from="2025-02-30"),
     "procedures[0].effective_from", at('"effective_from": "2025-02-30"')),
    ("valid_to before valid_from", lambda d: d["units"][1].update(valid_to="2025-06-30"),
     "units[1].valid_to", at('"valid_to": "2025-06-30"')),
    ("e-identifier with a missing level",
     lambda d: d["agencies"][0].update(e_identifier="00.20.H12"),
     "agencies[0].e_identifier", at('"e_identifier": "00.20.H12"')),
    ("e-identifier with too long a group",
     lambda d: d["agencies"][0].update(e_identifier="0000.00.20.H12"),
     "agencies[0].e_identifier", at('"e_identifier": "0000.00.20.H12"')),
    ("e-identifier in lower case", lambda d: d["agencies"][0].update(e_identifier="000.00.20.h12"),
     "agencies[0].e_identifier", at('"e_identifier": "000.00.20.h12"')),
    ("negative amount", lambda d: proc(d)["fees"][0].update(amount=-2000, tiers=[]),
     "procedures[0].fees[0].amount", at('"amount": -2000')),
    ("fractional amount", lambda d: proc(d)["fees"][0].update(amount=2000.5, tiers=[]),
     "procedures[0].fees[0].amount", at('"amount": 2000.5')),
    ("no originals and no copies",
     lambda d: proc(d)["components"][0].update(originals=0, copies=0),
     "procedures[0].components[0].copies", at('"copies": 0')),
    ("negative copies", lambda d: proc(d)["components"][0].update(copies=-1),
     "procedures[0].components[0].copies", at('"copies": -1')),
    ("misspelt key", lambda d: proc(d)["components"][0].update(must_digitize=True),
     "procedures[0].components[0].must_digitize", at('"must_digitize"')),
    ("unknown fee kind", lambda d: proc(d)["fees"][0].update(kind="thuế"),
     "procedures[0].fees[0].kind", at('"kind": "thuế"')),
    ("unknown fee unit", lambda d: proc(d)["fees"][0].update(unit="per-hour"),
     "procedures[0].fees[0].unit", at('"unit": "per-hour"')),
    ("tiers on a per-dossier fee", lambda d: proc(d)["fees"][0].update(unit="per-dossier"),
     "procedures[0].fees[0].unit", at('"unit": "per-dossier"')),
    ("tiers not increasing",
     lambda d: proc(d)["fees"][0]["tiers"].insert(1, {"up_to": 1, "amount": 1500}),
     "procedures[0].fees[0].tiers", at('"tiers"')),
    ("last tier bounded", lambda d: proc(d)["fees"][0]["tiers"][1].update(up_to=50),
     "procedures[0].fees[0].tiers", at('"tiers"')),
    ("amount differs from the first tier", lambda d: proc(d)["fees"][0].update(amount=3000),
     "procedures[0].fees[0].amount", at('"amount": 3000')),
    ("duplicate fee code", lambda d: proc(d)["fees"].append(dict(proc(d)["fees"][0])),
     "procedures[0].fees[1].code", at('"code": "P-CTBS"', 2)),
    ("unknown channel", lambda d: proc(d).update(channels=[1, 4]),
     "procedures[0].channels[1]", below('"channels": [', 2)),
    ("duplicate channel", lambda d: proc(d).update(channels=[2, 2]),
     "procedures[0].channels[1]", below('"channels": [', 2)),
    ("unknown delivery", lambda d: proc(d).update(result_delivery=["email"]),
     "procedures[0].result_delivery[0]", at('"email"')),
    ("commune without a parent", lambda d: d["units"][1].pop("parent"),
     "units[1].parent", opening_of('"id": "to-hieu"')),
    ("province with a parent", lambda d: d["units"][0].update(parent="to-hieu"),
     "units[0].parent", at('"parent": "to-hieu"')),
    ("level differs from the resolving agency", lambda d: proc(d).update(level="province"),
     "procedures[0].level", at('"level": "province"', 2)),
    ("receiving point without counters", lambda d: d["receiving_points"][0].update(counters=[]),
     "receiving_points[0].counters", at('"counters": []')),
    ("wrong format id", lambda d: d.update(format="motcua-catalogue/2"), "format", at('"format"')),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "path", "locate"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])  # fmt: skip
def test_each_rule_reports_its_path_and_line(
    mutate: Mutation, path: str, locate: Callable[[str], int]
) -> None:
    doc = base_doc()
    mutate(doc)
    text = dump(doc)
    problems = problems_of(text)
    assert [(p.path, p.line) for p in problems] == [(path, locate(text))], problems
    assert problems[0].message


def test_duplicate_code_and_version_is_refused_at_the_second_procedure() -> None:
    doc = base_doc()
    doc["procedures"].append(copy.deepcopy(proc(doc)))
    text = dump(doc)
    (problem,) = problems_of(text)
    assert problem.path == "procedures[1]"
    assert problem.line == line_of(text, '"code": "2.000815"', 2) - 1
    assert "2.000815" in problem.message and "procedures[0]" in problem.message


def test_duplicate_json_key_is_reported_on_its_second_line() -> None:
    text = dump(base_doc()).replace('"province_name": "Sơn La",', '"province_name": "A",\n'
                                    '  "province_name": "Sơn La",')  # fmt: skip
    (problem,) = problems_of(text)
    assert (problem.path, problem.line) == ("province_name", 4)


def test_all_problems_are_reported_together_in_file_order() -> None:
    doc = base_doc()
    doc["units"][1]["level"] = "huyện"
    proc(doc)["duration"]["unit"] = "days"
    proc(doc)["components"][0]["originals"] = -1
    text = dump(doc)
    with pytest.raises(CatalogueFormatError) as info:
        parse_catalogue(text, source="son-la.json")
    error = info.value
    assert [(p.line, p.path) for p in error.problems] == [
        (line_of(text, '"level": "huyện"'), "units[1].level"),
        (line_of(text, '"unit": "days"'), "procedures[0].duration.unit"),
        (line_of(text, '"originals": -1'), "procedures[0].components[0].originals"),
    ]
    assert error.message.startswith("Tệp danh mục «son-la.json» có 3 lỗi:")
    for problem in error.problems:
        assert f"- dòng {problem.line}, {problem.path}: {problem.message}" in error.message


def test_error_is_a_validation_error_with_a_stable_code() -> None:
    with pytest.raises(ValidationError) as info:
        parse_catalogue("[]")
    assert info.value.code == "catalogue.invalid"
    assert info.value.params["count"] == 1


def test_a_top_level_array_is_refused() -> None:
    (problem,) = problems_of("[]")
    assert (problem.line, problem.path) == (1, "")
    assert "(toàn tệp)" in problem.describe()


def test_syntax_error_gives_line_and_column() -> None:
    text = '{\n  "format": "motcua-catalogue/1"\n  "province_name": "Sơn La"\n}'
    (problem,) = problems_of(text)
    assert problem.line == 3
    assert "cột 3" in problem.message and "thiếu dấu phẩy" in problem.message


def test_unterminated_string_is_a_syntax_error() -> None:
    (problem,) = problems_of('{\n  "format": "motcua\n}')
    assert problem.line == 2
    assert "JSON sai cú pháp" in problem.message


def test_nan_is_not_accepted_as_a_number() -> None:
    text = dump(base_doc()).replace('"amount": 2000,', '"amount": NaN,')
    (problem,) = problems_of(text)
    assert "NaN" in problem.message


def test_the_complete_example_in_the_format_documentation_parses() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "CATALOGUE_FORMAT.md"
    blocks = doc.read_text(encoding="utf-8").split("```json\n")[1:]
    complete = next(b.split("```")[0] for b in blocks if '"procedures": [\n    {' in b)
    catalogue = parse_catalogue(complete)
    assert [p.code for p in catalogue.procedures] == ["1.001193"]
