#!/usr/bin/env python3
"""Checks the reference files of seed/ (everything but demo.json, see check_demo.py).

* shapes: field names, codes, enums, dates, unique keys (as the SQLite tables need them);
* arithmetic that the source documents guarantee (type rows add up to the total, printed
  percentages match the counts, monthly rows add up to the 総計 row);
* provenance: every figure is found, in one of its usual spellings (132,324 / 210.1万 / 768億 /
  full-width digits), in the text of the seed file its `source` cites. The seeds are looked for in
  $ONSHI_SEEDS_DIR, ../shared/seeds (beside the repository) or /work/shared/seeds; when none
  exists the provenance check is skipped with a warning.

Usage: python3 seed/tools/check_seed.py        exit 0 when all checks pass.
"""
import datetime
import json
import os
import re
import sys
import unicodedata
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.normpath(os.path.join(HERE, ".."))
REPO = os.path.normpath(os.path.join(SEED, ".."))

CATEGORIES = {"terminal", "card_reader", "generic_reader", "app_software", "network_setup", "router", "certificate",
              "lan_wiring", "receipt_system", "emr", "setup_labor", "training", "maintenance", "line_fee", "travel",
              "discount", "other"}
FACILITY_TYPES = {"hospital", "medical_clinic", "dental_clinic", "pharmacy", "large_chain_pharmacy", "all"}
PREFECTURES = {f"{i:02d}" for i in range(1, 48)}
ADOPTION_METRICS = {"facilities", "reader_applied", "ready", "connected", "operating", "survey_responses",
                    "survey_phone_responses", "survey_stage_portal_registered", "survey_stage_reader_applied",
                    "survey_stage_vendor_ordered", "survey_stage_installing", "survey_stage_installed"}
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
SEED_REF = re.compile(r"seeds/(\d{3}_[0-9a-f]{16}\.txt)")

errors, warnings = [], []


def fail(msg):
    errors.append(msg)


def load(name):
    with open(os.path.join(SEED, name), encoding="utf-8") as f:
        return json.load(f)


def is_date(s):
    try:
        datetime.date.fromisoformat(s)
        return True
    except (TypeError, ValueError):
        return False


def seeds_dir():
    for d in (os.environ.get("ONSHI_SEEDS_DIR"), os.path.join(REPO, "..", "shared", "seeds"), "/work/shared/seeds"):
        if d and os.path.isdir(d):
            return d
    return None


SEEDS = seeds_dir()
_texts = {}


def seed_text(fname):
    if fname not in _texts:
        with open(os.path.join(SEEDS, fname), encoding="utf-8") as f:
            t = unicodedata.normalize("NFKC", f.read())
        _texts[fname] = re.sub(r"\s+", "", t)
    return _texts[fname]


def dec(x):
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s


def spellings(x, unit=None):
    """Usual ways a number is printed in the seeds."""
    out = set()
    if isinstance(x, bool) or x is None:
        return out
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer()):
        n = int(x)
        out |= {str(n), f"{n:,}"}
        if n % 1000 == 0 and n >= 10000:
            out.add(dec(n / 10000) + "万")
            if n % 10000 == 0:
                out.add(f"{n // 10000:,}万")
        if n % 100000000 == 0 and n >= 100000000:
            out.add(dec(n / 100000000) + "億")
        if unit == "percent":
            out.add(f"{n}.0")
            if n % 10 == 0:
                out.add(f"{n // 10}割")
    else:
        out.add(dec(x))
        out.add(f"{x:.1f}")
    if unit == "ratio":
        fr = Fraction(str(x)).limit_denominator(10)
        out.add("実費補助" if fr == 1 else f"{fr.numerator}/{fr.denominator}")
    return out


def found(value, source, unit=None, where=""):
    if SEEDS is None or value is None or value == 0:
        return
    files = SEED_REF.findall(source)
    if not files:
        fail(f"{where}: source cites no seed file")
        return
    for fname in files:
        if not os.path.exists(os.path.join(SEEDS, fname)):
            fail(f"{where}: cited seed {fname} does not exist")
            return
    if any(sp in seed_text(fn) for fn in files for sp in spellings(value, unit)):
        return
    fail(f"{where}: {value} not found in {files} (tried {sorted(spellings(value, unit))})")


# Figures that are a unit conversion of what the seed prints, not a copy.
CONVERTED = {("mhlw_terminal_setup_automation", "not_automated_vendor_longest", "min"): "6時間以上"}


