//! BuildKit's `suggest.WrapError`: "(did you mean RUN?)" for a near miss.

/// Appends ` (did you mean MATCH?)` to `message` when an option is within edit distance 2 of
/// `value`. BuildKit walks a Go map, so among equally close options its pick is random; berth
/// takes the first in the order given.
pub(crate) fn wrap(message: String, value: &str, options: &[&str], case_sensitive: bool) -> String {
    match search(value, options, case_sensitive) {
        Some(found) => format!("{message} (did you mean {found}?)"),
        None => message,
    }
}

fn search(value: &str, options: &[&str], case_sensitive: bool) -> Option<String> {
    let wanted = if case_sensitive {
        value.to_owned()
    } else {
        value.to_lowercase()
    };
    let mut best: Option<String> = None;
    let mut min_distance = 3;
    for option in options {
        let option = if case_sensitive {
            (*option).to_owned()
        } else {
            option.to_lowercase()
        };
        if wanted == option {
            return None;
        }
        let distance = levenshtein(&wanted, &option);
        if distance < min_distance {
            best = Some(if case_sensitive {
                option
            } else {
                match_case(&option, value)
            });
            min_distance = distance;
        }
    }
    best
}

fn match_case(option: &str, original: &str) -> String {
    if original == original.to_lowercase() {
        option.to_lowercase()
    } else if original == original.to_uppercase() {
        option.to_uppercase()
    } else {
        option.to_owned()
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
