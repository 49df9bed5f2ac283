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
        let first_line = |s: &str| s.lines().next().unwrap_or("").to_owned();
        let cells: Vec<Vec<String>> = std::iter::once(&self.headers)
            .chain(&self.rows)
            .map(|r| r.iter().map(|c| first_line(c)).collect())
            .collect();
        // Columns line up by display width: a CJK character in a COS error message takes two
        // terminal columns, a combining mark none.
        use unicode_width::UnicodeWidthStr;
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| cells.iter().map(|r| r[i].width()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for (n, row) in cells.iter().enumerate() {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.width()))))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
            if n == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                out.push_str(&rule.join("  "));
                out.push('\n');
            }
        }
        out
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
