//! Threshold tuning: given the scores of messages the user says are extractive and of
//! messages he says are not (ham), how many of each a threshold would catch, and which
//! thresholds to recommend. Pure arithmetic: `screener tune` scores the files.
//!
//! Filing is reversible (the message is only moved), so the file threshold may cost a
//! small share of ham; a decline writes to a stranger and cannot be taken back, so the
//! decline threshold allows no ham at all and keeps a margin above the highest one.

use serde::Serialize;

/// Grid spacing people can read and that matches rule weights (multiples of 0.5).
const STEP: f64 = 0.5;
/// Rows of a grid at most; wider score ranges get a coarser step.
const MAX_ROWS: usize = 40;
/// A file threshold never goes below this: a message no rule fired on scores 0 and
/// must stay in the inbox, whatever the samples say.
const MIN_FILE_THRESHOLD: f64 = 0.5;
/// How far the decline threshold stays above the highest ham score...
const DECLINE_MARGIN_OVER_HAM: f64 = 1.0;
/// ...and above the file threshold, so that filing without a reply is a real band.
const DECLINE_MARGIN_OVER_FILE: f64 = 2.0;
/// Absorbs floating-point noise when scores sit exactly on a grid line.
const EPSILON: f64 = 1e-9;

/// One scored message and what the user says it is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    pub score: f64,
    pub extractive: bool,
}

/// What a threshold would catch: messages scoring at or above it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Row {
    pub threshold: f64,
    pub extractive_at_or_above: usize,
    pub ham_at_or_above: usize,
}

/// How many samples of each class score at or above each threshold (the policy's
/// `score >= threshold`). Scores that are not finite count nowhere.
pub fn sweep(samples: &[Sample], thresholds: &[f64]) -> Vec<Row> {
    let (extractive, ham) = sorted_scores(samples);
    thresholds
        .iter()
        .map(|&threshold| Row {
            threshold,
            extractive_at_or_above: at_or_above(&extractive, threshold),
            ham_at_or_above: at_or_above(&ham, threshold),
        })
        .collect()
}

/// Candidate thresholds, ascending: every 0.5 from just below where the classes meet
/// (the lower of the lowest extractive and the highest ham score) to where a decline
/// threshold would go (the higher of the two, plus the decline margin). A range too
/// wide for [`MAX_ROWS`] rows gets a coarser round step (1, 2, 2.5, 5, 10, ...).
/// Empty without a finite score.
pub fn grid(samples: &[Sample]) -> Vec<f64> {
    let (extractive, ham) = sorted_scores(samples);
    let (low, high) = match (extractive.first(), ham.last()) {
        (Some(&e), Some(&h)) => (e.min(h), e.max(h)),
        (Some(&x), None) | (None, Some(&x)) => (x, x),
        (None, None) => return Vec::new(),
    };
    // From where filing would start to matter (a score of 1) even when the classes
    // only meet higher up, so the table shows what low thresholds would cost.
    let start = floor_to(low.min(1.0), STEP) - STEP;
    let end = ceil_to(high, STEP) + DECLINE_MARGIN_OVER_HAM;
    let step = nice_step((end - start) / (MAX_ROWS - 1) as f64);
    let (start, end) = (floor_to(start, step), ceil_to(end, step));
    let rows = (((end - start) / step).round() as usize + 1).min(MAX_ROWS);
    (0..rows).map(|i| round(start + i as f64 * step)).collect()
}

/// Recommended thresholds with what they catch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub file_threshold: f64,
    pub decline_threshold: f64,
    pub extractive_total: usize,
    pub ham_total: usize,
    /// Samples at or above `file_threshold`.
    pub extractive_filed: usize,
    pub ham_filed: usize,
    /// Samples at or above `decline_threshold`.
    pub extractive_declined: usize,
    pub ham_declined: usize,
    /// One line: why these values, and what to be wary of.
    pub rationale: String,
}

