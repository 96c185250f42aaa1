//! Time helpers: UNIX seconds to UTC calendar fields and ISO 8601 text, without a
//! date crate (the API only ever hands us integer UNIX seconds).

/// Civil date (year, month 1-12, day 1-31) for a count of days since 1970-01-01.
/// Howard Hinnant's `civil_from_days` algorithm.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// UTC calendar date and time of day of UNIX seconds: ((year, month, day), (hour,
/// minute, second)).
fn utc_fields(secs: i64) -> ((i64, u32, u32), (i64, i64, i64)) {
    let rem = secs.rem_euclid(86_400);
    (
        civil_from_days(secs.div_euclid(86_400)),
        (rem / 3600, (rem / 60) % 60, rem % 60),
    )
}

/// `2024-06-20T15:04:24Z` for UNIX seconds.
pub fn iso_utc(secs: i64) -> String {
    let ((y, m, d), (h, min, s)) = utc_fields(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
}

/// `2024-06-20 15:04 UTC` for UNIX seconds: the human form shown on pages.
pub fn human_utc(secs: i64) -> String {
    let ((y, m, d), (h, min, _)) = utc_fields(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02} UTC")
}

/// `2024-06-20` for UNIX seconds.
pub fn date_utc(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A duration in seconds as `1 h 02 min`, `3 min 05 s` or `42 s`.
pub fn human_duration(secs: i64) -> String {
    if secs < 0 {
        return "unknown".into();
    }
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// The current time in UNIX seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_718_895_864), "2024-06-20T15:04:24Z");
        assert_eq!(human_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(date_utc(-1), "1969-12-31");
        assert_eq!(human_duration(3725), "1 h 02 min");
        assert_eq!(human_duration(185), "3 min 05 s");
    }
}
