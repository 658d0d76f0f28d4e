//! Each command under the names Docker gives it, and none other.

use clap::Parser;

use crate::args::Cli;

/// The variant a command line parses to (`Images`), or the clap error kind.
fn parsed(line: &str) -> String {
    match Cli::try_parse_from(line.split_whitespace()) {
        Ok(cli) => {
            let debug = format!("{:?}", cli.command);
            debug[..debug.find('(').unwrap_or(debug.len())].to_owned()
        }
        Err(error) => format!("{:?}", error.kind()),
    }
}

#[test]
fn each_command_answers_to_dockers_names() {
    let cases = [
        ("berth images", "Images"),
        ("berth image ls", "Images"),
        ("berth image list", "Images"),
        ("berth rmi x", "Rmi"),
        ("berth image rm x", "Rmi"),
        ("berth image remove x", "Rmi"),
        ("berth tag x y", "Tag"),
        ("berth image tag x y", "Tag"),
        ("berth inspect x", "Inspect"),
        ("berth image inspect x", "ImageInspect"),
        ("berth container inspect x", "ContainerInspect"),
        ("berth image prune", "ImagePrune"),
        ("berth search x", "Search"),
        ("berth run x", "Run"),
        ("berth container run x", "Run"),
        ("berth ps", "Ps"),
        ("berth container ls", "Ps"),
        ("berth container list", "Ps"),
        ("berth container ps", "Ps"),
        ("berth rm x", "Rm"),
        ("berth container rm x", "Rm"),
        ("berth container remove x", "Rm"),
        ("berth --root /x container commit c", "Commit"),
        ("berth system prune", "System"),
        ("berth version", "Version"),
        // Only where Docker has them.
        ("berth prune", "InvalidSubcommand"),
        ("berth list", "InvalidSubcommand"),
        ("berth image search x", "InvalidSubcommand"),
        ("berth image ps", "InvalidSubcommand"),
        ("berth container images", "InvalidSubcommand"),
        ("berth container prune", "InvalidSubcommand"),
        ("berth image", "DisplayHelpOnMissingArgumentOrSubcommand"),
    ];
    for (line, want) in cases {
        assert_eq!(parsed(line), want, "{line}");
    }
}