/// Recommends thresholds; None without an extractive sample, since there would be
/// nothing to aim at.
///
/// - file: among the thresholds that file at most `max_ham_share` of the ham (rounded
///   down to whole messages) and catch the most extractive mail, the one in the middle
///   of the gap between the ham and the extractive scores (the most margin for mail not
///   seen yet), as a round value (0.5, else 0.1 steps); never below [`MIN_FILE_THRESHOLD`]. Without ham to check against, it catches every
///   extractive sample.
/// - decline: no ham at or above it: at least 1.0 above the highest ham score (rounded
///   up to 0.5) and 2.0 above the file threshold.
pub fn recommend(samples: &[Sample], max_ham_share: f64) -> Option<Recommendation> {
    let (extractive, ham) = sorted_scores(samples);
    let lowest_extractive = *extractive.first()?;
    let share = if max_ham_share.is_nan() { 0.0 } else { max_ham_share.clamp(0.0, 1.0) };
    // Ham messages the file threshold may catch.
    let budget = ((share * ham.len() as f64) + EPSILON).floor() as usize;

    let mut notes = Vec::new();
    let file = if budget >= ham.len() {
        if ham.is_empty() {
            notes.push("no ham samples: nothing checks these thresholds against wanted mail".to_string());
        }
        floor_to(lowest_extractive, STEP)
    } else {
        // The threshold must lie above the highest ham score not in the budget.
        let bar = ham[ham.len() - 1 - budget];
        let next_extractive = extractive.iter().copied().find(|&e| e > bar);
        let above = |step: f64| round(floor_to(bar, step) + step);
        match next_extractive {
            // Every threshold in (bar, e] catches the same mail here; the middle of
            // the gap leaves the most room for unseen mail on either side.
            Some(e) => {
                let middle = (bar + e) / 2.0;
                [round(floor_to(middle, STEP)), round(floor_to(middle, 0.1))]
                    .into_iter()
                    .find(|&t| t > bar)
                    .unwrap_or(e)
            }
            None => {
                notes.push(format!(
                    "no extractive sample scores above the ham: the rules cannot separate them within a {} ham budget",
                    percent(share)
                ));
                above(STEP)
            }
        }
    };
    let file = round(file.max(MIN_FILE_THRESHOLD));
    let decline = match ham.last() {
        Some(&h) => ceil_to(h + DECLINE_MARGIN_OVER_HAM, STEP).max(file + DECLINE_MARGIN_OVER_FILE),
        None => file + DECLINE_MARGIN_OVER_FILE,
    };
    let decline = round(decline);

    let (extractive_filed, ham_filed) = (at_or_above(&extractive, file), at_or_above(&ham, file));
    let (extractive_declined, ham_declined) = (at_or_above(&extractive, decline), at_or_above(&ham, decline));
    if extractive_declined == 0 {
        notes.push("no extractive sample reaches the decline threshold: declines would never be sent".to_string());
    }
    let ham_part = if ham.is_empty() {
        String::new()
    } else {
        format!(" and {ham_filed} of {} ham ({}, budget {})", ham.len(), ratio(ham_filed, ham.len()), percent(share))
    };
    let highest_ham = ham
        .last()
        .map(|h| format!("{DECLINE_MARGIN_OVER_HAM} above the highest ham score {h} and "))
        .unwrap_or_default();
    let mut rationale = format!(
        "file at {file}: catches {extractive_filed} of {} extractive ({}){ham_part}; decline at {decline} (at least {highest_ham}{DECLINE_MARGIN_OVER_FILE} above filing): catches {extractive_declined} extractive, no ham",
        extractive.len(),
        ratio(extractive_filed, extractive.len()),
    );
    for note in notes {
        rationale.push_str("; ");
        rationale.push_str(&note);
    }
    Some(Recommendation {
        file_threshold: file,
        decline_threshold: decline,
        extractive_total: extractive.len(),
        ham_total: ham.len(),
        extractive_filed,
        ham_filed,
        extractive_declined,
        ham_declined,
        rationale,
    })
}

/// The finite scores of each class, ascending: (extractive, ham).
fn sorted_scores(samples: &[Sample]) -> (Vec<f64>, Vec<f64>) {
    let (mut extractive, mut ham) = (Vec::new(), Vec::new());
    for s in samples.iter().filter(|s| s.score.is_finite()) {
        if s.extractive { &mut extractive } else { &mut ham }.push(s.score);
    }
    extractive.sort_by(f64::total_cmp);
    ham.sort_by(f64::total_cmp);
    (extractive, ham)
}

fn at_or_above(sorted: &[f64], threshold: f64) -> usize {
    sorted.len() - sorted.partition_point(|&s| s < threshold)
}

