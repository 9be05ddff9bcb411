//! CSV exports of every list and of the audit log, scoped by role, streamed in constant memory,
//! in UTF-8 (BOM) or CP932.
//!
//! # One path for every export
//! Each list (`facilities`, `quotes`, `quote_lines`, `complaints`,
//! `applications`, `vendors`) is one module with its Japanese header and an
//! `async fn write` that reads its rows with sqlx's `fetch` stream and hands
//! each record to a [`Writer`]. [`stream`] runs such a function in a task:
//! the writer gathers records into a chunk of about [`CHUNK`] bytes, encodes
//! it ([`crate::csv::CsvEncoder`]: UTF-8 with the BOM first, or CP932 with 〓
//! for what CP932 cannot write) and sends it over a channel of four chunks, so
//! the task stays at most a few chunks ahead of the client and stops when the
//! client goes away. Memory is bounded by those chunks — and, for quote lines,
//! by the lines of one quote (see [`quotes`]). [`csv_stream`] is that for the
//! lists of `/exports/{list}.csv`.
//!
//! The audit log goes through the same writer: [`audit_log`] lays out the
//! entries that `crate::ssr::audit_log` reads (the SQL stays beside the chain
//! and its filter), and [`audit_log_stream`] runs it, so `/audit-log.csv` and
//! `/audit-log.csv?encoding=sjis` are chunked, encoded and cancelled exactly
//! like the lists.
//!
//! # Scope
//! Every query on facility data joins `facilities f` and appends
//! [`push_scope`](super::db::scope::push_scope): a manager gets the own
//! facility or corporation, a reviewer the association's facility types in the
//! prefecture, an auditor everything, an admin nothing (the route answers 403
//! before any query). The vendor registry is reference data, open to every
//! role like `/reference/vendors`; only its counts are scoped.

pub mod applications;
pub mod audit_log;
pub mod complaints;
pub mod facilities;
pub mod quotes;
pub mod vendors;

use crate::csv::{Charset, CsvEncoder};
use crate::ssr::audit_log::LogFilter;
use futures_util::Stream;
use rules::Role;
use rules::access::{Permission, Scope};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use tokio::sync::mpsc;

/// Bytes of CSV text gathered before a chunk is encoded and handed on.
pub const CHUNK: usize = 32 * 1024;

/// Chunks the export task may run ahead of the client.
const CHANNEL_CHUNKS: usize = 4;

/// A list that can be exported: the `{list}` of `/exports/{list}.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// 施設: one row per facility, with its progress and reader application.
    Facilities,
    /// 見積書: one row per quote, with the totals it writes.
    Quotes,
    /// 見積明細: one row per quote line, with the audit's flag codes.
    QuoteLines,
    /// 相談: one row per history step of each complaint.
    Complaints,
    /// 交付申請: one row per subsidy application.
    Applications,
    /// ベンダー: the vendor registry, with counts in the user's scope.
    Vendors,
}

impl List {
    /// Every list.
    pub const ALL: [List; 6] =
        [List::Facilities, List::Quotes, List::QuoteLines, List::Complaints, List::Applications, List::Vendors];

    /// The stable code, also the file name without `.csv`.
    pub fn code(self) -> &'static str {
        match self {
            List::Facilities => "facilities",
            List::Quotes => "quotes",
            List::QuoteLines => "quote_lines",
            List::Complaints => "complaints",
            List::Applications => "applications",
            List::Vendors => "vendors",
        }
    }

    /// The list named by a code; `None` for anything else (the route answers 404).
    pub fn from_code(code: &str) -> Option<List> {
        List::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The file name offered to the browser.
    pub fn file_name(self) -> String {
        format!("{}.csv", self.code())
    }

    /// The path of the export (without `?encoding=`).
    pub fn path(self) -> String {
        format!("/exports/{}", self.file_name())
    }

    /// The Japanese header row.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            List::Facilities => facilities::HEADER,
            List::Quotes => quotes::QUOTES_HEADER,
            List::QuoteLines => quotes::LINES_HEADER,
            List::Complaints => complaints::HEADER,
            List::Applications => applications::HEADER,
            List::Vendors => vendors::HEADER,
        }
    }

    /// Whether a role may export the list: facility data needs `ReadFacilities`
    /// (admins have none); the vendor registry is open to every role, as its page is.
    pub fn may_export(self, role: Role) -> bool {
        match self {
            List::Vendors => true,
            _ => role.may(Permission::ReadFacilities),
        }
    }

    fn takes_facility(self) -> bool {
        !matches!(self, List::Vendors)
    }

    fn takes_quote(self) -> bool {
        matches!(self, List::Quotes | List::QuoteLines | List::Complaints)
    }
}

