//! The subset of Go's regexp syntax that patternmatcher's compiled patterns use (literals,
//! escapes, classes, `.`, groups, `*` and `?`, `^` and `$`), matched with a Thompson NFA so a
//! hostile pattern costs time linear in the path.

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Space(bool),
    Word(bool),
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    /// `.`: any character but a newline.
    Any,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    Begin,
    End,
    Group(Vec<Node>),
    Star(Box<Node>),
    Optional(Box<Node>),
}

#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    Any,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    Begin,
    End,
    Split(usize, usize),
    Jump(usize),
    Match,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    program: Vec<Inst>,
}

enum ClassChar {
    Char(char),
    Perl,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn sequence(&mut self, in_group: bool) -> Option<Vec<Node>> {
        let mut nodes = Vec::new();
        while let Some(ch) = self.chars.get(self.pos).copied() {
            self.pos += 1;
            let atom = match ch {
                ')' if in_group => return Some(nodes),
                '(' => Node::Group(self.sequence(true)?),
                '.' => Node::Any,
                '^' => Node::Begin,
                '$' => Node::End,
                '[' => self.class()?,
                '\\' => self.escape()?,
                '*' | '?' | '+' | '|' | ')' | '{' => return None,
                c => Node::Char(c),
            };
            let atom = match self.chars.get(self.pos) {
                Some('*') => {
                    self.pos += 1;
                    Node::Star(Box::new(atom))
                }
                Some('?') => {
                    self.pos += 1;
                    Node::Optional(Box::new(atom))
                }
                _ => atom,
            };
            nodes.push(atom);
        }
        (!in_group).then_some(nodes)
    }

    fn escape(&mut self) -> Option<Node> {
        let ch = *self.chars.get(self.pos)?;
        self.pos += 1;
        Some(match ch {
            'd' | 'D' => Node::Class {
                negated: false,
                items: vec![ClassItem::Digit(ch == 'd')],
            },
            's' | 'S' => Node::Class {
                negated: false,
                items: vec![ClassItem::Space(ch == 's')],
            },
            'w' | 'W' => Node::Class {
                negated: false,
                items: vec![ClassItem::Word(ch == 'w')],
            },
            'A' => Node::Begin,
            'z' => Node::End,
            c => Node::Char(simple_escape(c)?),
        })
    }

    fn class(&mut self) -> Option<Node> {
        let mut negated = false;
        if self.chars.get(self.pos) == Some(&'^') {
            negated = true;
            self.pos += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let ch = *self.chars.get(self.pos)?;
            if ch == ']' && !first {
                self.pos += 1;
                return Some(Node::Class { negated, items });
            }
            first = false;
            if ch == '[' && self.chars.get(self.pos + 1) == Some(&':') {
                // Go: `[:name:]`, or a plain `[` when no `:]` follows.
                let rest: String = self.chars[self.pos + 2..].iter().collect();
                if let Some(end) = rest.find(":]") {
                    items.extend(posix_class(&rest[..end])?);
                    self.pos += 2 + rest[..end].chars().count() + 2;
                    continue;
                }
            }
            let ClassChar::Char(low) = self.class_char(&mut items)? else {
                continue;
            };
            let mut high = low;
            if self.chars.get(self.pos) == Some(&'-')
                && self.chars.get(self.pos + 1).is_some_and(|c| *c != ']')
            {
                self.pos += 1;
                let ClassChar::Char(end) = self.class_char(&mut Vec::new())? else {
                    return None;
                };
                high = end;
                if high < low {
                    return None;
                }
            }
            items.push(ClassItem::Range(low, high));
        }
    }

    /// One character of a class; `Perl` when it was a Perl class like `\d` (added to `items`).
    fn class_char(&mut self, items: &mut Vec<ClassItem>) -> Option<ClassChar> {
        let ch = *self.chars.get(self.pos)?;
        self.pos += 1;
        if ch != '\\' {
            return Some(ClassChar::Char(ch));
        }
        let escaped = *self.chars.get(self.pos)?;
        self.pos += 1;
        match escaped {
            'd' | 'D' => items.push(ClassItem::Digit(escaped == 'd')),
            's' | 'S' => items.push(ClassItem::Space(escaped == 's')),
            'w' | 'W' => items.push(ClassItem::Word(escaped == 'w')),
            c => return Some(ClassChar::Char(simple_escape(c)?)),
        }
        Some(ClassChar::Perl)
    }
}

