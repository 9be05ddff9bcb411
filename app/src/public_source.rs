//! 出典 as people read them: the rules' source notes read against the register of public
//! sources (`seed/sources.json`, `rules::sources`), never the name of a file kept in the repository.

use rules::sources::{Source, resolve};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// Notes come from the seed data and the rules, a few hundred at most; the cap keeps a note
/// that somehow varies per request from growing the cache.
const CACHE_CAP: usize = 4096;

/// The text people read, every entry the note names, and the pieces (entry, text after its short form).
type Resolved = (Option<Arc<str>>, Arc<[&'static Source]>, Arc<[(&'static Source, String)]>);

fn cache() -> &'static RwLock<HashMap<Box<str>, Resolved>> {
    static CACHE: OnceLock<RwLock<HashMap<Box<str>, Resolved>>> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

/// A note read once: pages show the same notes on every request.
fn resolved(note: &str) -> Resolved {
    if let Some(hit) = cache().read().ok().and_then(|c| c.get(note).cloned()) {
        return hit;
    }
    let citation = resolve(note);
    let entry: Resolved = (citation.text().map(Arc::from), citation.sources().into(), citation.shown().into());
    if let Ok(mut c) = cache().write()
        && c.len() < CACHE_CAP
    {
        c.insert(note.into(), entry.clone());
    }
    entry
}

/// A source note as a person reads it: each public document in its short form (its Japanese
/// detail kept), joined by 「／」; developer notes and the weak source left out; None when
/// nothing is left.
pub fn public_source(note: &str) -> Option<String> {
    resolved(note).0.map(|s| s.to_string())
}

/// The register entries a note cites to people (weak ones left out), so pages can link to them.
pub fn cited_sources(note: &str) -> Vec<&'static Source> {
    resolved(note).1.iter().copied().filter(|s| s.citable()).collect()
}

/// What people read, piece by piece: each cited entry and the text that follows its short
/// form, for pages that link each short form to the register.
pub fn cited_pieces(note: &str) -> Arc<[(&'static Source, String)]> {
    resolved(note).2
}

/// Where the register page lists a source: `/reference/sources#<key>`.
pub fn register_link(source: &Source) -> String {
    format!("{}#{}", REGISTER_PATH, source.key())
}

/// The page that lists the register.
pub const REGISTER_PATH: &str = "/reference/sources";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_reads_as_the_public_documents_and_links_to_the_register() {
        let note = "seeds/003_bb373fb805f0f64e.txt（補助内容の表）; seeds/000（上限に近い金額）; 保団連";
        assert_eq!(
            public_source(note).as_deref(),
            Some(
                "厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）（補助内容の表）／保団連「整備コスト」（2022年）"
            )
        );
        let cited: Vec<&str> = cited_sources(note).iter().map(|s| s.key()).collect();
        assert_eq!(cited, ["mhlw_guide_2020_06", "hodanren_cost_2022"]);
        assert_eq!(register_link(cited_sources(note)[0]), "/reference/sources#mhlw_guide_2020_06");
        assert_eq!(public_source(note), public_source(note), "a cached note reads the same");
    }
}
