//! The lists as the bureaus publish them (fixtures made by tests/fixtures/make_registry.py,
//! after the layout the public parsers of these files document; README.md there says which
//! rows are real and which invented): every facility read with the name, postal code,
//! address, telephone, type and status the list gives, and bad files refused.

use registry_reader::{Limits, ReadList, RegistryError, read_file};
use rules::FacilityType;
use rules::registry::ListedStatus;
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn expected() -> Value {
    serde_json::from_slice(&fixture("expected.json")).expect("expected.json")
}

fn read(name: &str) -> Result<ReadList, RegistryError> {
    read_file(name, &fixture(name), &Limits::default())
}

/// The type Onshi keeps for a list's 「病院」「診療所」「歯科病院」「薬局」.
fn facility_type(written: &str, code: &str) -> FacilityType {
    match (written, &code[2..3]) {
        ("病院" | "歯科病院", _) => FacilityType::Hospital,
        ("歯科診療所", _) | ("診療所", "3") => FacilityType::DentalClinic,
        ("薬局", _) => FacilityType::Pharmacy,
        _ => FacilityType::MedicalClinic,
    }
}

/// Every expected facility of `file` is read, as the list writes it, and nothing else.
fn check_workbook(file: &str, expected_file: &str) {
    let list = read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(list.refused.is_empty(), "{file}: refused {:?}", list.refused);
    let expected = expected();
    let rows = expected[expected_file].as_array().expect("rows");
    assert_eq!(list.entries.len(), rows.len(), "{file}: facilities read");
    for want in rows {
        let code = want["code"].as_str().expect("code");
        let got = list
            .entries
            .iter()
            .find(|l| l.entry.code.as_str() == code)
            .unwrap_or_else(|| panic!("{file}: {code} missing"));
        let e = &got.entry;
        assert_eq!(e.name, want["name"].as_str().expect("name"), "{file} {code} name");
        assert_eq!(e.postal_code, want["postal_code"].as_str().expect("postal"), "{file} {code} postal code");
        assert_eq!(e.address, want["address"].as_str().expect("address"), "{file} {code} address");
        assert_eq!(e.phone, want["phone"].as_str().expect("phone"), "{file} {code} phone");
        assert_eq!(e.facility_type, facility_type(want["type"].as_str().expect("type"), code), "{file} {code} type");
        let status = if want["status"] == "休止" { ListedStatus::Suspended } else { ListedStatus::Active };
        assert_eq!(e.status, status, "{file} {code} status");
        assert!(e.as_of.is_some(), "{file} {code}: the list's date");
    }
}

#[test]
fn a_kanto_workbook_as_published_is_read_whole() {
    check_workbook("kanto_tokyo_ika.xlsx", "kanto_tokyo_ika.xlsx");
    let list = read("kanto_tokyo_ika.xlsx").expect("list");
    assert_eq!(list.lists[0].title, "関東信越厚生局 コード内容別医療機関一覧表（東京都・医科、令和7年8月1日現在）");
    let st_lukes = list.entries.iter().find(|l| l.entry.code.as_str() == "1310270751").expect("聖路加国際病院");
    assert_eq!(st_lukes.entry.name, "聖路加国際病院");
}

#[test]
fn the_same_workbook_saved_as_xls_by_libreoffice_reads_the_same() {
    check_workbook("kanto_tokyo_ika.xls", "kanto_tokyo_ika.xls");
}

#[test]
fn a_hokkaido_workbook_with_spread_columns_and_a_footer_is_read_whole() {
    check_workbook("hokkaido_ika.xlsx", "hokkaido_ika.xlsx");
}

#[test]
fn a_kinki_dental_list_with_hyphenated_codes_is_read_whole() {
    check_workbook("kinki_osaka_shika.xlsx", "kinki_osaka_shika.xlsx");
}

#[test]
fn a_kyushu_pharmacy_list_as_xls_is_read_whole() {
    check_workbook("kyushu_fukuoka_yakkyoku.xls", "kyushu_fukuoka_yakkyoku.xls");
}

#[test]
fn zips_of_workbooks_are_read_whether_their_names_are_cp932_or_utf8() {
    for zip in ["registry_lists.zip", "registry_utf8_names.zip"] {
        let list = read(zip).unwrap_or_else(|e| panic!("{zip}: {e}"));
        assert!(list.refused.is_empty(), "{zip}: {:?}", list.refused);
        assert_eq!(list.entries.len(), 40 + 12 + 15, "{zip}");
        assert_eq!(list.lists.len(), 3, "{zip}");
        assert!(list.lists.iter().any(|l| l.file.contains("北海道") || l.title.contains("北海道")), "{:?}", list.lists);
    }
}

#[test]
fn a_zip_with_a_path_out_of_it_is_refused_whole() {
    assert!(
        matches!(read("traversal.zip"), Err(RegistryError::UnsafePath { .. })),
        "{:?}",
        read("traversal.zip").map(|l| l.entries.len())
    );
}