/// Narrows a list to one facility (`?facility=ID`) or one quote (`?quote=ID`), and to the
/// facilities the facility list shows (`?type=`, `?prefecture=`, `?q=`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// Only this facility's rows.
    pub facility: Option<i64>,
    /// Only this quote's rows.
    pub quote: Option<i64>,
    /// Only the rows of facilities of this type, prefecture, name or code.
    pub facilities: crate::ssr::db::facilities::ListFilter,
    /// Only complaints or applications in this status (a code).
    pub status: Option<&'static str>,
}

/// A filter parameter that is not a number, or that the list does not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFilter {
    /// `?facility=abc`.
    #[error("{name}={value:?} は番号ではありません（例: {name}=12）")]
    NotANumber {
        /// The parameter.
        name: &'static str,
        /// What was given.
        value: String,
    },
    /// `?type=clinic`, `?prefecture=48`: what to fix, as the facility list says it.
    #[error("{0}")]
    Codes(String),
    /// `?status=closed`: no such status code.
    #[error("{name}={value:?} はありません（例: status=submitted）")]
    Unknown {
        /// The parameter.
        name: &'static str,
        /// What was given.
        value: String,
    },
    /// `?quote=` on a list without quotes.
    #[error("{list}.csv は {name} で絞り込めません")]
    NotTaken {
        /// The list's code.
        list: &'static str,
        /// The parameter.
        name: &'static str,
    },
}

