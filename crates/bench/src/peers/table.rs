//! The figures of `trackwire-bench peers` and their tables: one row per
//! server (medians over the rounds), then Trackwire's ratio to each peer
//! and to the best one, then every round's values.

use crate::client::FleetReport;
use crate::publish::Published;
use crate::report::{count, table};

use super::{Kind, Scenario};

/// One figure of one scenario.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Figure {
    FloodCpu,
    FloodRate,
    FloodBusy,
    FloodBenchBusy,
    FloodOthersBusy,
    ModerateP99,
    ModerateP50,
    ModerateCpu,
    ModerateBusy,
    IdleKib,
    IdleRss,
}

/// How a ratio reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Better {
    Lower,
    Higher,
}

impl Figure {
    const ALL: [Figure; 11] = [
        Figure::FloodCpu,
        Figure::FloodRate,
        Figure::FloodBusy,
        Figure::FloodBenchBusy,
        Figure::FloodOthersBusy,
        Figure::ModerateP99,
        Figure::ModerateP50,
        Figure::ModerateCpu,
        Figure::ModerateBusy,
        Figure::IdleKib,
        Figure::IdleRss,
    ];

    fn scenario(self) -> Scenario {
        match self {
            Figure::FloodCpu
            | Figure::FloodRate
            | Figure::FloodBusy
            | Figure::FloodBenchBusy
            | Figure::FloodOthersBusy => Scenario::Flood,
            Figure::ModerateP99
            | Figure::ModerateP50
            | Figure::ModerateCpu
            | Figure::ModerateBusy => Scenario::Moderate,
            Figure::IdleKib | Figure::IdleRss => Scenario::Idle,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Figure::FloodCpu => "flood: server CPU s per M deliveries",
            Figure::FloodRate => "flood: deliveries/s",
            Figure::FloodBusy => "flood: server busy",
            Figure::FloodBenchBusy => "flood: bench busy",
            Figure::FloodOthersBusy => "flood: others busy",
            Figure::ModerateP99 => "moderate: p99 ms",
            Figure::ModerateP50 => "moderate: p50 ms",
            Figure::ModerateCpu => "moderate: server CPU s per M deliveries",
            Figure::ModerateBusy => "moderate: server busy",
            Figure::IdleKib => "idle: server KiB per connection",
            Figure::IdleRss => "idle: server RSS MiB",
        }
    }

    /// Which way is better, for the figures whose ratio is printed.
    fn better(self) -> Option<Better> {
        match self {
            Figure::FloodCpu
            | Figure::ModerateP99
            | Figure::ModerateP50
            | Figure::ModerateCpu
            | Figure::IdleKib => Some(Better::Lower),
            Figure::FloodRate => Some(Better::Higher),
            Figure::FloodBusy
            | Figure::FloodBenchBusy
            | Figure::FloodOthersBusy
            | Figure::ModerateBusy
            | Figure::IdleRss => None,
        }
    }

    fn format(self, value: f64) -> String {
        match self {
            Figure::FloodRate => count(value),
            Figure::FloodBusy
            | Figure::FloodBenchBusy
            | Figure::FloodOthersBusy
            | Figure::ModerateBusy => {
                format!("{value:.0}%")
            }
            Figure::IdleRss => format!("{value:.1}"),
            _ if value >= 100.0 => format!("{value:.0}"),
            _ if value >= 10.0 => format!("{value:.1}"),
            _ => format!("{value:.2}"),
        }
    }
}

/// What one scenario on one server measured.
#[derive(Default)]
pub(crate) struct Sample {
    values: Vec<(Figure, f64)>,
    pub(crate) notes: Vec<String>,
    /// Length of an event frame as the clients read it.
    pub(crate) frame_bytes: usize,
}

impl Sample {
    pub(crate) fn new(frame_bytes: usize) -> Self {
        Self {
            frame_bytes,
            ..Self::default()
        }
    }

    pub(crate) fn put(&mut self, figure: Figure, value: f64) {
        self.values.push((figure, value));
    }

    fn get(&self, figure: Figure) -> Option<f64> {
        self.values
            .iter()
            .find(|(f, _)| *f == figure)
            .map(|(_, v)| *v)
    }

