//! The writing half of a connection: everything the outbox holds goes out
//! in one batch (frames gathered in the write buffer, one flush), pings
//! when asked, and the close frame last.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures::stream::SplitSink;
use futures::SinkExt;
use tokio::sync::mpsc;
use trackwire_gateway::outbox::{Closed, Outgoing};
use trackwire_gateway::protocol::CloseCode;
use trackwire_gateway::Outbox;

use crate::metrics::tally::{Counts, Tally, Transport};

pub(super) type Sink = SplitSink<WebSocket, Message>;

pub(super) enum Command {
    Ping,
    /// Send what waits, then close with this code.
    Close(CloseCode),
    /// The peer is gone: stop.
    Stop,
}

enum Wrote {
    Ok,
    Failed,
    Cut(Closed),
}

/// Why the writer stopped.
pub(super) enum WriterEnd {
    /// Asked to (a close, the peer gone), or the socket failed.
    Done,
    Failed,
    /// The outbox overflowed; the close frame (4009) was queued behind
    /// what the socket still held, with `grace` to get out.
    SlowConsumer,
}

pub(super) async fn run(
    mut sink: Sink,
    outbox: Arc<Outbox>,
    mut commands: mpsc::Receiver<Command>,
    grace: Duration,
) -> WriterEnd {
    let mut batch = Vec::new();
    let mut tally = Tally::new(Transport::Ws);
    loop {
        tokio::select! {
            biased;
            command = commands.recv() => match command {
                Some(Command::Ping) => {
                    let pinged = tokio::select! {
                        sent = sink.send(Message::Ping(Bytes::new())) => sent.is_ok(),
                        _ = outbox.wait_closed() => false,
                    };
                    if !pinged {
                        return cut_or_failed(&mut sink, &outbox, grace).await;
                    }
                }
                Some(Command::Close(code)) => {
                    if outbox.take_now(&mut batch).is_ok() {
                        let _ = write(&mut sink, &mut batch, &mut tally).await;
                    }
                    close(&mut sink, code).await;
                    return WriterEnd::Done;
                }
                Some(Command::Stop) | None => return WriterEnd::Done,
            },
            next = outbox.next_batch(&mut batch) => {
                if let Err(closed) = next {
                    return ending(&mut sink, closed, grace).await;
                }
                // A stalled client blocks the write; a cut ends it.
                let wrote = tokio::select! {
                    result = write(&mut sink, &mut batch, &mut tally) => {
                        if result.is_ok() { Wrote::Ok } else { Wrote::Failed }
                    }
                    closed = outbox.wait_closed() => Wrote::Cut(closed),
                };
                match wrote {
                    Wrote::Ok => {}
                    Wrote::Failed => return WriterEnd::Failed,
                    Wrote::Cut(closed) => return ending(&mut sink, closed, grace).await,
                }
            }
        }
    }
}

/// The outbox closed: a slow consumer gets its close frame, with `grace`
/// for the socket to take it behind what it still holds (a peer that reads
/// again in time sees 4009, not a dropped connection).
async fn ending(sink: &mut Sink, closed: Closed, grace: Duration) -> WriterEnd {
    match closed {
        Closed::SlowConsumer => {
            close_within(sink, CloseCode::SlowConsumer, grace).await;
            WriterEnd::SlowConsumer
        }
        Closed::Gone => WriterEnd::Done,
    }
}

/// A ping that could not go out: a cut, or the socket failed.
async fn cut_or_failed(sink: &mut Sink, outbox: &Outbox, grace: Duration) -> WriterEnd {
    match outbox.closed() {
        Some(closed) => ending(sink, closed, grace).await,
        None => WriterEnd::Failed,
    }
}

async fn write(
    sink: &mut Sink,
    batch: &mut Vec<Outgoing>,
    tally: &mut Tally,
) -> Result<(), axum::Error> {
    let sample = tally.sample(batch);
    let mut counts = Counts::default();
    for item in batch.drain(..) {
        counts.add(&item);
        let text = Utf8Bytes::try_from(item.bytes().clone()).map_err(axum::Error::new)?;
        sink.feed(Message::Text(text)).await?;
    }
    sink.flush().await?;
    tally.written(counts, sample);
    Ok(())
}

/// Sends the close frame, giving a stalled peer a moment at most.
pub(super) async fn close(sink: &mut Sink, code: CloseCode) {
    close_within(sink, code, Duration::from_secs(1)).await;
}

async fn close_within(sink: &mut Sink, code: CloseCode, grace: Duration) {
    let frame = CloseFrame {
        code: code.code(),
        reason: Utf8Bytes::from_static(code.reason().as_str()),
    };
    let _ = tokio::time::timeout(grace, sink.send(Message::Close(Some(frame)))).await;
}
