//! 出典 as people read them: the public document behind each of the rules' source notes
//! (the register in shared/sources.md), never the name of a file kept in the repository.

/// The public documents (sources.md) a person reads as 出典, in place of the rules' notes
/// that name the copies kept in the repository.
const PUBLIC_DOCUMENTS: [(&str, &str); 4] = [
    (
        "seeds/001",
        "日本医師会 通知（令和3年3月）別添1「加速化プラン」を踏まえた追加的な財政補助（令和2年11月17日公表）",
    ),
    ("seeds/002", "厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）"),
    ("seeds/003", "厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）"),
    ("seeds/004", "福岡県医師会「オンライン資格確認システム導入支援基礎セミナー」（令和5年2月6日）"),
];

/// A source note as a person reads it: each copy of a document named by the public
/// document (its detail in brackets kept), notes for developers and the weak source left
/// out; None when nothing is left.
pub fn public_source(note: &str) -> Option<String> {
    let parts: Vec<String> = note
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty() && !part.starts_with("domain.md") && !part.starts_with("seeds/000"))
        .map(|part| {
            PUBLIC_DOCUMENTS
                .iter()
                .find_map(|(copy, document)| {
                    let rest = part.strip_prefix(copy)?;
                    Some(format!("{document}{}", rest.find('（').map_or("", |i| &rest[i..])))
                })
                .unwrap_or_else(|| part.to_owned())
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("／"))
}
