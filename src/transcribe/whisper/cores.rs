//! How many cores are free right now. whisper.cpp's worker threads spin
//! while they wait for each other, so one thread more than the free cores
//! costs far more than one thread less (many times slower with a compiler
//! busy on one of two cores; docs/performance.md).

use std::time::Duration;

/// How long the machine's load is sampled.
const SAMPLE: Duration = Duration::from_millis(80);

/// All cores.
pub fn all() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The cores that other processes leave idle, at least 1. Where the load
/// can't be read (not Linux), all cores.
pub fn free() -> usize {
    let cores = all();
    let Some(before) = busy_and_total() else {
        return cores;
    };
    std::thread::sleep(SAMPLE);
    let Some(after) = busy_and_total() else {
        return cores;
    };
    free_of(cores, after.0 - before.0, after.1 - before.1)
}

/// `busy` of `total` ticks were spent working across `cores` cores.
fn free_of(cores: usize, busy: u64, total: u64) -> usize {
    if total == 0 {
        return cores;
    }
    let busy_cores = busy as f64 / total as f64 * cores as f64;
    cores
        .saturating_sub((busy_cores + 0.4).floor() as usize)
        .max(1)
}

/// Busy and total CPU ticks since boot, from /proc/stat.
fn busy_and_total() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let total: u64 = ticks.iter().sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total - idle, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_core_is_not_counted_as_free() {
        assert_eq!(free_of(2, 0, 100), 2);
        assert_eq!(free_of(2, 10, 100), 2); // a little background work
        assert_eq!(free_of(2, 50, 100), 1); // one core busy
        assert_eq!(free_of(2, 100, 100), 1); // never fewer than one
        assert_eq!(free_of(8, 25, 100), 6);
        assert_eq!(free_of(4, 0, 0), 4);
    }

    #[test]
    fn the_machine_load_can_be_read_here() {
        let n = free();
        assert!(n >= 1 && n <= all());
        if cfg!(target_os = "linux") {
            assert!(busy_and_total().is_some());
        }
    }
}
