#!/usr/bin/python3
"""An independent reading of an audit's population (docs/qa-lead-guide.md), straight from the
SQLite file with Python's sqlite3 module: the population, its strata, the canonical listing's
SHA-256, and the largest-remainder allocation of a sample size over the strata.

usage: population.py DB AUDIT_ID STRATA SIZE   (STRATA: none, agency, entry_point, age_band,
category). Prints one JSON object."""
import hashlib
import json
import sys
import sqlite3

SEXUAL_ABUSE = {"SAB", "19A", "19B", "19C", "11A"}


def age_band(age):
    if age is None or age < 0 or age > 17:
        return "unknown"
    if age < 1:
        return "under 1"
    if age <= 4:
        return "1-4"
    if age <= 9:
        return "5-9"
    if age <= 15:
        return "10-15"
    return "16-17"


def main():
    db, audit_id, strata, size = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    start, end, scope = con.execute(
        "SELECT period_start, period_end, scope FROM audits WHERE id = ?", (audit_id,)).fetchone()
    scope = json.loads(scope)
    events = {}
    for child, date, code, eid, ep, age, cat in con.execute(
            "SELECT l.child_id, e.event_date, a.code, e.id, coalesce(e.entry_point, ''), "
            "e.age_years, coalesce(e.category, '') FROM events e "
            "JOIN event_links l ON l.event_id = e.id JOIN agencies a ON a.id = e.agency_id"):
        events.setdefault(child, []).append((date, code, eid, ep, age, set(filter(None, cat.split(";")))))
    flags = {}
    for child, rule in con.execute(
            "SELECT child_id, rule_id FROM flags WHERE status IN ('open', 'confirmed')"):
        flags.setdefault(child, set()).add(rule)
    keys = dict(con.execute("SELECT id, display_key FROM children"))

    lines, counts = [], {}
    for child, evs in events.items():
        evs.sort()
        period = [e for e in evs if start <= e[0] <= end]
        if not period:
            continue
        codes = set().union(*(e[5] for e in evs))
        if scope.get("categories") and not codes & set(scope["categories"]):
            continue
        if scope.get("flag_rules") and not flags.get(child, set()) & set(scope["flag_rules"]):
            continue
        if scope.get("entry_points") and not {e[3] for e in period} & set(scope["entry_points"]):
            continue
        if strata == "agency":
            stratum = period[0][1]
        elif strata == "entry_point":
            stratum = next((e[3] for e in period if e[3]), "unknown")
        elif strata == "age_band":
            ages = [e[4] for e in period if e[0] == period[0][0] and e[4] is not None]
            stratum = age_band(ages[0] if ages else None)
        elif strata == "category":
            stratum = "sexual abuse" if codes & SEXUAL_ABUSE else "other"
        else:
            stratum = "all"
        lines.append(f"{keys[child]}\t{stratum}\t{1 if child in flags else 0}\n")
        counts[stratum] = counts.get(stratum, 0) + 1
    lines.sort(key=lambda s: s.encode())
    total = len(lines)
    quota = {s: size * n // total for s, n in counts.items()} if total else {}
    left = size - sum(quota.values())
    for s in sorted(counts, key=lambda s: (-(size * counts[s] % total), s.encode()))[:left]:
        quota[s] += 1
    print(json.dumps({
        "population": total,
        "sha256": hashlib.sha256("".join(lines).encode()).hexdigest(),
        "strata": counts,
        "allocation": {s: q for s, q in quota.items() if q},
        "flagged": sum(1 for l in lines if l.endswith("\t1\n")),
    }))


if __name__ == "__main__":
    main()
