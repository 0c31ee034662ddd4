//! Binary size is a tested property: every tool on every target within its budget in
//! `targets/size-budget.txt`.

use dt_tests::{all_targets, dist_dir, root};

#[test]
fn every_binary_within_its_budget() {
    let budget = std::fs::read_to_string(root().join("targets/size-budget.txt")).unwrap();
    let mut over = Vec::new();
    let mut checked = 0;
    for line in budget
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut words = line.split_whitespace();
        let (tool, limit) = (
            words.next().unwrap(),
            words.next().unwrap().parse::<u64>().unwrap(),
        );
        for target in all_targets() {
            let path = dist_dir(&target.triple).join(tool);
            let size = std::fs::metadata(&path)
                .unwrap_or_else(|_| {
                    panic!(
                        "{} missing: build first with targets/build.sh",
                        path.display()
                    )
                })
                .len();
            checked += 1;
            if size > limit {
                over.push(format!("{tool} on {}: {size} > {limit}", target.triple));
            }
        }
    }
    assert!(checked > 0, "no budgets read");
    assert!(over.is_empty(), "over budget: {over:#?}");
}
