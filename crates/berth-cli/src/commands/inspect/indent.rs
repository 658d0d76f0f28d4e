//! Go's `json.Indent(dst, src, "", "    ")`, which Docker's CLI runs over the daemon's compact JSON:
//! keeps the keys in the order they come (berth's structs and Go values are already in Docker's).

/// `compact` JSON indented with four spaces; `[]` and `{}` stay on one line.
pub fn indent(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("    ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or(c));
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
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::indent;

    #[test]
    fn as_go_indents() {
        let cases = [
            ("[]", "[]"),
            ("{}", "{}"),
            (
                r#"[{"Id":"a","Args":[],"Map":{},"S":"x,{y}:\"z\"","N":[1,2]}]"#,
                "[\n    {\n        \"Id\": \"a\",\n        \"Args\": [],\n        \"Map\": {},\n        \"S\": \"x,{y}:\\\"z\\\"\",\n        \"N\": [\n            1,\n            2\n        ]\n    }\n]",
            ),
        ];
        for (compact, want) in cases {
            assert_eq!(indent(compact), want, "{compact}");
        }
    }
}
