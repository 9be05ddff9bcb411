//! What a request must be before anything reads it, and what a server function's error
//! answer becomes on its way out.
//!
//! - **Host**: a request for another host name is refused (DNS rebinding; OWASP ASVS 4.0.3
//!   V14.5): the public address when one is configured, the listen address on loopback.
//! - **Origin** (CSRF, in `middleware::check_origin`) compares the scheme too.
//! - **Error links**: a form refused without JavaScript comes back to its page with the
//!   error in the URL (`__err`). Anyone could write such a link and make Onshi's alert box
//!   say anything; so the server signs the error links it makes, and a link whose
//!   signature does not match is shown without its error.
//! - **Statuses**: a server function's error is answered with the status it means (400,
//!   401, 403, 404, 409, 429) rather than 500 for everything.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::SocketAddr;
use std::sync::Arc;

/// What the guard checks requests against.
#[derive(Clone)]
pub struct Guard {
    /// `host[:port]` values a request may name; `None`: any (bound to a public address
    /// without `--public-url`, where the names users type are unknown).
    hosts: Option<Arc<Vec<String>>>,
    /// The scheme pages are served under, for the origin check.
    pub scheme: &'static str,
    key: Arc<[u8; 32]>,
}

impl Guard {
    /// The guard for a server bound to `addr`, reached at `public_url` when given, over
    /// HTTPS when `secure`.
    pub fn new(addr: SocketAddr, public_url: Option<&str>, secure: bool) -> Self {
        let public = public_url.and_then(|u| {
            let (scheme, rest) = u.split_once("://")?;
            let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
            let scheme = if scheme.eq_ignore_ascii_case("https") { "https" } else { "http" };
            Some((scheme, authority))
        });
        let (scheme, hosts) = match public {
            Some((scheme, authority)) => {
                let default = if scheme == "https" { ":443" } else { ":80" };
                let bare = authority.strip_suffix(default).unwrap_or(&authority).to_owned();
                (scheme, Some(vec![bare.clone(), format!("{bare}{default}")]))
            }
            None if addr.ip().is_loopback() => {
                let port = addr.port();
                let mut hosts: Vec<String> =
                    ["127.0.0.1", "localhost", "[::1]"].iter().map(|h| format!("{h}:{port}")).collect();
                if port == 80 {
                    hosts.extend(["127.0.0.1", "localhost", "[::1]"].map(str::to_owned));
                }
                (if secure { "https" } else { "http" }, Some(hosts))
            }
            None => (if secure { "https" } else { "http" }, None),
        };
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        Guard { hosts: hosts.map(Arc::new), scheme, key: Arc::new(key) }
    }

    fn host_allowed(&self, host: Option<&str>) -> bool {
        match (&self.hosts, host) {
            (None, _) => true,
            (Some(hosts), Some(h)) => hosts.iter().any(|a| a.eq_ignore_ascii_case(h.trim())),
            (Some(_), None) => false,
        }
    }

    fn mac(&self, path: &str, err: &str) -> Hmac<Sha256> {
        // A key of any length is accepted by HMAC: `new_from_slice` cannot fail here.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(err.as_bytes());
        mac
    }

    fn sign(&self, path: &str, err: &str) -> String {
        self.mac(path, err).finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn verifies(&self, path: &str, err: &str, sig: &str) -> bool {
        let Some(bytes) = decode_hex(sig) else { return false };
        self.mac(path, err).verify_slice(&bytes).is_ok()
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The `__path`, `__err` and `__sig` of a query, if it carries an error.
fn error_params(query: &str) -> Option<(String, String, Option<String>)> {
    let mut path = None;
    let mut err = None;
    let mut sig = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "__path" => path = Some(v.into_owned()),
            "__err" => err = Some(v.into_owned()),
            "__sig" => sig = Some(v.into_owned()),
            _ => {}
        }
    }
    Some((path.unwrap_or_default(), err?, sig))
}

/// `query` without the error parameters.
fn without_error(query: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| !matches!(k.as_ref(), "__path" | "__err" | "__sig")),
        )
        .finish()
}

/// Refuses other hosts; drops unsigned error links; signs the error links the server makes;
/// gives server-function errors their status.
pub async fn guard(State(guard): State<Guard>, mut req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned);
    if !guard.host_allowed(host.as_deref()) && req.uri().path() != "/healthz" {
        tracing::warn!(host = host.as_deref().unwrap_or(""), path = %req.uri().path(), "request for another host refused");
        let body = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>このアドレスでは利用できません — Onshi</title></head><body><main><h1>このアドレスでは利用できません</h1><p>Onshi の正しいアドレスを開いてください。</p></main></body></html>";
        return (StatusCode::MISDIRECTED_REQUEST, Html(body)).into_response();
    }
    if let Some(query) = req.uri().query()
        && let Some((path, err, sig)) = error_params(query)
        && !sig.is_some_and(|s| guard.verifies(&path, &err, &s))
    {
        tracing::info!(path = %req.uri().path(), "an error link that Onshi did not make was shown without its error");
        let rest = without_error(query);
        let pq = if rest.is_empty() { req.uri().path().to_owned() } else { format!("{}?{rest}", req.uri().path()) };
        if let Ok(uri) = pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    let is_server_fn = req.uri().path().starts_with("/api/");
    let done = (is_server_fn && req.method() == axum::http::Method::POST)
        .then(|| req.uri().path().trim_start_matches("/api/").to_owned())
        .and_then(|endpoint| app::done::message(&endpoint).map(|_| endpoint));
    let mut res = next.run(req).await;
    if let Some(endpoint) = done {
        mark_done(&mut res, &endpoint);
    }
    sign_error_location(&guard, &mut res);
    if is_server_fn && res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return with_error_status(res).await;
    }
    res
}

