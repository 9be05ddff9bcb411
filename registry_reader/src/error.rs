//! Why a file is not read at all (a row that cannot be read is refused alone: [`crate::Refused`]).

/// A file that cannot be read as a facility list; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Larger than the limit.
    #[error(
        "{file}: ファイルが大きすぎます（{size} バイト、上限 {limit} バイト）。都道府県ごと・医科／歯科／薬局ごとのファイルに分けてください"
    )]
    TooLarge {
        /// The file's name.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Neither a workbook, a zip nor a CSV.
    #[error(
        "{file}: 医療機関一覧として読める形式ではありません。地方厚生局が公表する Excel ファイル（.xlsx / .xls）、それを集めた .zip、または CSV を指定してください"
    )]
    UnsupportedFormat {
        /// The file's name.
        file: String,
    },
    /// A workbook or zip that its parser cannot open.
    #[error("{file}: ファイルが壊れているため開けません（{detail}）。公表元から取り直してください")]
    Broken {
        /// The file's name.
        file: String,
        /// What the parser said.
        detail: String,
    },
    /// A zip entry whose path leaves the archive (`..`, an absolute path).
    #[error("{file}: zip の中に安全でないパスがあります（{entry}）。このファイルは読み込みません")]
    UnsafePath {
        /// The zip's name.
        file: String,
        /// The entry's name.
        entry: String,
    },
    /// Readable, but no facility list in it.
    #[error("{file}: 医療機関一覧が見つかりません。{what}")]
    NotARegistry {
        /// The file's name.
        file: String,
        /// What was missing.
        what: String,
    },
    /// More cells than one upload may lay out.
    #[error(
        "{file}: セルが多すぎます（{cells}個以上、上限{limit}個）。地方厚生局の一覧は都道府県ごと・医科／歯科／薬局ごとのファイルです。1ファイルずつ指定してください"
    )]
    TooManyCells {
        /// The file's name.
        file: String,
        /// Cells found before the reader stopped.
        cells: u64,
        /// The limit.
        limit: u64,
    },
    /// Refused by the file reader for another reason; its message says what to do.
    #[error("{0}")]
    Unreadable(String),
}

impl RegistryError {
    /// The file reader's refusal as the registry's.
    pub(crate) fn from_read(file: &str, e: quote_reader::ReadError) -> RegistryError {
        use quote_reader::ReadErrorKind;
        match e.kind {
            ReadErrorKind::NotASpreadsheet { .. } => RegistryError::UnsupportedFormat { file: file.to_owned() },
            ReadErrorKind::TooLarge { size, limit } => RegistryError::TooLarge { file: file.to_owned(), size, limit },
            ReadErrorKind::TooManyCells { cells, limit } => {
                RegistryError::TooManyCells { file: file.to_owned(), cells, limit }
            }
            ReadErrorKind::Corrupted { detail } => RegistryError::Broken { file: file.to_owned(), detail },
            _ => RegistryError::Unreadable(e.to_string()),
        }
    }
}
