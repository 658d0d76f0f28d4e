//! Reference parsing never panics, and whatever parses round-trips through its canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let _ = berth_digest::Digest::parse(input);
    if let Ok(reference) = berth_reference::Reference::parse_normalized(input) {
        let again = berth_reference::Reference::parse_normalized(&reference.to_string())
            .expect("a canonical reference parses");
        assert_eq!(again, reference);
        let _ = reference.familiar_string();
    }
    let _ = berth_reference::familiar_match(
        input,
        &berth_reference::Reference::parse_normalized("ubuntu:14.04").unwrap(),
    );
});
