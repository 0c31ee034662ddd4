//! Every tool on every one of the nine targets, under qemu-user where needed: a quick
//! end-to-end run whose labels must match the host clock (catches byte-order bugs).

use dt_core::tai64::{Scan, scan_label};
use dt_tests::{all_targets, ours, unix_now};

#[test]
fn timestamp_tools_on_every_target() {
    for target in all_targets() {
        let t0 = unix_now();
        let labelled = ours(&target, "tai64n").filter(&[], b"alpha\nbeta");
        let t1 = unix_now();
        let lines: Vec<&[u8]> = labelled.split_inclusive(|&c| c == b'\n').collect();
        assert_eq!(lines.len(), 2, "{}", target.triple);
        for (line, body) in lines.iter().zip([&b" alpha\n"[..], b" beta"]) {
            let Scan::Label { stamp, len: 25 } = scan_label(line, true) else {
                panic!("{}: no label", target.triple)
            };
            assert!(
                (t0 - 1..=t1 + 1).contains(&stamp.unix_secs()),
                "{}: clock or byte order",
                target.triple
            );
            assert_eq!(&line[25..], body);
        }
        let local = ours(&target, "tai64nlocal").filter(
            &[("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")],
            b"@4000000065fb8e2a1dcd6500 x\n",
        );
        assert_eq!(
            local, b"2024-03-21 02:32:16.500000000 x\n",
            "{}",
            target.triple
        );
        let frac = ours(&target, "tai64nfrac").filter(&[], b"@4000000065fb8e2a1dcd6500 x\n");
        assert_eq!(frac, b"1710984736.500000000 x\n", "{}", target.triple);
    }
}
