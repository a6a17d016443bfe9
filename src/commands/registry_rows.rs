//! The JSON Lines files of `matrix --registry`: read back for `--resume`
//! (which servers are done) and for `matrix merge`, and opened for
//! appending. A run killed mid-write leaves a torn last line; it is not a
//! row, and resuming cuts it off before appending, so the file stays one
//! row a line.

use std::io::{BufRead, BufReader, Seek, Write};
use std::path::Path;

use crate::report::registry::RegistryRow;
use crate::Error;

/// The rows of a file, and the byte length of its complete lines (where a
/// torn last line starts, if there is one).
pub struct RowFile {
    pub rows: Vec<RegistryRow>,
    pub complete_len: u64,
    pub torn: bool,
}

fn bad(path: &Path, line: usize, why: impl std::fmt::Display) -> Error {
    Error::Input(format!(
        "{}:{line}: not a `matrix --registry` row: {why}",
        path.display()
    ))
}

/// Read every row of `path` (each line one JSON object; blank lines are
/// ignored). A malformed line is an error naming it, except a last line
/// without its newline, which is a torn write (`torn`).
pub fn read(path: &Path) -> Result<RowFile, Error> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let mut reader = BufReader::new(file);
    let (mut rows, mut complete_len, mut torn) = (Vec::new(), 0u64, false);
    let mut line = String::new();
    let mut n = 0;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|e| bad(path, n + 1, e))?;
        if read == 0 {
            break;
        }
        n += 1;
        let ended = line.ends_with('\n');
        let text = line.trim();
        if text.is_empty() {
            complete_len += read as u64;
            continue;
        }
        match serde_json::from_str::<RegistryRow>(text) {
            Ok(row) if ended => {
                rows.push(row);
                complete_len += read as u64;
            }
            // The last line, complete JSON but no newline: keep it, and
            // let the append start on a line of its own.
            Ok(row) => {
                rows.push(row);
                torn = true;
                complete_len += read as u64;
            }
            Err(_) if !ended => torn = true,
            Err(e) => return Err(bad(path, n, e)),
        }
    }
    Ok(RowFile {
        rows,
        complete_len,
        torn,
    })
}

/// Open `path` to append rows after its complete lines (creating it).
pub fn append(path: &Path, file: &RowFile) -> Result<std::fs::File, Error> {
    let open_error =
        |e: std::io::Error| Error::Input(format!("cannot open {}: {e}", path.display()));
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(false)
        .open(path)
        .map_err(open_error)?;
    let len = f.metadata().map_err(open_error)?.len();
    if file.complete_len < len {
        // A torn row: cut it off.
        f.set_len(file.complete_len).map_err(open_error)?;
    }
    f.seek(std::io::SeekFrom::End(0)).map_err(open_error)?;
    if file.torn && file.complete_len == len {
        // The last row lacks its newline.
        f.write_all(b"\n").map_err(open_error)?;
    }
    Ok(f)
}

/// Write one row as a line and flush it: a row is on disk once its server
/// is done, whatever happens to the run after.
pub fn write_row(out: &mut dyn Write, row: &RegistryRow) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, row)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(url: &str) -> String {
        serde_json::to_string(&RegistryRow::skipped("x/y", url, "an sse remote".into())).unwrap()
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_appending_goes_on_from_the_last_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.jsonl");
        let torn = &row("https://c.example/")[..20];
        let text = format!(
            "{}\n\n{}\n{torn}",
            row("https://a.example/"),
            row("https://b.example/")
        );
        std::fs::write(&path, &text).unwrap();
        let file = read(&path).unwrap();
        assert_eq!(file.rows.len(), 2);
        assert!(file.torn);
        let mut f = append(&path, &file).unwrap();
        write_row(
            &mut f,
            &serde_json::from_str(&row("https://c.example/")).unwrap(),
        )
        .unwrap();
        let again = read(&path).unwrap();
        let urls: Vec<&str> = again.rows.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://a.example/",
                "https://b.example/",
                "https://c.example/"
            ]
        );
        assert!(!again.torn);
    }

    #[test]
    fn a_last_row_without_its_newline_is_kept_and_the_next_starts_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.jsonl");
        std::fs::write(&path, row("https://a.example/")).unwrap();
        let file = read(&path).unwrap();
        assert_eq!(file.rows.len(), 1);
        let mut f = append(&path, &file).unwrap();
        write_row(
            &mut f,
            &serde_json::from_str(&row("https://b.example/")).unwrap(),
        )
        .unwrap();
        assert_eq!(read(&path).unwrap().rows.len(), 2);
    }

    #[test]
    fn a_bad_line_in_the_middle_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.jsonl");
        std::fs::write(
            &path,
            format!(
                "{}\n{{\"url\": 1}}\n{}\n",
                row("https://a.example/"),
                row("https://b.example/")
            ),
        )
        .unwrap();
        let Err(e) = read(&path) else {
            panic!("read a bad file")
        };
        let msg = e.to_string();
        assert!(
            msg.contains("rows.jsonl:2: not a `matrix --registry` row"),
            "{msg}"
        );
    }
}
