//! multilog's pure parts: the script language and the pattern matcher.
//!
//! Contract: nothing here allocates or does I/O; the script borrows its words from the
//! command line.

pub mod pattern;
pub mod script;
