//! multilog's pure parts: the script language, the pattern matcher and the rotation rule.
//!
//! Contract: nothing here allocates or does I/O; the script borrows its words from the
//! command line.

pub mod pattern;
pub mod rotation;
pub mod script;
