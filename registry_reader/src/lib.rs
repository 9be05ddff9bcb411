//! Reads the registry of insured facilities from the files the 地方厚生局 publish: their
//! 「コード内容別医療機関一覧表」 workbooks (.xlsx, .xls) as published, a .zip of them, or a CSV
//! with named columns. Files in, [`ReadList`] out: every facility read, and every row that
//! could not be read with its reason — a refused row never stops the rows around it.

mod archive;
mod bureau_list;
mod csv_list;
mod error;
mod grid;
mod text;
mod workbook;

pub use error::RegistryError;
pub use rules::registry::Refused;
use rules::registry::RegistryEntry;
use serde::Serialize;

/// How much one import may read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of one file as given (a workbook, a zip, a CSV).
    pub max_bytes: u64,
    /// Bytes of everything a zip or a workbook unpacks to, by its own declared sizes.
    pub max_unpacked: u64,
    /// Files in one zip.
    pub max_entries: usize,
}

impl Default for Limits {
    /// The national 医科 list as CSV is about 25 MB and 東京都's 医科 workbook about 6 MB;
    /// these leave room and still bound what one upload can cost.
    fn default() -> Self {
        Limits { max_bytes: 96 << 20, max_unpacked: 768 << 20, max_entries: 400 }
    }
}

/// A facility read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// What the list says.
    pub entry: RegistryEntry,
    /// The file (for a zip: 「lists.zip/東京都_医科.xlsx」).
    pub file: String,
    /// The sheet ("" for a CSV).
    pub sheet: String,
    /// The 1-based row its block or line starts on.
    pub row: u32,
}

/// What a file held.
#[derive(Debug, Clone, Default)]
pub struct ReadList {
    /// Every facility read, in file order.
    pub entries: Vec<Listed>,
    /// Rows refused.
    pub refused: Vec<Refused>,
    /// Each list read: (file, sheet, title) — for the import's summary.
    pub lists: Vec<ListRead>,
}

/// One list (a sheet or a CSV) and how many facilities it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRead {
    /// The file.
    pub file: String,
    /// The sheet ("" for a CSV).
    pub sheet: String,
    /// The list's title (「関東信越厚生局 コード内容別医療機関一覧表（東京都・医科、令和7年8月1日現在）」),
    /// or the file's name for a CSV.
    pub title: String,
    /// Facilities read from it.
    pub facilities: usize,
}

impl ReadList {
    fn extend(&mut self, other: ReadList) {
        self.entries.extend(other.entries);
        self.refused.extend(other.refused);
        self.lists.extend(other.lists);
    }

    /// Keeps the first of the rows that give one code; a later row with the same code and
    /// another name, type or status is refused (two lists disagree), one that differs only in
    /// how its address or telephone is written is dropped.
    pub fn without_duplicates(mut self) -> ReadList {
        let mut seen: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(self.entries.len());
        let mut kept: Vec<Listed> = Vec::with_capacity(self.entries.len());
        for listed in self.entries {
            match seen.get(listed.entry.code.as_str()) {
                None => {
                    seen.insert(listed.entry.code.as_str().to_owned(), kept.len());
                    kept.push(listed);
                }
                // The same facility written another way (a CSV's 「9-1」 for a list's 「９－１」).
                Some(&i) if same_facility(&kept[i].entry, &listed.entry) => {}
                Some(&i) => self.refused.push(Refused {
                    reason: format!(
                        "同じ医療機関コードが {} の {} 行目にもあり、内容が違います（先の行を読み込みました）",
                        kept[i].file, kept[i].row
                    ),
                    file: listed.file,
                    sheet: listed.sheet,
                    row: listed.row,
                    code: listed.entry.code.as_str().to_owned(),
                }),
            }
        }
        self.entries = kept;
        self
    }

    /// Rows read, facilities and refused together.
    pub fn rows_read(&self) -> usize {
        self.entries.len() + self.refused.len()
    }
}

/// Reads one file, told by its content: a workbook (.xlsx, .xls), a zip of workbooks and
/// CSVs, or a CSV (UTF-8 or CP932). `name` is used in messages and to find the prefecture or
/// the kind when a list's title does not say.
pub fn read_file(name: &str, bytes: &[u8], limits: &Limits) -> Result<ReadList, RegistryError> {
    read_file_with_stop(name, bytes, limits, &quote_reader::Stop::new())
}

/// [`read_file`], its workbooks abandoned soon after `stop` is raised from another thread (the
/// server raises it at its time limit); what was read until then is refused as broken.
pub fn read_file_with_stop(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    stop: &quote_reader::Stop,
) -> Result<ReadList, RegistryError> {
    let budget = Unpacked { left: std::cell::Cell::new(limits.max_unpacked), nesting: 0, stop: stop.clone() };
    read_within(name, bytes, limits, &budget)
}

/// What a file may still unpack to, shared by every workbook and zip inside it (a zip of 400
/// workbooks each declaring the limit would otherwise unpack 400 times it), and how deep in
/// zips it is.
pub(crate) struct Unpacked {
    pub(crate) left: std::cell::Cell<u64>,
    pub(crate) nesting: u8,
    pub(crate) stop: quote_reader::Stop,
}

impl Unpacked {
    /// Takes `bytes` from what is left, or says how much there was.
    pub(crate) fn take(&self, file: &str, bytes: u64) -> Result<(), RegistryError> {
        let left = self.left.get();
        if bytes > left {
            return Err(RegistryError::TooLarge { file: file.to_owned(), size: bytes, limit: left });
        }
        self.left.set(left - bytes);
        Ok(())
    }
}

pub(crate) fn read_within(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    budget: &Unpacked,
) -> Result<ReadList, RegistryError> {
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(RegistryError::TooLarge { file: name.to_owned(), size, limit: limits.max_bytes });
    }
    match Format::of(bytes) {
        Format::Xlsx => workbook::read(name, bytes, true, budget, &budget.stop),
        Format::Xls => workbook::read(name, bytes, false, budget, &budget.stop),
        Format::Zip => archive::read(name, bytes, limits, budget),
        Format::Text => {
            let sheets = workbook::sheets(name, bytes, 0, &budget.stop)?;
            let grid = sheets.first().ok_or_else(|| RegistryError::UnsupportedFormat { file: name.to_owned() })?;
            csv_list::read(name, grid)
        }
    }
}

/// What a file is, by its first bytes and, for a zip, its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xls,
    Zip,
    Text,
}

impl Format {
    fn of(bytes: &[u8]) -> Format {
        const ZIP: &[u8] = b"PK\x03\x04";
        const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if bytes.starts_with(CFB) {
            Format::Xls
        } else if bytes.starts_with(ZIP) || bytes.starts_with(b"PK\x05\x06") {
            if archive::is_workbook(bytes) { Format::Xlsx } else { Format::Zip }
        } else {
            Format::Text
        }
    }
}

/// The same name (spaces aside), type and status.
fn same_facility(a: &RegistryEntry, b: &RegistryEntry) -> bool {
    let bare = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    bare(&a.name) == bare(&b.name) && a.facility_type == b.facility_type && a.status == b.status
}