fn floor_to(x: f64, step: f64) -> f64 {
    (x / step + EPSILON).floor() * step
}

fn ceil_to(x: f64, step: f64) -> f64 {
    (x / step - EPSILON).ceil() * step
}

/// The smallest of 0.5, 1, 2, 2.5, 5 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= STEP {
        return STEP;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|&s| s >= raw - EPSILON).unwrap_or(raw)
}

/// Scores carry three decimals, as `classify` rounds them.
fn round(x: f64) -> f64 {
    let scaled = (x * 1000.0).round();
    // Beyond ~1e305 scaling overflows; such a value has no decimals to round anyway.
    if scaled.is_finite() { scaled / 1000.0 + 0.0 } else { x }
}

fn ratio(part: usize, total: usize) -> String {
    if total == 0 { "-".into() } else { percent(part as f64 / total as f64) }
}

fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p == p.round() { format!("{p:.0}%") } else { format!("{p:.1}%") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(extractive: &[f64], ham: &[f64]) -> Vec<Sample> {
        let e = extractive.iter().map(|&score| Sample { score, extractive: true });
        e.chain(ham.iter().map(|&score| Sample { score, extractive: false })).collect()
    }

    #[test]
    fn sweep_counts_scores_at_or_above_each_threshold() {
        let s = samples(&[4.0, 5.0, 5.0, 8.5], &[0.0, 2.5, 5.0, f64::NAN]);
        let rows = sweep(&s, &[0.0, 5.0, 5.001, 9.0, -1.0]);
        let counts: Vec<(f64, usize, usize)> =
            rows.iter().map(|r| (r.threshold, r.extractive_at_or_above, r.ham_at_or_above)).collect();
        assert_eq!(counts, [(0.0, 4, 3), (5.0, 3, 1), (5.001, 1, 0), (9.0, 0, 0), (-1.0, 4, 3)]);
        assert!(sweep(&[], &[1.0]).iter().all(|r| r.extractive_at_or_above == 0 && r.ham_at_or_above == 0));
    }

    #[test]
    fn grid_spans_where_the_classes_meet_plus_the_decline_margin() {
        // Overlapping: from below a score of 1 to above the highest ham.
        let g = grid(&samples(&[3.2, 9.0], &[0.0, 6.7]));
        assert_eq!((g[0], *g.last().unwrap()), (0.5, 8.0));
        assert!(g.windows(2).all(|w| (w[1] - w[0] - 0.5).abs() < 1e-9));
        // Separable: the gap between them is covered too.
        let g = grid(&samples(&[7.0, 9.0], &[1.0, 2.0]));
        assert_eq!((g[0], *g.last().unwrap()), (0.5, 8.0));
        // One class only.
        assert_eq!(grid(&samples(&[5.0], &[])), [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0]);
        assert!(grid(&[]).is_empty());
        assert!(grid(&samples(&[f64::NAN], &[f64::INFINITY])).is_empty());
    }

    #[test]
    fn wide_grids_get_a_coarser_round_step() {
        let g = grid(&samples(&[-40.0, 100.0], &[0.0, 60.0]));
        assert!(g.len() <= MAX_ROWS, "{}", g.len());
        assert!(g[0] <= -40.0 && *g.last().unwrap() >= 61.0, "{g:?}");
        let step = g[1] - g[0];
        assert_eq!(step, 5.0);
        assert!(g.iter().all(|t| (t / step).fract() == 0.0));
        let huge = grid(&samples(&[-1e12], &[1e12]));
        assert!(huge.len() <= MAX_ROWS && huge.len() > 10);
    }

    #[test]
    fn separable_classes_file_just_above_the_ham_and_decline_with_margins() {
        let s = samples(&[6.0, 7.0, 8.0, 9.5], &[0.0, 0.0, 1.0, 2.5, 3.0]);
        let r = recommend(&s, 0.01).unwrap();
        assert_eq!((r.file_threshold, r.decline_threshold), (4.5, 6.5));
        assert_eq!((r.extractive_filed, r.ham_filed, r.extractive_declined, r.ham_declined), (4, 0, 3, 0));
        assert_eq!((r.extractive_total, r.ham_total), (4, 5));
        assert!(
            r.rationale.starts_with("file at 4.5: catches 4 of 4 extractive (100%) and 0 of 5 ham"),
            "{}",
            r.rationale
        );
        // Ham just below filing: the margin over the file threshold decides.
        let r = recommend(&samples(&[9.0], &[4.2]), 0.01).unwrap();
        assert_eq!((r.file_threshold, r.decline_threshold), (6.5, 8.5));
        let r = recommend(&samples(&[9.0], &[6.9]), 0.01).unwrap();
        assert_eq!((r.file_threshold, r.decline_threshold), (7.5, 9.5));
    }

    #[test]
    fn narrow_gaps_use_finer_thresholds_without_losing_extractive_mail() {
        let r = recommend(&samples(&[5.2, 9.0], &[5.05]), 0.0).unwrap();
        assert_eq!(r.file_threshold, 5.1);
        let r = recommend(&samples(&[5.18, 9.0], &[5.15]), 0.0).unwrap();
        assert_eq!(r.file_threshold, 5.18);
        assert_eq!(r.extractive_filed, 2);
        assert_eq!(r.ham_filed, 0);
        // A grid value exactly on the ham score is stepped over, never landed on.
        let r = recommend(&samples(&[1.4, 9.0], &[1.3]), 0.0).unwrap();
        assert_eq!((r.file_threshold, r.ham_filed), (1.4, 0));
    }

    #[test]
    fn overlapping_classes_spend_the_ham_budget() {
        // 200 ham: 1% allows two to be filed, so the threshold sits above the third highest.
        let mut ham = vec![1.0; 197];
        ham.extend([4.0, 6.0, 7.5]);
        let extractive = [3.0, 4.5, 5.0, 6.5, 8.0, 9.0];
        let r = recommend(&samples(&extractive, &ham), 0.01).unwrap();
        // The middle of the gap between the third highest ham (4.0) and the next extractive (4.5).
        assert_eq!(r.file_threshold, 4.2);
        assert_eq!((r.extractive_filed, r.ham_filed), (5, 2));
        assert!(r.ham_filed as f64 <= 0.01 * ham.len() as f64);
        // Declines stay clear of every ham.
        assert_eq!(r.decline_threshold, 8.5);
        assert_eq!((r.extractive_declined, r.ham_declined), (1, 0));
        // A stricter budget moves filing up; a share of 1 (or more) ignores the ham.
        assert_eq!(recommend(&samples(&extractive, &ham), 0.0).unwrap().file_threshold, 7.7);
        assert_eq!(recommend(&samples(&extractive, &ham), 5.0).unwrap().file_threshold, 3.0);
        assert_eq!(recommend(&samples(&extractive, &ham), f64::NAN).unwrap().file_threshold, 7.7);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(recommend(&samples(&[], &[1.0, 2.0]), 0.01), None);
        assert_eq!(recommend(&[], 0.01), None);
        assert_eq!(recommend(&samples(&[f64::NAN], &[1.0]), 0.01), None);

        // No ham: catch every extractive sample, and say nothing checked it.
        let r = recommend(&samples(&[6.3, 9.0], &[]), 0.01).unwrap();
        assert_eq!((r.file_threshold, r.decline_threshold), (6.0, 8.0));
        assert_eq!((r.extractive_filed, r.ham_total), (2, 0));
        assert!(r.rationale.contains("no ham samples"), "{}", r.rationale);
        // ...but never a threshold that would file mail no rule fired on.
        let r = recommend(&samples(&[0.0, -2.0], &[]), 0.01).unwrap();
        assert_eq!(r.file_threshold, MIN_FILE_THRESHOLD);
        assert_eq!(r.extractive_filed, 0);

        // Perfect overlap: the ham wins, nothing is filed, and the rationale says why.
        let r = recommend(&samples(&[5.0, 5.0, 5.0], &[5.0, 5.0, 5.0]), 0.01).unwrap();
        assert_eq!((r.file_threshold, r.decline_threshold), (5.5, 7.5));
        assert_eq!((r.extractive_filed, r.ham_filed, r.ham_declined), (0, 0, 0));
        assert!(r.rationale.contains("cannot separate"), "{}", r.rationale);
        assert!(r.rationale.contains("declines would never be sent"), "{}", r.rationale);
    }
}
