//! Command-line flags read the way DJB's `sgetopt` reads them: clustered letters
//! (`-dx`), `--` ending the options, and the first argument that is not an option
//! (including a lone `-`) starting the operands.

/// Reads the flag options at the start of `args` (the arguments after the program
/// name), calling `flag` for each letter in order. `flag` refuses a letter it does not
/// know with `Err(())`. Returns how many arguments were options (the operands follow),
/// or the refused letter.
pub fn read_flags<'a>(
    args: impl IntoIterator<Item = &'a [u8]>,
    mut flag: impl FnMut(u8) -> Result<(), ()>,
) -> Result<usize, u8> {
    let mut consumed = 0;
    for arg in args {
        match arg {
            b"--" => return Ok(consumed + 1),
            [b'-', letters @ ..] if !letters.is_empty() => {
                for &letter in letters {
                    flag(letter).map_err(|()| letter)?;
                }
            }
            _ => break,
        }
        consumed += 1;
    }
    Ok(consumed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], known: &str) -> (Result<usize, u8>, String) {
        let mut seen = String::new();
        let result = read_flags(args.iter().map(|a| a.as_bytes()), |l| {
            if known.as_bytes().contains(&l) {
                seen.push(l as char);
                Ok(())
            } else {
                Err(())
            }
        });
        (result, seen)
    }

    #[test]
    fn clusters_and_separate_flags() {
        assert_eq!(run(&["-dx", "-t", "dir"], "dxt"), (Ok(2), "dxt".into()));
    }

    #[test]
    fn operands_start_at_the_first_non_option() {
        assert_eq!(run(&["dir", "-d"], "d"), (Ok(0), "".into()));
        assert_eq!(run(&["-d", "-", "-x"], "dx"), (Ok(1), "d".into()));
        assert_eq!(run(&[], "d"), (Ok(0), "".into()));
    }

    #[test]
    fn double_dash_ends_options() {
        assert_eq!(run(&["-d", "--", "-x"], "dx"), (Ok(2), "d".into()));
    }

    #[test]
    fn unknown_letter_is_reported() {
        assert_eq!(run(&["-dz", "dir"], "d"), (Err(b'z'), "d".into()));
    }
}
