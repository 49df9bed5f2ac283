//! Human and JSON output.

use std::io::Write;

use serde::Serialize;

use crate::exit::CliError;

/// A plain text table with left-aligned, padded columns.
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
        for r in &self.rows {
            t.measure(r);
        }
        let mut out = t.header();
        for r in &self.rows {
            out.push_str(&t.line(r));
        }
        out
    }
}

/// A table printed row by row: every row is measured first ([`StreamTable::measure`]), then
/// the header and rows are laid out as [`Table::render`] lays them out, so a table of
/// 100,000 rows need not be held in memory.
#[derive(Debug, Clone)]
pub struct StreamTable {
    headers: Vec<String>,
    widths: Vec<usize>,
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// One laid-out line: cells padded to `widths` by display width, two spaces apart.
fn layout(cells: &[impl AsRef<str>], widths: &[usize]) -> String {
    use unicode_width::UnicodeWidthStr;
    let line: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let c = first_line(cells.get(i).map_or("", AsRef::as_ref));
            format!("{c}{}", " ".repeat(w.saturating_sub(c.width())))
        })
        .collect();
    let mut out = line.join("  ").trim_end().to_owned();
    out.push('\n');
    out
}

impl StreamTable {
    /// A table with these headers.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(headers: I) -> Self {
        use unicode_width::UnicodeWidthStr;
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let widths = headers.iter().map(|h| first_line(h).width()).collect();
        Self { headers, widths }
    }

    /// Widens the columns to fit `cells`.
    pub fn measure(&mut self, cells: &[impl AsRef<str>]) {
        use unicode_width::UnicodeWidthStr;
        for (w, c) in self.widths.iter_mut().zip(cells) {
            *w = (*w).max(first_line(c.as_ref()).width());
        }
    }

    /// The header line and the rule under it.
    pub fn header(&self) -> String {
        let rule: Vec<String> = self.widths.iter().map(|w| "-".repeat(*w)).collect();
        let mut out = layout(&self.headers, &self.widths);
        out.push_str(&rule.join("  "));
        out.push('\n');
        out
    }

    /// One row.
    pub fn line(&self, cells: &[impl AsRef<str>]) -> String {
        layout(cells, &self.widths)
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
}
