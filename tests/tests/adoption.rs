//! A service that still runs is taken over, never started twice (issue 14, capability
//! 6): after kill -9 of supervise, where a service that dropped its privileges (and with
//! them the parent-death signal) survived, and after `svc -X`, where supervise executes
//! its program file anew, keeping its pid, its child, its lock, its control FIFO and a
//! pending readiness pipe. Run as users do: `setuidgid` (ours and Debian's), a daemon
//! that drops privileges itself, supervise started through `PATH` as svscan starts it.

use dt_tests::service::{ServiceDir, Supervise, kill, process_state, wait_until};
use dt_tests::{Program, host, original, ours, root_or_skip};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The live (not zombie) processes whose command line holds `marker`.
fn copies(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(marker) && process_state(pid).is_some_and(|s| s != 'Z') {
            found.push(pid);
        }
    }
    found
}

fn svc(args: &[&str], dir: &ServiceDir) -> Option<i32> {
    let mut all = args.to_vec();
    all.push(dir.arg());
    ours(&host(), "svc").run(&all, &[], b"").code
}

/// The one copy of the service, once its start has reached the program (the start is
/// announced when supervise forks).
fn one_copy(marker: &str) -> u32 {
    wait_until("the service's program", Duration::from_secs(5), || {
        !copies(marker).is_empty()
    });
    let now = copies(marker);
    assert_eq!(now.len(), 1, "{now:?}");
    now[0]
}

/// A service run through Debian's setuidgid, which drops privileges (and with them
/// the parent-death signal) without setting it again: `sleep MARKER` as nobody.
fn dropping_service(tag: &str, marker: &str) -> ServiceDir {
    let dir = ServiceDir::new(tag, None);
    dir.write_run(
        &format!("#!/bin/sh\nexec /usr/bin/setuidgid nobody sleep {marker}\n"),
        0o755,
    );
    dir
}

/// What a test leaves running, stopped when dropped (also when an assertion fails):
/// the supervise, and every copy of the service (an adopted one is nobody's child here).
struct Cleanup<'a> {
    supervise: Option<Supervise>,
    marker: &'a str,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for pid in copies(self.marker) {
            kill(pid, libc::SIGKILL);
        }
        drop(self.supervise.take());
    }
}

/// kill -9 of supervise, then a new supervise: the copies of the service after 1.5 s
/// (a second copy would have started by then), and the pid before.
fn kill_and_restart<'a>(
    supervise: &Program,
    dir: &ServiceDir,
    marker: &'a str,
) -> (Vec<u32>, u32, Cleanup<'a>) {
    let mut cleanup = Cleanup {
        supervise: Some(Supervise::start(supervise, dir)),
        marker,
    };
    let says_so = std::fs::read_to_string(dir.file("run")).is_ok_and(|r| r.contains("dropped"));
    dir.wait_for("the service", |d| {
        // Past setuidgid (whose own command line holds the marker too): killed before
        // its change of ids, the service would end with its supervise.
        let comm = |p: u32| std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
        d.pid()
            .is_some_and(|p| copies(marker).contains(&p) && comm(p).trim() != "setuidgid")
            && (!says_so || d.file("dropped").exists())
    });
    let before = dir.pid().unwrap();
    if let Some(mut first) = cleanup.supervise.take() {
        kill(first.pid(), libc::SIGKILL);
        first.wait_exit(); // gone (no longer its child's parent) before it is dropped
    }
    cleanup.supervise = Some(Supervise::start(supervise, dir));
    wait_until(
        "the new supervise to listen",
        Duration::from_secs(10),
        || ours(&host(), "svok").run(&[dir.arg()], &[], b"").code == Some(0),
    );
    std::thread::sleep(Duration::from_millis(1_500));
    (copies(marker), before, cleanup)
}

