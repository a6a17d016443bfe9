//! Plain-text layout at a given width: words are never split (a URL is one
//! word), a word longer than the line stands alone on its line, and tables
//! are aligned columns whose long values (URLs, details) go on their own
//! indented lines below the row. Formats only.

use colored::Colorize;

/// How a cell is painted when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Bold,
    Green,
    Cyan,
    Yellow,
    Red,
    Dim,
}

impl Paint {
    pub fn apply(self, text: &str, color: bool) -> String {
        if !color {
            return text.to_owned();
        }
        match self {
            Self::Plain => text.to_owned(),
            Self::Bold => text.bold().to_string(),
            Self::Green => text.green().to_string(),
            Self::Cyan => text.cyan().to_string(),
            Self::Yellow => text.yellow().to_string(),
            Self::Red => text.red().bold().to_string(),
            Self::Dim => text.dimmed().to_string(),
        }
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Wrap `text` to `width` columns at spaces, keeping its own line breaks;
/// no word is ever split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && chars(&line) + 1 + chars(word) > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// `text` wrapped to `width`, the first line after `first`, the others
/// after `indent` spaces.
pub fn hanging(first: &str, indent: usize, text: &str, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let room = width.saturating_sub(indent).max(20);
    let first_room = width.saturating_sub(chars(first)).max(20);
    let mut out: Vec<String> = Vec::new();
    for (p, para) in text.split('\n').enumerate() {
        let mut line = String::new();
        let mut lead = if p == 0 {
            first.to_owned()
        } else {
            pad.clone()
        };
        let mut limit = if p == 0 { first_room } else { room };
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && chars(&line) + 1 + chars(word) > limit {
                out.push(format!("{lead}{line}"));
                line.clear();
                lead = pad.clone();
                limit = room;
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(format!("{lead}{line}").trim_end().to_owned());
    }
    out
}

/// `text` cut to one line of `width` at a word boundary (with "…").
pub fn one_line(text: &str, width: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if chars(&flat) <= width {
        return flat;
    }
    let mut out = String::new();
    for word in flat.split(' ') {
        let space = usize::from(!out.is_empty());
        if chars(&out) + space + chars(word) + 2 > width {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One word longer than the line: whole, never split.
        return flat.split(' ').next().unwrap_or_default().to_owned();
    }
    out.push_str(" …");
    out
}

/// One row: its cells, and the lines printed under it (URLs, details).
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<(String, Paint)>,
    pub below: Vec<String>,
}

impl Row {
    pub fn new<S: Into<String>>(cells: impl IntoIterator<Item = S>) -> Self {
        Self {
            cells: cells
                .into_iter()
                .map(|c| (c.into(), Paint::Plain))
                .collect(),
            below: Vec::new(),
        }
    }

    /// Paint cell `i`.
    pub fn paint(mut self, i: usize, paint: Paint) -> Self {
        if let Some(c) = self.cells.get_mut(i) {
            c.1 = paint;
        }
        self
    }

    /// A line under the row (wrapped at words, never split).
    pub fn below(mut self, line: impl Into<String>) -> Self {
        self.below.push(line.into());
        self
    }
}

/// Aligned columns, two spaces apart, with an optional header line.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    /// Indent of the lines under a row.
    pub indent: usize,
}

const GAP: usize = 2;

impl Grid {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            indent: 2,
        }
    }

    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// The width of the grid's row lines without wrapping.
    pub fn natural_width(&self) -> usize {
        self.widths(usize::MAX).iter().sum::<usize>() + GAP * self.header.len().saturating_sub(1)
    }

