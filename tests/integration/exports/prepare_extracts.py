#!/usr/bin/python3
"""Plants canaries in a synthetic partnership before it is imported, for the exports tests: every
surname is prefixed with "Zanzibar", every notes field starts "Notecanary", one child's NHS number
becomes 943 476 5919 (valid, written with spaces, outside synth's range), and the agency CSC is
renamed "-CSC" (a valid code), so an agency code that reaches the detail CSV starts like a
formula; synth gives every child CSC events, so every sampled case has a "-CSC" return. Rewrites the
files in place; prints one JSON object with every identifier the extracts hold, for the test to
look for in the exports.

usage: prepare_extracts.py SYNTH_DIR"""
import csv
import glob
import json
import os
import sys

CANARY_NHS = "943 476 5919"
CANARY_SURNAME = "Zanzibar"
CANARY_NOTE = "Notecanary"
RENAMED = ("CSC", "-CSC")


def rename(code):
    return RENAMED[1] if code == RENAMED[0] else code


def main():
    synth = sys.argv[1]
    pfile = os.path.join(synth, "partnership.json")
    with open(pfile, encoding="utf-8") as f:
        partnership = json.load(f)
    for agency in partnership["agencies"]:
        agency["code"] = rename(agency["code"])
    with open(pfile, "w", encoding="utf-8") as f:
        json.dump(partnership, f, indent=1)

    files = sorted(glob.glob(os.path.join(synth, "events-*.csv")))
    tables = []
    for path in files:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            tables.append((path, rows))
    # The child given the canary NHS number: the first with one, in every file it appears in.
    target = next(r["nhs_number"] for _, rows in tables for r in rows if r["nhs_number"])
    out = {"nhs": set(), "event_refs": set(), "local_ids": set(), "canary_nhs": CANARY_NHS,
           "canary_surname": CANARY_SURNAME, "canary_note": CANARY_NOTE}
    for path, rows in tables:
        header = list(rows[0].keys()) if rows else []
        for r in rows:
            r["agency"] = rename(r["agency"])
            r["to_agency"] = rename(r["to_agency"])
            r["participants"] = ";".join(rename(p) for p in r["participants"].split(";") if p)
            if r["nhs_number"] == target:
                r["nhs_number"] = CANARY_NHS
            if r["surname"]:
                r["surname"] = CANARY_SURNAME + r["surname"]
            r["notes"] = (CANARY_NOTE + " " + r["notes"]).strip()
            if r["nhs_number"]:
                out["nhs"].add(r["nhs_number"].replace(" ", ""))
            if r["local_child_id"]:
                out["local_ids"].add(r["local_child_id"])
            out["event_refs"].add(r["event_id"])
        agency = os.path.basename(path)[len("events-"):-len(".csv")]
        target_path = os.path.join(synth, "events-%s.csv" % rename(agency))
        with open(target_path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=header)
            w.writeheader()
            w.writerows(rows)
        if target_path != path:
            os.remove(path)
    print(json.dumps({k: sorted(v) if isinstance(v, set) else v for k, v in out.items()}))


main()
