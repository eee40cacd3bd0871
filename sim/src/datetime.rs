//! The few date and time operations the simulator needs, on Unix seconds (UTC): Clockify's
//! `yyyy-MM-ddThh:mm:ssZ` timestamps, ISO-8601 durations (`PT1H30M`) and calendar dates.
//!
//! Hand-written (days ↔ civil date after Howard Hinnant's algorithms) to keep the simulator's
//! dependencies small.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The current time in Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Midnight (UTC) of the day `seconds` falls on.
pub fn start_of_day(seconds: i64) -> i64 {
    seconds.div_euclid(DAY) * DAY
}

/// Days since 1970-01-01 of the civil date `year-month-day` (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date `(year, month, day)` of `days` since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // In range by construction: month 1..=12, day 1..=31.
    (year, month as u32, day as u32)
}

/// `2024-01-15T09:30:00Z`.
pub fn format_timestamp(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(DAY));
    let second_of_day = seconds.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// `2024-01-15` for a day number (days since 1970-01-01).
pub fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// An ISO-8601 duration as Clockify writes it: `PT1H30M`, `PT45M`, `PT0S`.
pub fn format_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut text = String::from("PT");
    if hours > 0 {
        text.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        text.push_str(&format!("{minutes}M"));
    }
    if rest > 0 || seconds == 0 {
        text.push_str(&format!("{rest}S"));
    }
    text
}

/// Parses an ISO-8601 timestamp with a zone: `2024-01-15T09:30:00Z`, with optional
/// fractional seconds (ignored) and `±hh:mm` / `±hhmm` offsets. `None` if malformed.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = bytes.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't') {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = rest[1..].replace(':', "");
            if zone.len() != 4 || !zone.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i64 = zone[..2].parse().ok()?;
            let minutes: i64 = zone[2..].parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = days_from_civil(i64::from(year), month, day);
    let (check_year, check_month, check_day) = civil_from_days(days);
    if (check_year, check_month, check_day) != (i64::from(year), month, day) {
        return None; // 2023-02-30 and the like
    }
    Some(days * DAY + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second) - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-1_000, -1, 59, 10_957, 11_016, 19_782, 20_000, 60_000] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn timestamps_format_and_parse() {
        let seconds = days_from_civil(2024, 1, 15) * DAY + 9 * 3600 + 30 * 60 + 5;
        assert_eq!(format_timestamp(seconds), "2024-01-15T09:30:05Z");
        assert_eq!(parse_timestamp("2024-01-15T09:30:05Z"), Some(seconds));
        assert_eq!(parse_timestamp("2024-01-15T09:30:05.123Z"), Some(seconds));
        assert_eq!(parse_timestamp("2024-01-15T11:30:05+02:00"), Some(seconds));
        assert_eq!(parse_timestamp("2024-01-15T04:30:05-0500"), Some(seconds));
        for bad in [
            "",
            "2024-01-15",
            "2024-01-15T09:30:05",
            "2024-13-15T09:30:05Z",
            "2023-02-30T00:00:00Z",
            "2024-01-15T25:00:00Z",
            "2024-01-15T09:30:05.Z",
            "2024-01-15T09:30:05+2",
            "2024-01-15T09:30:05Zjunk",
            "20a4-01-15T09:30:05Z",
            "2024-01-15T09:30:05+ä0:00",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(format_date(days_from_civil(2024, 12, 25)), "2024-12-25");
        assert_eq!(start_of_day(seconds), days_from_civil(2024, 1, 15) * DAY);
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(0), "PT0S");
        assert_eq!(format_duration(45 * 60), "PT45M");
        assert_eq!(format_duration(5400), "PT1H30M");
        assert_eq!(format_duration(3601), "PT1H1S");
    }
}
