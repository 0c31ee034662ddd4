//! The control protocol: one byte per command on `supervise/control`, and the option
//! set of `svc` that produces them.

/// A command supervise understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `u`: want up; start if not running; restart whenever it stops.
    Up,
    /// `d`: want down; TERM then CONT the child if it runs.
    Down,
    /// `o`: run once: start if not running, do not restart.
    Once,
    /// `p`: STOP the child and mark it paused.
    Pause,
    /// `c`: CONT the child and clear paused.
    Continue,
    /// `h`: send HUP.
    Hangup,
    /// `a`: send ALRM.
    Alarm,
    /// `i`: send INT.
    Interrupt,
    /// `t`: send TERM.
    Terminate,
    /// `k`: send KILL.
    Kill,
    /// `x`: exit supervise once the service is down.
    Exit,
    /// `X` (ours): supervise executes itself anew, the program file as it is now,
    /// keeping the running service (an in-place upgrade).
    Upgrade,
}

/// The command letters, in the order `svc` documents them.
pub const LETTERS: &[u8; 12] = b"udopchaitkxX";

impl Command {
    /// The command a control byte stands for; any other byte is `None` (ignored).
    pub fn from_byte(byte: u8) -> Option<Command> {
        Some(match byte {
            b'u' => Command::Up,
            b'd' => Command::Down,
            b'o' => Command::Once,
            b'p' => Command::Pause,
            b'c' => Command::Continue,
            b'h' => Command::Hangup,
            b'a' => Command::Alarm,
            b'i' => Command::Interrupt,
            b't' => Command::Terminate,
            b'k' => Command::Kill,
            b'x' => Command::Exit,
            b'X' => Command::Upgrade,
            _ => return None,
        })
    }
}

/// The bytes one `svc` run writes: its option letters in the order given, each once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CommandBytes {
    bytes: [u8; LETTERS.len()],
    len: usize,
}

impl CommandBytes {
    /// Adds the letter of an option; a repeat is dropped. `Err(letter)` if it is no
    /// command letter.
    pub fn add(&mut self, letter: u8) -> Result<(), u8> {
        if Command::from_byte(letter).is_none() {
            return Err(letter);
        }
        // Not `contains`: it brings core's memchr (about 300 bytes of svc on MIPS) where
        // the tools already have `find_byte`.
        if crate::search::find_byte(letter, self.as_bytes()).is_none() {
            // Always a free slot: there are as many as distinct letters.
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = letter;
                self.len += 1;
            }
        }
        Ok(())
    }

    /// The bytes to write, in order.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_is_a_command_and_nothing_else_is() {
        for byte in 0..=255u8 {
            assert_eq!(
                Command::from_byte(byte).is_some(),
                LETTERS.contains(&byte),
                "{byte}"
            );
        }
    }

    #[test]
    fn options_deduplicated_in_order() {
        let mut set = CommandBytes::default();
        for &letter in b"dxdtxuu" {
            set.add(letter).unwrap();
        }
        assert_eq!(set.as_bytes(), b"dxtu");
        for &letter in LETTERS.iter().rev().chain(LETTERS) {
            set.add(letter).unwrap();
        }
        assert_eq!(set.as_bytes(), b"dxtuXkiahcpo");
        assert_eq!(set.add(b'z'), Err(b'z'));
    }
}