def check_makers_vendors():
    makers = load("reader_makers.json")
    codes = set()
    for m in makers:
        if set(m) != {"code", "name", "source"} or not SNAKE.match(m["code"]) or m["code"] in codes:
            fail(f"reader_makers: bad entry {m}")
        codes.add(m["code"])
        if SEEDS and m["name"].replace(" ", "") not in seed_text(SEED_REF.findall(m["source"])[0]):
            fail(f"reader_makers: {m['name']} not in its seed")
    vendors = load("vendors.json")
    codes = set()
    keys = {"code", "name", "supports_hospital", "supports_clinic", "note", "source"}
    for v in vendors:
        if set(v) != keys or not SNAKE.match(v["code"]) or v["code"] in codes:
            fail(f"vendors: bad entry {v.get('code')}")
        codes.add(v["code"])
        for k in ("supports_hospital", "supports_clinic"):
            if v[k] not in (True, False, None):
                fail(f"vendors: {v['code']}.{k} must be bool or null")
        if SEEDS and unicodedata.normalize("NFKC", v["name"]).replace(" ", "") not in seed_text(
                SEED_REF.findall(v["source"])[0]):
            fail(f"vendors: {v['name']} not in its seed")
    return len(makers), len(vendors)


def check_benchmarks():
    data = load("benchmarks.json")
    ids, nrows = set(), 0
    tkeys = {"id", "title_ja", "source", "unit", "verified", "note", "rows"}
    rkeys = {"key", "label_ja", "category", "min", "mean", "max", "value", "note"}
    for t in data["tables"]:
        if set(t) != tkeys or not SNAKE.match(t["id"]) or t["id"] in ids or not isinstance(t["verified"], bool):
            fail(f"benchmarks: bad table {t.get('id')}")
        ids.add(t["id"])
        keys = set()
        for r in t["rows"]:
            nrows += 1
            where = f"benchmarks {t['id']}.{r.get('key')}"
            if set(r) != rkeys or not SNAKE.match(r["key"]) or r["key"] in keys:
                fail(f"{where}: bad row keys")
            keys.add(r["key"])
            if r["category"] is not None and r["category"] not in CATEGORIES:
                fail(f"{where}: unknown category {r['category']}")
            for f in ("min", "mean", "max", "value"):
                x = r[f]
                if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float))):
                    fail(f"{where}.{f}: not a number")
                if t["unit"] == "yen" and x is not None and not isinstance(x, int):
                    fail(f"{where}.{f}: yen must be an integer")
                if (t["id"], r["key"], f) in CONVERTED:
                    if SEEDS and CONVERTED[(t["id"], r["key"], f)] not in seed_text(SEED_REF.findall(t["source"])[0]):
                        fail(f"{where}.{f}: converted figure's text not in seed")
                    continue
                if not t["source"].startswith("Onshi"):  # Onshi's own figures are in no seed
                    found(x, t["source"], t["unit"], f"{where}.{f}")
            lo, hi = r["min"], r["max"]
            if lo is not None and hi is not None and lo > hi:
                fail(f"{where}: min > max")
            if r["mean"] is not None and lo is not None and hi is not None and not lo <= r["mean"] <= hi:
                fail(f"{where}: mean outside [min, max]")
    for must in ("mhlw_onsite_work_minutes", "mhlw_onsite_visits", "subsidy_base_amount_caps",
                 "reader_subsidy_pre_free_provision", "reported_hospital_quotes_000"):
        if must not in ids:
            fail(f"benchmarks: table {must} missing")
    return len(ids), nrows


def check_adoption():
    stats = load("adoption_stats.json")
    pk = set()
    keys = {"series", "as_of", "source", "facility_type", "prefecture", "metric", "value"}
    idx = {}
    for s in stats:
        where = f"adoption_stats {s.get('series')}/{s.get('facility_type')}/{s.get('prefecture')}/{s.get('metric')}"
        if set(s) != keys:
            fail(f"{where}: keys {sorted(s)}")
        if not SNAKE.match(s["series"]) or not is_date(s["as_of"]):
            fail(f"{where}: bad series or as_of")
        if s["facility_type"] not in FACILITY_TYPES - {"large_chain_pharmacy"}:
            fail(f"{where}: bad facility_type")
        if s["prefecture"] is not None and s["prefecture"] not in PREFECTURES:
            fail(f"{where}: bad prefecture")
        if s["metric"] not in ADOPTION_METRICS:
            fail(f"{where}: unknown metric")
        if not isinstance(s["value"], int) or isinstance(s["value"], bool) or s["value"] < 0:
            fail(f"{where}: value must be a non-negative integer")
        k = (s["series"], s["facility_type"], s["prefecture"] or "", s["metric"])
        if k in pk:
            fail(f"{where}: duplicate primary key")
        pk.add(k)
        idx[k] = s["value"]
        found(s["value"], s["source"], None, where)
    # 002: the four facility types add up to the national total.
    for m in ("facilities", "reader_applied", "ready", "operating"):
        parts = sum(idx[("mhlw_2022_05_01", t, "", m)] for t in ("hospital", "medical_clinic", "dental_clinic", "pharmacy"))
        if parts != idx[("mhlw_2022_05_01", "all", "", m)]:
            fail(f"adoption_stats mhlw_2022_05_01 {m}: types sum {parts} != all")
    # counts never exceed facilities
    for (series, ft, pref, m), v in idx.items():
        f = idx.get((series, ft, pref, "facilities"))
        if f is not None and m != "facilities" and v > f:
            fail(f"adoption_stats {series}/{ft}/{pref}/{m}: {v} > facilities {f}")

    rates = load("adoption_rates.json")
    rkeys = {"series", "as_of", "source", "facility_type", "prefecture", "metric", "percent", "rank", "verified", "note"}
    for r in rates:
        where = f"adoption_rates {r.get('series')}/{r.get('facility_type')}/{r.get('prefecture')}/{r.get('metric')}"
        if set(r) != rkeys or not is_date(r["as_of"]) or not isinstance(r["verified"], bool):
            fail(f"{where}: bad shape")
        if r["prefecture"] is not None and r["prefecture"] not in PREFECTURES:
            fail(f"{where}: bad prefecture")
        found(r["percent"], r["source"], "percent", where)
        # printed percentage against the counts, where both exist
        key = (r["series"], r["facility_type"], r["prefecture"] or "", r["metric"])
        fac = idx.get((r["series"], r["facility_type"], r["prefecture"] or "", "facilities"))
        if key in idx and fac:
            pct = 100 * idx[key] / fac
            tol = 0.05001 if isinstance(r["percent"], float) else 0.5001
            if abs(pct - r["percent"]) > tol:
                fail(f"{where}: printed {r['percent']}% but counts give {pct:.2f}%")
    return len(stats), len(rates)


