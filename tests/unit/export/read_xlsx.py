#!/usr/bin/python3
"""Reads an .xlsx back for tests/unit/export/xlsx_test.cc, independently of libxlsxwriter.

  read_xlsx.py dump FILE    one fact per line, tab-separated, values as JSON
  read_xlsx.py rows FILE    the row count of each sheet, read with openpyxl in read_only mode

openpyxl keeps charts only partly, so charts are read from the zip itself: every <c:f> range and
every cached value (<c:pt> inside <c:numCache>) of every chart part.
"""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def out(*fields):
    print("\t".join(fields))


def j(value):
    return json.dumps(value, ensure_ascii=True)


def dump(path):
    wb = openpyxl.load_workbook(path)
    out("sheets", j(wb.sheetnames))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = cell.value
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                out("cell", ws.title + "!" + cell.coordinate, cell.data_type, j(value),
                    j(cell.number_format), j(bool(cell.font.b)),
                    j(cell.alignment.horizontal or ""), j(bool(cell.alignment.wrap_text)),
                    j(cell.border.bottom.style or ""))
        out("freeze", ws.title, j(ws.freeze_panes or ""))
        out("autofilter", ws.title, j(ws.auto_filter.ref or ""))
        for key, dim in sorted(ws.column_dimensions.items()):
            if dim.width:
                out("width", ws.title, key, str(dim.min), str(dim.max), j(round(dim.width, 2)))
    p = wb.properties
    for name in ("title", "subject", "creator", "keywords", "description"):
        out("property", name, j(getattr(p, name) or ""))

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        app = z.read("docProps/app.xml").decode("utf-8")
        m = re.search(r"<Company>(.*?)</Company>", app)
        out("property", "company", j(m.group(1) if m else ""))
        # Which sheets carry a drawing (a chart is placed through one).
        book_rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        book = z.read("xl/workbook.xml").decode("utf-8")
        for name, rid in re.findall(r'<sheet name="([^"]*)" sheetId="\d+" r:id="(rId\d+)"', book):
            target = re.search(r'Id="%s"[^>]*Target="([^"]*)"' % rid, book_rels) or \
                re.search(r'Target="([^"]*)"[^>]*Id="%s"' % rid, book_rels)
            sheet_file = "xl/" + target.group(1)
            rels = sheet_file.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels in names and "drawing" in z.read(rels).decode("utf-8"):
                out("drawing", j(name))
        for part in sorted(n for n in names if re.match(r"xl/charts/chart\d+\.xml$", n)):
            chart = part.rsplit("/", 1)[1]
            out("chart", chart)
            root = ET.fromstring(z.read(part))
            for s, ser in enumerate(root.iter(C + "ser")):
                for f in ser.iter(C + "f"):
                    out("chartref", chart, str(s), j(f.text))
                val = ser.find(C + "val")
                cache = val.find(C + "numRef/" + C + "numCache") if val is not None else None
                if cache is None:
                    out("nocache", chart, str(s))
                    continue
                out("ptcount", chart, str(s), cache.find(C + "ptCount").get("val"))
                for pt in cache.findall(C + "pt"):
                    out("numcache", chart, str(s), pt.get("idx"), j(pt.find(C + "v").text))


def rows(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        n = 0
        last = None
        for row in ws.iter_rows(values_only=True):
            n += 1
            last = row
        out("rows", ws.title, str(n))
        out("last", ws.title, j([v for v in last] if last else []))
    wb.close()


if __name__ == "__main__":
    {"dump": dump, "rows": rows}[sys.argv[1]](sys.argv[2])
