//! A fresh, minimal compound file around one workbook stream, for calamine.
//!
//! calamine parses the container of an .xls again with its own reader, whose
//! choices differ from ours on broken files (which directory entry a name
//! matches, where the mini stream ends, a FAT chain that loops — it follows a
//! looping directory chain until memory runs out). Handing it a container we
//! wrote ourselves around the stream we already read and scanned means calamine
//! reads exactly the bytes the pre-scan counted, and nothing else of the upload.
//!
//! Layout (MS-CFB version 4, 4,096-byte sectors, no mini stream): the header
//! sector, the FAT sectors, one directory sector (root and `Workbook`), then
//! the stream. A stream under 4,096 bytes is padded with zero bytes up to it,
//! because calamine takes any shorter stream from the mini stream.

use super::{END_OF_CHAIN, SIGNATURE};

const SECTOR: usize = 4096;
const FAT_ENTRIES_PER_SECTOR: usize = SECTOR / 4;
/// FAT sectors the header lists itself; more would need DIFAT sectors.
const HEADER_DIFAT_ENTRIES: usize = 109;
const FAT_SECTOR_MARK: u32 = 0xFFFF_FFFD;
const FREE: u32 = 0xFFFF_FFFF;
const NO_STREAM: u32 = 0xFFFF_FFFF;
/// calamine reads streams shorter than this from the mini stream (cfb.rs, calamine 0.38).
pub(crate) const MIN_REGULAR_STREAM: usize = 4096;

/// The stream as calamine will read it from the wrapped file: padded with zero
/// bytes to [`MIN_REGULAR_STREAM`].
pub(crate) fn padded(stream: &[u8]) -> Vec<u8> {
    let mut out = stream.to_vec();
    if out.len() < MIN_REGULAR_STREAM {
        out.resize(MIN_REGULAR_STREAM, 0);
    }
    out
}

fn put_u16(buf: &mut [u8], at: usize, v: u16) {
    buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn id(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(FREE)
}

/// One 128-byte directory entry.
fn entry(name: &str, kind: u8, child: u32, start: u32, size: u64) -> [u8; 128] {
    let mut e = [0u8; 128];
    let units: Vec<u16> = name.encode_utf16().collect();
    for (i, u) in units.iter().enumerate() {
        put_u16(&mut e, i * 2, *u);
    }
    put_u16(&mut e, 64, u16::try_from((units.len() + 1) * 2).unwrap_or(64));
    e[66] = kind;
    e[67] = 1; // black
    put_u32(&mut e, 68, NO_STREAM);
    put_u32(&mut e, 72, NO_STREAM);
    put_u32(&mut e, 76, child);
    put_u32(&mut e, 116, start);
    e[120..128].copy_from_slice(&size.to_le_bytes());
    e
}

/// A compound file holding `stream` (already [`padded`]) as `Workbook`.
/// `None` past what 109 FAT sectors address (about 450 MB, far above any upload).
pub(crate) fn workbook_file(stream: &[u8]) -> Option<Vec<u8>> {
    let data_sectors = stream.len().div_ceil(SECTOR);
    // FAT sectors must also map themselves and the directory sector.
    let mut fat_sectors = 1;
    while fat_sectors * FAT_ENTRIES_PER_SECTOR < fat_sectors + 1 + data_sectors {
        fat_sectors += 1;
    }
    if fat_sectors > HEADER_DIFAT_ENTRIES || stream.len() < MIN_REGULAR_STREAM {
        return None;
    }
    let directory = fat_sectors;
    let first_data = directory + 1;

    let mut header = vec![0u8; SECTOR];
    header[..8].copy_from_slice(&SIGNATURE);
    put_u16(&mut header, 0x18, 0x003E); // minor version
    put_u16(&mut header, 0x1A, 4); // major version
    put_u16(&mut header, 0x1C, 0xFFFE); // little-endian
    put_u16(&mut header, 0x1E, 12); // 4,096-byte sectors
    put_u16(&mut header, 0x20, 6); // 64-byte mini sectors
    put_u32(&mut header, 0x28, 1); // directory sectors
    put_u32(&mut header, 0x2C, id(fat_sectors));
    put_u32(&mut header, 0x30, id(directory));
    put_u32(&mut header, 0x38, id(MIN_REGULAR_STREAM));
    put_u32(&mut header, 0x3C, END_OF_CHAIN); // no mini FAT
    put_u32(&mut header, 0x44, END_OF_CHAIN); // no DIFAT sectors
    for i in 0..HEADER_DIFAT_ENTRIES {
        put_u32(&mut header, 0x4C + i * 4, if i < fat_sectors { id(i) } else { FREE });
    }

    let mut fat = vec![FREE; fat_sectors * FAT_ENTRIES_PER_SECTOR];
    fat[..fat_sectors].fill(FAT_SECTOR_MARK);
    fat[directory] = END_OF_CHAIN;
    let data_end = first_data + data_sectors;
    for (s, next) in fat.iter_mut().enumerate().take(data_end).skip(first_data) {
        *next = if s + 1 < data_end { id(s + 1) } else { END_OF_CHAIN };
    }

    let mut dir = vec![0u8; SECTOR];
    // calamine refuses a version-4 root whose start is END_OF_CHAIN; with no mini
    // FAT it never reads the root's chain, so the directory sector stands in.
    dir[..128].copy_from_slice(&entry("Root Entry", 5, 1, id(directory), 0));
    dir[128..256].copy_from_slice(&entry("Workbook", 2, NO_STREAM, id(first_data), stream.len() as u64));
    for unused in dir[256..].chunks_exact_mut(128) {
        put_u32(unused, 68, NO_STREAM);
        put_u32(unused, 72, NO_STREAM);
        put_u32(unused, 76, NO_STREAM);
    }

    let mut out = Vec::with_capacity(SECTOR * (first_data + data_sectors + 1));
    out.extend_from_slice(&header);
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend_from_slice(&dir);
    out.extend_from_slice(stream);
    out.resize(SECTOR * (1 + first_data + data_sectors), 0);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfb::Cfb;

    #[test]
    fn our_reader_finds_the_stream_again_byte_for_byte() {
        for len in [0, 10, 4095, 4096, 4097, 5_000_000] {
            let stream: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let padded = padded(&stream);
            let file = workbook_file(&padded).expect("wrapped");
            let cfb = Cfb::parse(&file).expect("parses");
            assert_eq!(cfb.read_stream("Workbook").expect("stream"), padded, "length {len}");
            assert!(padded.starts_with(&stream) && padded.len() >= MIN_REGULAR_STREAM);
        }
    }

    #[test]
    fn an_unpadded_short_stream_is_not_wrapped() {
        assert!(workbook_file(&[0; 100]).is_none());
    }
}
