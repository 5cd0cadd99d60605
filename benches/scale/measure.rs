//! Running one measurement: a child process, its wall time, CPU time and peak
//! resident memory.
//!
//! Every measurement is its own process so that peak memory (`ru_maxrss` from
//! `wait4`, the largest resident set of the child or of any descendant it
//! waited for) belongs to that run alone. The same call measures the bare
//! baseline (this binary re-run as `__baseline`), the seaworthy binary and the
//! peers.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What one run cost.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
    /// Exit code, or `None` when killed (timed out or by a signal).
    pub code: Option<i32>,
    pub timed_out: bool,
}

/// Run `cmd` with stdout and stderr written to `out` and `err`; kill its process
/// group after `timeout`.
pub fn run(
    cmd: &mut Command,
    out: &Path,
    err: &Path,
    timeout: Duration,
) -> std::io::Result<Sample> {
    cmd.stdin(Stdio::null())
        .stdout(File::create(out)?)
        .stderr(File::create(err)?)
        .process_group(0);
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    // The watchdog kills the group unless told the child has exited.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(timeout).is_err() {
            // SAFETY: kill(2) on the child's process group; no memory is involved.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid out-pointers.
    let rc = loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let wall = start.elapsed();
    let _ = done_tx.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    if rc == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // The child was reaped by wait4: forget it without waiting again.
    std::mem::forget(child);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Sample {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        timed_out,
    })
}

/// The fastest of several samples (by wall time), with the largest peak memory
/// seen in any of them.
pub fn best(samples: &[Sample]) -> Sample {
    let mut best = samples[0];
    for s in &samples[1..] {
        if s.wall < best.wall {
            best = Sample {
                max_rss_kib: best.max_rss_kib,
                ..*s
            };
        }
    }
    best.max_rss_kib = samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0);
    best
}
