//! Aligned plain-text tables for the human output of the user commands (`models`, `status`).
//!
//! Columns are padded to their widest cell, measured in characters (catalog ids and names are
//! ASCII or narrow Unicode such as `·`); numeric columns are right-aligned like `ls -l` does.
//! No borders: the output stays greppable and `cut`-able.

use std::fmt::Write as _;

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// A table under construction: a header row, then data rows.
#[derive(Debug)]
pub(crate) struct Table {
    headers: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub(crate) fn new(headers: &[(&'static str, Align)]) -> Self {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells print empty, extra cells are ignored.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether the table has no data rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rendered table, one line per row, header first, each line ending in `\n`.
    pub(crate) fn render(&self) -> String {
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .map(|(header, _)| header.chars().count())
            .collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let header_cells: Vec<String> = self.headers.iter().map(|(h, _)| (*h).to_owned()).collect();
        self.render_row(&mut out, &header_cells, &widths);
        for row in &self.rows {
            self.render_row(&mut out, row, &widths);
        }
        out
    }

    fn render_row(&self, out: &mut String, cells: &[String], widths: &[usize]) {
        let mut line = String::new();
        for (index, ((_, align), width)) in self.headers.iter().zip(widths).enumerate() {
            let cell = cells.get(index).map(String::as_str).unwrap_or("");
            if index > 0 {
                line.push_str("  ");
            }
            let _ = match align {
                Align::Left => write!(line, "{cell:<width$}"),
                Align::Right => write!(line, "{cell:>width$}"),
            };
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// `1234567` → `1,234,567` (the grouping OpenClaw's usage summary uses).
pub(crate) fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_and_trailing_space_is_trimmed() {
        let mut table = Table::new(&[
            ("MODEL", Align::Left),
            ("CONTEXT", Align::Right),
            ("NOTE", Align::Left),
        ]);
        table.row(vec![
            "clawrouter/openai/gpt-5.5".into(),
            "400000".into(),
            String::new(),
        ]);
        table.row(vec!["clawrouter/x".into(), "8192".into(), "old".into()]);
        assert_eq!(
            table.render(),
            "MODEL                      CONTEXT  NOTE\n\
             clawrouter/openai/gpt-5.5   400000\n\
             clawrouter/x                  8192  old\n"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (34567, "34,567"),
            (1234567, "1,234,567"),
        ];
        for (value, expected) in cases {
            assert_eq!(group_thousands(value), expected);
        }
    }
}
