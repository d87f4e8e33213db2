//! Puts one channel's durable publications back in order on this node,
//! before any subscriber sees them.
//!
//! With several nodes publishing, a channel's publications can arrive out
//! of order (node A's seq 5 after node B's seq 6). Rather than let every
//! subscriber's outbox notice the gap and read the store on its own, the
//! hub holds a publication that comes early for a short reorder window,
//! delivers it the moment the missing ones arrive, and when they do not,
//! refills the channel from the store once for everyone. A subscriber's
//! outbox still applies its own exactly-once cursor rule on top.
//!
//! Pure logic, no I/O: the hub feeds it publications and store refills.

use std::collections::BTreeMap;
use std::sync::Arc;

use trackwire_broker::Publication;

#[derive(Debug, Default)]
pub(crate) struct Sequencer {
    /// The last position delivered in order (`None`: nothing seen yet).
    last: Option<u64>,
    /// Publications that came early, by position.
    held: BTreeMap<u64, Arc<Publication>>,
    /// A refill from the store is on its way.
    refilling: bool,
    /// The last position at a position check that found the store ahead;
    /// the next check that finds the same refills.
    suspect: Option<u64>,
}

/// What to do with an offered publication.
#[derive(Debug)]
pub(crate) enum Offer {
    /// Deliver these, in this order.
    Deliver(Vec<Arc<Publication>>),
    /// Held; `gap_opened` is true when this opened the gap (arm the
    /// reorder window).
    Held { gap_opened: bool },
}

impl Sequencer {
    /// A durable publication at `position`.
    pub(crate) fn offer(&mut self, position: u64, publication: &Arc<Publication>) -> Offer {
        let Some(last) = self.last else {
            // The first this node sees: it starts the order.
            self.last = Some(position);
            return Offer::Deliver(vec![publication.clone()]);
        };
        if position <= last {
            // Late, or a copy (of a refill): the outboxes drop what they
            // already have, and a subscriber behind its channel needs it.
            return Offer::Deliver(vec![publication.clone()]);
        }
        if position == last + 1 && !self.refilling {
            self.last = Some(position);
            let mut out = vec![publication.clone()];
            out.extend(self.release());
            return Offer::Deliver(out);
        }
        let gap_opened = self.held.is_empty() && !self.refilling;
        self.held.insert(position, publication.clone());
        Offer::Held { gap_opened }
    }

    /// What a subscriber's recovery read from the store: the channel is at
    /// least at `position` (so a publication right after it is in order).
    pub(crate) fn observe(&mut self, position: u64) {
        if self.last.is_none() {
            self.last = Some(position);
        }
    }

    /// The reorder window passed: the position to refill from, when a gap
    /// is still open (and no refill is running). Marks the refill started.
    pub(crate) fn gap_to_refill(&mut self) -> Option<u64> {
        if self.held.is_empty() || self.refilling {
            return None;
        }
        self.refilling = true;
        self.last
    }

    /// A position check found the store's head at `head`. When this node
    /// is behind it twice at the same position (a publication lost on the
    /// way leaves no gap to notice if it was the last; a single sighting
    /// may be an event whose publication is still in flight), returns the
    /// position to refill from, and marks the refill started.
    pub(crate) fn behind(&mut self, head: u64) -> Option<u64> {
        let last = self.last?;
        if head <= last || self.refilling {
            self.suspect = None;
            return None;
        }
        if self.suspect != Some(last) {
            self.suspect = Some(last);
            return None;
        }
        self.suspect = None;
        self.refilling = true;
        Some(last)
    }

    /// Everything may have been lost: refill from the last position.
    pub(crate) fn lost(&mut self) -> Option<u64> {
        if self.refilling {
            return None;
        }
        let last = self.last?;
        self.refilling = true;
        Some(last)
    }

    /// A refill came back with `refilled` (positions after the refill's
    /// start, in order; may be empty or cut short). Returns what to
    /// deliver: the refilled ones and every held one, in order. Held ones
    /// the store did not cover go out too: the outboxes refill their own
    /// gaps if any is left.
    pub(crate) fn refilled(
        &mut self,
        refilled: Vec<(u64, Arc<Publication>)>,
    ) -> Vec<Arc<Publication>> {
        self.refilling = false;
        let mut out = Vec::with_capacity(refilled.len() + self.held.len());
        for (position, publication) in refilled {
            if self.last.is_none_or(|last| position > last) {
                self.held.remove(&position);
                self.last = Some(position);
                out.push(publication);
            }
        }
        out.extend(self.release());
        // What is left past a hole the store did not fill: deliver anyway,
        // and go on from its end.
        let rest = std::mem::take(&mut self.held);
        if let Some((&position, _)) = rest.last_key_value() {
            self.last = Some(self.last.map_or(position, |last| last.max(position)));
        }
        out.extend(rest.into_values());
        out
    }

