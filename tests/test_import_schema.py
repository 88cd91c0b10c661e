"""The import schema: documented columns, unambiguous headers, every NOT NULL column filled."""

from __future__ import annotations

from pathlib import Path

import pytest

from gsyf_geo.importing import schema as S
from gsyf_geo.store import KINDS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "import_columns.md"


def test_docs_are_generated_from_the_schema():
    assert DOCS.read_text(encoding="utf-8") == S.columns_markdown(), (
        "docs/import_columns.md is stale: python -m gsyf_geo.importing.schema > docs/import_columns.md"
    )


def test_docs_list_every_header_of_every_kind():
    text = DOCS.read_text(encoding="utf-8")
    for spec in S.KIND_SPECS.values():
        assert f"（`{spec.kind}`）" in text
        for col in spec.columns:
            assert f"| {col.header} |" in text


@pytest.mark.parametrize("kind", S.IMPORTABLE_KINDS)
def test_no_two_columns_share_a_header_or_alias(kind):
    spec = S.kind_spec(kind)
    seen: dict[str, str] = {}
    for col in spec.columns:
        names = {S.normalize_header(n) for n in (col.header, *col.aliases)}
        names |= {S.strip_brackets(n) for n in names}
        for n in names:
            assert seen.setdefault(n, col.field) == col.field, (kind, n, seen[n], col.field)


@pytest.mark.parametrize("kind", S.IMPORTABLE_KINDS)
def test_every_not_null_column_is_required_derived_or_defaulted(kind):
    """A row can always be stored: NOT NULL columns come from a required column, a default
    or the import itself (keys of the store, place, reporting unit, batch)."""
    spec = S.kind_spec(kind)
    derived = {"district", "reporting_unit", "is_demo", "key_industry"}
    required = {c.field for c in spec.columns if c.required}
    for col in KINDS[kind].__table__.c:
        if col.nullable or col.default is not None or col.name in derived:
            continue
        assert col.name in required, f"{kind}.{col.name} is NOT NULL but not required"


@pytest.mark.parametrize("kind", S.IMPORTABLE_KINDS)
def test_spec_fields_are_store_columns(kind):
    table = KINDS[kind].__table__
    for col in S.kind_spec(kind).columns:
        if col.stored and not col.export_only:
            target = "town_code" if col.field == "town" else col.field
            assert target in table.c, f"{kind}: {col.field}"


def test_header_variants_normalise_alike():
    n = S.normalize_header
    assert n(" 统一社会信用代码 * ") == n("统一社会信用代码")
    assert n("工程造价（万元）") == n("工程造价(万元)")
    assert S.strip_brackets(n("工程造价（万元）")) == n("工程造价")
    assert n("乡镇（街道）") == n("乡镇 (街道)")


def test_unknown_kind_is_named_in_chinese():
    with pytest.raises(ValueError, match="未知的数据类型"):
        S.kind_spec("people")
