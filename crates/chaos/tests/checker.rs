//! The checker on hand-made histories: each promise broken once, and the
//! verdict naming it first.

use trackwire_chaos::checker::{check, Violation};
use trackwire_chaos::history::{Ack, Applied, ClientLog, Durable, Stored, TopicLog};

fn stored(pos: u64) -> Stored {
    Stored {
        pos,
        id: format!("e{pos}"),
        mark: Some(format!("m{pos}")),
    }
}

fn history(n: u64) -> Durable {
    Durable::from([("order:A".to_owned(), (1..=n).map(stored).collect())])
}

fn event(pos: u64) -> Applied {
    Applied::Event {
        pos,
        id: Some(format!("e{pos}")),
        mark: Some(format!("m{pos}")),
    }
}

fn client(applied: Vec<Applied>) -> ClientLog {
    let mut log = ClientLog::new("c1", &["order:A".to_owned()]);
    log.topics.insert(
        "order:A".into(),
        TopicLog {
            applied,
            ..TopicLog::default()
        },
    );
    log
}

fn ack(pos: u64) -> Ack {
    Ack {
        topic: "order:A".into(),
        pos,
        id: format!("e{pos}"),
        mark: format!("m{pos}"),
    }
}

#[test]
fn a_faithful_run_is_ok() {
    let clients = [
        client(vec![Applied::Snapshot { pos: 2 }, event(3), event(4)]),
        client((1..=4).map(event).collect()),
    ];
    let verdict = check(&history(4), &clients, &[ack(3), ack(4)]);
    assert!(verdict.ok(), "{verdict}");
    assert_eq!(
        (
            verdict.stored,
            verdict.acks,
            verdict.clients,
            verdict.applied
        ),
        (4, 2, 2, 7)
    );
    assert!(verdict.to_string().starts_with("verdict: OK"));
}

#[test]
fn a_dropped_event_is_a_skip() {
    let verdict = check(&history(3), &[client(vec![event(1), event(3)])], &[]);
    assert_eq!(
        verdict.first(),
        Some(&Violation::Skipped {
            client: "c1".into(),
            topic: "order:A".into(),
            expected: 2,
            got: 3
        })
    );
    assert!(
        verdict
            .to_string()
            .contains("first: client c1 on order:A applied 3 when 2 was next"),
        "{verdict}"
    );
}

#[test]
fn a_repeated_event_is_applied_twice() {
    let verdict = check(
        &history(2),
        &[client(vec![event(1), event(2), event(2)])],
        &[],
    );
    assert!(
        matches!(
            verdict.first(),
            Some(Violation::AppliedTwice { pos: 2, .. })
        ),
        "{verdict}"
    );
}

#[test]
fn another_event_at_a_position_is_wrong() {
    let wrong = Applied::Event {
        pos: 2,
        id: Some("other".into()),
        mark: None,
    };
    let verdict = check(&history(2), &[client(vec![event(1), wrong])], &[]);
    assert!(
        matches!(verdict.first(), Some(Violation::WrongEvent { pos: 2, .. })),
        "{verdict}"
    );
}

#[test]
fn a_snapshot_never_moves_back() {
    let verdict = check(
        &history(3),
        &[client(vec![
            event(1),
            event(2),
            Applied::Snapshot { pos: 1 },
        ])],
        &[],
    );
    assert!(
        matches!(
            verdict.first(),
            Some(Violation::SnapshotBack { from: 2, to: 1, .. })
        ),
        "{verdict}"
    );
}

#[test]
fn a_client_short_of_the_head_ended_elsewhere() {
    let verdict = check(&history(3), &[client(vec![event(1), event(2)])], &[]);
    assert!(
        matches!(
            verdict.first(),
            Some(Violation::EndedElsewhere { at: 2, head: 3, .. })
        ),
        "{verdict}"
    );
}

#[test]
fn an_acknowledged_event_missing_from_the_history_is_lost() {
    let verdict = check(&history(2), &[], &[ack(3)]);
    assert!(
        matches!(
            verdict.first(),
            Some(Violation::AckLost { stored: None, .. })
        ),
        "{verdict}"
    );
    let other = Ack {
        id: "not-e2".into(),
        ..ack(2)
    };
    let verdict = check(&history(2), &[], &[other]);
    assert!(
        matches!(
            verdict.first(),
            Some(Violation::AckLost {
                stored: Some(_),
                ..
            })
        ),
        "{verdict}"
    );
}

#[test]
fn a_gap_and_a_double_store_break_the_history() {
    let gap = Durable::from([("order:A".to_owned(), vec![stored(1), stored(3)])]);
    assert!(matches!(
        check(&gap, &[], &[]).first(),
        Some(Violation::HistoryGap {
            expected: 2,
            found: 3,
            ..
        })
    ));
    let twice = Durable::from([(
        "order:A".to_owned(),
        vec![
            stored(1),
            Stored {
                pos: 2,
                id: "e2".into(),
                mark: Some("m1".into()),
            },
        ],
    )]);
    assert!(matches!(
        check(&twice, &[], &[]).first(),
        Some(Violation::StoredTwice {
            first: 1,
            second: 2,
            ..
        })
    ));
}

#[test]
fn the_recorder_keeps_what_a_client_applied_without_judging() {
    let mut log = TopicLog::default();
    let frame = |seq: u64| serde_json::json!({"type": "event", "event": {"id": format!("e{seq}"), "topic": "order:A", "seq": seq, "epoch": "E", "payload": {"text": format!("m{seq}")}}});
    log.apply(
        &serde_json::json!({"type": "snapshot", "topic": "order:A", "seq": 1, "epoch": "E"}),
        "seq",
    );
    log.apply(&frame(2), "seq");
    log.apply(&frame(2), "seq");
    assert_eq!(log.pos, 2);
    assert_eq!(log.epoch.as_deref(), Some("E"));
    assert_eq!(
        log.applied,
        vec![Applied::Snapshot { pos: 1 }, event(2), event(2)]
    );
}