#[test]
fn kill_9_of_supervise_leaves_exactly_one_copy_of_a_privilege_dropping_service() {
    if !root_or_skip("kill_9_of_supervise...", "change to the account nobody") {
        return;
    }
    let ours_setuidgid = ours(&host(), "setuidgid").path;
    let services = [
        // Ours sets the parent-death signal again after the change of ids: the old copy
        // ends with its supervise and the new supervise starts one.
        ("our setuidgid", format!("exec {} nobody", ours_setuidgid.display()), false),
        // Debian's (the original) does not: the old copy survives and is adopted.
        ("Debian's setuidgid", "exec /usr/bin/setuidgid nobody".to_string(), true),
        // A daemon that drops its privileges itself (as tinydns does): adopted.
        (
            "a daemon dropping privileges",
            "exec python3 -c 'import os,time; os.setgid(65534); os.setuid(65534); open(\"dropped\", \"w\"); time.sleep(1000)'"
                .to_string(),
            true,
        ),
    ];
    for (n, (what, exec, survives)) in services.into_iter().enumerate() {
        let marker = format!("{}", 31_000 + n);
        let dir = ServiceDir::new("adopt", None);
        let tail = if exec.contains("python3") {
            format!(" {marker}")
        } else {
            format!(" sleep {marker}")
        };
        dir.write_run(&format!("#!/bin/sh\n{exec}{tail}\n"), 0o755);
        // The daemon says when it dropped its privileges (killed before, it would end
        // with its supervise), in a directory it may write to as nobody.
        std::fs::set_permissions(&dir.path, std::fs::Permissions::from_mode(0o777)).unwrap();
        let (after, before, cleanup) = kill_and_restart(&ours(&host(), "supervise"), &dir, &marker);
        let status = dir.pid();
        drop(cleanup);
        assert_eq!(after.len(), 1, "{what}: copies after kill -9: {after:?}");
        assert_eq!(status, Some(after[0]), "{what}: the status names the copy");
        assert_eq!(
            after[0] == before,
            survives,
            "{what}: adopted (no bounce) exactly when the old copy survived"
        );
    }
}

#[test]
fn an_adopted_service_is_signalled_and_watched_through_its_pidfd() {
    if !root_or_skip("an_adopted_service...", "change to the account nobody") {
        return;
    }
    let marker = "31100";
    let dir = dropping_service("adopted", marker);
    let (after, before, _cleanup) = kill_and_restart(&ours(&host(), "supervise"), &dir, marker);
    assert_eq!(after, [before], "adopted");
    // Down: TERM through the pidfd; its end is seen although it is not our child.
    assert_eq!(svc(&["-wd", "-T", "5000", "-d"], &dir), Some(0));
    assert!(copies(marker).is_empty(), "stopped");
    let status = dir.status().unwrap();
    assert_eq!(status.pid, None);
    // Up again: one new copy, supervise's own child.
    assert_eq!(svc(&["-wu", "-T", "5000", "-u"], &dir), Some(0));
    assert_ne!(one_copy(marker), before);
}

#[test]
fn kill_9_adoption_on_full_targets() {
    // Our supervise as built for each board (under qemu-user when foreign: qemu passes
    // pidfd_open and the service runs natively): the status read back, /proc/PID/stat,
    // the pidfd watched and signalled.
    if !root_or_skip(
        "kill_9_adoption_on_full_targets",
        "change to the account nobody",
    ) {
        return;
    }
    for (n, target) in dt_tests::full_targets().into_iter().enumerate() {
        let marker = ["31500", "31501", "31502", "31503"][n.min(3)];
        let dir = dropping_service("adopt-target", marker);
        let supervise = ours(&target, "supervise");
        let (after, before, _cleanup) = kill_and_restart(&supervise, &dir, marker);
        assert_eq!(after, [before], "{}: adopted", supervise.label);
        let svc = ours(&target, "svc");
        let down = svc.run(&["-wd", "-T", "10000", "-d", dir.arg()], &[], b"");
        assert_eq!(
            down.code,
            Some(0),
            "{}: {}",
            supervise.label,
            down.stderr_text()
        );
        assert!(copies(marker).is_empty(), "{}: stopped", supervise.label);
    }
}

#[test]
fn the_original_supervise_starts_a_second_copy_after_kill_9() {
    // What adoption fixes, shown with Debian's daemontools: the test above can see it.
    if !root_or_skip("the_original_supervise...", "change to the account nobody") {
        return;
    }
    let marker = "31200";
    let dir = dropping_service("adopt-original", marker);
    let (after, _, _cleanup) = kill_and_restart(&original("supervise"), &dir, marker);
    assert_eq!(after.len(), 2, "the original runs two copies: {after:?}");
}

/// supervise started as svscan starts it: by name, found through `PATH`, here in a
/// directory of its own so that the test can replace the program file.
struct Upgradable {
    child: Child,
    bin: PathBuf,
    stderr: PathBuf,
    marker: &'static str,
}

