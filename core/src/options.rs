//! Command-line flags read the way DJB's `sgetopt` reads them: clustered letters
//! (`-dx`), an argument starting with `--` ending the options (`--` itself, and as in
//! 0.76 also `--x`, which is dropped like `--`), and the first argument that is not an
//! option (including a lone `-`) starting the operands.

/// Reads the flag options at the start of `args` (the arguments after the program
/// name), calling `flag` for each letter in order. `flag` refuses a letter it does not
/// know with `Err(())`. Returns how many arguments were options (the operands follow),
/// or the refused letter.
pub fn read_flags<'a>(
    args: impl IntoIterator<Item = &'a [u8]>,
    mut flag: impl FnMut(u8) -> Result<(), ()>,
) -> Result<usize, u8> {
    read_options(args, b"", |letter, _| flag(letter)).map_err(|e| match e {
        OptionError::Unknown(l) | OptionError::MissingValue(l) => l,
    })
}

/// Why the options were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError {
    /// A letter the tool does not know (`illegal option -- x`).
    Unknown(u8),
    /// An option that takes a value came last (`option requires an argument -- x`).
    MissingValue(u8),
}

/// As [`read_flags`], for options of which those in `with_value` take a value: the rest
/// of the argument (`-m100`) or the next argument (`-m 100`). `each` gets the letter and
/// its value.
pub fn read_options<'a>(
    args: impl IntoIterator<Item = &'a [u8]>,
    with_value: &[u8],
    mut each: impl FnMut(u8, Option<&'a [u8]>) -> Result<(), ()>,
) -> Result<usize, OptionError> {
    let mut args = args.into_iter();
    let mut consumed = 0;
    while let Some(arg) = args.next() {
        let letters = match arg {
            // subgetopt looks only at the second byte: `--anything` ends the options.
            [b'-', b'-', ..] => return Ok(consumed + 1),
            [b'-', letters @ ..] if !letters.is_empty() => letters,
            _ => break,
        };
        consumed += 1;
        for (i, &letter) in letters.iter().enumerate() {
            if !with_value.contains(&letter) {
                each(letter, None).map_err(|()| OptionError::Unknown(letter))?;
                continue;
            }
            let value = match letters.get(i + 1..).unwrap_or_default() {
                [] => {
                    consumed += 1;
                    args.next().ok_or(OptionError::MissingValue(letter))?
                }
                attached => attached,
            };
            each(letter, Some(value)).map_err(|()| OptionError::Unknown(letter))?;
            break;
        }
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
    fn any_argument_starting_with_double_dash_ends_options() {
        // Found by the `control` and `softlimit` fuzz targets: 0.76's subgetopt ends the
        // options at `--x` as at `--` (`softlimit --x echo hi` runs echo), where this
        // read `-` as an unknown letter.
        assert_eq!(run(&["-d", "--x", "-x"], "dx"), (Ok(2), "d".into()));
        assert_eq!(run(&["---", "dir"], "d"), (Ok(1), "".into()));
        let args: [&[u8]; 3] = [b"-m", b"--x", b"--y"];
        let mut seen = Vec::new();
        let r = read_options(args, b"m", |l, v| {
            seen.push((l, v.map(<[u8]>::to_vec)));
            Ok(())
        });
        assert_eq!((r, seen), (Ok(3), vec![(b'm', Some(b"--x".to_vec()))]));
    }

    #[test]
    fn unknown_letter_is_reported() {
        assert_eq!(run(&["-dz", "dir"], "d"), (Err(b'z'), "d".into()));
    }

    #[test]
    fn values_attached_or_in_the_next_argument() {
        let mut seen = Vec::new();
        let args: [&[u8]; 5] = [b"-m100", b"-o", b"5", b"-s=", b"child"];
        let r = read_options(args, b"mos", |l, v| {
            seen.push((l, v.map(<[u8]>::to_vec)));
            Ok(())
        });
        assert_eq!(r, Ok(4));
        assert_eq!(
            seen,
            [
                (b'm', Some(b"100".to_vec())),
                (b'o', Some(b"5".to_vec())),
                (b's', Some(b"=".to_vec()))
            ]
        );
        let args: [&[u8]; 1] = [b"-m"];
        assert_eq!(
            read_options(args, b"m", |_, _| Ok(())),
            Err(OptionError::MissingValue(b'm'))
        );
        let args: [&[u8]; 2] = [b"-z", b"1"];
        assert_eq!(
            read_options(args, b"m", |l, _| if l == b'm' { Ok(()) } else { Err(()) }),
            Err(OptionError::Unknown(b'z'))
        );
    }
}