impl Filter {
    /// Reads `?facility=` and `?quote=` for `list`; blank values mean no filter.
    pub fn parse(list: List, facility: Option<&str>, quote: Option<&str>) -> Result<Filter, InvalidFilter> {
        let id = |name: &'static str, value: Option<&str>, taken: bool| -> Result<Option<i64>, InvalidFilter> {
            let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
            if !taken {
                return Err(InvalidFilter::NotTaken { list: list.code(), name });
            }
            v.parse::<i64>().map(Some).map_err(|_| InvalidFilter::NotANumber { name, value: v.to_owned() })
        };
        Ok(Filter {
            facility: id("facility", facility, list.takes_facility())?,
            quote: id("quote", quote, list.takes_quote())?,
            facilities: Default::default(),
            status: None,
        })
    }

    /// Reads `?status=` for `list`, as the complaint and application lists narrow their rows;
    /// blank means none.
    pub fn in_status(mut self, list: List, status: Option<&str>) -> Result<Filter, InvalidFilter> {
        let Some(code) = status.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(self) };
        let known = match list {
            List::Complaints => code.parse::<rules::complaint::ComplaintStatus>().ok().map(|s| s.code()),
            List::Applications => code.parse::<rules::application::ApplicationStatus>().ok().map(|s| s.code()),
            _ => return Err(InvalidFilter::NotTaken { list: list.code(), name: "status" }),
        };
        self.status = Some(known.ok_or_else(|| InvalidFilter::Unknown { name: "status", value: code.to_owned() })?);
        Ok(self)
    }

    /// Reads `?type=`, `?prefecture=` and `?q=` for `list`, as the facility list narrows its
    /// rows (so its CSV links export what it shows); blank values mean no filter.
    pub fn narrowed(
        mut self,
        list: List,
        facility_type: Option<&str>,
        prefecture: Option<&str>,
        search: Option<&str>,
    ) -> Result<Filter, InvalidFilter> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let (t, p, q) = (given(facility_type), given(prefecture), given(search));
        let asked = [("type", t), ("prefecture", p), ("q", q)];
        if let Some((name, _)) = asked.iter().find(|(_, v)| v.is_some() && !list.takes_facility()) {
            return Err(InvalidFilter::NotTaken { list: list.code(), name });
        }
        let (facility_type, prefecture) = crate::api::dashboard::parse_codes(t.unwrap_or(""), p.unwrap_or(""))
            .map_err(|errors| {
                InvalidFilter::Codes(errors.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" / "))
            })?;
        self.facilities =
            crate::ssr::db::facilities::ListFilter { facility_type, prefecture, search: q.map(str::to_owned) };
        Ok(self)
    }

    /// Whether the facility and quote named exist inside the scope; a route
    /// answers 404 otherwise, as the pages do for objects outside the scope.
    pub async fn in_scope(&self, pool: &SqlitePool, scope: &Scope) -> sqlx::Result<bool> {
        if let Some(id) = self.facility {
            let mut qb = QueryBuilder::new("SELECT count(*) FROM facilities f WHERE f.id = ");
            qb.push_bind(id);
            super::db::scope::push_scope(&mut qb, scope, "f");
            if qb.build_query_scalar::<i64>().fetch_one(pool).await? == 0 {
                return Ok(false);
            }
        }
        if let Some(id) = self.quote {
            let mut qb = QueryBuilder::new(
                "SELECT count(*) FROM quotes q JOIN facilities f ON f.id = q.facility_id WHERE q.id = ",
            );
            qb.push_bind(id);
            super::db::scope::push_scope(&mut qb, scope, "f");
            if qb.build_query_scalar::<i64>().fetch_one(pool).await? == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Appends ` AND …` for the filters, on the facility alias `f` and the
    /// column holding the quote id (`None` when the query has none).
    fn push(&self, qb: &mut QueryBuilder<'_, Sqlite>, quote_column: Option<&str>) {
        if let Some(id) = self.facility {
            qb.push(" AND f.id = ").push_bind(id);
        }
        if let (Some(id), Some(column)) = (self.quote, quote_column) {
            qb.push(format!(" AND {column} = ")).push_bind(id);
        }
        crate::ssr::db::facilities::push_facility_filter(qb, &self.facilities);
    }
}

/// Why an export stopped part-way (the client then gets a cut-off download).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the rows failed.
    #[error("reading the rows of the CSV export failed: {0}")]
    Db(#[from] sqlx::Error),
    /// A stored value the export cannot read (a code the rules do not know).
    #[error("the CSV export met a stored value it cannot read: {0}")]
    Data(String),
}

/// How an export's `write` ended early.
#[derive(Debug)]
pub enum Stop {
    /// The client went away: nothing more to do.
    Gone,
    /// Something failed: the stream ends with this error.
    Failed(ExportError),
}

impl From<sqlx::Error> for Stop {
    fn from(e: sqlx::Error) -> Self {
        Stop::Failed(ExportError::Db(e))
    }
}

impl From<ExportError> for Stop {
    fn from(e: ExportError) -> Self {
        Stop::Failed(e)
    }
}

/// Gathers records into chunks, encodes them and sends them to the client.
pub struct Writer {
    sender: mpsc::Sender<Result<Vec<u8>, ExportError>>,
    text: String,
    encoder: CsvEncoder,
    records: u64,
}

impl Writer {
    fn new(sender: mpsc::Sender<Result<Vec<u8>, ExportError>>, charset: Charset, header: &[&str]) -> Self {
        let mut text = String::with_capacity(CHUNK + 4 * 1024);
        crate::csv::push_record(&mut text, header);
        Writer { sender, text, encoder: charset.encoder(), records: 0 }
    }

    /// Appends one record; sends a chunk when enough text has gathered, and
    /// waits while the client is behind.
    pub async fn record<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) -> Result<(), Stop> {
        crate::csv::push_record(&mut self.text, fields);
        self.records += 1;
        if self.text.len() >= CHUNK { self.send().await } else { Ok(()) }
    }

    async fn send(&mut self) -> Result<(), Stop> {
        let mut bytes = Vec::with_capacity(self.text.len() + 3);
        self.encoder.encode(&self.text, &mut bytes);
        self.text.clear();
        self.sender.send(Ok(bytes)).await.map_err(|_| Stop::Gone)
    }

    /// Sends what is left (at least the header), or the error that stopped
    /// the export; `label` names the export in the log lines.
    async fn finish(mut self, label: &'static str, outcome: Result<(), Stop>) {
        match outcome {
            Ok(()) => {
                if self.send().await.is_err() {
                    return;
                }
                if self.encoder.replaced() > 0 {
                    tracing::info!(
                        list = label,
                        replaced = self.encoder.replaced(),
                        "characters CP932 cannot write were exported as 〓"
                    );
                }
                tracing::debug!(list = label, records = self.records, "CSV export done");
            }
            Err(Stop::Gone) => tracing::debug!(list = label, "CSV export cancelled by the client"),
            Err(Stop::Failed(e)) => {
                tracing::error!(list = label, error = %e, "CSV export failed");
                let _ = self.sender.send(Err(e)).await;
            }
        }
    }
}

