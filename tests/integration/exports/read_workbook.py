#!/usr/bin/python3
"""An independent reading of an .xlsx workbook for the exports tests, with Debian's openpyxl and
zipfile: every sheet's cells (value and number format), frozen panes and autofilter, the
document properties, every XML part unzipped, the values cached in chart XML (every <c:v>, and
those of number caches apart) and the number of formula elements in the worksheets. Prints one JSON object.

usage: read_workbook.py FILE.xlsx"""
import json
import re
import sys
import zipfile

import openpyxl


def cell(c):
    if c.value is None:
        return None
    v = c.value
    if not isinstance(v, (int, float, str, bool)):
        v = str(v)
    return [v, c.number_format, c.data_type]


def main():
    path = sys.argv[1]
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = [[cell(c) for c in row] for row in ws.iter_rows()]
        sheets.append({
            "name": ws.title,
            "freeze": ws.freeze_panes or "",
            "autofilter": ws.auto_filter.ref or "",
            "charts": len(ws._charts),
            "rows": rows,
        })
    p = wb.properties
    props = {k: getattr(p, k) or "" for k in ("title", "subject", "creator", "keywords",
                                               "description")}
    xml, chart_values, chart_numbers, formulas = {}, [], [], 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8")
            xml[name] = text
            if name.startswith("xl/charts/") and name.endswith(".xml"):
                chart_values += re.findall(r"<c:v>([^<]*)</c:v>", text)
                for cache in re.findall(r"<c:numCache>(.*?)</c:numCache>", text, re.S):
                    chart_numbers += re.findall(r"<c:v>([^<]*)</c:v>", cache)
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                formulas += len(re.findall(r"<f[ >/]", text))
    json.dump({"sheets": sheets, "properties": props, "xml": xml, "chart_values": chart_values,
               "chart_numbers": chart_numbers, "formulas": formulas}, sys.stdout)


main()
