//! Files of one JSON document a line (batch's `--jsonl`, rehearse's
//! `history.jsonl`), appended to while other runs may read them: each line
//! goes out in one write and a failed write is taken back, so a reader only
//! ever meets whole lines; a last line cut off by a crash is dropped before
//! the next line is added.
//!
//! The caller holds the file under a lock while it repairs and appends.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use serde_json::Value;

/// Where an unfinished last line starts (a run stopped in the middle of a
/// write), if the text ends with one; a last line that is complete JSON
/// without its newline is not unfinished.
pub fn unfinished_tail(bytes: &[u8]) -> Option<usize> {
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return None;
    }
    let start = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let tail = &bytes[start..];
    if tail.iter().all(u8::is_ascii_whitespace) || serde_json::from_slice::<Value>(tail).is_ok() {
        None
    } else {
        Some(start)
    }
}

/// What [`repair_tail`] did to the end of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// It ended with a whole line (or was empty).
    Whole,
    /// Its last line was whole JSON without a newline: one was added.
    Ended,
    /// Its last line was cut off: these many bytes of it were dropped.
    Dropped(u64),
}

/// Makes `file` (opened for reading and appending) end with a whole line, so
/// the next line appended starts clean.
pub fn repair_tail(file: &mut File) -> io::Result<Tail> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(Tail::Whole);
    }
    match unfinished_tail(&bytes) {
        Some(cut) => {
            file.set_len(cut as u64)?;
            file.sync_data()?;
            Ok(Tail::Dropped((bytes.len() - cut) as u64))
        }
        None => {
            append_line(file, "")?;
            Ok(Tail::Ended)
        }
    }
}

/// Appends `line` and its newline in one write. When the write fails part
/// way (a full disk), what it wrote is cut off again, so the file still
/// ends with a whole line.
pub fn append_line(file: &mut File, line: &str) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    let before = file.metadata()?.len();
    let written = file.write_all(&bytes).and_then(|()| file.flush());
    if let Err(e) = written {
        // The file is ours while the caller holds its lock: nothing else
        // has written since `before`.
        let _ = file.set_len(before);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_last_line_is_found() {
        assert_eq!(unfinished_tail(b""), None);
        assert_eq!(unfinished_tail(b"{\"a\":1}\n"), None);
        assert_eq!(unfinished_tail(b"{\"a\":1}\n{\"b\":2}"), None);
        assert_eq!(unfinished_tail(b"{\"a\":1}\n{\"b\":"), Some(8));
        assert_eq!(unfinished_tail(b"{\"b\":"), Some(0));
        assert_eq!(unfinished_tail(b"{\"a\":1}\n{\"b\":\"\xc3"), Some(8));
    }

    fn repaired(content: &[u8]) -> (Tail, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, content).unwrap();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        let tail = repair_tail(&mut file).unwrap();
        append_line(&mut file, "{\"c\":3}").unwrap();
        (tail, std::fs::read(&path).unwrap())
    }

    #[test]
    fn a_cut_off_line_is_dropped_and_a_whole_one_ended() {
        assert_eq!(repaired(b""), (Tail::Whole, b"{\"c\":3}\n".to_vec()));
        assert_eq!(
            repaired(b"{\"a\":1}\n{\"b\":"),
            (Tail::Dropped(5), b"{\"a\":1}\n{\"c\":3}\n".to_vec())
        );
        assert_eq!(
            repaired(b"{\"a\":1}\n{\"b\":2}"),
            (Tail::Ended, b"{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n".to_vec())
        );
        assert_eq!(
            repaired(b"{\"a\":1}\n"),
            (Tail::Whole, b"{\"a\":1}\n{\"c\":3}\n".to_vec())
        );
    }
}