/// Runs one export: `job` gets a [`Writer`] that already holds `header`,
/// writes its records to it, and hands it back with how it ended. The result
/// is a stream of encoded chunks for an HTTP body
/// (`axum::body::Body::from_stream`); a failure ends it with an error, so the
/// client gets a cut-off download rather than a file that looks complete.
///
/// The job runs in a task that stays at most a few chunks ahead of the client
/// and stops when the stream is dropped (its next [`Writer::record`] that
/// sends a chunk returns [`Stop::Gone`]). `label` names the export in the
/// log lines. Must be called inside a Tokio runtime.
///
/// The job owns the writer rather than borrowing it because a closure whose
/// future borrows its argument cannot be given a `Send` bound here, and the
/// task must be `Send`.
pub fn stream<F, Fut>(
    label: &'static str,
    header: &'static [&'static str],
    charset: Charset,
    job: F,
) -> impl Stream<Item = Result<Vec<u8>, ExportError>> + Send + 'static
where
    F: FnOnce(Writer) -> Fut + Send + 'static,
    Fut: Future<Output = (Writer, Result<(), Stop>)> + Send + 'static,
{
    let (sender, mut receiver) = mpsc::channel::<Result<Vec<u8>, ExportError>>(CHANNEL_CHUNKS);
    tokio::spawn(async move {
        let (w, outcome) = job(Writer::new(sender, charset, header)).await;
        w.finish(label, outcome).await;
    });
    // A closed receiver answers None however often it is asked: a body may be polled again after
    // its end (tower-http's gzip does), which `stream::unfold` answered with a panic.
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

/// The export of `list` for `scope`, narrowed by `filter`, in `charset` (see
/// [`stream`]). The caller checks [`List::may_export`] and
/// [`Filter::in_scope`] first.
pub fn csv_stream(
    pool: SqlitePool,
    scope: Scope,
    list: List,
    filter: Filter,
    charset: Charset,
) -> impl Stream<Item = Result<Vec<u8>, ExportError>> + Send + 'static {
    stream(list.code(), list.header(), charset, move |mut w| async move {
        let outcome = match list {
            List::Facilities => facilities::write(&pool, &scope, &filter, &mut w).await,
            List::Quotes => quotes::write_quotes(&pool, &scope, &filter, &mut w).await,
            List::QuoteLines => quotes::write_lines(&pool, &scope, &filter, &mut w).await,
            List::Complaints => complaints::write(&pool, &scope, &filter, &mut w).await,
            List::Applications => applications::write(&pool, &scope, &filter, &mut w).await,
            List::Vendors => vendors::write(&pool, &scope, &mut w).await,
        };
        (w, outcome)
    })
}

/// The audit log's entries matching `filter`, oldest first, in `charset` (see
/// [`stream`]). The caller checks that the user may audit
/// (`Permission::Audit`): the log is not scoped.
pub fn audit_log_stream(
    pool: SqlitePool,
    filter: LogFilter,
    charset: Charset,
) -> impl Stream<Item = Result<Vec<u8>, ExportError>> + Send + 'static {
    stream("audit_log", audit_log::HEADER, charset, move |mut w| async move {
        let outcome = audit_log::write(&pool, &filter, &mut w).await;
        (w, outcome)
    })
}

/// The Japanese name of a facility type code ("" for an unknown code).
fn facility_type_label(code: &str) -> &'static str {
    code.parse::<rules::FacilityType>().map(|t| t.label_ja()).unwrap_or("")
}

/// The Japanese name of a prefecture code ("" for an unknown code).
fn prefecture_label(code: &str) -> &'static str {
    code.parse::<rules::Prefecture>().map(|p| p.name_ja()).unwrap_or("")
}

