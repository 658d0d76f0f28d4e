//! Dockerfiles: parsing any text, expanding every word of every instruction and matching
//! `.dockerignore` patterns never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(dockerfile) = berth_dockerfile::parse(&text) {
        let lexer = berth_dockerfile::Lexer::new(dockerfile.directives.escape);
        let vars = vec![("A".to_owned(), "a b*c".to_owned()), ("E".to_owned(), String::new())];
        for stage in &dockerfile.stages {
            let from = berth_dockerfile::Instruction::From(stage.from.clone());
            let _ = berth_dockerfile::expand(&from, &lexer, &vars);
            for located in &stage.instructions {
                let _ = berth_dockerfile::expand(&located.instruction, &lexer, &vars);
            }
        }
    }
    let patterns = berth_dockerfile::ignore::read_patterns(&text);
    if let Ok(matcher) = berth_dockerfile::ignore::Matcher::new(&patterns) {
        for path in ["a", "a/b/c.txt", ".git/HEAD", "dir/sub/file"] {
            let _ = matcher.matches(path);
        }
    }
    for line in text.lines().take(64) {
        let _ = berth_dockerfile::Lexer::new('\\').process(line, &berth_dockerfile::NoVars);
    }
});
