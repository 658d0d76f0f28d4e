//! The one comparison of two images ([`compare`]) and the differences it finds, each named by its
//! place (`config.Env`, `history[3].created_by`, `fs /etc/x mode`) so that a known difference can be
//! listed by place in [`super::known`].

use std::collections::BTreeSet;
use std::fmt::{self, Write};

use super::image::{Entry, Image};

/// What the comparison leaves out of the exported file system, each with its reason. Modification
/// times are never compared (each build stamps its own).
pub const FS_IGNORED: &[(&str, &str)] = &[];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub place: String,
    pub left: String,
    pub right: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:\n    - {}\n    + {}",
            self.place, self.left, self.right
        )
    }
}

fn differ(out: &mut Vec<Difference>, place: String, left: String, right: String) {
    if left != right {
        out.push(Difference { place, left, right });
    }
}

/// Every difference between `left` and `right`: config fields, history entries, files.
pub fn compare(left: &Image, right: &Image) -> Vec<Difference> {
    let mut out = Vec::new();
    let fields: BTreeSet<&String> = left.config.keys().chain(right.config.keys()).collect();
    for field in fields {
        let show = |image: &Image| {
            image
                .config
                .get(field)
                .map_or_else(|| "null".to_owned(), ToString::to_string)
        };
        differ(&mut out, format!("config.{field}"), show(left), show(right));
    }
    for i in 0..left.history.len().max(right.history.len()) {
        let (l, r) = (left.history.get(i), right.history.get(i));
        let absent = || "<absent>".to_owned();
        differ(
            &mut out,
            format!("history[{i}].created_by"),
            l.map_or_else(absent, |h| h.created_by.clone()),
            r.map_or_else(absent, |h| h.created_by.clone()),
        );
        differ(
            &mut out,
            format!("history[{i}].empty_layer"),
            l.map_or_else(absent, |h| h.empty_layer.to_string()),
            r.map_or_else(absent, |h| h.empty_layer.to_string()),
        );
        differ(
            &mut out,
            format!("history[{i}].comment"),
            l.map_or_else(absent, |h| h.comment.clone()),
            r.map_or_else(absent, |h| h.comment.clone()),
        );
    }
    let paths: BTreeSet<&String> = left.files.keys().chain(right.files.keys()).collect();
    for path in paths {
        if FS_IGNORED.iter().any(|(ignored, _)| ignored == path) {
            continue;
        }
        match (left.files.get(path), right.files.get(path)) {
            (Some(l), Some(r)) => compare_entries(&mut out, path, l, r),
            (l, r) => differ(&mut out, format!("fs /{path}"), describe(l), describe(r)),
        }
    }
    out
}

fn compare_entries(out: &mut Vec<Difference>, path: &str, l: &Entry, r: &Entry) {
    if l.kind != r.kind {
        differ(
            out,
            format!("fs /{path}"),
            describe(Some(l)),
            describe(Some(r)),
        );
        return;
    }
    let place = |what: &str| format!("fs /{path} {what}");
    differ(
        out,
        place("mode"),
        format!("{:o}", l.mode),
        format!("{:o}", r.mode),
    );
    differ(
        out,
        place("owner"),
        format!("{}:{}", l.uid, l.gid),
        format!("{}:{}", r.uid, r.gid),
    );
    differ(out, place("link"), l.link.clone(), r.link.clone());
    differ(out, place("content"), l.sha256.clone(), r.sha256.clone());
}

fn describe(entry: Option<&Entry>) -> String {
    match entry {
        None => "<absent>".to_owned(),
        Some(e) => {
            let mut text = format!("{} {:o} {}:{}", e.kind, e.mode, e.uid, e.gid);
            if !e.link.is_empty() {
                let _ = write!(text, " -> {}", e.link);
            }
            if !e.sha256.is_empty() {
                let _ = write!(text, " sha256:{}", &e.sha256[..12]);
            }
            text
        }
    }
}
