//! Where one line goes: the script's actions applied to the line's first bytes.
//!
//! Every line starts selected; `+pattern` selects it when the pattern matches,
//! `-pattern` deselects it; each `e`, `=file` and directory after that receives the line
//! if it is selected at that point. Patterns see the line as written to the log (with its
//! label), up to [`super::pattern::MATCH_MAX`] bytes.

use super::pattern::matches;
use super::script::{Directive, Script};

/// Bit `i` is set when action `i` of the script receives the line (only `e`, `=file`
/// and directory actions ever do). Scripts hold at most 64 actions.
pub type Route = u64;

/// The receivers of the line whose first bytes are `head`.
pub fn route(script: &Script<'_>, head: &[u8]) -> Route {
    let mut selected = true;
    let mut receivers = 0;
    for (i, action) in script.actions.iter().enumerate() {
        match action {
            Directive::Select(pattern) => selected |= matches(pattern, head),
            Directive::Deselect(pattern) => selected &= !matches(pattern, head),
            Directive::Alert | Directive::Status(_) | Directive::Directory(_) => {
                if selected {
                    receivers |= 1 << i;
                }
            }
        }
    }
    receivers
}

/// Whether every line takes the same route (the script selects nothing by pattern), so
/// lines need not be looked at.
pub fn is_fixed(script: &Script<'_>) -> bool {
    !script
        .actions
        .iter()
        .any(|a| matches!(a, Directive::Select(_) | Directive::Deselect(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::script::parse;

    fn script(words: &'static [&'static str]) -> Script<'static> {
        parse(words.iter().map(|w| w.as_bytes()), |_| {}).unwrap()
    }

    #[test]
    fn selection_applies_to_the_receivers_after_it() {
        let s = script(&["./all", "-*", "+* fatal: *", "e", "./errors", "+*", "=last"]);
        assert_eq!(route(&s, b"dns: fatal: oops"), 0b101_1001);
        assert_eq!(route(&s, b"dns: ok"), 0b100_0001);
        assert!(!is_fixed(&s));
    }

    #[test]
    fn the_label_is_part_of_what_patterns_see() {
        // Measured: with `t`, `+@*` selects every line and `+hello` none.
        let s = script(&["t", "-*", "+@*", "./a", "-*", "+hello", "./b"]);
        assert_eq!(route(&s, b"@400000006b0677982d92a61c hello"), 1 << 2);
    }

    #[test]
    fn without_patterns_the_route_is_fixed() {
        let s = script(&["t", "e", "./main"]);
        assert!(is_fixed(&s));
        assert_eq!(route(&s, b""), 0b11);
    }
}