    /// Failed publish requests, connections lost, unstamped events.
    pub(crate) fn note_losses(&mut self, published: &Published, seen: &FleetReport) {
        if published.failed > 0 {
            self.notes.push(format!(
                "{} publish requests failed; first: {}",
                published.failed,
                published.first_error.as_deref().unwrap_or("?")
            ));
        }
        if seen.lost > 0 {
            self.notes.push(format!(
                "{} connections ended early; first: {}",
                seen.lost,
                seen.first_loss.as_deref().unwrap_or("?")
            ));
        }
        if seen.foreign > 0 {
            self.notes.push(format!(
                "{} event frames without a benchmark stamp; first: {}",
                seen.foreign,
                seen.first_foreign.as_deref().unwrap_or("?")
            ));
        }
    }
}

/// Every run's outcome, in the order they ran.
#[derive(Default)]
pub(crate) struct Results {
    runs: Vec<(Kind, Scenario, Result<Sample, String>)>,
}

pub(crate) struct Header {
    pub(crate) machine: String,
    pub(crate) placement: String,
    pub(crate) open_files: u64,
    pub(crate) workload: String,
    pub(crate) servers: Vec<(Kind, Result<String, String>)>,
}

pub(crate) fn print(header: &Header) {
    println!();
    println!("trackwire-bench peers");
    println!("  machine:    {}", header.machine);
    println!("  placement:  {}", header.placement);
    println!(
        "  open files: {} (soft limit, raised to the hard limit)",
        header.open_files
    );
    println!("  workload:   {}", header.workload);
    for (kind, found) in &header.servers {
        match found {
            Ok(version) => println!("  {:<10}  {version}", kind.short()),
            Err(why) => println!("  {:<10}  LEFT OUT: {why}", kind.short()),
        }
    }
}

impl Results {
    pub(crate) fn add(&mut self, kind: Kind, scenario: Scenario, sample: Result<Sample, String>) {
        self.runs.push((kind, scenario, sample));
    }

