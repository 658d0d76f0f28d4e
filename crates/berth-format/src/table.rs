//! Docker's `--format` modes and Go `tabwriter` alignment with Docker's settings.

use serde_json::Value;

use crate::template::{Error, GoValue, Missing, Template};

/// Go tabwriter settings used by every Docker table: minwidth 10, padding 3, padded with spaces.
const MIN_WIDTH: usize = 10;
const PADDING: usize = 3;

/// A parsed `--format` value.
#[derive(Debug, Clone)]
pub enum Format {
    /// `table TEMPLATE` (or the command's default): a header row, then rows, aligned.
    Table(Template),
    /// A bare template: one execution per row, no alignment.
    Raw(Template),
}

impl Format {
    /// Interprets `--format` the Docker way: empty or `table` = the command's default table, `json` =
    /// `{{json .}}`, `table X` = X as a table, anything else = a raw template. `missing` decides what
    /// a missing map key gives (a row's unknown field is always an error).
    pub fn parse(
        format: Option<&str>,
        default_table: &str,
        missing: Missing,
    ) -> Result<Format, Error> {
        let format = format.unwrap_or("").trim_matches(' ');
        if format.is_empty() || format == "table" {
            return Ok(Format::Table(Template::parse(default_table, missing)?));
        }
        if format == "json" {
            return Ok(Format::Raw(Template::parse("{{json .}}", missing)?));
        }
        if let Some(rest) = format.strip_prefix("table") {
            if rest.starts_with([' ', '\t']) || rest.starts_with("\\t") {
                return Ok(Format::Table(Template::parse(
                    rest.trim_start_matches(' '),
                    missing,
                )?));
            }
        }
        Ok(Format::Raw(Template::parse(format, missing)?))
    }
}

/// Renders rows: the header (for tables) is the same template executed over `header`, which maps each
/// field name to its column title. Rows are the Docker CLI's formatter contexts
/// ([`GoValue::formatter_context`]): an unknown field is an error, and `{{json .}}` is escaped
/// like `json.Marshal`.
pub fn render_rows(format: &Format, header: &Value, rows: &[Value]) -> Result<String, Error> {
    render_rows_in("", format, header, rows)
}

/// [`render_rows`] over formatter contexts of the Go type `context` (`formatter.imageContext`), which
/// errors name as Docker's do: `can't evaluate field Foo in type *formatter.imageContext`.
pub fn render_rows_in(
    context: &str,
    format: &Format,
    header: &Value,
    rows: &[Value],
) -> Result<String, Error> {
    let data = |row: &Value| {
        let mut value = GoValue::formatter_context(row);
        if let GoValue::Struct(s) = &mut value {
            context.clone_into(&mut s.type_name);
        }
        value
    };
    let mut out = String::new();
    match format {
        Format::Table(template) => {
            out.push_str(template.execute_go(&data(header))?.trim_end_matches(['\n']));
            out.push('\n');
            for row in rows {
                out.push_str(&template.execute_go(&data(row))?);
                out.push('\n');
            }
            Ok(tabwrite(&out))
        }
        Format::Raw(template) => {
            for row in rows {
                out.push_str(&template.execute_go(&data(row))?);
                out.push('\n');
            }
            Ok(out)
        }
    }
}

/// Aligns tab-separated cells like Go's `text/tabwriter` with Docker's settings. A cell is padded only
/// when a tab ends it; a column's width is set by the consecutive lines that have that column.
pub fn tabwrite(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text
        .split('\n')
        .map(|line| line.split('\t').collect())
        .collect();
    // widths[i][j]: width of terminated column j for line i.
    let mut widths: Vec<Vec<usize>> = lines
        .iter()
        .map(|cells| vec![0; cells.len().saturating_sub(1)])
        .collect();
    let max_columns = widths.iter().map(Vec::len).max().unwrap_or(0);
    for column in 0..max_columns {
        let mut start = 0;
        while start < lines.len() {
            if widths[start].len() <= column {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < lines.len() && widths[end].len() > column {
                end += 1;
            }
            let width = lines[start..end]
                .iter()
                .map(|cells| cells[column].chars().count() + PADDING)
                .max()
                .unwrap_or(0)
                .max(MIN_WIDTH);
            for line_widths in &mut widths[start..end] {
                line_widths[column] = width;
            }
            start = end;
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    for (i, cells) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if let Some(&width) = widths[i].get(j) {
                out.extend(std::iter::repeat_n(
                    ' ',
                    width.saturating_sub(cell.chars().count()),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn docker_images_table_layout() {
        let format = Format::parse(
            None,
            "{{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}",
            Missing::Error,
        )
        .unwrap();
        let header = json!({"Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED", "Size": "SIZE"});
        let row = |tag: &str, id: &str| json!({"Repository": "fixture/busybox", "Tag": tag, "ID": id, "CreatedSince": "4 seconds ago", "Size": "1.98MB"});
        let rows = [
            row("base", "2eefd5de9cac"),
            row("1", "415e85863be7"),
            row("latest", "415e85863be7"),
        ];
        let want = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/docker-20.10-images.txt"
        ))
        .unwrap();
        assert_eq!(render_rows(&format, &header, &rows).unwrap(), want);
    }

    #[test]
    fn format_modes() {
        let rows = [json!({"ID": "abc", "Tag": "<none>"})];
        let header = json!({"ID": "IMAGE ID", "Tag": "TAG"});
        let cases: &[(&str, &str)] = &[
            ("json", "{\"ID\":\"abc\",\"Tag\":\"\\u003cnone\\u003e\"}\n"),
            ("{{.ID}}", "abc\n"),
            ("  {{.ID}}  ", "abc\n"),
            ("table {{.ID}}", "IMAGE ID\nabc\n"),
            (
                "table {{.ID}}\\t{{.Tag}}",
                "IMAGE ID   TAG\nabc        <none>\n",
            ),
            ("{{.ID}}\\t{{.Tag}}", "abc\t<none>\n"),
            ("tablet {{.ID}}", "tablet abc\n"),
        ];
        for (format, want) in cases {
            let parsed = Format::parse(Some(format), "{{.ID}}", Missing::Error).unwrap();
            assert_eq!(
                render_rows(&parsed, &header, &rows).unwrap(),
                *want,
                "{format}"
            );
        }
        let parsed = Format::parse(Some("{{.Nope}}"), "", Missing::Error).unwrap();
        assert!(render_rows(&parsed, &header, &rows).is_err());
    }

    #[test]
    fn tabwriter_blocks() {
        assert_eq!(
            tabwrite("a\tb\nlonger-cell\tc"),
            "a             b\nlonger-cell   c"
        );
        assert_eq!(tabwrite("x\ty\n\nzz\tw"), "x         y\n\nzz        w");
        assert_eq!(tabwrite("only"), "only");
    }
}