/// Go's escapes that stand for one character; `None` for what berth does not support (or Go
/// refuses).
fn simple_escape(c: char) -> Option<char> {
    match c {
        'a' => Some('\u{7}'),
        'f' => Some('\u{c}'),
        't' => Some('\t'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        'v' => Some('\u{b}'),
        c if c.is_ascii_punctuation() => Some(c),
        _ => None,
    }
}

fn posix_class(name: &str) -> Option<Vec<ClassItem>> {
    let (negated, name) = match name.strip_prefix('^') {
        Some(name) => (true, name),
        None => (false, name),
    };
    if negated {
        return None;
    }
    let ranges: &[(char, char)] = match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\u{7f}')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\u{1f}'), ('\u{7f}', '\u{7f}')],
        "digit" => &[('0', '9')],
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => &[('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    };
    Some(
        ranges
            .iter()
            .map(|(lo, hi)| ClassItem::Range(*lo, *hi))
            .collect(),
    )
}

fn class_matches(negated: bool, items: &[ClassItem], c: char) -> bool {
    let hit = items.iter().any(|item| match item {
        ClassItem::Range(lo, hi) => *lo <= c && c <= *hi,
        ClassItem::Digit(yes) => c.is_ascii_digit() == *yes,
        ClassItem::Space(yes) => matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ') == *yes,
        ClassItem::Word(yes) => (c.is_ascii_alphanumeric() || c == '_') == *yes,
    });
    hit != negated
}

fn emit(nodes: &[Node], program: &mut Vec<Inst>) {
    for node in nodes {
        match node {
            Node::Char(c) => program.push(Inst::Char(*c)),
            Node::Any => program.push(Inst::Any),
            Node::Class { negated, items } => program.push(Inst::Class {
                negated: *negated,
                items: items.clone(),
            }),
            Node::Begin => program.push(Inst::Begin),
            Node::End => program.push(Inst::End),
            Node::Group(inner) => emit(inner, program),
            Node::Star(inner) => {
                let split = program.len();
                program.push(Inst::Split(0, 0));
                emit(std::slice::from_ref(inner), program);
                program.push(Inst::Jump(split));
                let after = program.len();
                program[split] = Inst::Split(split + 1, after);
            }
            Node::Optional(inner) => {
                let split = program.len();
                program.push(Inst::Split(0, 0));
                emit(std::slice::from_ref(inner), program);
                let after = program.len();
                program[split] = Inst::Split(split + 1, after);
            }
        }
    }
}

impl Regex {
    /// Compiles `source`; `None` where Go's regexp would refuse it (or berth lacks the feature).
    pub(crate) fn new(source: &str) -> Option<Regex> {
        let mut parser = Parser {
            chars: source.chars().collect(),
            pos: 0,
        };
        let nodes = parser.sequence(false)?;
        let mut program = Vec::new();
        emit(&nodes, &mut program);
        program.push(Inst::Match);
        Some(Regex { program })
    }

    /// Whether the expression matches somewhere in `text` (the patterns are anchored with
    /// `^...$`, so in effect: the whole text).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let mut current = Vec::new();
        let mut seen = vec![usize::MAX; self.program.len()];
        for pos in 0..=chars.len() {
            // Unanchored search: a thread may start anywhere.
            self.add(&mut current, &mut seen, 0, pos, chars.len());
            if current
                .iter()
                .any(|pc| matches!(self.program[*pc], Inst::Match))
            {
                return true;
            }
            let Some(&c) = chars.get(pos) else { break };
            let mut next = Vec::new();
            let mut next_seen = vec![usize::MAX; self.program.len()];
            for pc in current.drain(..) {
                let advances = match &self.program[pc] {
                    Inst::Char(expected) => *expected == c,
                    Inst::Any => c != '\n',
                    Inst::Class { negated, items } => class_matches(*negated, items, c),
                    _ => false,
                };
                if advances {
                    self.add(&mut next, &mut next_seen, pc + 1, pos + 1, chars.len());
                }
            }
            current = next;
            seen = next_seen;
        }
        false
    }

    /// Adds `pc` and every state reachable from it without reading (an explicit stack: a
    /// pattern of many `**/` makes long chains).
    fn add(&self, list: &mut Vec<usize>, seen: &mut [usize], pc: usize, pos: usize, len: usize) {
        let mut pending = vec![pc];
        while let Some(pc) = pending.pop() {
            if seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match self.program[pc] {
                Inst::Split(a, b) => pending.extend([b, a]),
                Inst::Jump(target) => pending.push(target),
                Inst::Begin => {
                    if pos == 0 {
                        pending.push(pc + 1);
                    }
                }
                Inst::End => {
                    if pos == len {
                        pending.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }
}
