//! The data behind `berth image inspect` and `berth history`, in Docker's shape.
//! Formatting (tables, templates, human sizes) is the CLI's job.

pub mod history;
pub mod inspect;
