//! The one table of known differences from Docker's BuildKit, each with its reason (berth's are
//! also in docs/build.md). A difference not listed fails the test; an entry that matched nothing in
//! a whole run fails it too, so the table never outlives what it describes.

use super::compare::Difference;
use super::tools::Tool;
use super::world::Case;

pub struct Known {
    pub tool: Tool,
    /// Case names separated by `|`, `*` for every case, or `<twin>` for the cases whose oracles
    /// build `Dockerfile.twin`.
    pub case: &'static str,
    /// The start of the difference's place (`history`, `config.Env`, `fs /etc/hosts`, `build`,
    /// `exit code`).
    pub place: &'static str,
    /// What else the difference must show ([`any`] when the place says it all).
    pub when: fn(&Difference) -> bool,
    pub reason: &'static str,
}

/// Every difference at the place.
pub fn any(_: &Difference) -> bool {
    true
}

/// BuildKit has nothing (`null`, absent) where the other tool has an empty value.
fn null_for_empty(d: &Difference) -> bool {
    d.left == "null" && matches!(d.right.as_str(), "[]" | "{}" | "\"\"")
}

pub const KNOWN: &[Known] = &[
    Known {
        tool: Tool::Berth,
        case: "<twin>",
        place: "history",
        when: any,
        reason: "the oracles build Dockerfile.twin (Docker 20.10's BuildKit lacks the feature), \
                 whose instructions are written differently",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "history",
        when: any,
        reason: "buildah writes the legacy builder's history (`/bin/sh -c #(nop) COPY file:<digest> in /x`, \
                 `/bin/sh -c CMD` without `RUN`) and `FROM <parent>` as the comment",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "config.",
        when: null_for_empty,
        reason: "buildah writes empty values ([], {}, \"\") where BuildKit writes null",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "config.Labels",
        when: |d| d.right.contains("\"io.buildah.version\""),
        reason: "buildah adds the label io.buildah.version",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "fs /etc/h",
        when: |d| d.left == "<absent>",
        reason: "buildah's RUN leaves its mount points /etc/hostname and /etc/hosts in the layer (empty, 0755)",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "fs /etc/resolv.conf",
        when: |d| d.left == "<absent>",
        reason: "buildah's RUN leaves its mount point /etc/resolv.conf in the layer",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "fs /run",
        when: |d| d.left == "<absent>",
        reason: "buildah's RUN leaves /run in the layer",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "exit code",
        when: any,
        reason: "buildah exits 125 on a refused build and with the RUN's own status when a RUN fails; \
                 docker build exits 1",
    },
    Known {
        tool: Tool::Buildah,
        case: "02-run-shell-form",
        place: "fs /a/id content",
        when: any,
        reason: "BuildKit runs RUN as root with no supplementary groups (`id`: uid=0(root) gid=0(root)); \
                 buildah adds the primary group (groups=0(root))",
    },
    Known {
        tool: Tool::Buildah,
        case: "37-user",
        place: "fs /tmp/id",
        when: any,
        reason: "BuildKit gives USER app only the groups that list it (groups=50(staff)); buildah also the primary group",
    },
    Known {
        tool: Tool::Buildah,
        case: "55-variable-operators",
        place: "fs /env.txt content",
        when: any,
        reason: "buildah sets HOSTNAME in RUN's environment; BuildKit does not",
    },
    Known {
        tool: Tool::Buildah,
        case: "11-expose",
        place: "config.ExposedPorts",
        when: any,
        reason: "buildah keeps a port range as one key (8000-8002/tcp); BuildKit expands it",
    },
    Known {
        tool: Tool::Buildah,
        case: "*",
        place: "config.Env",
        when: |d| d.left.contains("/opt/bin") && d.right.ends_with("/opt/bin\"]"),
        reason: "buildah moves a variable ENV sets again (PATH) to the end; BuildKit replaces it in place",
    },
    Known {
        tool: Tool::Buildah,
        case: "18-add-tar-zst",
        place: "fs /",
        when: any,
        reason: "buildah's ADD extracts a zstd tar; Docker 20.10's BuildKit copies it as a file",
    },
    Known {
        tool: Tool::Buildah,
        case: "19-add-tar-chown",
        place: "fs /opt owner",
        when: any,
        reason: "BuildKit's ADD --chown also owns the destination directory it creates; buildah's leaves it root's",
    },
    Known {
        tool: Tool::Buildah,
        case: "30-copy-chmod",
        place: "fs /suid mode",
        when: any,
        reason: "Docker 20.10's BuildKit drops setuid/setgid/sticky from --chmod (4750 gives 750); buildah keeps them",
    },
    Known {
        tool: Tool::Buildah,
        case: "35-copy-creates-parents",
        place: "fs /home/app/w owner",
        when: any,
        reason: "BuildKit creates a WORKDIR as the stage's USER; buildah as root",
    },
    Known {
        tool: Tool::Buildah,
        case: "60-previous-stage-chain",
        place: "fs /wa owner",
        when: any,
        reason: "BuildKit creates WORKDIR /wa at the WORKDIR (USER is still root); buildah at the first RUN after \
                 USER app",
    },
    Known {
        tool: Tool::Buildah,
        case: "38-workdir|39-workdir-as-user|69-expansion-in-copy-and-workdir|73-env-no-path-scratch",
        place: "fs /",
        when: |d| d.right == "<absent>" && d.left.starts_with("d "),
        reason: "buildah creates a WORKDIR only when a later RUN or COPY needs it; BuildKit always",
    },
    Known {
        tool: Tool::Buildah,
        case: "36-volume",
        place: "fs /",
        when: any,
        reason: "buildah creates each VOLUME's directory in the image and drops what RUN writes into a volume \
                 after VOLUME (as Docker's legacy builder); BuildKit does neither",
    },
    Known {
        tool: Tool::Buildah,
        case: "41-arg-and-env",
        place: "fs /b content",
        when: any,
        reason: "ENV B then ARG B with --build-arg B=cli-b: Docker 20.10's BuildKit's RUN sees the build arg \
                 (cli-b), buildah's the ENV's value (env-b, as the legacy builder)",
    },
    Known {
        tool: Tool::Buildah,
        case: "51-shell",
        place: "config.",
        when: |d| d.place == "config.Cmd" || d.place == "config.Entrypoint",
        reason: "BuildKit wraps a shell-form CMD and ENTRYPOINT in the SHELL; buildah in /bin/sh -c",
    },
    Known {
        tool: Tool::Buildah,
        case: "53-escape-directive",
        place: "",
        when: |d| d.place == "config.Env" || d.place == "fs /win content",
        reason: "with `# escape=\\``, buildah still drops backslashes in ENV values (C:\\path\\to gives C:pathto)",
    },
    Known {
        tool: Tool::Buildah,
        case: "01-from-scratch|33-copy-from-index",
        place: "config.WorkingDir",
        when: |d| d.left == "\"/\"" && d.right == "\"\"",
        reason: "BuildKit gives a stage FROM scratch the working directory /; buildah leaves it empty",
    },
    Known {
        tool: Tool::Buildah,
        case: "85-run-mknod",
        place: "build",
        when: any,
        reason: "mknod fails under buildah's chroot isolation (`Operation not permitted`); BuildKit's RUN has \
                 CAP_MKNOD",
    },
    Known {
        tool: Tool::Buildah,
        case: "84-copy-empty-wildcard",
        place: "build",
        when: any,
        reason: "Docker 20.10's BuildKit lets a COPY wildcard match nothing; buildah refuses it",
    },
    Known {
        tool: Tool::Legacy,
        case: "44-onbuild-triggers-run|45-onbuild-recorded",
        place: "history",
        when: any,
        reason: "the legacy builder writes a history entry (an empty layer) for each ONBUILD, BuildKit none, \
                 so the entries after them shift",
    },
    Known {
        tool: Tool::Legacy,
        case: "*",
        place: "history",
        when: |d| !d.place.ends_with("empty_layer"),
        reason: "the legacy builder writes its own history (`/bin/sh -c #(nop)  ENV X=1`, `/bin/sh -c CMD` \
                 without `RUN`, `COPY file:<digest> in /x`) and no comment (BuildKit: buildkit.dockerfile.v0)",
    },
    Known {
        tool: Tool::Legacy,
        case: "52-maintainer",
        place: "history[2].empty_layer",
        when: any,
        reason: "a RUN that changes no file (`RUN true`) is an empty layer to the legacy builder; BuildKit \
                 commits an empty layer",
    },
    Known {
        tool: Tool::Legacy,
        case: "*",
        place: "config.",
        when: |d| {
            null_for_empty(d) && (d.place == "config.User" || d.place == "config.WorkingDir")
        },
        reason: "the legacy builder writes \"\" for an unset User and WorkingDir; BuildKit null",
    },
    Known {
        tool: Tool::Legacy,
        case: "01-from-scratch|33-copy-from-index",
        place: "config.WorkingDir",
        when: |d| d.left == "\"/\"" && d.right == "\"\"",
        reason: "BuildKit gives a stage FROM scratch the working directory /; the legacy builder leaves it empty",
    },
    Known {
        tool: Tool::Legacy,
        case: "78-error-run-fails",
        place: "exit code",
        when: any,
        reason: "docker build with the legacy builder exits with the failed RUN's status (3); with BuildKit 1",
    },
    Known {
        tool: Tool::Legacy,
        case: "02-run-shell-form|37-user",
        place: "fs /",
        when: |d| d.place.ends_with("/id content") || d.place.ends_with("/id2 content"),
        reason: "the legacy builder's RUN has the user's primary group among its groups (root: groups=0(root); \
                 USER app: groups=50(staff),1000(app); USER 1000:50: groups=50(staff)); BuildKit only the \
                 groups that list the user",
    },
    Known {
        tool: Tool::Legacy,
        case: "55-variable-operators",
        place: "fs /env.txt content",
        when: any,
        reason: "the legacy builder's RUN has HOSTNAME in its environment (the host's name, with \
                 --network host); BuildKit's not",
    },
    Known {
        tool: Tool::Legacy,
        case: "41-arg-and-env",
        place: "fs /b content",
        when: any,
        reason: "ENV B then ARG B with --build-arg B=cli-b: the legacy builder's RUN sees the ENV's value \
                 (env-b), Docker 20.10's BuildKit the build arg (cli-b)",
    },
    Known {
        tool: Tool::Legacy,
        case: "42-predefined-platform-args|61-from-platform",
        place: "",
        when: |d| d.place == "fs /platform content" || d.place == "build",
        reason: "the legacy builder sets no automatic platform args (TARGETPLATFORM, BUILDPLATFORM, ...: \
                 empty), so `FROM --platform=$BUILDPLATFORM` fails (`failed to parse platform`)",
    },
    Known {
        tool: Tool::Legacy,
        case: "19-add-tar-chown",
        place: "fs /opt owner",
        when: any,
        reason: "BuildKit's ADD --chown also owns the destination directory it creates; the legacy builder's \
                 leaves it root's",
    },
    Known {
        tool: Tool::Legacy,
        case: "35-copy-creates-parents|39-workdir-as-user",
        place: "",
        when: |d| d.place == "fs /home/app/w owner" || d.place == "build",
        reason: "the legacy builder creates a WORKDIR as root whatever the USER (so USER app cannot write in \
                 WORKDIR /home/app/sub: `touch mine` fails); BuildKit as the stage's USER",
    },
    Known {
        tool: Tool::Legacy,
        case: "36-volume",
        place: "fs /",
        when: any,
        reason: "the legacy builder creates each VOLUME's directory in the image and drops what RUN writes \
                 into a volume after VOLUME; BuildKit does neither",
    },
    Known {
        tool: Tool::Legacy,
        case: "50-healthcheck-none",
        place: "config.Healthcheck",
        when: any,
        reason: "the legacy builder commits through the daemon, which fills the options HEALTHCHECK NONE \
                 leaves unset from the inherited healthcheck (Retries 2)",
    },
    Known {
        tool: Tool::Legacy,
        case: "76-per-dockerfile-ignore",
        place: "fs /ctx/",
        when: any,
        reason: "with the legacy builder, the 20.10 CLI reads only .dockerignore, not the NAME.dockerignore \
                 of the Dockerfile given by -f",
    },
    Known {
        tool: Tool::Legacy,
        case: "20-add-chmod|30-copy-chmod|86-heredoc-add",
        place: "build",
        when: any,
        reason: "Docker 20.10's legacy builder refuses --chmod (`the --chmod option requires BuildKit`); \
                 86's twin uses it",
    },
    Known {
        tool: Tool::Legacy,
        case: "28-copy-wildcards|84-copy-empty-wildcard",
        place: "build",
        when: any,
        reason: "the legacy builder refuses a COPY wildcard that matches nothing (`COPY failed: no source \
                 files were specified`); BuildKit 20.10 copies nothing for it",
    },
];

impl Known {
    pub fn covers(&self, tool: Tool, case: &Case, difference: &Difference) -> bool {
        self.tool == tool
            && match self.case {
                "*" => true,
                "<twin>" => case.twin.is_some(),
                names => names.split('|').any(|name| name == case.name),
            }
            && difference.place.starts_with(self.place)
            && (self.when)(difference)
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
