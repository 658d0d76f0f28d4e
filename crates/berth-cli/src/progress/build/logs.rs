//! The last lines of a running vertex's output, as BuildKit's tty view keeps them: a small
//! terminal screen (6 rows, 10 columns narrower than the display) the output is written to, whose
//! non-blank rows are shown under the vertex as ` => => # line`.

/// Rows of the screen (BuildKit's `termHeight`).
pub const ROWS: usize = 6;
/// How much narrower than the display the screen is (BuildKit's `termPad`).
pub const PAD: usize = 10;

#[derive(Debug)]
pub struct LogScreen {
    width: usize,
    rows: Vec<Vec<char>>,
    row: usize,
    column: usize,
    /// Bytes of a UTF-8 character cut between two writes.
    pending: Vec<u8>,
    /// Inside an escape sequence (`ESC [ ... final`), which is not shown.
    escape: Option<bool>,
}

impl LogScreen {
    pub fn new(display_width: usize) -> LogScreen {
        let width = display_width.saturating_sub(PAD).max(1);
        LogScreen {
            width,
            rows: vec![Vec::new(); ROWS],
            row: 0,
            column: 0,
            pending: Vec::new(),
            escape: None,
        }
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let taken: Vec<u8> = self.pending.drain(..valid).collect();
        for c in String::from_utf8_lossy(&taken).chars() {
            self.put(c);
        }
    }

    fn put(&mut self, c: char) {
        match self.escape {
            Some(false) => {
                self.escape = if c == '[' { Some(true) } else { None };
                return;
            }
            Some(true) => {
                if ('@'..='~').contains(&c) {
                    self.escape = None;
                }
                return;
            }
            None => {}
        }
        match c {
            '\x1b' => self.escape = Some(false),
            '\n' => self.line_feed(),
            '\r' => self.column = 0,
            '\t' => {
                let next = (self.column / 8 + 1) * 8;
                while self.column < next.min(self.width) {
                    self.put(' ');
                }
            }
            c if c.is_control() => {}
            c => {
                if self.column >= self.width {
                    self.line_feed();
                }
                let row = &mut self.rows[self.row];
                if row.len() <= self.column {
                    row.resize(self.column + 1, ' ');
                }
                row[self.column] = c;
                self.column += 1;
            }
        }
    }

    fn line_feed(&mut self) {
        self.column = 0;
        if self.row + 1 < ROWS {
            self.row += 1;
        } else {
            self.rows.remove(0);
            self.rows.push(Vec::new());
        }
    }

    /// The rows with something on them, top to bottom.
    pub fn lines(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|row| row.iter().any(|c| *c != ' '))
            .map(|row| row.iter().collect::<String>().trim_end().to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_a_six_row_screen_shows() {
        let cases: &[(&[&[u8]], &[&str])] = &[
            (&[b"a\nb\n"], &["a", "b"]),
            (&[b"1\n2\n3\n4\n5\n6\n7\n"], &["3", "4", "5", "6", "7"]),
            (&[b"1\n2\n3\n4\n5\n6\n7"], &["2", "3", "4", "5", "6", "7"]),
            (&[b"half", b" line\n\n\nx"], &["half line", "x"]),
            (&[b"abc\rX\n"], &["Xbc"]),
            (&[b"\x1b[31mred\x1b[0m\n"], &["red"]),
            (&[b"\xc3", b"\xa9t\xc3\xa9\n"], &["\u{e9}t\u{e9}"]),
            (&[b"a\tb\n"], &["a       b"]),
            // 20 columns: a 10-column screen wraps.
            (&[b"0123456789abc\n"], &["0123456789", "abc"]),
        ];
        for (writes, want) in cases {
            let mut screen = LogScreen::new(20);
            for bytes in *writes {
                screen.write(bytes);
            }
            assert_eq!(screen.lines(), *want, "{writes:?}");
        }
    }
}
