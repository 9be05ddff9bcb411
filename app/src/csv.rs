//! CSV for Excel users: RFC 4180 fields, CRLF, UTF-8 with a BOM so Excel reads Japanese.

/// The byte-order mark that makes Excel open a UTF-8 CSV as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Appends one field, RFC 4180: quoted, with quotes doubled, when it holds a
/// comma, a quote, CR or LF. A field that a spreadsheet would take for a
/// formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`,
/// so that a label typed by a user stays text in the auditor's Excel
/// (OWASP, "CSV Injection") — except a plain number such as a discount's
/// `-20000`, which must stay a number.
pub fn push_field(out: &mut String, field: &str) {
    let plain_number = field.parse::<rust_decimal::Decimal>().is_ok() && !field.starts_with('+');
    let guard = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number { "'" } else { "" };
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(guard);
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(guard);
        out.push_str(field);
    }
}

/// Appends one record and its CRLF.
pub fn push_record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> String {
        let mut s = String::new();
        push_record(&mut s, fields);
        s
    }

    #[test]
    fn csv_fields_are_quoted_only_when_rfc_4180_requires_it() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("日本語", "日本語"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("line\nbreak", "\"line\nbreak\""),
            ("cr\rlf", "\"cr\rlf\""),
            (r#"{"a":1,"b":"x"}"#, r#""{""a"":1,""b"":""x""}""#),
            ("a=b", "a=b"),
        ];
        for (field, expected) in cases {
            let mut out = String::new();
            push_field(&mut out, field);
            assert_eq!(out, expected, "field {field:?}");
        }
    }

    #[test]
    fn csv_fields_that_excel_would_run_as_formulas_stay_text() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+81", "'+81"),
            ("-1x", "'-1x"),
            ("-1", "-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""),
        ];
        for (field, expected) in cases {
            let mut out = String::new();
            push_field(&mut out, field);
            assert_eq!(out, expected, "field {field:?}");
        }
    }

    #[test]
    fn negative_numbers_stay_numbers() {
        assert_eq!(record(&["-20000", "-1.5", "352000"]), "-20000,-1.5,352000\r\n");
    }
}