impl Upgradable {
    fn start(dir: &ServiceDir, marker: &'static str) -> Upgradable {
        let bin = dir.path.with_extension("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(ours(&host(), "supervise").path, bin.join("supervise")).unwrap();
        let stderr = dir.path.with_extension("stderr");
        let child = Command::new("supervise")
            .arg(dir.arg())
            .env_clear()
            // Only there: a PATH with /usr/bin would find Debian's supervise once the
            // test removes ours.
            .env("PATH", &bin)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        wait_until("supervise to listen", Duration::from_secs(5), || {
            ours(&host(), "svok").run(&[dir.arg()], &[], b"").code == Some(0)
        });
        Upgradable {
            child,
            bin,
            stderr,
            marker,
        }
    }

    /// Puts a new program file in place (a new inode, as a package upgrade does).
    fn replace_program(&self) {
        let new = self.bin.join("supervise.new");
        std::fs::copy(ours(&host(), "supervise").path, &new).unwrap();
        std::fs::rename(&new, self.bin.join("supervise")).unwrap();
    }

    /// The inode of the program the process runs.
    fn running_inode(&self) -> u64 {
        std::fs::metadata(format!("/proc/{}/exe", self.child.id()))
            .map(|m| m.ino())
            .unwrap_or(0)
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Upgradable {
    fn drop(&mut self) {
        for pid in copies(self.marker) {
            kill(pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.bin);
        let _ = std::fs::remove_file(&self.stderr);
    }
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.ino()).unwrap_or(0)
}

#[test]
fn svc_x_upgrades_supervise_in_place_without_touching_the_service() {
    let marker = "31300";
    let dir = ServiceDir::new("upgrade", None);
    // Ready only once the test says so: the readiness pipe must survive the upgrade.
    dir.write_run(
        &format!(
            "#!/bin/sh\nwhile [ ! -e go ]; do /bin/sleep 0.02; done\necho >&5\nexec /bin/sleep {marker}\n"
        ),
        0o755,
    );
    std::fs::write(dir.file("notification-fd"), "5\n").unwrap();
    let mut sup = Upgradable::start(&dir, marker);
    dir.wait_for("the service", |d| d.pid().is_some());
    let (service, status_inode) = (dir.pid().unwrap(), inode(&dir.file("supervise/status")));
    let descriptors = dt_tests::service::lasting_descriptors(sup.child.id());
    for round in 0..3 {
        let old = sup.running_inode();
        sup.replace_program();
        assert_eq!(svc(&["-X"], &dir), Some(0));
        wait_until("the new program", Duration::from_secs(5), || {
            sup.running_inode() != old
        });
        wait_until("supervise to listen again", Duration::from_secs(5), || {
            ours(&host(), "svok").run(&[dir.arg()], &[], b"").code == Some(0)
        });
        assert_eq!(dir.pid(), Some(service), "round {round}: the same service");
        assert!(
            process_state(service).is_some_and(|s| s != 'Z'),
            "round {round}: the service runs"
        );
        assert_eq!(
            inode(&dir.file("supervise/status")),
            status_inode,
            "round {round}: the status is not rewritten (nothing changed)"
        );
        assert_eq!(
            dt_tests::service::lasting_descriptors(sup.child.id()),
            descriptors,
            "round {round}: no descriptor gained or lost"
        );
        assert!(sup.child.try_wait().is_ok_and(|s| s.is_none()));
    }
    // Still the lock holder: a second supervise is refused.
    let second = ours(&host(), "supervise").run(&[dir.arg()], &[], b"");
    assert_eq!(second.code, Some(111), "{}", second.stderr_text());
    // The readiness pipe came through: ready once the service says so.
    std::fs::write(dir.file("go"), "").unwrap();
    assert_eq!(svc(&["-wU", "-T", "5000"], &dir), Some(0));
    // Children are still seen ending (SIGCHLD after the exec): a restart.
    assert_eq!(svc(&["-wR", "-T", "5000", "-t"], &dir), Some(0));
    let restarted = dir.pid().unwrap();
    assert_ne!(restarted, service);
    assert!(process_state(service).is_none_or(|s| s == 'Z'));
    assert_eq!(sup.stderr(), "", "nothing to say");
}

#[test]
fn svc_x_with_the_program_gone_warns_and_supervise_carries_on() {
    let marker = "31400";
    let dir = ServiceDir::new(
        "upgrade-gone",
        Some(&format!("#!/bin/sh\nexec /bin/sleep {marker}\n")),
    );
    let mut sup = Upgradable::start(&dir, marker);
    dir.wait_for("the service", |d| d.pid().is_some());
    let service = dir.pid().unwrap();
    let descriptors = dt_tests::service::lasting_descriptors(sup.child.id());
    std::fs::remove_file(sup.bin.join("supervise")).unwrap();
    assert_eq!(svc(&["-X"], &dir), Some(0));
    wait_until("the warning", Duration::from_secs(5), || {
        !sup.stderr().is_empty()
    });
    assert_eq!(
        sup.stderr(),
        "supervise: warning: unable to upgrade: unable to run supervise: file does not exist\n"
    );
    assert!(
        sup.child.try_wait().is_ok_and(|s| s.is_none()),
        "still running"
    );
    assert_eq!(dir.pid(), Some(service));
    assert_eq!(
        dt_tests::service::lasting_descriptors(sup.child.id()),
        descriptors,
        "the kept descriptors closed again"
    );
    // And it still works: a restart is seen and done.
    assert_eq!(svc(&["-wr", "-T", "5000", "-t"], &dir), Some(0));
    assert_ne!(one_copy(marker), service);
}
