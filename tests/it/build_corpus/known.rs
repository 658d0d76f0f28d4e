//! The one table of known differences from Docker's BuildKit, each with its reason (berth's are
//! also in docs/build.md). A difference not listed fails the test; an entry that matched nothing in
//! a whole run fails it too, so the table never outlives what it describes.

use super::compare::Difference;
use super::tools::Tool;
use super::world::Case;

pub struct Known {
    pub tool: Tool,
    /// A case's name, `*` for every case, or `<twin>` for the cases whose oracles build
    /// `Dockerfile.twin`.
    pub case: &'static str,
    /// The start of the difference's place (`history`, `config.Env`, `fs /etc/hosts`).
    pub place: &'static str,
    pub reason: &'static str,
}

pub const KNOWN: &[Known] = &[
    Known {
        tool: Tool::Berth,
        case: "<twin>",
        place: "history",
        reason: "the oracles build Dockerfile.twin (Docker 20.10's BuildKit lacks the feature), \
                 whose instructions are written differently",
    },
    Known {
        tool: Tool::Buildah,
        case: "<twin>",
        place: "history",
        reason: "both build Dockerfile.twin; buildah's history differs anyway (below)",
    },
];

impl Known {
    pub fn covers(&self, tool: Tool, case: &Case, difference: &Difference) -> bool {
        self.tool == tool
            && match self.case {
                "*" => true,
                "<twin>" => case.twin.is_some(),
                name => name == case.name,
            }
            && difference.place.starts_with(self.place)
    }
}

/// The differences no entry covers, and marks each entry that covered one in `used`.
pub fn unexplained(
    tool: Tool,
    case: &Case,
    differences: Vec<Difference>,
    used: &mut [bool],
) -> (Vec<Difference>, Vec<(Difference, &'static str)>) {
    let mut unexplained = Vec::new();
    let mut explained = Vec::new();
    for difference in differences {
        match KNOWN.iter().position(|k| k.covers(tool, case, &difference)) {
            Some(i) => {
                used[i] = true;
                explained.push((difference, KNOWN[i].reason));
            }
            None => unexplained.push(difference),
        }
    }
    (unexplained, explained)
}
