//! Human and JSON output.

use std::io::Write;

use serde::Serialize;

use crate::exit::CliError;

/// A plain text table with left-aligned, padded columns, laid out by [`comfy_table`] (which
/// measures cells by display width, so CJK text lines up).
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(headers: I) -> Self {
        Self {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra cells are dropped.
    pub fn row<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, cells: I) {
        let mut row: Vec<String> = cells.into_iter().map(Into::into).collect();
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders the table; cells are cut to their first line so a multi-line error cannot break
    /// the layout.
    pub fn render(&self) -> String {
        let mut t = StreamTable::new(&self.headers);
        t.measure(&self.rows);
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = t.write(&self.rows, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A table printed in two passes over its rows, so a table of 100,000 rows need not be held
/// in memory: [`StreamTable::measure`] sees every row and keeps only the column widths, then
/// [`StreamTable::write`] lays the rows out [`CHUNK_ROWS`] at a time with [`comfy_table`], every
/// chunk with the same fixed column widths and no borders, so the chunks join into one table
/// (the same one [`Table::render`] prints).
#[derive(Debug, Clone)]
pub struct StreamTable {
    headers: Vec<String>,
    /// Display width of each column's widest cell (header included).
    widths: Vec<u16>,
}

/// Rows laid out (or measured) by one [`comfy_table::Table`] in [`StreamTable`].
pub const CHUNK_ROWS: usize = 1000;

/// Spaces between two columns.
const GAP: u16 = 2;

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// `cells` as a row of `n` first lines: missing cells blank, extra cells dropped.
fn row_of<R, S>(cells: R, n: usize) -> Vec<String>
where
    R: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut row: Vec<String> = cells
        .into_iter()
        .take(n)
        .map(|c| first_line(c.as_ref()).to_owned())
        .collect();
    row.resize(n, String::new());
    row
}

/// A borderless comfy-table: columns two spaces apart, nothing drawn but the cells.
fn bare_table() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    // Without comfy-table's `tty` feature nothing is styled and the terminal width is not
    // asked: the layout is the same on a terminal and in a pipe.
    t.load_style(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    t
}

impl StreamTable {
    /// A table with these headers.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(headers: I) -> Self {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let mut t = Self {
            widths: vec![0; headers.len()],
            headers,
        };
        t.measure([t.headers.clone()]);
        t
    }

    /// Widens the columns to fit every row of `rows` (measured by comfy-table, a chunk at a
    /// time).
    pub fn measure<I, R, S>(&mut self, rows: I)
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let n = self.headers.len();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut t = bare_table();
            t.add_rows(rows.by_ref().take(CHUNK_ROWS).map(|r| row_of(r, n)));
            for (w, m) in self.widths.iter_mut().zip(t.column_max_content_widths()) {
                *w = (*w).max(m);
            }
        }
    }

    /// The column widths measured so far (display columns, without the gap between columns).
    pub fn widths(&self) -> &[u16] {
        &self.widths
    }

    /// Writes the header, the rule under it, and every row of `rows`, laid out in the widths
    /// measured by [`StreamTable::measure`]. Trailing spaces are cut from every line.
    pub fn write<I, R, S>(&self, rows: I, out: &mut impl std::io::Write) -> std::io::Result<()>
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let n = self.headers.len();
        let rule: Vec<String> = self
            .widths
            .iter()
            .map(|w| "-".repeat(usize::from(*w)))
            .collect();
        self.write_chunk([row_of(&self.headers, n), rule], out)?;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            self.write_chunk(rows.by_ref().take(CHUNK_ROWS).map(|r| row_of(r, n)), out)?;
        }
        Ok(())
    }

    fn write_chunk(
        &self,
        rows: impl IntoIterator<Item = Vec<String>>,
        out: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        let mut t = bare_table();
        t.add_rows(rows);
        t.set_constraints(self.widths.iter().map(|w| {
            comfy_table::ColumnConstraint::Absolute(comfy_table::Width::Fixed(
                w.saturating_add(GAP),
            ))
        }));
        for c in t.column_iter_mut() {
            c.set_padding((0, GAP));
        }
        for line in t.lines() {
            out.write_all(line.trim_end().as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    println!("{text}");
}

/// Prints text on stdout as is.
pub fn print_text(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Prints an error on stderr, and also as JSON on stdout for `--json` scripts: the message,
/// hint and exit code, plus every field of the library error it came from (kind, provider,
/// operation, bucket, status, code, request_id, attempts, violations).
pub fn print_error(err: &CliError, json: bool) {
    eprintln!("error: {err}");
    if json {
        let mut error = serde_json::json!({
            "message": err.message,
            "hint": err.hint,
            "exit_code": err.exit.code(),
        });
        if let (Some(obj), Some(serde_json::Value::Object(fields))) =
            (error.as_object_mut(), err.fields.as_ref())
        {
            obj.extend(fields.clone());
        }
        print_json(&serde_json::json!({ "error": error }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(["name", "result"]);
        t.row(["a", "applied"]);
        t.row(["longer-name", "failed: x\nsecond line"]);
        assert_eq!(
            t.render(),
            "name         result\n-----------  ---------\na            applied\nlonger-name  failed: x\n"
        );
    }

    #[test]
    fn wide_characters_are_measured_by_display_width() {
        let mut t = Table::new(["bucket", "error"]);
        t.row(["a", "访问被拒绝"]);
        t.row(["bbbbbbbbbbbb", "x"]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        // The dashes under `error` are as wide as the ten columns the CJK text takes.
        assert_eq!(lines[1], "------------  ----------");
        assert_eq!(lines[2], "a             访问被拒绝");
    }

    #[test]
    fn streamed_chunks_join_into_one_table() {
        // A wide cell in the last chunk widens the columns of the first.
        let n = CHUNK_ROWS * 2 + 7;
        let rows: Vec<[String; 2]> = (0..n)
            .map(|i| {
                let b = if i == n - 1 {
                    "桶".repeat(6)
                } else {
                    format!("b{i}")
                };
                [b, "ok".to_owned()]
            })
            .collect();
        let mut t = StreamTable::new(["bucket", "result"]);
        t.measure(&rows);
        assert_eq!(t.widths(), &[12, 6]);
        let mut out = Vec::new();
        t.write(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), n + 2);
        assert_eq!(lines[0], "bucket        result");
        assert_eq!(lines[1], "------------  ------");
        assert_eq!(lines[2], "b0            ok");
        assert_eq!(
            lines[CHUNK_ROWS + 2],
            format!("{:<12}  ok", format!("b{CHUNK_ROWS}"))
        );
        assert_eq!(lines[n + 1], "桶桶桶桶桶桶  ok");
        // The same rows held in memory lay out the same.
        let mut whole = Table::new(["bucket", "result"]);
        for r in &rows {
            whole.row(r.clone());
        }
        assert_eq!(whole.render(), text);
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let mut t = Table::new(["a", "b", "c"]);
        t.row(["1"]);
        t.row(["x", "y", "z", "extra"]);
        assert_eq!(t.render(), "a  b  c\n-  -  -\n1\nx  y  z\n");
    }
}
