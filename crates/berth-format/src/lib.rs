//! Output exactly as the Docker CLI prints it.
//!
//! Scripts parse `docker images --format '{{.ID}}'` and friends, so berth must accept the same Go
//! `text/template` syntax and print the same bytes: `template` is an interpreter for Go templates
//! (fields, pipelines, `if`/`range`/`with`, `define`/`template`/`block`, `printf` with Go's `fmt`,
//! Docker's functions `json split join title lower upper pad truncate`), evaluated over Go values
//! (`GoValue`: structs, maps, nil slices and pointers and `time.Time` keep their Go behaviour; JSON
//! rows become Go maps and structs), failing with Go's errors, within bounds on its work.
//! `table` aligns columns like Go's `tabwriter` with Docker's settings; `human` renders sizes and ages
//! with `docker/go-units`' rules. Pure: no I/O, so every rule is a table-driven unit test.
//!
//! ```
//! use berth_format::{render_rows, template::Missing, Format, Template};
//! use serde_json::json;
//!
//! // `docker images --format '{{.Repository}}:{{.Tag}}'`: a raw template, one line per row.
//! let template = Template::parse("{{.Repository}}:{{.Tag}}", Missing::NoValue).unwrap();
//! let row = json!({"Repository": "ubuntu", "Tag": "14.04"});
//! assert_eq!(template.execute(&row).unwrap(), "ubuntu:14.04");
//!
//! // `--format 'table {{.Repository}}\t{{.Tag}}'`: a header, then rows aligned like Go's tabwriter.
//! let format = Format::parse(
//!     Some("table {{.Repository}}\\t{{.Tag}}"),
//!     "",
//!     Missing::NoValue,
//! )
//! .unwrap();
//! let header = json!({"Repository": "REPOSITORY", "Tag": "TAG"});
//! let table = render_rows(&format, &header, &[row]).unwrap();
//! assert_eq!(table, "REPOSITORY   TAG\nubuntu       14.04\n");
//!
//! // Go's errors, as Docker prints them after `template parsing error: `.
//! let error = Template::parse("{{.Repository", Missing::NoValue).unwrap_err();
//! assert_eq!(error.to_string(), "template: :1: unclosed action");
//! ```

pub mod human;
mod table;
pub mod template;

pub use table::{render_rows, render_rows_in, tabwrite, Format};
pub use template::{Error, Template};
