//! multilog's pure parts: the script language, the pattern matcher, the route of a line,
//! the rotation rule, the ring-buffer writer and the archive names.
//!
//! Contract: nothing here allocates or does I/O; the script borrows its words from the
//! command line and the writer its ring from the caller.

pub mod archive;
pub mod machine;
pub mod notice;
pub mod pattern;
pub mod rotation;
pub mod route;
pub mod script;
pub mod writer;