#[test]
fn bad_files_are_refused_with_what_to_do() {
    let not_a_list = read("not_registry.xlsx").expect_err("a quote is not a registry");
    assert!(matches!(not_a_list, RegistryError::NotARegistry { .. }), "{not_a_list}");
    assert!(not_a_list.to_string().contains("コード内容別医療機関一覧表"), "{not_a_list}");
    assert!(matches!(read("broken.zip"), Err(RegistryError::Broken { .. })));
    assert!(matches!(read("empty.csv"), Err(RegistryError::NotARegistry { .. })));
    let e = read_file("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &Limits::default()).expect_err("binary");
    assert!(matches!(e, RegistryError::UnsupportedFormat { .. }), "{e}");
}

#[test]
fn csv_lists_in_either_encoding_and_column_order_read_each_row_or_say_why_not() {
    let expected = expected();
    let rows = expected["csv_rows"].as_array().expect("rows");
    for file in ["registry_utf8.csv", "registry_cp932.csv"] {
        let list = read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        for want in rows {
            let written = want["code"].as_str().expect("code");
            let code = if written.len() == 9 { format!("0{written}") } else { written.to_owned() };
            let got = list.entries.iter().find(|l| l.entry.code.as_str() == code);
            match want["expect"].as_str() {
                Some("accept" | "restore") => {
                    let e = &got.unwrap_or_else(|| panic!("{file}: {written} refused: {:?}", list.refused)).entry;
                    assert_eq!(e.name, want["name"].as_str().expect("name"));
                    assert_eq!(e.postal_code, want["postal_code"].as_str().expect("postal"), "{file} {code}");
                    assert_eq!(
                        e.facility_type,
                        facility_type(want["type"].as_str().expect("type"), &code),
                        "{file} {code}"
                    );
                }
                _ => {
                    assert!(got.is_none(), "{file}: {written} should be refused");
                    let refused = list
                        .refused
                        .iter()
                        .find(|r| r.code == written)
                        .unwrap_or_else(|| panic!("{file}: {written} not listed as refused"));
                    assert!(refused.row > 1 && !refused.reason.is_empty(), "{refused:?}");
                }
            }
        }
        let accepted = rows.iter().filter(|r| matches!(r["expect"].as_str(), Some("accept" | "restore"))).count();
        assert_eq!(list.entries.len(), accepted, "{file}");
        assert_eq!(list.refused.len(), rows.len() - accepted, "{file}");
    }
}

#[test]
fn duplicates_keep_the_first_row_and_refuse_a_differing_one() {
    let text = "医療機関コード,名称,施設区分\n1310270751,聖路加国際病院,病院\n1310270751,聖路加国際病院,病院\n1310270751,別の名前,病院\n";
    let list = read_file("dup.csv", text.as_bytes(), &Limits::default()).expect("csv").without_duplicates();
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.refused.len(), 1);
    assert_eq!(list.refused[0].row, 4);
    assert!(list.refused[0].reason.contains("2 行目"), "{}", list.refused[0].reason);
}

/// A zip of `(name, bytes)`, stored without compression.
fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(*name, stored).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
    out.into_inner()
}

#[test]
fn a_zip_of_a_bureaus_zips_is_read_and_a_file_that_is_no_list_is_one_refused_line() {
    // 九州 publishes a zip per prefecture; an operator zips those together, with a note.
    let inner = zip_of(&[("r8_09_shika_osaka.xlsx", fixture("kinki_osaka_shika.xlsx"))]);
    let outer = zip_of(&[("osaka.zip", inner), ("注意事項.xlsx", fixture("not_registry.xlsx"))]);
    let list = read_file("all.zip", &outer, &Limits::default()).expect("the lists");
    assert_eq!(list.entries.len(), 15);
    assert_eq!(list.refused.len(), 1, "{:?}", list.refused);
    assert!(list.refused[0].file.ends_with("注意事項.xlsx") && list.refused[0].row == 0);
    // Two levels down is not opened.
    let deeper = zip_of(&[("outer.zip", outer)]);
    assert!(matches!(read_file("deeper.zip", &deeper, &Limits::default()), Err(RegistryError::NotARegistry { .. })));
}

#[test]
fn what_a_zip_unpacks_to_is_bounded_across_all_the_workbooks_in_it() {
    let book = fixture("kanto_tokyo_ika.xlsx");
    // What one workbook's parts declare.
    let parts: u64 = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(book.clone())).expect("a workbook is a zip");
        (0..z.len()).map(|i| z.by_index_raw(i).expect("entry").size()).sum()
    };
    // Room for the zip's three entries and one workbook's parts, not for a second.
    let limits = Limits { max_unpacked: 3 * book.len() as u64 + parts + parts / 2, ..Limits::default() };
    let zip = zip_of(&[("a.xlsx", book.clone()), ("b.xlsx", book.clone()), ("c.xlsx", book)]);
    let list = read_file("three.zip", &zip, &limits).expect("the first at least");
    assert_eq!(list.entries.len(), 40, "the first workbook");
    assert_eq!(list.refused.len(), 2, "{:?}", list.refused);
    assert!(list.refused.iter().all(|r| r.reason.contains("大きすぎます")), "{:?}", list.refused);
}

#[test]
fn an_xls_whose_structure_asks_for_gigabytes_is_refused_not_followed() {
    // Found by the read_registry fuzz target: calamine alone allocated past 2 GiB on it. Read
    // through quote_reader's guarded loader, its structure is checked first.
    let e = read("fuzz_oom_cfb.xls").expect_err("a crafted file");
    assert!(matches!(e, RegistryError::Broken { .. } | RegistryError::TooManyCells { .. }), "{e}");
}
