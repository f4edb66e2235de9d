//! "Did you mean …?": the known names nearest to a name that was not found.

/// Up to `limit` of `candidates` nearest to `target`, nearest first: names that contain the
/// target (or that it contains) come first, then names by edit distance; names too far off to
/// be a typo are left out. Each name appears once.
pub fn nearest<'a>(
    target: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let target_lower = target.to_lowercase();
    let target_len = target_lower.chars().count();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|name| {
            let lower = name.to_lowercase();
            if lower.contains(&target_lower) || target_lower.contains(&lower) {
                return Some((0, name));
            }
            let distance = edit_distance(&target_lower, &lower);
            // A third of the name may be wrong, and at least two characters.
            (distance <= (target_len / 3).max(2)).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(limit).map(|(_, n)| n).collect()
}

/// Levenshtein distance between `a` and `b`, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("上海精神", "上海"), 2);
        assert_eq!(edit_distance("abc", ""), 3);
    }

    #[test]
    fn nearest_names_first_and_far_ones_left_out() {
        let names = [
            "chs-2018-declaration",
            "chs-2019-declaration",
            "chg-2018-communique",
            "fx-ingest-zh-2003",
        ];
        assert_eq!(
            nearest("chs-2018-declaraton", names, 5),
            vec!["chs-2018-declaration", "chs-2019-declaration"]
        );
        assert_eq!(
            nearest("2018", names, 5),
            vec!["chg-2018-communique", "chs-2018-declaration"]
        );
        assert_eq!(
            nearest("chs-2018-declaration", names, 1),
            vec!["chs-2018-declaration"]
        );
        assert!(nearest("zzzzzzzz", names, 5).is_empty());
    }
}
