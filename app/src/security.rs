//! The Content-Security-Policy of every response (OWASP ASVS 4.0.3 V14.4.3, V14.4.6, V14.4.7).
//!
//! Pages carry no script of their own (no `hydrate` build): the only inline
//! scripts are Leptos's resource data, marked with the per-response nonce, so
//! the page policy allows exactly those and nothing inline otherwise. Every
//! other response (CSV, PDF, JSON, errors) gets the same policy without a
//! script source. Neither has `unsafe-inline` or `unsafe-eval`.

/// The policy; `nonce` allows the inline scripts that carry it.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("script-src 'nonce-{n}'"),
        None => "script-src 'none'".to_owned(),
    };
    // Styles come from the served stylesheet only; charts are inline SVG (no images), the
    // letter and documents are downloads; forms post to Onshi itself; nothing may frame it.
    format!(
        "default-src 'none'; {scripts}; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Sets the page's policy, with this response's nonce, on the response being rendered.
#[cfg(feature = "ssr")]
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(nonce.as_deref())) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_inline_is_allowed_but_what_carries_the_nonce() {
        for policy in [content_security_policy(None), content_security_policy(Some("abc"))] {
            assert!(!policy.contains("unsafe"), "{policy}");
            assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
            assert!(policy.starts_with("default-src 'none';"), "{policy}");
        }
        assert!(content_security_policy(Some("abc")).contains("script-src 'nonce-abc';"));
        assert!(content_security_policy(None).contains("script-src 'none';"));
    }
}