/// A form post carried out goes back to its page (or where the function sent it) with
/// `done=<function>`, for the page's 「…しました」, and without the error of an earlier refused
/// attempt that the page's address still carried.
fn mark_done(res: &mut Response, endpoint: &str) {
    if !res.status().is_redirection() {
        return;
    }
    let Some(location) = res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()) else { return };
    let (before_fragment, fragment) = match location.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (location, None),
    };
    let (path, query) = before_fragment.split_once('?').unwrap_or((before_fragment, ""));
    // Refused, the error goes back without the success of an earlier attempt; carried out,
    // the success goes back without an earlier error's signature.
    let refused = error_params(query).is_some();
    let mut rest = form_urlencoded::Serializer::new(String::new());
    rest.extend_pairs(
        form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "done" && (refused || k != "__sig")),
    );
    if !refused {
        rest.append_pair("done", endpoint);
    }
    let rest = rest.finish();
    let marked = match (rest.is_empty(), fragment) {
        (true, Some(f)) => format!("{path}#{f}"),
        (true, None) => path.to_owned(),
        (false, Some(f)) => format!("{path}?{rest}#{f}"),
        (false, None) => format!("{path}?{rest}"),
    };
    if let Ok(v) = HeaderValue::from_str(&marked) {
        res.headers_mut().insert(header::LOCATION, v);
    }
}

fn sign_error_location(guard: &Guard, res: &mut Response) {
    let Some(location) = res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()) else { return };
    let Some((_, query)) = location.split_once('?') else { return };
    let Some((path, err, _)) = error_params(query) else { return };
    let signed = format!("{location}&__sig={}", guard.sign(&path, &err));
    if let Ok(v) = HeaderValue::from_str(&signed) {
        res.headers_mut().insert(header::LOCATION, v);
    }
}

/// A server function's error, answered 500 by the framework, with the status it means.
async fn with_error_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    // Errors are a few hundred bytes; anything larger is not one of ours.
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::UiError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(location: &str, endpoint: &str) -> String {
        let mut res = Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, location)
            .body(axum::body::Body::empty())
            .expect("response");
        mark_done(&mut res, endpoint);
        res.headers()[header::LOCATION].to_str().expect("ascii").to_owned()
    }

    #[test]
    fn a_form_carried_out_goes_back_saying_so_and_a_refused_one_does_not() {
        assert_eq!(marked("/facilities/5", "record_stage"), "/facilities/5?done=record_stage");
        assert_eq!(marked("/facilities/5#payback", "save_patients"), "/facilities/5?done=save_patients#payback");
        // The address of the page still carried the signature of an earlier refusal, and
        // an earlier success: both replaced.
        assert_eq!(
            marked("http://127.0.0.1:3000/quotes/3?page=2&__sig=ab&done=save_letter", "reset_letter"),
            "http://127.0.0.1:3000/quotes/3?page=2&done=reset_letter"
        );
        // Refused: the error goes back, the earlier success does not.
        assert_eq!(
            marked("/facilities/5?done=record_stage&__path=%2Fapi%2Fx&__err=e30", "record_stage"),
            "/facilities/5?__path=%2Fapi%2Fx&__err=e30"
        );
    }

    #[test]
    fn loopback_servers_answer_their_own_names_only() {
        let g = Guard::new("127.0.0.1:3000".parse().expect("addr"), None, false);
        assert!(g.host_allowed(Some("127.0.0.1:3000")) && g.host_allowed(Some("localhost:3000")));
        assert!(!g.host_allowed(Some("evil.example:3000")) && !g.host_allowed(None));
        let public = Guard::new("0.0.0.0:3000".parse().expect("addr"), Some("https://onshi.example.jp/"), true);
        assert!(public.host_allowed(Some("onshi.example.jp")) && public.host_allowed(Some("ONSHI.example.jp:443")));
        assert!(!public.host_allowed(Some("127.0.0.1:3000")));
        assert_eq!(public.scheme, "https");
        assert!(Guard::new("0.0.0.0:3000".parse().expect("addr"), None, false).host_allowed(Some("anything")));
    }

    #[test]
    fn only_the_servers_own_signature_verifies_an_error_link() {
        let g = Guard::new("127.0.0.1:0".parse().expect("addr"), None, false);
        let sig = g.sign("/api/login", "eyJJbnZhbGlkIjoi");
        assert!(g.verifies("/api/login", "eyJJbnZhbGlkIjoi", &sig));
        assert!(!g.verifies("/api/login", "eyJJbnZhbGlkIjoX", &sig));
        assert!(!g.verifies("/api/other", "eyJJbnZhbGlkIjoi", &sig));
        let other = Guard::new("127.0.0.1:0".parse().expect("addr"), None, false);
        assert!(!other.verifies("/api/login", "eyJJbnZhbGlkIjoi", &sig), "another process's key");
        assert_eq!(without_error("page=2&__path=%2Fapi%2Fx&__err=abc&__sig=00&q=%E6%9D%B1"), "page=2&q=%E6%9D%B1");
    }
}
