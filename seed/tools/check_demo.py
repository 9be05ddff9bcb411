#!/usr/bin/env python3
"""Checks seed/demo.json: valid 医療機関コード, references, counts and the four demo users.

Usage: python3 seed/tools/check_demo.py [path/to/demo.json]
Exits 0 when every check passes, 1 otherwise (each failure is printed).
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "demo.json")

FACILITY_TYPES = ("hospital", "medical_clinic", "dental_clinic", "pharmacy", "large_chain_pharmacy")
# 点数表番号: 1 医科, 3 歯科, 4 調剤 (domain.md, 医療機関コード).
TENSU = {"hospital": "1", "medical_clinic": "1", "dental_clinic": "3", "pharmacy": "4", "large_chain_pharmacy": "4"}
CORP_KINDS = ("medical_corporation", "pharmacy_chain")
ROLES = ("clinic_manager", "reviewer", "auditor", "admin")
ASSOCIATIONS = ("medical", "dental", "pharmaceutical")
PREFECTURES = {f"{i:02d}" for i in range(1, 48)}
KANA = re.compile(r"^[\u30A0-\u30FF\u3000 ]+$")  # katakana (incl. ー・), spaces

errors = []


def fail(msg):
    errors.append(msg)


# The four prefectures whose published codes pass the Luhn check over the last seven digits
# only (関東信越厚生局「コード内容別医療機関一覧表」, measured on the 2025-08 list).
SEVEN_DIGIT_PREFECTURES = ("11", "12", "13", "14")


def code_check_ok(code):
    """The 検証番号 rule the published lists follow: Luhn over the last seven digits in
    埼玉・千葉・東京・神奈川, over all ten elsewhere."""
    return luhn_ok(code[3:] if code[:2] in SEVEN_DIGIT_PREFECTURES else code)


def luhn_ok(digits):
    """Luhn over the whole string: from the right, double every second digit, sum the digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return total % 10 == 0


def check_code(code, prefecture, ftype, where):
    if not isinstance(code, str) or not re.fullmatch(r"\d{10}", code):
        fail(f"{where}: code {code!r} is not 10 ASCII digits")
        return
    if code[:2] not in PREFECTURES:
        fail(f"{where}: code {code} starts with {code[:2]}, not a prefecture 01-47")
    if code[:2] != prefecture:
        fail(f"{where}: code {code} prefecture digits {code[:2]} != prefecture {prefecture}")
    if ftype in TENSU and code[2] != TENSU[ftype]:
        fail(f"{where}: code {code} 点数表番号 {code[2]} != {TENSU[ftype]} required for {ftype}")
    if not code_check_ok(code):
        fail(f"{where}: code {code} fails the 検証番号 check")


