//! Lexing and parsing of template source into a small tree.

use super::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    /// `{{pipeline}}`: evaluated and printed (unless it only declares a variable).
    Action(Pipeline),
    If {
        cond: Pipeline,
        then: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Range {
        pipe: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    With {
        pipe: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// `$x :=` or `$i, $e :=`.
    pub decl: Vec<String>,
    pub commands: Vec<Command>,
}

/// A function call or a single operand: `json .`, `.Name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub args: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `.A.B` (an empty path is `.`).
    Field(Vec<String>),
    /// `$x.A.B` (`$` alone is the root).
    Variable(String, Vec<String>),
    Ident(String),
    Str(String),
    Number(serde_json::Number),
    Bool(bool),
    Nil,
    /// `(pipeline).A.B`
    Sub(Box<Pipeline>, Vec<String>),
}

/// Nesting limit, so a hostile template cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

enum Item {
    Text(String),
    Action(String),
}

/// Splits source into text and action items, applying `{{-` / `-}}` trimming and dropping comments.
fn lex(source: &str) -> Result<Vec<Item>, Error> {
    let mut items = Vec::new();
    let mut rest = source;
    let mut trim_next = false;
    while let Some(start) = rest.find("{{") {
        let mut text = &rest[..start];
        if trim_next {
            text = text.trim_start();
        }
        let after = &rest[start + 2..];
        let trim_left =
            after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
        if trim_left {
            text = text.trim_end();
        }
        if !text.is_empty() {
            items.push(Item::Text(text.to_owned()));
        }
        let body_start = usize::from(trim_left);
        let end = find_action_end(after).ok_or_else(|| Error::Parse("unclosed action".into()))?;
        let mut body = &after[body_start..end];
        trim_next = body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-");
        if trim_next {
            body = &body[..body.len() - 1];
        }
        let body = body.trim();
        if !(body.starts_with("/*") && body.ends_with("*/")) {
            items.push(Item::Action(body.to_owned()));
        }
        rest = &after[end + 2..];
    }
    let text = if trim_next { rest.trim_start() } else { rest };
    if !text.is_empty() {
        items.push(Item::Text(text.to_owned()));
    }
    Ok(items)
}

/// Finds the `}}` closing an action, skipping quoted strings.
fn find_action_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' && q == b'"' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => {
                if b == b'"' || b == b'`' || b == b'\'' {
                    quote = Some(b);
                } else if b == b'}' && bytes.get(i + 1) == Some(&b'}') {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

pub fn parse(source: &str) -> Result<Vec<Node>, Error> {
    let items = lex(source)?;
    let mut pos = 0;
    let (nodes, end) = parse_list(&items, &mut pos, 0)?;
    match end {
        None => Ok(nodes),
        Some(word) => Err(Error::Parse(format!("unexpected {{{{{word}}}}}"))),
    }
}

/// Parses nodes until `{{end}}`/`{{else…}}` (returned) or the end of input (`None`).
fn parse_list(
    items: &[Item],
    pos: &mut usize,
    depth: usize,
) -> Result<(Vec<Node>, Option<String>), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Parse("template nested too deeply".into()));
    }
    let mut nodes = Vec::new();
    while *pos < items.len() {
        let item = &items[*pos];
        *pos += 1;
        let action = match item {
            Item::Text(text) => {
                nodes.push(Node::Text(text.clone()));
                continue;
            }
            Item::Action(action) => action.as_str(),
        };
        let (keyword, rest) = split_keyword(action);
        match keyword {
            "end" | "else" => return Ok((nodes, Some(action.to_owned()))),
            "if" | "range" | "with" => {
                let pipe = parse_pipeline(rest)?;
                nodes.push(parse_block(keyword, pipe, items, pos, depth)?);
            }
            "define" | "template" | "block" | "break" | "continue" => {
                return Err(Error::Parse(format!("{keyword} is not supported")));
            }
            _ => nodes.push(Node::Action(parse_pipeline(action)?)),
        }
    }
    Ok((nodes, None))
}

fn parse_block(
    keyword: &str,
    pipe: Pipeline,
    items: &[Item],
    pos: &mut usize,
    depth: usize,
) -> Result<Node, Error> {
    let (body, end) = parse_list(items, pos, depth + 1)?;
    let end = end.ok_or_else(|| Error::Parse(format!("unexpected EOF in {keyword}")))?;
    let otherwise = if end == "end" {
        Vec::new()
    } else {
        let (_, rest) = split_keyword(&end);
        let (elseword, elserest) = split_keyword(rest);
        if elseword == "if" && keyword == "if" {
            // `{{else if x}}` is an `if` nested in the else branch that shares the outer `{{end}}`.
            vec![parse_block(
                "if",
                parse_pipeline(elserest)?,
                items,
                pos,
                depth + 1,
            )?]
        } else if rest.is_empty() {
            let (otherwise, end) = parse_list(items, pos, depth + 1)?;
            if end.as_deref() != Some("end") {
                return Err(Error::Parse(format!("expected end in {keyword}")));
            }
            otherwise
        } else {
            return Err(Error::Parse(format!("unexpected {{{{{end}}}}}")));
        }
    };
    Ok(match keyword {
        "if" => Node::If {
            cond: pipe,
            then: body,
            otherwise,
        },
        "range" => Node::Range {
            pipe,
            body,
            otherwise,
        },
        _ => Node::With {
            pipe,
            body,
            otherwise,
        },
    })
}

