//! `--format` templates: parsing and executing any template over a fixed row never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let row = serde_json::json!({
        "ID": "415e85863be7", "Repository": "fixture/busybox", "Tag": "1", "Size": "1.98MB",
        "Labels": {"a": "1"}, "Names": ["x", "y"], "Count": 3,
    });
    for missing in [
        berth_format::template::Missing::Error,
        berth_format::template::Missing::NoValue,
    ] {
        if let Ok(template) = berth_format::Template::parse(source, missing) {
            let _ = template.execute(&row);
        }
    }
});