def check_usage():
    usage = load("usage_stats.json")
    keys = {"series", "period_start", "period_end", "source", "facility_type", "metric", "value", "verified", "note"}
    sums = {}
    for u in usage:
        where = f"usage_stats {u.get('series')}/{u.get('period_start')}/{u.get('facility_type')}/{u.get('metric')}"
        if set(u) != keys or not is_date(u["period_start"]) or not is_date(u["period_end"]):
            fail(f"{where}: bad shape")
        if not isinstance(u["value"], int) or u["value"] < 0:
            fail(f"{where}: value must be a non-negative integer")
        found(u["value"], u["source"], None, where)
        sums.setdefault((u["series"], u["metric"]), []).append(u)
    # monthly rows add up to the 総計 row (the row whose period spans the others)
    for (series, metric), rows in sums.items():
        if not series.endswith("_monthly"):
            continue
        total = [u for u in rows if u["period_start"] == min(x["period_start"] for x in rows)
                 and u["period_end"] == max(x["period_end"] for x in rows)]
        if len(total) != 1:
            fail(f"usage_stats {series}/{metric}: no single 総計 row")
            continue
        months = [u for u in rows if u is not total[0]]
        if sum(u["value"] for u in months) != total[0]["value"]:
            fail(f"usage_stats {series}/{metric}: months add up to {sum(u['value'] for u in months)}, "
                 f"総計 {total[0]['value']}")
    # March by facility type adds up to March
    for by_type, monthly in (("mhlw_eligibility_checks_2022_03_by_type", "mhlw_eligibility_checks_monthly"),
                             ("mhlw_checkup_drug_info_use_2022_03_by_type", "mhlw_checkup_drug_info_use_monthly")):
        for (series, metric), rows in sums.items():
            if series != by_type:
                continue
            march = [u for u in sums[(monthly, metric)] if u["period_start"] == "2022-03-01"]
            if sum(u["value"] for u in rows) != march[0]["value"]:
                fail(f"usage_stats {by_type}/{metric}: types do not add up to March")
    return len(usage)


def check_blockers():
    b = load("blocker_reasons.json")
    n = 0
    for st in b["stages"]:
        if not SNAKE.match(st["code"]):
            fail(f"blocker_reasons: bad stage code {st['code']}")
        found(st["respondents"], b["source"], None, f"blocker_reasons {st['code']}")
        for r in st["reasons"]:
            n += 1
            if not SNAKE.match(r["code"]):
                fail(f"blocker_reasons: bad reason code {r['code']}")
            found(r["percent"], b["source"], None, f"blocker_reasons {st['code']}.{r['code']}")
            if SEEDS and unicodedata.normalize("NFKC", r["label_ja"]) not in seed_text(SEED_REF.findall(b["source"])[0]):
                fail(f"blocker_reasons {st['code']}.{r['code']}: label not in seed")
    return n


def main():
    if SEEDS is None:
        warnings.append("seed documents not found: provenance checks skipped")
    n_makers, n_vendors = check_makers_vendors()
    n_tables, n_rows = check_benchmarks()
    n_stats, n_rates = check_adoption()
    n_usage = check_usage()
    n_reasons = check_blockers()
    for w in warnings:
        print("WARN:", w)
    if errors:
        for e in errors:
            print("FAIL:", e)
        print(f"{len(errors)} problem(s)")
        return 1
    print(f"OK: {n_makers} reader makers, {n_vendors} vendors, {n_tables} benchmark tables / {n_rows} rows, "
          f"{n_stats} adoption stats, {n_rates} adoption rates, {n_usage} usage stats, {n_reasons} blocker reasons"
          + ("" if SEEDS is None else f"; figures found in {SEEDS}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
