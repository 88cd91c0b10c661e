"""Helpers of the import tests: files in each format, valid credit codes, store snapshots."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from gsyf_geo.credit_code import CHARSET, credit_code_check_char
from gsyf_geo.geography import towns
from gsyf_geo.store import KINDS, Store

# Town centres (WGS-84) used as known points inside their district.
HUTANG = "320412100"  # 湖塘镇, 武进区
CHUNJIANG = "320411004"  # 春江街道, 新北区
HENGLIN = "320412105"  # 横林镇, 武进区, 经开区
NANJING = (118.7969, 32.0603)  # 南京市: outside 常州


def town_point(code: str) -> tuple[float, float]:
    t = towns().set_index("code")
    return float(t.at[code, "lon"]), float(t.at[code, "lat"])


def credit_code(i: int, district: str = "320412") -> str:
    """A valid 统一社会信用代码 numbered ``i``."""
    digits = []
    n = i
    for _ in range(8):
        digits.append(CHARSET[n % 31])
        n //= 31
    body = "91" + district + "M" + "".join(reversed(digits))
    assert len(body) == 17
    return body + credit_code_check_char(body)


def csv_bytes(headers: list[str], rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(headers: list[str], rows: list[list[object]], title: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append([])
    ws.append(headers)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("数据")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for j, h in enumerate(headers):
        ws.write(0, j, h)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if v is None:
                continue
            if isinstance(v, date):
                ws.write(i, j, v, date_style)
            else:
                ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ENTERPRISE_HEADERS = ["统一社会信用代码", "单位名称", "行业代码", "职工人数", "参保人数", "辖市区",
                      "乡镇（街道）", "单位地址", "经度", "纬度"]  # fmt: skip


def enterprise_rows(n: int, start: int = 0) -> list[list[object]]:
    """``n`` valid enterprise rows in 武进 湖塘镇 with coordinates near the town centre."""
    lon, lat = town_point(HUTANG)
    rows = []
    for i in range(start, start + n):
        rows.append([
            credit_code(i), f"常州市测试{i}号机械有限公司", "C3412", 100 + i, 90 + i,
            "武进区", "湖塘镇", f"常州市武进区湖塘镇测试路 {i} 号",
            round(lon + 0.0001 * (i % 10), 6), round(lat + 0.0001 * (i // 10 % 10), 6),
        ])  # fmt: skip
    return rows


def snapshot(store: Store) -> dict[str, list[dict]]:
    """Every stored data row of every kind (without the geometry blob), sorted."""
    out: dict[str, list[dict]] = {}
    for kind in KINDS:
        df = pd.DataFrame(store.read(kind)).drop(columns=["geometry", "geom"], errors="ignore")
        pk = [c.name for c in KINDS[kind].__table__.primary_key.columns]
        df = df.sort_values(pk).reset_index(drop=True)
        df = df.astype(object).where(df.notna(), None)
        out[kind] = df.to_dict("records")
    return out


def batch_count(store: Store) -> int:
    return len(store.batches())


def shared_string_xlsx(headers: list[str], row: list[object], long_column: int, size: int) -> bytes:
    """A small XLSX (a few KB) whose data row has, in column ``long_column``, one shared
    string of ``size`` characters (built by hand: openpyxl would not write it)."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    strings: list[str] = []

    def cell(ref: str, value: object) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value}</v></c>'
        strings.append(str(value))
        return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'

    rows = []
    for r, values in enumerate([headers, row], start=1):
        cells = []
        for j, v in enumerate(values, start=1):
            if r == 2 and j - 1 == long_column:
                strings.append("9" * size)
                cells.append(f'<c r="{get_column_letter(j)}{r}" t="s"><v>{len(strings) - 1}</v></c>')
            elif v is not None:
                cells.append(cell(f"{get_column_letter(j)}{r}", v))
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(rows)}</sheetData></worksheet>'
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")  # fmt: skip
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}">'
            '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return buf.getvalue()