def main(path):
    # The documented example must pass, and a corrupted one must fail: guards the Luhn function itself.
    assert luhn_ok("0110113719") and not luhn_ok("0110113718")
    # Real published codes (聖路加国際病院, 東京; 札幌中央病院, 北海道) pass the per-prefecture rule.
    assert code_check_ok("1310270751") and code_check_ok("0110113420") and not code_check_ok("1310270750")

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if set(data) != {"corporations", "facilities", "users"}:
        fail(f"top-level keys {sorted(data)} != corporations, facilities, users")

    corps = data.get("corporations", [])
    corp_kind = {}
    for c in corps:
        if set(c) != {"code", "name", "kind"}:
            fail(f"corporation {c.get('code')}: keys {sorted(c)}")
        if not re.fullmatch(r"[a-z0-9_]+", c.get("code", "")):
            fail(f"corporation code {c.get('code')!r} is not snake_case ascii")
        if c.get("code") in corp_kind:
            fail(f"duplicate corporation code {c['code']}")
        if c.get("kind") not in CORP_KINDS:
            fail(f"corporation {c.get('code')}: bad kind {c.get('kind')!r}")
        if not c.get("name"):
            fail(f"corporation {c.get('code')}: empty name")
        corp_kind[c.get("code")] = c.get("kind")

    facs = data.get("facilities", [])
    codes, names = set(), set()
    keys = {"code", "name", "kana", "facility_type", "prefecture", "address", "corporation", "online_billing"}
    for fa in facs:
        where = f"facility {fa.get('code')} {fa.get('name')}"
        if set(fa) != keys:
            fail(f"{where}: keys {sorted(fa)}")
        ftype, pref = fa.get("facility_type"), fa.get("prefecture")
        if ftype not in FACILITY_TYPES:
            fail(f"{where}: bad facility_type {ftype!r}")
        if pref not in PREFECTURES:
            fail(f"{where}: bad prefecture {pref!r}")
        check_code(fa.get("code"), pref, ftype, where)
        if fa.get("code") in codes:
            fail(f"{where}: duplicate code")
        codes.add(fa.get("code"))
        if fa.get("name") in names:
            fail(f"{where}: duplicate name")
        names.add(fa.get("name"))
        if not KANA.match(fa.get("kana") or ""):
            fail(f"{where}: kana {fa.get('kana')!r} is not katakana")
        if not fa.get("address"):
            fail(f"{where}: empty address")
        if not isinstance(fa.get("online_billing"), bool):
            fail(f"{where}: online_billing must be a bool")
        corp = fa.get("corporation")
        if corp is not None:
            if corp not in corp_kind:
                fail(f"{where}: unknown corporation {corp!r}")
            elif corp_kind[corp] == "pharmacy_chain" and ftype != "large_chain_pharmacy":
                fail(f"{where}: pharmacy chain facility must be large_chain_pharmacy")
            elif corp_kind[corp] == "medical_corporation" and ftype not in ("hospital", "medical_clinic", "dental_clinic"):
                fail(f"{where}: medical corporation facility must be a hospital or clinic")
        if ftype == "large_chain_pharmacy" and (corp is None or corp_kind.get(corp) != "pharmacy_chain"):
            fail(f"{where}: large_chain_pharmacy must belong to a pharmacy_chain")

    # Counts.
    if len(facs) < 24:
        fail(f"{len(facs)} facilities, at least 24 required")
    types = {fa.get("facility_type") for fa in facs}
    if types != set(FACILITY_TYPES):
        fail(f"facility types present {sorted(types)}, all five required")
    prefs = {fa.get("prefecture") for fa in facs}
    if len(prefs) < 6:
        fail(f"{len(prefs)} prefectures, at least 6 required")

    # The demo medical corporation and the pharmacy chain.
    if corp_kind.get("demo_corp") != "medical_corporation":
        fail("corporation demo_corp (medical_corporation) missing")
    demo = [fa for fa in facs if fa.get("corporation") == "demo_corp"]
    demo_types = {fa.get("facility_type") for fa in demo}
    if len(demo) < 4:
        fail(f"demo_corp owns {len(demo)} facilities, at least 4 required")
    if "hospital" not in demo_types or not demo_types & {"medical_clinic", "dental_clinic"}:
        fail(f"demo_corp must own a mix of hospital and clinics, has {sorted(demo_types)}")
    demo_prefs = {fa.get("prefecture") for fa in demo}
    if len(demo_prefs) != 1:
        fail(f"demo_corp facilities span prefectures {sorted(demo_prefs)}; the reviewer scope needs one")
    chains = [c for c, k in corp_kind.items() if k == "pharmacy_chain"]
    if not chains:
        fail("no pharmacy_chain corporation")
    for ch in chains:
        owned = [fa for fa in facs if fa.get("corporation") == ch]
        if not owned:
            fail(f"pharmacy chain {ch} owns no facility")

    # Users: exactly the four demo users.
    users = data.get("users", [])
    by_email = {}
    for u in users:
        if set(u) != {"email", "role", "display_name", "scope"}:
            fail(f"user {u.get('email')}: keys {sorted(u)}")
        if u.get("email") in by_email:
            fail(f"duplicate user {u.get('email')}")
        by_email[u.get("email")] = u
        if u.get("role") not in ROLES:
            fail(f"user {u.get('email')}: bad role {u.get('role')!r}")
        if not u.get("display_name"):
            fail(f"user {u.get('email')}: empty display_name")
    expected = {"manager@demo.onshi.jp", "reviewer@demo.onshi.jp", "auditor@demo.onshi.jp", "admin@demo.onshi.jp"}
    if set(by_email) != expected or len(users) != 4:
        fail(f"users {sorted(by_email)} != {sorted(expected)}")
    m = by_email.get("manager@demo.onshi.jp", {})
    if m.get("role") != "clinic_manager" or m.get("scope") != {"corporation": "demo_corp"}:
        fail(f"manager must be clinic_manager with scope corporation demo_corp: {m}")
    r = by_email.get("reviewer@demo.onshi.jp", {})
    demo_pref = next(iter(demo_prefs)) if len(demo_prefs) == 1 else None
    if r.get("role") != "reviewer" or r.get("scope") != {"association": "medical", "prefecture": demo_pref}:
        fail(f"reviewer must be reviewer of the medical association of prefecture {demo_pref}: {r}")
    for email, role in (("auditor@demo.onshi.jp", "auditor"), ("admin@demo.onshi.jp", "admin")):
        u = by_email.get(email, {})
        if u.get("role") != role or u.get("scope") is not None:
            fail(f"{email} must be {role} with scope null: {u}")
    for u in users:
        s = u.get("scope")
        if isinstance(s, dict):
            if "corporation" in s and s["corporation"] not in corp_kind:
                fail(f"user {u['email']}: unknown corporation {s['corporation']}")
            if "facility" in s and s["facility"] not in codes:
                fail(f"user {u['email']}: unknown facility {s['facility']}")
            if "association" in s and (s["association"] not in ASSOCIATIONS or s.get("prefecture") not in PREFECTURES):
                fail(f"user {u['email']}: bad association scope {s}")

    if errors:
        for e in errors:
            print("FAIL:", e)
        print(f"{len(errors)} problem(s) in {path}")
        return 1
    print(f"OK: {path}: {len(corps)} corporations, {len(facs)} facilities "
          f"({len(types)} types, {len(prefs)} prefectures), {len(users)} users; "
          f"demo_corp owns {len(demo)} facilities in prefecture {demo_pref}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else DEFAULT))
