use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;

#[test]
fn excerpt_is_buildkits() {
    let text = "FROM busybox\nRUN true\nRUN false\nENV A=b\n";
    assert_eq!(
        excerpt("Dockerfile", text, Lines::new(3, 3)),
        "Dockerfile:3\n--------------------\n   1 |     FROM busybox\n   2 |     RUN true\n   3 | >>> RUN false\n   4 |     ENV A=b\n   5 |     \n--------------------\n"
    );
    assert_eq!(excerpt("Dockerfile", text, Lines::new(9, 9)), "");
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const MS: Duration = Duration::from_millis(1234);

/// The plain form of each event sequence (after vertex 1's start and digest lines).
#[test]
fn plain_form_of_the_events() {
    let cases: &[(&[Event<'_>], &str)] = &[
        (
            &[
                Event::Output {
                    vertex: 1,
                    elapsed: MS,
                    bytes: b"a\nb",
                },
                Event::Output {
                    vertex: 1,
                    elapsed: MS,
                    bytes: b"c\n",
                },
                Event::Done {
                    vertex: 1,
                    elapsed: MS,
                },
            ],
            "#1 1.234 a\n#1 1.234 bc\n#1 DONE 1.2s\n\n",
        ),
        (
            &[
                Event::Output {
                    vertex: 1,
                    elapsed: MS,
                    bytes: b"no end",
                },
                Event::Error {
                    vertex: 1,
                    elapsed: MS,
                    message: "exit code: 1",
                },
            ],
            "#1 1.234 no end\n#1 ERROR: exit code: 1\n------\n > step:\n------\n",
        ),
        (
            &[
                Event::Status {
                    vertex: 1,
                    id: "exporting layers",
                    time: Some(MS),
                },
                Event::Status {
                    vertex: 1,
                    id: "naming to x",
                    time: None,
                },
                Event::Done {
                    vertex: 1,
                    elapsed: MS,
                },
            ],
            "#1 exporting layers 1.2s done\n#1 naming to x done\n#1 DONE 1.2s\n\n",
        ),
        (&[Event::Cached { vertex: 1 }], "#1 CACHED\n\n"),
    ];
    for (events, want) in cases {
        let buffer = Shared::default();
        let mut plain = Plain::new(Box::new(buffer.clone()));
        plain.event(Event::Start {
            vertex: 1,
            name: "step",
        });
        for event in *events {
            plain.event(*event);
        }
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let (head, rest) = text.split_at(text.find("\n#1 sha256:").unwrap() + 1);
        assert_eq!(head, "#1 step\n");
        let rest = rest.split_once('\n').unwrap().1;
        assert_eq!(rest, *want, "{events:?}");
    }
}

/// Progress numbers vertices in start order and sends each call as its event.
#[test]
fn progress_sends_events() {
    struct Record(Arc<Mutex<Vec<String>>>);
    impl Render for Record {
        fn event(&mut self, event: Event<'_>) {
            let text = match event {
                Event::Start { vertex, name } => format!("start {vertex} {name}"),
                Event::Output { vertex, bytes, .. } => {
                    format!("output {vertex} {}", String::from_utf8_lossy(bytes))
                }
                Event::Status { vertex, id, time } => {
                    format!("status {vertex} {id} {}", time.is_some())
                }
                Event::Done { vertex, .. } => format!("done {vertex}"),
                Event::Cached { vertex } => format!("cached {vertex}"),
                Event::Error {
                    vertex, message, ..
                } => format!("error {vertex} {message}"),
            };
            self.0.lock().unwrap().push(text);
        }
        fn finish(&mut self) {
            self.0.lock().unwrap().push("finish".to_owned());
        }
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut progress = Progress::new(Box::new(Record(Arc::clone(&seen))));
    let a = progress.start("a");
    progress.output(&a, b"x");
    progress.status(&a, "s", true);
    progress.done(a);
    let b = progress.start("b");
    progress.cached(&b);
    let c = progress.start("c");
    progress.error(c, "bad");
    progress.finish();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "start 1 a",
            "output 1 x",
            "status 1 s true",
            "done 1",
            "start 2 b",
            "cached 2",
            "start 3 c",
            "error 3 bad",
            "finish"
        ]
    );
}
