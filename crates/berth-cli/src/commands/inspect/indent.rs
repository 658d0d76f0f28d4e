//! The plain `inspect` output: docker/cli's `IndentedInspector`, which joins the daemon's raw JSON
//! objects into an array and indents it as Go's `json.Indent(.., "", "    ")`: four spaces a level,
//! `": "` after keys, empty objects and arrays as `{}` and `[]`, strings as they are (the daemon
//! does not escape `<`, `>` or `&`).

/// `[` + `elements` (compact JSON) + `]`, indented as Go's `json.Indent` does.
pub fn indented_array(elements: &[String]) -> String {
    indent(&format!("[{}]", elements.join(",")))
}

fn indent(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("    ");
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            out.push('\\');
                            if let Some(escaped) = chars.next() {
                                out.push(escaped);
                            }
                        }
                        '"' => {
                            out.push('"');
                            break;
                        }
                        other => out.push(other),
                    }
                }
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_as_go_does() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "[]"),
            (&["{}"], "[\n    {}\n]"),
            (
                &[r#"{"Id":"x","Tags":[],"Env":null,"Labels":{"a":"b<c&d>"},"N":[1,2]}"#],
                "[\n    {\n        \"Id\": \"x\",\n        \"Tags\": [],\n        \"Env\": null,\n        \"Labels\": {\n            \"a\": \"b<c&d>\"\n        },\n        \"N\": [\n            1,\n            2\n        ]\n    }\n]",
            ),
            (&[r#"{"a":"q\"{,:"}"#, "{}"], "[\n    {\n        \"a\": \"q\\\"{,:\"\n    },\n    {}\n]"),
        ];
        for (elements, want) in cases {
            let elements: Vec<String> = elements.iter().map(|e| (*e).to_owned()).collect();
            assert_eq!(indented_array(&elements), *want, "{elements:?}");
        }
    }
}