    /// Column widths: each column's longest line, shrunk (widest first) to
    /// fit `width` but never below its longest word.
    fn widths(&self, width: usize) -> Vec<usize> {
        let n = self
            .header
            .len()
            .max(self.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0));
        let mut natural = vec![0; n];
        let mut least = vec![0; n];
        let mut measure = |i: usize, text: &str| {
            for line in text.split('\n') {
                natural[i] = natural[i].max(chars(line));
                for w in line.split(' ') {
                    least[i] = least[i].max(chars(w));
                }
            }
        };
        for (i, h) in self.header.iter().enumerate() {
            measure(i, h);
        }
        for r in &self.rows {
            for (i, (c, _)) in r.cells.iter().enumerate() {
                measure(i, c);
            }
        }
        let mut widths = natural;
        let total = |w: &[usize]| w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
        while total(&widths) > width {
            let Some(i) = (0..n)
                .filter(|&i| widths[i] > least[i])
                .max_by_key(|&i| widths[i])
            else {
                break;
            };
            widths[i] -= 1;
        }
        widths
    }

    /// The lines of the grid at `width`.
    pub fn lines(&self, width: usize, color: bool) -> Vec<String> {
        let widths = self.widths(width);
        let mut out = Vec::new();
        if !self.header.is_empty() {
            let cells: Vec<(String, Paint)> = self
                .header
                .iter()
                .map(|h| (h.clone(), Paint::Bold))
                .collect();
            out.extend(row_lines(&cells, &widths, color));
        }
        for r in &self.rows {
            out.extend(row_lines(&r.cells, &widths, color));
            let pad = " ".repeat(self.indent);
            for b in &r.below {
                out.extend(hanging(&pad, self.indent + 2, b, width));
            }
        }
        out
    }

    /// Write the grid.
    pub fn write(
        &self,
        width: usize,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        for l in self.lines(width, color) {
            writeln!(out, "{l}")?;
        }
        Ok(())
    }
}

fn row_lines(cells: &[(String, Paint)], widths: &[usize], color: bool) -> Vec<String> {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .enumerate()
        .map(|(i, (c, _))| wrap(c, widths[i]))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    (0..height)
        .map(|y| {
            let mut line = String::new();
            for (i, lines) in wrapped.iter().enumerate() {
                let text = lines.get(y).map(String::as_str).unwrap_or("");
                let padded = if i + 1 == wrapped.len() {
                    text.to_owned()
                } else {
                    format!("{text:<w$}", w = widths[i] + GAP)
                };
                let paint = if y == 0 { cells[i].1 } else { Paint::Plain };
                line.push_str(&paint.apply(&padded, color && !text.is_empty()));
            }
            line.trim_end().to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:32885/.well-known/oauth-authorization-server/oidc";

    #[test]
    fn wrapping_never_splits_a_word_and_a_long_one_stands_alone() {
        let lines = wrap(&format!("gets {URL} gets 404 (not here)"), 30);
        assert_eq!(lines, ["gets", URL, "gets 404 (not here)"]);
        assert_eq!(wrap("a\nb c", 10), ["a", "b c"]);
    }

    #[test]
    fn hanging_lines_keep_the_first_line_within_the_width() {
        let lines = hanging("fix: ", 4, "aaaa bbbb cccc dddd eeee ffff", 30);
        assert_eq!(lines, ["fix: aaaa bbbb cccc dddd eeee", "    ffff"]);
    }

    #[test]
    fn one_line_cuts_at_a_word() {
        assert_eq!(one_line("one two three four", 12), "one two …");
        assert_eq!(one_line("short", 12), "short");
        // "one two three …" is 15: the space before each word counts.
        assert_eq!(one_line("one two three four", 14), "one two …");
        assert_eq!(one_line("one two three four", 15), "one two three …");
        assert_eq!(one_line(URL, 12), URL);
    }

    #[test]
    fn a_grid_fits_its_width_and_puts_urls_below() {
        let mut g = Grid::new(&["#", "Rule", "Status", "Result"]);
        g.push(
            Row::new([
                "1",
                "RFC 8414 (path insertion)",
                "404",
                "404 (not here) and more words here",
            ])
            .below(URL),
        );
        let lines = g.lines(40, false);
        for l in &lines {
            assert!(l.chars().count() <= 40 || l.trim() == URL, "{l:?}");
        }
        assert!(lines.iter().any(|l| l.trim() == URL), "{lines:#?}");
        assert!(lines[0].starts_with("#  Rule"), "{lines:#?}");
        // The header is one word per line at worst, never split.
        assert!(lines.iter().all(|l| !l.contains("Stat\n")));
    }
}
