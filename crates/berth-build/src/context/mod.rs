//! PLACEHOLDER (signatures only): the build context is written on the `files` branch
//! (/work/wt/notes/build-interfaces.md); the coordinator replaces this file with that branch's.

use crate::error::Result;

/// Where the build context comes from.
pub enum ContextSource {
    /// A directory on disk, read in place.
    Dir(std::path::PathBuf),
    /// A tar stream (any compression).
    Tar(Box<dyn std::io::Read + Send>),
    /// `docker build - < Dockerfile`: an empty context.
    Empty,
}

/// An opened build context.
pub struct Context {
    _private: (),
}

impl Context {
    /// Opens the context; a Tar context is unpacked into `scratch`.
    pub fn open(source: ContextSource, scratch: &std::path::Path) -> Result<Context> {
        // Placeholder: opens nothing, so that builds without COPY/ADD run before the merge.
        let _ = (source, scratch);
        Ok(Context { _private: () })
    }

    /// The Dockerfile's text.
    pub fn dockerfile(&self, name: &str) -> Result<String> {
        let _ = name;
        unimplemented!("merged from the files branch")
    }

    /// Applies `.dockerignore` / `NAME.dockerignore`.
    pub fn apply_ignore(&mut self, dockerfile_name: &str) -> Result<()> {
        let _ = dockerfile_name;
        Ok(())
    }
}
