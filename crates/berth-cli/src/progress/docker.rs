//! Docker's words for a progress line, as its CLI renders the daemon's JSON messages (moby's
//! `pkg/jsonmessage`, `JSONProgress.String` in 20.10): `[====>     ]  52.27MB/179.4MB 3s`.

use std::{fmt::Write as _, time::Duration};

use berth_format::human;

/// A terminal wider than this shows the `[===>  ]` box; narrower ones show only the numbers.
const BAR_MIN_WIDTH: u16 = 110;
/// A terminal wider than this shows the time left.
const ETA_MIN_WIDTH: u16 = 50;
/// The box's inner width: one `=` per 2%.
const BAR_CELLS: u64 = 50;

/// `JSONProgress.String()`: the box (on wide terminals), `current/total` and the time left, or `""`
/// when there is nothing to count. `elapsed` is the time since the layer's transfer started.
pub fn progress(current: u64, total: Option<u64>, width: u16, elapsed: Duration) -> String {
    let total = total.unwrap_or(0);
    if current == 0 && total == 0 {
        return String::new();
    }
    if total == 0 {
        return format!("{:>8}", human::size4(current));
    }
    let percentage = (u128::from(current) * 100 / u128::from(total)) / 2;
    let percentage = u64::try_from(percentage.min(u128::from(BAR_CELLS))).unwrap_or(BAR_CELLS);
    let mut text = String::new();
    if width > BAR_MIN_WIDTH {
        text.push('[');
        text.extend(std::iter::repeat_n('=', to_usize(percentage)));
        text.push('>');
        text.extend(std::iter::repeat_n(' ', to_usize(BAR_CELLS - percentage)));
        text.push_str("] ");
    }
    if current > total {
        // Docker drops the total when the count is wonky.
        let _ = write!(text, "{:>8}", human::size4(current));
    } else {
        let _ = write!(text, "{:>8}/{}", human::size4(current), human::size4(total));
    }
    if current > 0 && percentage < BAR_CELLS && width > ETA_MIN_WIDTH {
        // Go: the time per byte so far, times the bytes left, cut to whole seconds.
        let per_byte = elapsed.as_nanos() / u128::from(current);
        let left = per_byte * u128::from(total - current) / 1_000_000_000;
        text.push(' ');
        text.push_str(&go_seconds(u64::try_from(left).unwrap_or(u64::MAX)));
    }
    text
}

/// One layer's line: `ID: Status PROGRESS` (`Display` writes the space even when the progress is empty).
pub fn layer_line(id: &str, status: &str, progress: &str) -> String {
    if progress.is_empty() {
        format!("{id}: {status}")
    } else {
        format!("{id}: {status} {progress}")
    }
}

/// Go's `time.Duration.String()` for whole seconds: `0s`, `59s`, `1m0s`, `1h2m3s`.
pub fn go_seconds(seconds: u64) -> String {
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}h{minutes}m{seconds}s")
    } else if minutes > 0 {
        format!("{minutes}m{seconds}s")
    } else {
        format!("{seconds}s")
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(current: u64, total: Option<u64>, width: u16, elapsed_ms: u64, want: &str) {
        let got = progress(current, total, width, Duration::from_millis(elapsed_ms));
        assert_eq!(got, want, "{current}/{total:?} at {width} columns");
    }

    #[test]
    fn progress_as_dockers_cli() {
        // Expected strings follow moby's jsonmessage tests and its arithmetic.
        check(0, None, 200, 0, "");
        check(0, Some(0), 200, 0, "");
        check(1, None, 200, 0, "      1B");
        check(
            1,
            Some(1),
            200,
            0,
            "[==================================================>]       1B/1B",
        );
        check(
            52_270_000,
            Some(179_400_000),
            200,
            10_000,
            "[==============>                                    ]  52.27MB/179.4MB 24s",
        );
        // 80 columns: no box, the numbers and the time left.
        check(
            52_270_000,
            Some(179_400_000),
            80,
            10_000,
            " 52.27MB/179.4MB 24s",
        );
        // 50 columns or fewer: no time left either.
        check(
            52_270_000,
            Some(179_400_000),
            50,
            10_000,
            " 52.27MB/179.4MB",
        );
        // A count past the total: the total is dropped, the box stays full.
        check(
            200,
            Some(100),
            111,
            0,
            "[==================================================>]     200B",
        );
        check(1_000, Some(2_000), 80, 90_000, "     1kB/2kB 1m30s");
    }

    #[test]
    fn go_durations() {
        for (seconds, want) in [(0, "0s"), (59, "59s"), (60, "1m0s"), (3_723, "1h2m3s")] {
            assert_eq!(go_seconds(seconds), want);
        }
        assert_eq!(layer_line("abc", "Waiting", ""), "abc: Waiting");
        assert_eq!(
            layer_line("abc", "Pushing", " 1B/2B"),
            "abc: Pushing  1B/2B"
        );
    }
}