/// `1` or `0`, as Excel sums and filters them.
fn one_zero(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// `1`, `0` or empty (not known).
fn one_zero_unknown(b: Option<bool>) -> &'static str {
    b.map_or("", one_zero)
}

/// A stored yen amount (exact decimal text) as a plain number: `150000`,
/// `-20000`, `1234.5` — no separators, no unit. Text that is not an amount
/// is written as stored rather than lost.
fn plain_yen(stored: Option<&str>) -> String {
    match stored {
        None => String::new(),
        Some(s) => rules::Yen::parse(s).map(yen_number).unwrap_or_else(|_| s.to_owned()),
    }
}

/// A yen amount as a plain number.
fn yen_number(y: rules::Yen) -> String {
    y.amount().normalize().to_string()
}

/// An optional text, empty when absent.
fn text(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// An optional integer, empty when absent.
fn number(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_code_round_trips_and_anything_else_is_unknown() {
        for l in List::ALL {
            assert_eq!(List::from_code(l.code()), Some(l));
            assert_eq!(l.path(), format!("/exports/{}.csv", l.code()));
        }
        assert_eq!(List::from_code("users"), None);
        assert_eq!(List::from_code("facilities.csv"), None);
    }

    #[test]
    fn admins_export_only_the_vendor_registry() {
        for l in List::ALL {
            assert_eq!(l.may_export(Role::Admin), l == List::Vendors, "{l:?}");
            assert!(l.may_export(Role::ClinicManager) && l.may_export(Role::Reviewer) && l.may_export(Role::Auditor));
        }
    }

    #[test]
    fn headers_are_japanese_and_unique() {
        for l in List::ALL {
            let h = l.header();
            let mut seen = std::collections::HashSet::new();
            assert!(h.iter().all(|c| seen.insert(*c)), "{l:?} repeats a column");
            assert!(h.iter().all(|c| !c.is_ascii()), "{l:?}: {h:?}");
        }
    }

    #[test]
    fn filters_are_numbers_on_lists_that_take_them() {
        assert_eq!(
            Filter::parse(List::Quotes, Some(" 12 "), None),
            Ok(Filter { facility: Some(12), ..Filter::default() })
        );
        assert_eq!(
            Filter::parse(List::QuoteLines, None, Some("7")),
            Ok(Filter { quote: Some(7), ..Filter::default() })
        );
        assert_eq!(Filter::parse(List::Facilities, Some(""), None), Ok(Filter::default()));
        assert!(matches!(
            Filter::parse(List::Facilities, None, Some("7")),
            Err(InvalidFilter::NotTaken { name: "quote", .. })
        ));
        assert!(matches!(
            Filter::parse(List::Vendors, Some("1"), None),
            Err(InvalidFilter::NotTaken { name: "facility", .. })
        ));
        assert!(matches!(
            Filter::parse(List::Quotes, Some("1; DROP"), None),
            Err(InvalidFilter::NotANumber { name: "facility", .. })
        ));
    }

    #[test]
    fn lists_of_facilities_narrow_as_the_facility_list_does() {
        let narrowed = |list, t, p, q| Filter::default().narrowed(list, t, p, q);
        let f = narrowed(List::QuoteLines, Some("pharmacy"), Some(" 13 "), Some(" 中央 ")).expect("narrowed");
        assert_eq!(
            f.facilities,
            crate::ssr::db::facilities::ListFilter {
                facility_type: Some("pharmacy".into()),
                prefecture: Some("13".into()),
                search: Some("中央".into()),
            }
        );
        assert_eq!(narrowed(List::Facilities, Some(""), None, Some("  ")), Ok(Filter::default()));
        assert!(matches!(
            narrowed(List::Facilities, Some("clinic"), None, None),
            Err(InvalidFilter::Codes(m)) if m == "施設区分 clinic はありません"
        ));
        assert!(matches!(
            narrowed(List::Facilities, None, Some("48"), None),
            Err(InvalidFilter::Codes(m)) if m.starts_with("都道府県コード 48 はありません")
        ));
        assert!(matches!(
            narrowed(List::Vendors, None, None, Some("x")),
            Err(InvalidFilter::NotTaken { name: "q", .. })
        ));
        let in_status = |list, s| Filter::default().in_status(list, s);
        assert_eq!(in_status(List::Complaints, Some(" forwarded ")).map(|f| f.status), Ok(Some("forwarded")));
        assert_eq!(in_status(List::Complaints, Some("")), Ok(Filter::default()));
        assert!(matches!(
            in_status(List::Complaints, Some("closed")),
            Err(InvalidFilter::Unknown { name: "status", .. })
        ));
        assert!(matches!(
            in_status(List::Quotes, Some("submitted")),
            Err(InvalidFilter::NotTaken { name: "status", .. })
        ));
    }

    #[test]
    fn amounts_are_plain_numbers() {
        assert_eq!(plain_yen(Some("150000")), "150000");
        assert_eq!(plain_yen(Some("-20000")), "-20000");
        assert_eq!(plain_yen(Some("150000.00")), "150000");
        assert_eq!(plain_yen(Some("1234.5")), "1234.5");
        assert_eq!(plain_yen(None), "");
    }

    const TEST_HEADER: &[&str] = &["見出し", "金額"];

    /// Every item of an export, in order (chunks as bytes, errors as text).
    async fn items(s: impl Stream<Item = Result<Vec<u8>, ExportError>>) -> Vec<Result<Vec<u8>, String>> {
        use futures_util::StreamExt;
        s.map(|item| item.map_err(|e| e.to_string())).collect().await
    }

    async fn two_records(mut w: Writer) -> (Writer, Result<(), Stop>) {
        let mut outcome = w.record(["=SUM(A1)", "-20000"]).await;
        if outcome.is_ok() {
            outcome = w.record(["〜𠮷, \"x\"", "1"]).await;
        }
        (w, outcome)
    }

    #[tokio::test]
    async fn a_job_is_written_after_its_header_with_one_bom_in_utf8_and_none_in_cp932() {
        let text = "見出し,金額\r\n'=SUM(A1),-20000\r\n\"〜𠮷, \"\"x\"\"\",1\r\n";
        let utf8: Vec<u8> = items(stream("test", TEST_HEADER, Charset::Utf8, two_records))
            .await
            .into_iter()
            .flat_map(|chunk| chunk.expect("chunk"))
            .collect();
        assert_eq!(utf8, format!("{}{text}", crate::csv::BOM).into_bytes());
        let sjis: Vec<u8> = items(stream("test", TEST_HEADER, Charset::ShiftJis, two_records))
            .await
            .into_iter()
            .flat_map(|chunk| chunk.expect("chunk"))
            .collect();
        assert_eq!(sjis, crate::csv::encode(Charset::ShiftJis, text));
        assert!(!sjis.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM in CP932");
    }

    #[tokio::test]
    async fn a_failed_job_ends_the_stream_with_its_error() {
        let got = items(stream("test", TEST_HEADER, Charset::Utf8, |mut w| async move {
            let outcome = match w.record(["a", "1"]).await {
                Ok(()) => Err(Stop::Failed(ExportError::Data("bad code".into()))),
                Err(stop) => Err(stop),
            };
            (w, outcome)
        }))
        .await;
        let last = got.last().expect("an item");
        assert!(matches!(last, Err(e) if e.contains("bad code")), "{got:?}");
    }

    #[tokio::test]
    async fn the_job_stops_when_the_client_goes_away() {
        use futures_util::StreamExt;
        let (done, stopped) = tokio::sync::oneshot::channel();
        let mut s = Box::pin(stream("test", TEST_HEADER, Charset::Utf8, move |mut w| async move {
            let row = "x".repeat(1024);
            let outcome = loop {
                if let Err(stop) = w.record([row.as_str(), "1"]).await {
                    break Err(stop);
                }
            };
            let _ = done.send(matches!(outcome, Err(Stop::Gone)));
            (w, outcome)
        }));
        let first = s.next().await.expect("a chunk").expect("no error");
        assert!(first.len() >= CHUNK, "records are gathered into chunks of CHUNK bytes");
        drop(s);
        let gone = tokio::time::timeout(std::time::Duration::from_secs(5), stopped).await;
        assert!(matches!(gone, Ok(Ok(true))), "the job saw the client leave: {gone:?}");
    }
}
