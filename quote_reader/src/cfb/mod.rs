//! Just enough of the Compound File Binary format (MS-CFB, the container of .xls and of encrypted OOXML) to list stream names and read one stream, every offset checked.
//!
//! calamine has its own CFB reader but keeps it private; we need the stream
//! names before calamine runs (an encrypted .xlsx is a CFB file with
//! `EncryptionInfo` and `EncryptedPackage` streams) and the workbook stream
//! to count cells before calamine lays every sheet out densely.

pub(crate) mod wrap;

/// The 8-byte signature every compound file starts with.
pub(crate) const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(crate) const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector ids from here up are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
const HEADER_DIFAT_ENTRIES: usize = 109;
const DIRECTORY_ENTRY_SIZE: usize = 128;
const MINI_SECTOR_SIZE: usize = 64;
const STREAM: u8 = 2;
const ROOT: u8 = 5;

/// A parsed compound file over borrowed bytes.
pub(crate) struct Cfb<'a> {
    data: &'a [u8],
    sector_size: usize,
    mini_cutoff: u64,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
    entries: Vec<Entry>,
    mini_stream: Vec<u8>,
}

struct Entry {
    name: String,
    kind: u8,
    start: u32,
    size: u64,
}

pub(crate) fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([bytes.first().copied()?, bytes.get(1).copied()?]))
}

pub(crate) fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = data.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

impl<'a> Cfb<'a> {
    /// Parses the header, FAT, mini FAT and directory. `None` when the structure is broken.
    pub(crate) fn parse(data: &'a [u8]) -> Option<Self> {
        if data.get(..8)? != SIGNATURE {
            return None;
        }
        let sector_shift = u16_at(data, 0x1E)?;
        let sector_size = match sector_shift {
            9 => 512,
            12 => 4096,
            _ => return None,
        };
        let major_version = u16_at(data, 0x1A)?;
        let fat_sector_count = u32_at(data, 0x2C)?;
        let first_directory = u32_at(data, 0x30)?;
        let mini_cutoff = u64::from(u32_at(data, 0x38)?);
        let first_mini_fat = u32_at(data, 0x3C)?;
        let first_difat = u32_at(data, 0x44)?;

        // Sectors start after a header that takes one sector.
        let sector_count = data.len().saturating_sub(sector_size).div_ceil(sector_size);
        let mut cfb = Cfb {
            data,
            sector_size,
            mini_cutoff,
            fat: Vec::new(),
            mini_fat: Vec::new(),
            entries: Vec::new(),
            mini_stream: Vec::new(),
        };

        // The DIFAT lists the FAT's sectors: 109 in the header, then a chain of DIFAT sectors.
        let mut fat_sectors: Vec<u32> = Vec::new();
        for i in 0..HEADER_DIFAT_ENTRIES {
            fat_sectors.push(u32_at(data, 0x4C + i * 4)?);
        }
        let per_difat_sector = sector_size / 4 - 1;
        let mut next = first_difat;
        let mut steps = 0;
        while next < MAX_REGULAR_SECTOR {
            steps += 1;
            if steps > sector_count {
                return None; // a loop
            }
            let sector = cfb.sector(next)?;
            for i in 0..per_difat_sector {
                fat_sectors.push(u32_at(sector, i * 4)?);
            }
            next = u32_at(sector, per_difat_sector * 4)?;
        }
        let wanted = usize::try_from(fat_sector_count).ok()?;
        if wanted > sector_count {
            return None;
        }
        let mut fat = Vec::with_capacity(wanted.saturating_mul(sector_size / 4));
        for &id in fat_sectors.iter().filter(|&&id| id < MAX_REGULAR_SECTOR).take(wanted) {
            let sector = cfb.sector(id)?;
            fat.extend(sector.chunks_exact(4).filter_map(|c| c.try_into().ok().map(u32::from_le_bytes)));
        }
        cfb.fat = fat;

        let directory = cfb.read_chain(first_directory, false)?;
        for raw in directory.chunks_exact(DIRECTORY_ENTRY_SIZE) {
            let name_len = usize::from(u16_at(raw, 64)?).min(64);
            let units: Vec<u16> =
                raw.get(..name_len.saturating_sub(2))?.chunks_exact(2).filter_map(|c| u16_at(c, 0)).collect();
            let mut size = u64_at(raw, 120)?;
            if major_version == 3 {
                // Version 3 files may leave garbage in the high half (MS-CFB 2.6.1).
                size &= 0xFFFF_FFFF;
            }
            cfb.entries.push(Entry {
                name: String::from_utf16_lossy(&units),
                kind: *raw.get(66)?,
                start: u32_at(raw, 116)?,
                size,
            });
        }

        let mini_fat =
            if first_mini_fat < MAX_REGULAR_SECTOR { cfb.read_chain(first_mini_fat, false)? } else { Vec::new() };
        cfb.mini_fat = mini_fat.chunks_exact(4).filter_map(|c| c.try_into().ok().map(u32::from_le_bytes)).collect();
        if let Some(root) = cfb.entries.iter().find(|e| e.kind == ROOT)
            && root.start < MAX_REGULAR_SECTOR
        {
            let (start, size) = (root.start, root.size);
            let mut stream = cfb.read_chain(start, false)?;
            stream.truncate(usize::try_from(size).unwrap_or(usize::MAX));
            cfb.mini_stream = stream;
        }
        Some(cfb)
    }

