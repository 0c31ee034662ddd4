//! Copying bytes between slices with no panic to reach.
//!
//! Contract: [`prefix`] never panics, whatever the lengths. `copy_from_slice` panics when
//! the lengths differ, and at opt-level "z" it stays an outlined function with that
//! check even where the caller's lengths agree, so every tool using it could reach the
//! panic handler (`targets/check-no-panic.sh`). Opt-level "z" makes a plain copy loop a
//! byte loop, not a `memcpy` (multilog `t` on 100 MB: 12% slower), so whole blocks go
//! as array moves, which are wide loads and stores (as fast as before).

/// Bytes moved at once.
const BLOCK: usize = 32;

/// Copies the start of `from` into the start of `to`, as far as the shorter goes;
/// returns how many bytes that was.
pub fn prefix(to: &mut [u8], from: &[u8]) -> usize {
    let mut at = 0;
    while let (Some(t), Some(f)) = (
        to.get_mut(at..).and_then(|t| t.first_chunk_mut::<BLOCK>()),
        from.get(at..).and_then(|f| f.first_chunk::<BLOCK>()),
    ) {
        *t = *f;
        at += BLOCK;
    }
    let (to, from) = (to.get_mut(at..), from.get(at..));
    for (t, f) in to
        .unwrap_or_default()
        .iter_mut()
        .zip(from.unwrap_or_default())
    {
        *t = *f;
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_as_far_as_the_shorter_goes() {
        let mut to = [0u8; 4];
        assert_eq!(prefix(&mut to, b"ab"), 2);
        assert_eq!(to, *b"ab\0\0");
        assert_eq!(prefix(&mut to, b"wxyz0123"), 4);
        assert_eq!(to, *b"wxyz");
        assert_eq!(prefix(&mut [], b"abc"), 0);
        let from: Vec<u8> = (0..100).collect();
        for len in [31, 32, 33, 64, 100] {
            let mut to = [0u8; 100];
            assert_eq!(prefix(&mut to[..len], &from), len);
            assert_eq!(to[..len], from[..len]);
            assert!(to[len..].iter().all(|&b| b == 0));
        }
    }
}