fn split_keyword(action: &str) -> (&str, &str) {
    let end = action
        .find(|c: char| c.is_whitespace())
        .unwrap_or(action.len());
    (&action[..end], action[end..].trim_start())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Field(Vec<String>),
    Variable(String, Vec<String>),
    Ident(String),
    Str(String),
    Number(serde_json::Number),
    Open,
    Close(Vec<String>),
    Pipe,
    Declare,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<Token>, Error> {
    let chars: Vec<char> = s.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let word_end = |mut j: usize| {
        while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '.')
        {
            j += 1;
        }
        j
    };
    let path = |word: &str| -> Vec<String> {
        word.split('.')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '|' => {
                tokens.push(Token::Pipe);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                let end = word_end(i + 1);
                let word: String = chars[i + 1..end].iter().collect();
                tokens.push(Token::Close(path(&word)));
                i = end;
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                tokens.push(Token::Declare);
                i += 2;
            }
            '=' => {
                return Err(Error::Parse("variable assignment is not supported".into()));
            }
            '.' => {
                let end = word_end(i);
                let word: String = chars[i..end].iter().collect();
                tokens.push(Token::Field(path(&word)));
                i = end;
            }
            '$' => {
                let end = word_end(i + 1);
                let word: String = chars[i + 1..end].iter().collect();
                let mut parts = word.splitn(2, '.');
                let name = format!("${}", parts.next().unwrap_or_default());
                tokens.push(Token::Variable(
                    name,
                    path(parts.next().unwrap_or_default()),
                ));
                i = end;
            }
            '"' => {
                let mut j = i + 1;
                let mut value = String::new();
                loop {
                    let Some(&c) = chars.get(j) else {
                        return Err(Error::Parse("unterminated quoted string".into()));
                    };
                    match c {
                        '"' => break,
                        '\\' => {
                            let escaped = chars.get(j + 1).copied().unwrap_or('\\');
                            value.push(match escaped {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                '0' => '\0',
                                other => other,
                            });
                            j += 2;
                        }
                        c => {
                            value.push(c);
                            j += 1;
                        }
                    }
                }
                tokens.push(Token::Str(value));
                i = j + 1;
            }
            '`' => {
                let rest: String = chars[i + 1..].iter().collect();
                let end = rest
                    .find('`')
                    .ok_or_else(|| Error::Parse("unterminated raw string".into()))?;
                tokens.push(Token::Str(rest[..end].to_owned()));
                i += rest[..end].chars().count() + 2;
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '.') {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                let number: serde_json::Number = word
                    .parse()
                    .map_err(|_| Error::Parse(format!("bad number syntax: {word:?}")))?;
                tokens.push(Token::Number(number));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let end = word_end(i);
                let word: String = chars[i..end].iter().collect();
                tokens.push(Token::Ident(word));
                i = end;
            }
            other => return Err(Error::Parse(format!("unexpected {other:?} in command"))),
        }
    }
    Ok(tokens)
}

pub fn parse_pipeline(s: &str) -> Result<Pipeline, Error> {
    let tokens = tokenize(s)?;
    let mut pos = 0;
    let pipe = pipeline_tokens(&tokens, &mut pos, 0)?;
    if pos != tokens.len() {
        return Err(Error::Parse("unexpected \")\" in operand".into()));
    }
    Ok(pipe)
}

fn pipeline_tokens(tokens: &[Token], pos: &mut usize, depth: usize) -> Result<Pipeline, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Parse("template nested too deeply".into()));
    }
    let mut decl = Vec::new();
    // `$x :=` or `$i, $e :=`
    let lookahead: Vec<&Token> = tokens[*pos..].iter().take(4).collect();
    match lookahead.as_slice() {
        [Token::Variable(a, pa), Token::Comma, Token::Variable(b, pb), Token::Declare, ..]
            if pa.is_empty() && pb.is_empty() =>
        {
            decl = vec![a.clone(), b.clone()];
            *pos += 4;
        }
        [Token::Variable(a, pa), Token::Declare, ..] if pa.is_empty() => {
            decl = vec![a.clone()];
            *pos += 2;
        }
        _ => {}
    }
    let mut commands = Vec::new();
    let mut args = Vec::new();
    while let Some(token) = tokens.get(*pos) {
        *pos += 1;
        let operand = match token {
            Token::Pipe => {
                if args.is_empty() {
                    return Err(Error::Parse("missing command".into()));
                }
                commands.push(Command {
                    args: std::mem::take(&mut args),
                });
                continue;
            }
            Token::Close(_) => {
                *pos -= 1;
                break;
            }
            Token::Comma | Token::Declare => {
                return Err(Error::Parse("unexpected token in command".into()))
            }
            Token::Open => {
                let inner = pipeline_tokens(tokens, pos, depth + 1)?;
                let Some(Token::Close(fields)) = tokens.get(*pos) else {
                    return Err(Error::Parse("unclosed left paren".into()));
                };
                *pos += 1;
                Operand::Sub(Box::new(inner), fields.clone())
            }
            Token::Field(path) => Operand::Field(path.clone()),
            Token::Variable(name, path) => Operand::Variable(name.clone(), path.clone()),
            Token::Str(s) => Operand::Str(s.clone()),
            Token::Number(n) => Operand::Number(n.clone()),
            Token::Ident(word) => match word.as_str() {
                "true" => Operand::Bool(true),
                "false" => Operand::Bool(false),
                "nil" => Operand::Nil,
                _ => Operand::Ident(word.clone()),
            },
        };
        args.push(operand);
    }
    if args.is_empty() {
        return Err(Error::Parse(
            if commands.is_empty() {
                "missing value for command"
            } else {
                "missing command"
            }
            .into(),
        ));
    }
    commands.push(Command { args });
    Ok(Pipeline { decl, commands })
}
