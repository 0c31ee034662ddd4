//! The pure core of the daemontools rebuild.
//!
//! Contract: no I/O, no clock, no heap, no `unsafe`. Every function takes bytes or values
//! and returns values; the binaries in `bins/` own the syscalls. Capacities are named
//! constants; running out of one is a value, never a panic.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod account;
pub mod civil;
pub mod control;
pub mod copy;
pub mod decimal;
pub mod envdir;
pub mod event;
pub mod lockpid;
pub mod log;
pub mod options;
pub mod procstat;
pub mod proctitle;
pub mod rlimit;
pub mod scan;
pub mod search;
pub mod sentence;
pub mod settings;
pub mod status;
pub mod supervisor;
pub mod tai64;
pub mod tz;
