//! tai64n: labels close to the clock, bodies untouched, prompt on interactive pipes,
//! the same structure as the original's output, and errors reported.

use dt_core::tai64::{LABEL_LEN, Scan, scan_label};
use dt_tests::{full_targets, host, original, ours, unix_now};
use std::time::Duration;

/// Splits labelled output into (label time, body) and checks each label is within the
/// time window and followed by a space.
fn unlabel(out: &[u8], t0: i64, t1: i64) -> Vec<Vec<u8>> {
    out.split_inclusive(|&c| c == b'\n')
        .map(|line| {
            let Scan::Label {
                stamp,
                len: LABEL_LEN,
            } = scan_label(line, true)
            else {
                panic!("no label on {:?}", String::from_utf8_lossy(line));
            };
            let t = stamp.unix_secs();
            assert!(
                (t0 - 1..=t1 + 1).contains(&t),
                "label time {t} outside [{t0}, {t1}]"
            );
            assert!(stamp.nanos < 1_000_000_000);
            assert_eq!(line[LABEL_LEN], b' ', "space after the label");
            line[LABEL_LEN + 1..].to_vec()
        })
        .collect()
}

fn bodies(input: &[u8]) -> Vec<Vec<u8>> {
    input
        .split_inclusive(|&c| c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn labels_every_line_and_keeps_bodies_on_full_targets() {
    let mut long = vec![b'x'; 300_000];
    long.push(b'\n');
    let inputs: [&[u8]; 4] = [
        b"hello\nworld\n\n\x00binary\xff\r\nno newline at end",
        b"",
        &long,
        b"\n\n\n",
    ];
    for target in full_targets() {
        for input in inputs {
            let t0 = unix_now();
            let out = ours(&target, "tai64n").filter(&[], input);
            assert_eq!(
                unlabel(&out, t0, unix_now()),
                bodies(input),
                "{}",
                target.triple
            );
        }
    }
}

#[test]
fn same_structure_as_the_original_on_a_large_input() {
    let input: Vec<u8> = (0..200_000)
        .flat_map(|i| format!("line {i} {}\n", "z".repeat(i % 150)).into_bytes())
        .collect();
    let t0 = unix_now();
    let got = ours(&host(), "tai64n").filter(&[], &input);
    let want = original("tai64n").filter(&[], &input);
    let t1 = unix_now();
    assert_eq!(got.len(), want.len());
    assert_eq!(unlabel(&got, t0, t1), unlabel(&want, t0, t1));
}

#[test]
fn labels_are_non_decreasing() {
    let input: Vec<u8> = (0..100_000)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect();
    let out = ours(&host(), "tai64n").filter(&[], &input);
    let labels: Vec<&[u8]> = out
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| &l[..LABEL_LEN])
        .collect();
    assert!(
        labels.windows(2).all(|w| w[0] <= w[1]),
        "labels go backwards"
    );
}

#[test]
fn answers_each_line_at_once() {
    for target in full_targets() {
        let mut filter = ours(&target, "tai64n").spawn_piped(&[]);
        for word in ["one", "two", "three"] {
            filter.send(format!("{word}\n").as_bytes());
            let line = filter
                .line(Duration::from_secs(10))
                .expect("line while stdin stays open");
            assert!(
                line.ends_with(format!(" {word}\n").as_bytes()),
                "{}",
                target.triple
            );
        }
        assert_eq!(filter.finish(), Some(0));
    }
}

#[test]
fn read_and_write_errors_exit_111_with_a_message() {
    dt_tests::assert_io_errors_reported("tai64n");
}
