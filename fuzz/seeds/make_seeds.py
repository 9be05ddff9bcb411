#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz corpora (fuzz/corpus/*/seed-hand-*).

The fixture files (quote_reader/tests/fixtures) are deflate-compressed, so a
mutated byte mostly breaks the deflate stream and never reaches the XML
parsers. These seeds store their parts uncompressed, so mutations land in
the XML itself. Plus short CSV variants and the parser strings the unit tests
use. Run from the repository root: python3 fuzz/seeds/make_seeds.py
"""
import io
import pathlib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent / "corpus"


def write(target, name, data):
    path = ROOT / target / f"seed-hand-{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def stored_zip(parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, text in parts:
            z.writestr(name, text)
    return buf.getvalue()


def inline(cell, text):
    return f'<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>'


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
sheet = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:D4"/>'
    '<mergeCells count="1"><mergeCell ref="A4:C4"/></mergeCells><sheetData>'
    f'<row r="1">{inline("A1", "品名")}{inline("B1", "数量")}{inline("C1", "単価")}{inline("D1", "金額")}</row>'
    f'<row r="2">{inline("A2", "資格確認端末")}<c r="B2"><v>1</v></c><c r="C2" t="s"><v>0</v></c>'
    '<c r="D2"><f>B2*C2</f><v>104990.00000000001</v></c></row>'
    f'<row r="3">{inline("A3", "出精値引")}<c r="D3"><v>-500</v></c><c r="F9" t="b"><v>1</v></c></row>'
    f'<row r="4">{inline("A4", "合計")}<c r="D4" s="1"><v>44805</v></c></row>'
    "</sheetData></worksheet>"
)
xlsx = stored_zip([
    ("[Content_Types].xml",
     '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
     '<Default Extension="xml" ContentType="application/xml"/></Types>'),
    ("_rels/.rels",
     f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
     f'Type="{OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    ("xl/workbook.xml",
     f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE_REL}"><sheets>'
     '<sheet name="明細" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    ("xl/_rels/workbook.xml.rels",
     f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
     f'<Relationship Id="rId1" Type="{OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
     f'<Relationship Id="rId2" Type="{OFFICE_REL}/sharedStrings" Target="sharedStrings.xml"/>'
     f'<Relationship Id="rId3" Type="{OFFICE_REL}/styles" Target="styles.xml"/></Relationships>'),
    ("xl/sharedStrings.xml",
     f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>¥1,050,000-</t></si></sst>'),
    ("xl/styles.xml",
     f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts count="1">'
     '<numFmt numFmtId="164" formatCode="yyyy/mm/dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
     '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'),
    ("xl/worksheets/sheet1.xml", sheet),
])
write("read_xlsx", "stored.xlsx", xlsx)

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_cell(text=None, value=None, date=None, repeat=None, span=None):
    attrs = ""
    if repeat:
        attrs += f' table:number-columns-repeated="{repeat}"'
    if span:
        attrs += f' table:number-columns-spanned="{span}"'
    if value is not None:
        return f'<table:table-cell office:value-type="float" office:value="{value}"{attrs}/>'
    if date is not None:
        return f'<table:table-cell office:value-type="date" office:date-value="{date}"{attrs}/>'
    if text is not None:
        return f'<table:table-cell office:value-type="string"{attrs}><text:p>{text}</text:p></table:table-cell>'
    return f"<table:table-cell{attrs}/>"


rows = "".join([
    "<table:table-row>" + ods_cell("品名") + ods_cell("数量") + ods_cell("単価") + ods_cell("金額") + "</table:table-row>",
    "<table:table-row>" + ods_cell("LAN工事") + ods_cell("1式") + ods_cell(value=8000) + ods_cell(value=8000) + "</table:table-row>",
    '<table:table-row table:number-rows-repeated="2">' + ods_cell(repeat=4) + "</table:table-row>",
    "<table:table-row>" + ods_cell("見積日", span=2) + ods_cell(date="2022-09-01T00:00:00") + ods_cell("※ 保守は別途") + "</table:table-row>",
])
ods = stored_zip([
    ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
    ("content.xml",
     f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:body><office:spreadsheet>'
     f'<table:table table:name="明細">{rows}</table:table></office:spreadsheet></office:body></office:document-content>'),
    ("META-INF/manifest.xml",
     '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
     '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
     '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'),
])
write("read_ods", "stored.ods", ods)

tsv = "品名\t数量\t単価\t金額\nLAN工事\t1式\t8,000\t\"8,000\"\n\"改行\nあり\"\t２台\t▲500\t(1,000)\n合計\t\t\t7,000\n"
write("read_csv", "tabs.tsv", tsv)
write("read_csv", "utf16.csv", b"\xff\xfe" + "品名,金額\r\n端末,\"1,050,000円\"\r\n".encode("utf-16-le"))

for i, s in enumerate(["1,050,000円", "￥１２０，０００", "▲１１，０００", "(10,000)", "32.1万円", "¥(1,000)万円",
                       "@8,000-", "16,000円(税込)", "1.5人日", "一台", "3 ヶ月", "99999999999999999999999999999"]):
    write("parse_yen", f"{i:02}", s)
for i, s in enumerate(["2022-09-01", "令和4年9月1日（木）", "R04/09/01", "㍻31.4.30", "昭和64年1月7日", "令和元年5月1日(月・祝)",
                       "２０２３年３月", "R5.3", "平成31年5月1日", "令和999年12月31日"]):
    write("parse_date", f"{i:02}", s)

# The layout fixtures (two-row headers, sections, hidden rows, columns and sheets, several sheets,
# covers with summary amounts), their ZIP parts stored uncompressed so that mutations reach the
# sheet XML and the structures the hidden-content scanners read (row and column flags, sheet
# states, styles of .ods); .xls as they are (a compound file is not compressed).
LAYOUTS = pathlib.Path(__file__).resolve().parents[2] / "quote_reader" / "tests" / "fixtures" / "layouts"
for path in sorted(LAYOUTS.iterdir()):
    target = {".xlsx": "read_xlsx", ".ods": "read_ods", ".xls": "read_xls"}.get(path.suffix)
    if target is None:
        continue
    if path.suffix == ".xls":
        write(target, f"layout-{path.name}", path.read_bytes())
        continue
    with zipfile.ZipFile(path) as z:
        parts = [(info.filename, z.read(info)) for info in z.infolist()]
    write(target, f"layout-{path.name}", stored_zip(parts))

# The printed layouts, and a one-page PDF written by hand whose content stream is not
# compressed, so that mutations reach the text operators and the table rebuilding.
for path in sorted((LAYOUTS.parent / "pdf").glob("*.pdf")):
    write("read_pdf", f"print-{path.name}", path.read_bytes())
CONTENT = (
    "BT /F1 10 Tf 50 800 Td (Mitsumori) Tj ET "
    "BT /F1 10 Tf 50 700 Td (Item) Tj 250 0 Td (Qty) Tj 100 0 Td (Amount) Tj ET "
    "BT /F1 10 Tf 50 685 Td (Terminal) Tj 260 0 Td (1) Tj 110 0 Td [(150,0) -20 (00)] TJ ET "
    "BT /F1 10 Tf 50 670 Td (Total) Tj 370 0 Td (150,000) Tj ET"
)
objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
    "/Resources << /Font << /F1 5 0 R >> >> >>",
    f"<< /Length {len(CONTENT)} >>\nstream\n{CONTENT}\nendstream",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 126 "
    "/Widths [" + " ".join(["556"] * 95) + "] >>",
]
body = "%PDF-1.4\n"
offsets = []
for i, obj in enumerate(objects, 1):
    offsets.append(len(body))
    body += f"{i} 0 obj\n{obj}\nendobj\n"
xref = len(body)
body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
body += "".join(f"{o:010d} 00000 n \n" for o in offsets)
body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
write("read_pdf", "plain.pdf", body)

# Scans, faxes and photos, shrunk so that the fuzzer's mutations are many a second: a JPEG, a
# PNG, a G4 fax TIFF of two pages and an uncompressed TIFF (Pillow), each a corner of a fixture.
try:
    from PIL import Image

    SCANS = LAYOUTS.parent / "scan"
    page = Image.open(SCANS / "sections_libreoffice_scan200.png").convert("L")
    corner = page.crop((0, 0, 600, 400)).resize((300, 200))
    for fmt, name, extra in [("PNG", "scan.png", {}), ("JPEG", "photo.jpg", {"quality": 60})]:
        buf = io.BytesIO()
        corner.save(buf, fmt, **extra)
        write("read_picture", name, buf.getvalue())
    fax = corner.point(lambda v: 255 if v > 150 else 0).convert("1")
    buf = io.BytesIO()
    fax.save(buf, "TIFF", compression="group4", dpi=(200, 100), save_all=True, append_images=[fax])
    write("read_picture", "fax.tif", buf.getvalue())
    buf = io.BytesIO()
    corner.save(buf, "TIFF", compression="raw")
    write("read_picture", "raw.tif", buf.getvalue())
except ImportError:
    print("Pillow is not installed: the read_picture seeds are not written")