    /// Every round's value of a figure on a server.
    fn values(&self, kind: Kind, figure: Figure) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|(k, s, _)| *k == kind && *s == figure.scenario())
            .filter_map(|(_, _, sample)| sample.as_ref().ok()?.get(figure))
            .collect()
    }

    fn median(&self, kind: Kind, figure: Figure) -> Option<f64> {
        median(self.values(kind, figure))
    }

    /// The peer with the best median of `figure`, and that median.
    fn best_peer(&self, peers: &[Kind], figure: Figure) -> Option<(Kind, f64)> {
        peers
            .iter()
            .filter_map(|&peer| Some((peer, self.median(peer, figure)?)))
            .min_by(|a, b| match figure.better() {
                Some(Better::Higher) => b.1.total_cmp(&a.1),
                _ => a.1.total_cmp(&b.1),
            })
    }

    pub(crate) fn print(&self, kinds: &[Kind], scenarios: &[Scenario]) {
        let figures: Vec<Figure> = Figure::ALL
            .into_iter()
            .filter(|f| scenarios.contains(&f.scenario()))
            .collect();
        let peers: Vec<Kind> = kinds
            .iter()
            .copied()
            .filter(|k| *k != Kind::Trackwire)
            .collect();

        let rated: Vec<Figure> = figures
            .iter()
            .copied()
            .filter(|f| f.better().is_some())
            .collect();
        let context: Vec<Figure> = figures
            .iter()
            .copied()
            .filter(|f| f.better().is_none())
            .collect();
        let cell = |kind: Kind, figure: Figure| {
            self.median(kind, figure)
                .map(|v| figure.format(v))
                .unwrap_or_else(|| "-".into())
        };

        println!();
        println!("Medians over the rounds, and Trackwire's ratio (Trackwire ÷ peer: below 1 is");
        println!("Trackwire cheaper or quicker; for deliveries/s, above 1 is Trackwire faster)");
        let mut header = vec!["server"];
        header.extend(rated.iter().map(|f| f.header()));
        let mut rows = Vec::new();
        for &kind in kinds {
            let mut row = vec![kind.label().to_string()];
            row.extend(rated.iter().map(|&figure| cell(kind, figure)));
            rows.push(row);
        }
        if kinds.contains(&Kind::Trackwire) && !peers.is_empty() {
            let ours = |figure| self.median(Kind::Trackwire, figure);
            let mut best_row = vec!["Trackwire ÷ best peer".to_string()];
            for &figure in &rated {
                best_row.push(match (ours(figure), self.best_peer(&peers, figure)) {
                    (Some(ours), Some((peer, theirs))) if theirs > 0.0 => {
                        format!("{} ({})", ratio(ours / theirs), peer.short())
                    }
                    _ => "-".into(),
                });
            }
            rows.push(best_row);
            for &peer in &peers {
                let mut row = vec![format!("Trackwire ÷ {}", peer.short())];
                for &figure in &rated {
                    row.push(match (ours(figure), self.median(peer, figure)) {
                        (Some(ours), Some(theirs)) if theirs > 0.0 => ratio(ours / theirs),
                        _ => "-".into(),
                    });
                }
                rows.push(row);
            }
        }
        table(&header, &rows);

        if !context.is_empty() {
            println!();
            println!("Context (medians)");
            let mut header = vec!["server"];
            header.extend(context.iter().map(|f| f.header()));
            let rows: Vec<Vec<String>> = kinds
                .iter()
                .map(|&kind| {
                    let mut row = vec![kind.label().to_string()];
                    row.extend(context.iter().map(|&figure| cell(kind, figure)));
                    row
                })
                .collect();
            table(&header, &rows);
        }

        println!();
        println!("Every round (in the order run)");
        let mut rows = Vec::new();
        for &kind in kinds {
            for &figure in &figures {
                let values = self.values(kind, figure);
                if values.is_empty() {
                    continue;
                }
                rows.push(vec![
                    kind.short().to_string(),
                    figure.header().to_string(),
                    values
                        .iter()
                        .map(|v| figure.format(*v))
                        .collect::<Vec<_>>()
                        .join(" · "),
                ]);
            }
        }
        table(&["server", "figure", "values"], &rows);

        println!();
        for &kind in kinds {
            let frame = self
                .runs
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .filter_map(|(_, _, s)| s.as_ref().ok())
                .map(|s| s.frame_bytes)
                .max()
                .unwrap_or(0);
            if frame > 0 {
                println!("{}: an event frame is {frame} bytes as read", kind.short());
            }
        }
        println!();
        for line in [
            "CPU: the server's utime+stime (/proc/PID/stat, every thread) from just before the",
            "first publish to the last delivery; per million deliveries received. Busy: that CPU",
            "over the same wall time (100% = the server's one core); bench busy: this process's",
            "(every client and the publisher, on the other core); others busy: the rest of the",
            "machine's busy time (/proc/stat), load that is not the benchmark's. Latency: from",
            "just before the publish request is sent to the frame read by the client (for",
            "Trackwire it includes the durable SQLite commit). Idle: (VmRSS with every",
            "connection subscribed, 2 s after the last − VmRSS before) ÷ connections.",
        ] {
            println!("{line}");
        }
        let mut noted = false;
        for (kind, scenario, sample) in &self.runs {
            let notes: Vec<String> = match sample {
                Ok(sample) => sample.notes.clone(),
                Err(error) => vec![format!("FAILED: {error}")],
            };
            for note in notes {
                if !noted {
                    println!();
                    noted = true;
                }
                println!("note: {} {}: {note}", kind.short(), scenario.name());
            }
        }
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn ratio(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}×")
    } else {
        format!("{value:.2}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn the_best_peer_is_the_cheapest_or_the_fastest() {
        let mut results = Results::default();
        for (kind, cpu, rate) in [
            (Kind::Trackwire, 6.0, 90_000.0),
            (Kind::Ws, 4.0, 120_000.0),
            (Kind::Socketio, 12.0, 60_000.0),
            (Kind::Ws, 5.0, 110_000.0),
            (Kind::Ws, 9.0, 100_000.0),
        ] {
            let mut sample = Sample::new(0);
            sample.put(Figure::FloodCpu, cpu);
            sample.put(Figure::FloodRate, rate);
            results.add(kind, Scenario::Flood, Ok(sample));
        }
        results.add(Kind::Sockudo, Scenario::Flood, Err("not installed".into()));
        let peers = [Kind::Ws, Kind::Socketio, Kind::Sockudo];
        assert_eq!(results.median(Kind::Ws, Figure::FloodCpu), Some(5.0));
        assert_eq!(
            results.best_peer(&peers, Figure::FloodCpu),
            Some((Kind::Ws, 5.0))
        );
        assert_eq!(
            results.best_peer(&peers, Figure::FloodRate),
            Some((Kind::Ws, 110_000.0))
        );
        assert_eq!(results.median(Kind::Sockudo, Figure::FloodCpu), None);
        assert_eq!(ratio(6.0 / 5.0), "1.20×");
    }
}