    /// The refill failed: deliver what is held (the outboxes refill their
    /// own gaps) and go on from its end.
    pub(crate) fn refill_failed(&mut self) -> Vec<Arc<Publication>> {
        self.refilled(Vec::new())
    }

    /// Takes the held publications that now follow in order.
    fn release(&mut self) -> Vec<Arc<Publication>> {
        let mut out = Vec::new();
        while let Some(last) = self.last {
            match self.held.remove(&(last + 1)) {
                Some(next) => {
                    self.last = Some(last + 1);
                    out.push(next);
                }
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use trackwire_broker::{Channel, Class};
    use trackwire_domain::Audience;

    use super::*;

    fn publication(seq: u64) -> Arc<Publication> {
        Arc::new(Publication {
            channel: Channel::new("t", "order:A", Audience::Staff),
            class: Class::Durable {
                seq,
                offset: None,
                closes_topic: false,
            },
            payload: Bytes::from(seq.to_string()),
        })
    }

    fn seqs(out: &[Arc<Publication>]) -> Vec<u64> {
        out.iter().filter_map(|p| p.seq()).collect()
    }

    fn delivered(offer: Offer) -> Vec<u64> {
        match offer {
            Offer::Deliver(out) => seqs(&out),
            Offer::Held { .. } => Vec::new(),
        }
    }

    #[test]
    fn in_order_passes_straight_through() {
        let mut s = Sequencer::default();
        for seq in 1..=5 {
            assert_eq!(delivered(s.offer(seq, &publication(seq))), [seq]);
        }
    }

    #[test]
    fn an_early_one_waits_for_the_missing_one() {
        let mut s = Sequencer::default();
        s.observe(4);
        assert!(matches!(
            s.offer(6, &publication(6)),
            Offer::Held { gap_opened: true }
        ));
        assert!(matches!(
            s.offer(7, &publication(7)),
            Offer::Held { gap_opened: false }
        ));
        assert_eq!(delivered(s.offer(5, &publication(5))), [5, 6, 7]);
        assert_eq!(s.gap_to_refill(), None, "no gap left");
    }

    #[test]
    fn a_gap_that_stays_is_refilled_once() {
        let mut s = Sequencer::default();
        s.observe(1);
        assert!(matches!(
            s.offer(4, &publication(4)),
            Offer::Held { gap_opened: true }
        ));
        assert_eq!(s.gap_to_refill(), Some(1));
        assert_eq!(s.gap_to_refill(), None, "one refill at a time");
        // Arriving meanwhile: held, not delivered past the hole.
        assert!(matches!(s.offer(2, &publication(2)), Offer::Held { .. }));
        let out = s.refilled(vec![
            (2, publication(2)),
            (3, publication(3)),
            (4, publication(4)),
        ]);
        assert_eq!(seqs(&out), [2, 3, 4]);
        assert_eq!(delivered(s.offer(5, &publication(5))), [5]);
    }

    #[test]
    fn late_and_copies_go_through_for_the_outboxes_to_judge() {
        let mut s = Sequencer::default();
        s.observe(3);
        assert_eq!(delivered(s.offer(2, &publication(2))), [2]);
        assert_eq!(delivered(s.offer(4, &publication(4))), [4]);
        assert_eq!(delivered(s.offer(4, &publication(4))), [4]);
    }

    #[test]
    fn behind_the_store_refills_from_the_last_position() {
        let mut s = Sequencer::default();
        assert_eq!(s.behind(9), None, "nothing known yet");
        s.observe(7);
        assert_eq!(s.behind(7), None);
        assert_eq!(s.behind(9), None, "once may be a publication in flight");
        assert_eq!(s.behind(9), Some(7), "twice at the same place is a loss");
        assert_eq!(s.lost(), None, "a refill is already running");
        let out = s.refilled(vec![(8, publication(8)), (9, publication(9))]);
        assert_eq!(seqs(&out), [8, 9]);
        assert_eq!(s.lost(), Some(9));
    }

    #[test]
    fn a_publication_in_flight_at_one_check_is_no_loss() {
        let mut s = Sequencer::default();
        s.observe(3);
        assert_eq!(s.behind(4), None);
        assert_eq!(delivered(s.offer(4, &publication(4))), [4]);
        assert_eq!(s.behind(5), None, "a new suspicion, not the old one");
    }

    #[test]
    fn a_hole_the_store_cannot_fill_does_not_stall_the_channel() {
        let mut s = Sequencer::default();
        s.observe(1);
        s.offer(5, &publication(5));
        assert_eq!(s.gap_to_refill(), Some(1));
        let out = s.refill_failed();
        assert_eq!(seqs(&out), [5]);
        assert_eq!(delivered(s.offer(6, &publication(6))), [6]);
    }
}
