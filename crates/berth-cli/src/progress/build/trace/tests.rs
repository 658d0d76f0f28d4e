use super::*;

const MS: Duration = Duration::from_millis(1);

/// A build's events at their moments (milliseconds after the first).
fn trace(width: usize, events: &[(u64, Event<'_>)]) -> (Trace, Instant) {
    let t0 = Instant::now();
    let mut trace = Trace::new(width);
    for (at, event) in events {
        trace.update(*event, t0 + MS * u32::try_from(*at).unwrap());
    }
    (trace, t0)
}

fn texts(lines: &[Line]) -> Vec<String> {
    lines.iter().map(|l| l.text.clone()).collect()
}

fn finished_build() -> Vec<(u64, Event<'static>)> {
    vec![
        (
            0,
            Event::Start {
                vertex: 1,
                name: "[internal] load build definition from Dockerfile",
            },
        ),
        (
            0,
            Event::Status {
                vertex: 1,
                id: "transferring dockerfile: 73B",
                time: Some(MS),
            },
        ),
        (
            10,
            Event::Done {
                vertex: 1,
                elapsed: MS * 10,
            },
        ),
        (
            10,
            Event::Start {
                vertex: 2,
                name: "[1/2] FROM docker.io/library/busybox",
            },
        ),
        (10, Event::Cached { vertex: 2 }),
        (
            10,
            Event::Start {
                vertex: 3,
                name: "[2/2] RUN echo hi",
            },
        ),
        (
            20,
            Event::Output {
                vertex: 3,
                elapsed: MS * 10,
                bytes: b"hi\n",
            },
        ),
        (
            1234,
            Event::Done {
                vertex: 3,
                elapsed: MS * 1224,
            },
        ),
        (
            1234,
            Event::Start {
                vertex: 4,
                name: "exporting to image",
            },
        ),
        (
            1240,
            Event::Status {
                vertex: 4,
                id: "writing image sha256:abc",
                time: None,
            },
        ),
        (
            1300,
            Event::Done {
                vertex: 4,
                elapsed: MS * 66,
            },
        ),
    ]
}

#[test]
fn last_frame_is_buildkits() {
    let (mut trace, t0) = trace(60, &finished_build());
    let lines = trace.frame(t0 + MS * 1400, 60, 24, true);
    assert_eq!(
        texts(&lines),
        [
            "[+] Building 1.4s (4/4) FINISHED",
            " => [internal] load build definition from Dockerfile   0.0s",
            " => => transferring dockerfile: 73B                    0.0s",
            " => CACHED [1/2] FROM docker.io/library/busybox        0.0s",
            " => [2/2] RUN echo hi                                  1.2s",
            " => exporting to image                                 0.1s",
            " => => writing image sha256:abc                        0.0s",
        ]
    );
    assert!(lines[1..].iter().all(|l| l.tone == Tone::Done));
    assert!(lines.iter().all(|l| l.text.chars().count() <= 59));
    assert_eq!(trace.error_logs(), "");
}

#[test]
fn names_are_cut_to_the_width() {
    let (mut trace, t0) = trace(
        40,
        &[(
            0,
            Event::Start {
                vertex: 1,
                name: "[2/2] RUN echo a very long command line indeed",
            },
        )],
    );
    let lines = trace.frame(t0 + MS * 300, 40, 24, false);
    assert_eq!(
        texts(&lines),
        [
            "[+] Building 0.3s (0/1)",
            " => [2/2] RUN echo a very long co  0.3s"
        ]
    );
    // Too narrow for a step line: only the header.
    assert_eq!(trace.frame(t0, 20, 24, false).len(), 1);
}

#[test]
fn running_steps_show_their_last_output_lines() {
    let events = [
        (
            0,
            Event::Start {
                vertex: 1,
                name: "[2/2] RUN ./loop",
            },
        ),
        (
            5,
            Event::Output {
                vertex: 1,
                elapsed: MS * 5,
                bytes: b"1\n2\n3\n4\n5\n6\n7\n8",
            },
        ),
    ];
    let (mut trace, t0) = trace(40, &events);
    let lines = trace.frame(t0 + MS * 500, 40, 24, false);
    assert_eq!(
        texts(&lines),
        [
            "[+] Building 0.5s (0/1)",
            " => [2/2] RUN ./loop               0.5s",
            " => => # 3",
            " => => # 4",
            " => => # 5",
            " => => # 6",
            " => => # 7",
            " => => # 8",
        ]
    );
    assert_eq!(lines[2].tone, Tone::Output);
    // No room on a short screen.
    assert_eq!(trace.frame(t0, 40, 10, false).len(), 2);
}

#[test]
fn a_failed_step_is_summed_up_with_its_output() {
    let events = [
        (
            0,
            Event::Start {
                vertex: 1,
                name: "[2/2] RUN echo out && false",
            },
        ),
        (
            5,
            Event::Output {
                vertex: 1,
                elapsed: MS * 5,
                bytes: b"out\npart",
            },
        ),
        (
            6,
            Event::Output {
                vertex: 1,
                elapsed: MS * 6,
                bytes: b"ial\n",
            },
        ),
        (
            7,
            Event::Error {
                vertex: 1,
                elapsed: MS * 7,
                message: "exit code: 1",
            },
        ),
    ];
    let (mut trace, t0) = trace(50, &events);
    let lines = trace.frame(t0 + MS * 10, 50, 24, true);
    assert_eq!(
        texts(&lines),
        [
            "[+] Building 0.0s (1/1) FINISHED",
            " => ERROR [2/2] RUN echo out && false        0.0s",
        ]
    );
    assert_eq!(lines[1].tone, Tone::Failed);
    assert_eq!(
        trace.error_logs(),
        "------\n > [2/2] RUN echo out && false:\n#1 0.005 out\n#1 0.005 partial\n------\n"
    );
}

#[test]
fn an_interrupt_cancels_what_runs() {
    let (mut trace, t0) = trace(
        50,
        &[(
            0,
            Event::Start {
                vertex: 1,
                name: "[2/2] RUN sleep 9",
            },
        )],
    );
    trace.cancel(t0 + MS * 2000);
    let lines = trace.frame(t0 + MS * 2100, 50, 24, true);
    assert_eq!(
        texts(&lines),
        [
            "[+] Building 2.1s (1/1) FINISHED",
            " => CANCELED [2/2] RUN sleep 9               2.0s",
        ]
    );
    assert_eq!(lines[1].tone, Tone::Canceled);
}

/// BuildKit's `wrapHeight`: the last lines that fit, running ones cut off above moved in.
#[test]
fn a_short_screen_keeps_the_last_lines_and_the_running_ones() {
    let mut events = Vec::new();
    let names: Vec<String> = (1..=12).map(|i| format!("step {i}")).collect();
    for (i, name) in names.iter().enumerate() {
        events.push((
            0,
            Event::Start {
                vertex: i + 1,
                name,
            },
        ));
        if i != 0 {
            events.push((
                0,
                Event::Done {
                    vertex: i + 1,
                    elapsed: Duration::ZERO,
                },
            ));
        }
    }
    let (mut trace, t0) = trace(40, &events);
    let lines = trace.frame(t0, 40, 8, false);
    let names: Vec<String> = texts(&lines)
        .iter()
        .map(|l| l.split("  ").next().unwrap().trim().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "[+] Building 0.0s (11/12)",
            "=> step 1",
            "=> step 8",
            "=> step 9",
            "=> step 10",
            "=> step 11",
            "=> step 12"
        ]
    );
}
