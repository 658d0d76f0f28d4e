//! berth-build: `berth build`, a Dockerfile built as BuildKit builds it, with no daemon.
//!
//! The Dockerfile is read by `berth-dockerfile`; this crate does the rest: which stages run
//! ([`plan`]), the build context, each step on a snapshot of its parent (RUN in a container on
//! runc or crun, COPY and ADD with fd-relative writes inside the rootfs), the cache, and the
//! image committed through the store like every other image.
//!
//! ```
//! use berth_build::{plan, Base};
//! use berth_dockerfile::{parse, Scope};
//!
//! let dockerfile = parse(
//!     "FROM alpine AS build\nRUN make\nFROM busybox AS unused\nFROM scratch\nCOPY --from=build /out /\n",
//! )?;
//! let global = Scope::global(&dockerfile, Vec::new(), &Default::default())?;
//! let plan = plan(&dockerfile, &global, None)?;
//! // The target (the last stage) needs `build`; `unused` is never built.
//! let order: Vec<usize> = plan.stages.iter().map(|stage| stage.index).collect();
//! assert_eq!(order, [0, 2]);
//! assert_eq!(plan.target().base, Base::Scratch);
//! assert_eq!(plan.images(), ["alpine"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
pub mod cache;
pub use cache::CONTEXT_DIGESTS;
pub mod config;
pub mod context;
pub mod copy;
mod error;
mod image;
mod plan;
pub mod progress;
mod steps;

pub use berth_dockerfile::Lines;
pub use build::{base_images, build, BuildOptions, Built};
pub use context::{Context, ContextSource};
pub use copy::{copy, sources_checksum, CopyKind, CopyRequest, Fetch, SourceRoot};
pub use error::{Error, Result};
pub use plan::{from_lines, plan, Base, CopySource, Plan, PlannedStage};
pub use progress::{excerpt, Progress};
pub use steps::{mkdir_all, LayerRef, HOSTNAME};
