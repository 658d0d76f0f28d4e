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

pub mod human;
mod table;
pub mod template;

pub use table::{render_rows, render_rows_in, tabwrite, Format};
pub use template::{Error, Template};
