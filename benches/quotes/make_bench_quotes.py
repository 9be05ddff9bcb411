"""Makes the benchmark quotes: the same realistic 御見積書 layout with 100 and
10,000 item lines, written by openpyxl and saved once more by LibreOffice so
the formulas carry cached values as in files from Excel.

Run from this folder: python3 make_bench_quotes.py  (needs openpyxl and soffice).
"""
import os
import subprocess
import tempfile

from openpyxl import Workbook

ITEMS = [
    ("資格確認端末", "台", 180000),
    ("ネットワーク設定作業", "式", 45000),
    ("VPNルーター", "台", 38000),
    ("LAN配線工事", "式", 30000),
    ("レセコン改修", "式", 120000),
    ("導入作業", "時間", 12000),
    ("操作説明", "回", 10000),
    ("出張費", "回", 8000),
    ("保守（月額）", "月", 5000),
    ("電子証明書", "枚", 10000),
]


def make(lines: int, path: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "御見積書"
    ws["A1"] = "御見積書"
    ws.merge_cells("A1:G1")
    ws["A3"] = "オンシ記念病院 御中"
    ws["F3"] = "見積日"
    ws["G3"] = "令和4年9月1日"
    ws["F4"] = "株式会社ベンチシステム"
    header = ["No", "品名", "仕様", "数量", "単位", "単価", "金額"]
    ws.append([])
    ws.append(header)
    first = ws.max_row + 1
    for i in range(lines):
        name, unit, price = ITEMS[i % len(ITEMS)]
        qty = 1 + (i % 3)
        row = ws.max_row + 1
        ws.append([i + 1, f"{name}（{i + 1}）", "", qty, unit, price, f"=D{row}*F{row}"])
    last = ws.max_row
    ws.append(["", "小計", "", "", "", "", f"=SUM(G{first}:G{last})"])
    sub = ws.max_row
    ws.append(["", "消費税（10%）", "", "", "", "", f"=ROUNDDOWN(G{sub}*0.1,0)"])
    ws.append(["", "合計", "", "", "", "", f"=G{sub}+G{sub + 1}"])
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, os.path.basename(path))
        wb.save(raw)
        # LibreOffice recalculates and stores cached values.
        subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", os.path.dirname(os.path.abspath(path)), raw],
                       check=True, capture_output=True)


if __name__ == "__main__":
    make(100, "quote_100_lines.xlsx")
    make(10_000, "quote_10000_lines.xlsx")
