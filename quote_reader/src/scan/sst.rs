//! The shared string table of an .xls (an SST record and the CONTINUE records after it), walked the way calamine 0.38 reads it (`parse_sst`, `read_rich_extended_string`, `read_dbcs` in its xls.rs), for the length of each string: calamine copies a string into every LABELSST cell that uses it.
//!
//! The table's own counts (cstTotal, cstUnique) are skipped, as calamine skips
//! them: it sizes nothing from them.

use crate::cfb::u16_at;

/// Most CONTINUE records accepted behind one SST. calamine takes each of them off
/// the front of a list (`Vec::remove(0)`, its `Record::continue_record`), so a
/// run of n costs n²/2 moves: millions of empty CONTINUE records in a 20 MB file
/// would keep a core busy for hours. Excel fills every record to 8,224 bytes
/// before it continues (MS-XLS 2.1.4), so a 20 MiB upload holds about 2,550.
pub(super) const MAX_CONTINUES: usize = 4096;

/// The SST's data, then each CONTINUE record's, read as one run of bytes with seams.
struct Chunks<'a, 'c> {
    data: &'a [u8],
    rest: std::slice::Iter<'c, &'a [u8]>,
}

impl Chunks<'_, '_> {
    fn next_chunk(&mut self) -> bool {
        match self.rest.next() {
            Some(chunk) => {
                self.data = chunk;
                true
            }
            None => false,
        }
    }

    fn advance(&mut self, n: usize) -> Option<()> {
        self.data = self.data.get(n..)?;
        Some(())
    }

    fn skip(&mut self, mut len: usize) -> Option<()> {
        while len > 0 {
            if self.data.is_empty() && !self.next_chunk() {
                return None;
            }
            let step = len.min(self.data.len());
            self.advance(step)?;
            len -= step;
        }
        Some(())
    }
}

/// The character count of each string of the table, in order. `None` where calamine
/// fails on the table (and with it on the whole workbook).
pub(super) fn string_lengths(sst: &[u8], continues: &[&[u8]]) -> Option<Vec<u64>> {
    let mut chunks = Chunks { data: sst.get(8..)?, rest: continues.iter() };
    let mut lengths = Vec::new();
    while !chunks.data.is_empty() || chunks.next_chunk() {
        lengths.push(read_string(&mut chunks)?);
    }
    Some(lengths)
}

/// One XLUnicodeRichExtendedString (MS-XLS 2.5.293): its character count.
fn read_string(c: &mut Chunks<'_, '_>) -> Option<u64> {
    if c.data.is_empty() {
        return Some(0);
    }
    let cch = usize::from(u16_at(c.data, 0)?);
    let flags = *c.data.get(2)?;
    c.advance(3)?;
    let mut runs = 0usize;
    let mut extension = 0usize;
    if flags & 0x8 != 0 {
        runs = usize::from(u16_at(c.data, 0)?);
        c.advance(2)?;
    }
    if flags & 0x4 != 0 {
        let bytes: [u8; 4] = c.data.get(..4)?.try_into().ok()?;
        // calamine casts a negative size to a huge one and fails skipping it.
        extension = usize::try_from(i32::from_le_bytes(bytes)).unwrap_or(usize::MAX);
        c.advance(4)?;
    }
    let mut high_byte = flags & 0x1 != 0;
    let mut left = cch;
    while left > 0 {
        let width = if high_byte { 2 } else { 1 };
        let taken = left.min(c.data.len() / width);
        c.advance(taken * width)?;
        left -= taken;
        if left > 0 {
            // The string goes on in the next CONTINUE, behind a byte of flags.
            if !c.next_chunk() {
                return None;
            }
            high_byte = c.data.first()? & 0x1 != 0;
            c.advance(1)?;
        }
    }
    c.skip(runs.checked_mul(4)?)?;
    c.skip(extension)?;
    u64::try_from(cch).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(count: u32) -> Vec<u8> {
        let mut data = count.to_le_bytes().to_vec();
        data.extend_from_slice(&count.to_le_bytes());
        data
    }

    #[test]
    fn plain_and_wide_strings_give_their_lengths() {
        let mut sst = header(2);
        sst.extend_from_slice(&[3, 0, 0, b'a', b'b', b'c']);
        sst.extend_from_slice(&[2, 0, 1, 0x42, 0x30, 0x44, 0x30]);
        assert_eq!(string_lengths(&sst, &[]), Some(vec![3, 2]));
    }

    #[test]
    fn a_string_split_over_a_continue_record_goes_on_after_its_flag_byte() {
        let mut sst = header(2);
        sst.extend_from_slice(&[4, 0, 0, b'a', b'b']);
        let continued = [1u8, b'c', 0, b'd', 0];
        let next = [1u8, 0, 0, b'z'];
        let mut tail = continued.to_vec();
        tail.extend_from_slice(&next);
        assert_eq!(string_lengths(&sst, &[&tail]), Some(vec![4, 1]));
    }

    #[test]
    fn rich_text_runs_and_extensions_are_skipped() {
        let mut sst = header(2);
        // fRichSt and fExtSt: 1 run (4 bytes), 3 bytes of extension.
        sst.extend_from_slice(&[1, 0, 0x0C, 1, 0, 3, 0, 0, 0, b'x', 9, 9, 9, 9, 7, 7, 7]);
        sst.extend_from_slice(&[1, 0, 0, b'y']);
        assert_eq!(string_lengths(&sst, &[]), Some(vec![1, 1]));
    }

    #[test]
    fn a_table_calamine_fails_on_is_none() {
        let mut negative = header(1);
        negative.extend_from_slice(&[1, 0, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, b'x']);
        assert_eq!(string_lengths(&negative, &[]), None);
        let mut cut = header(1);
        cut.extend_from_slice(&[9, 0, 0, b'a']);
        assert_eq!(string_lengths(&cut, &[]), None);
        assert_eq!(string_lengths(&[0; 4], &[]), None);
    }

    #[test]
    fn the_declared_counts_size_nothing() {
        let mut sst = header(u32::MAX);
        sst.extend_from_slice(&[1, 0, 0, b'a']);
        assert_eq!(string_lengths(&sst, &[]), Some(vec![1]));
    }
}