    /// The bytes of a regular sector; the last one may be short.
    fn sector(&self, id: u32) -> Option<&'a [u8]> {
        let index = usize::try_from(id).ok()?.checked_add(1)?;
        let start = index.checked_mul(self.sector_size)?;
        let end = start.checked_add(self.sector_size)?.min(self.data.len());
        self.data.get(start..end)
    }

    /// Concatenates a chain of sectors (regular, or 64-byte mini sectors of the mini stream).
    fn read_chain(&self, start: u32, mini: bool) -> Option<Vec<u8>> {
        let table = if mini { &self.mini_fat } else { &self.fat };
        let mut out = Vec::new();
        let mut id = start;
        let mut steps = 0usize;
        while id != END_OF_CHAIN {
            steps += 1;
            if steps > table.len() || id >= MAX_REGULAR_SECTOR {
                return None; // a loop, or a chain that leaves the table
            }
            if mini {
                let at = usize::try_from(id).ok()?.checked_mul(MINI_SECTOR_SIZE)?;
                let end = at.checked_add(MINI_SECTOR_SIZE)?.min(self.mini_stream.len());
                out.extend_from_slice(self.mini_stream.get(at..end)?);
            } else {
                out.extend_from_slice(self.sector(id)?);
            }
            id = *table.get(usize::try_from(id).ok()?)?;
        }
        Some(out)
    }

    /// Whether a stream of this name exists (ASCII case-insensitive, anywhere in the tree).
    pub(crate) fn has_stream(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.kind == STREAM && e.name.eq_ignore_ascii_case(name))
    }

    /// The contents of the first stream of this name. `None` if absent or broken.
    pub(crate) fn read_stream(&self, name: &str) -> Option<Vec<u8>> {
        let entry = self.entries.iter().find(|e| e.kind == STREAM && e.name.eq_ignore_ascii_case(name))?;
        let mini = entry.size < self.mini_cutoff;
        let mut bytes = self.read_chain(entry.start, mini)?;
        bytes.truncate(usize::try_from(entry.size).unwrap_or(usize::MAX));
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_after_the_signature_is_not_a_compound_file() {
        let mut data = SIGNATURE.to_vec();
        assert!(Cfb::parse(&data).is_none());
        data.resize(4096, 0xFF);
        assert!(Cfb::parse(&data).is_none());
        data.resize(4096, 0);
        assert!(Cfb::parse(&data).is_none());
    }

    #[test]
    fn a_fat_chain_that_loops_is_refused() {
        // Header: 512-byte sectors, one FAT sector (sector 0) whose entry 1 points to itself,
        // the directory starting at sector 1.
        let mut data = vec![0u8; 512 * 3];
        data[..8].copy_from_slice(&SIGNATURE);
        data[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
        data[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
        data[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
        data[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
        data[0x3C..0x40].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        data[0x44..0x48].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        for i in 0..HEADER_DIFAT_ENTRIES {
            let v = if i == 0 { 0u32 } else { 0xFFFF_FFFF };
            data[0x4C + i * 4..0x50 + i * 4].copy_from_slice(&v.to_le_bytes());
        }
        let fat = 512;
        for i in 0..128 {
            let v = if i == 1 { 1u32 } else { 0xFFFF_FFFF };
            data[fat + i * 4..fat + i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        assert!(Cfb::parse(&data).is_none());
        // The same file with the chain ended parses, with an empty directory entry.
        data[fat + 4..fat + 8].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        let cfb = Cfb::parse(&data).expect("parses");
        assert!(!cfb.has_stream("Workbook"));
    }
}
