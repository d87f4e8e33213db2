//! The figures and their tables.

use crate::client::FleetReport;
use crate::publish::Published;

pub(crate) struct Run {
    pub(crate) machine: String,
    pub(crate) server: String,
    pub(crate) open_files_limit: u64,
    pub(crate) placement: String,
    pub(crate) args: String,
    pub(crate) idle: Option<Idle>,
    pub(crate) phases: Vec<Phase>,
}

pub(crate) struct Idle {
    pub(crate) connections: usize,
    pub(crate) connect_s: f64,
    pub(crate) rss_before_kib: Option<u64>,
    pub(crate) rss_after_kib: Option<u64>,
    pub(crate) server_open_files: Option<usize>,
    pub(crate) lost: usize,
}

pub(crate) struct Phase {
    pub(crate) subscribers: usize,
    pub(crate) flood_events: usize,
    pub(crate) paced_events: usize,
    pub(crate) paced_rate: f64,
    /// First flood POST → last flood delivery.
    pub(crate) flood_wall_s: f64,
    pub(crate) flood_complete: bool,
    pub(crate) paced_complete: bool,
    /// Server CPU from just before the first flood POST to the last flood
    /// delivery.
    pub(crate) server_cpu_s: Option<Cpu>,
    /// This process's CPU over the same window (the clients' share of the
    /// two cores).
    pub(crate) bench_cpu_s: Option<Cpu>,
    /// CPU seconds of the whole machine over the same window.
    pub(crate) machine_busy_s: Option<f64>,
    /// Steal time of the machine's virtual CPUs over the same window.
    pub(crate) steal_s: Option<f64>,
    pub(crate) flood: Published,
    pub(crate) paced: Published,
    pub(crate) seen: FleetReport,
}

/// CPU seconds over a window.
#[derive(Clone, Copy)]
pub(crate) struct Cpu {
    pub(crate) user_s: f64,
    pub(crate) system_s: f64,
}

impl Cpu {
    fn total(self) -> f64 {
        self.user_s + self.system_s
    }
}

/// `total (user u + system s)`.
fn cpu(value: Option<Cpu>) -> String {
    match value {
        Some(cpu) => format!(
            "{:.2} ({:.2}u+{:.2}s)",
            cpu.total(),
            cpu.user_s,
            cpu.system_s
        ),
        None => "-".into(),
    }
}

/// Nearest-rank percentile of µs values, in ms.
pub(crate) fn percentile_ms(sorted: &[u32], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0)
}

fn ms(value: Option<f64>) -> String {
    match value {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
        None => "-".into(),
    }
}

pub(crate) fn sorted(values: &[u32]) -> Vec<u32> {
    let mut values = values.to_vec();
    values.sort_unstable();
    values
}

/// Thousands separated by commas.
pub(crate) fn count(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A Markdown pipe table (right-aligned but the first column), to paste
/// into docs as it is.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: Vec<String>| {
        let cells: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                let pad = " ".repeat(w.saturating_sub(width(cell)));
                if i == 0 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        println!("| {} |", cells.join(" | "));
    };
    line(header.iter().map(|h| h.to_string()).collect());
    line(
        widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                if i == 0 {
                    "-".repeat(w)
                } else {
                    format!("{}:", "-".repeat(w.saturating_sub(1)))
                }
            })
            .collect(),
    );
    for row in rows {
        line(row.clone());
    }
}

pub(crate) fn print(run: &Run) {
    println!();
    println!("trackwire-bench");
    println!("  machine:    {}", run.machine);
    println!("  server:     {}", run.server);
    println!(
        "  open files: {} (soft limit, raised to the hard limit)",
        run.open_files_limit
    );
    println!("  placement:  {}", run.placement);
    println!("  workload:   {}", run.args);

    if let Some(idle) = &run.idle {
        println!();
        println!("Server memory per idle subscribed connection");
        match (idle.rss_before_kib, idle.rss_after_kib) {
            (Some(before), Some(after)) => {
                let per = (after as f64 - before as f64) / idle.connections as f64;
                println!(
                    "  VmRSS {:.1} MiB before, {:.1} MiB with {} connections: {per:.2} KiB per connection",
                    before as f64 / 1024.0,
                    after as f64 / 1024.0,
                    count(idle.connections as f64),
                );
            }
            _ => println!("  (no server pid: not measured)"),
        }
        if let Some(files) = idle.server_open_files {
            println!("  server open files while connected: {files}");
        }
        println!(
            "  all {} subscribed in {:.1} s{}",
            count(idle.connections as f64),
            idle.connect_s,
            if idle.lost > 0 {
                format!("; {} dropped before the end", idle.lost)
            } else {
                String::new()
            }
        );
    }

    if run.phases.is_empty() {
        return;
    }
    println!();
    println!("Fan-out, flood: events POSTed as fast as the server answers");
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for phase in &run.phases {
        let latencies = sorted(&phase.seen.flood_us);
        let deliveries = latencies.len();
        let rate = deliveries as f64 / phase.flood_wall_s.max(1e-9);
        let per_million = |cpu: Option<Cpu>| {
            cpu.filter(|_| deliveries > 0)
                .map(|cpu| format!("{:.2}", cpu.total() / (deliveries as f64 / 1e6)))
                .unwrap_or_else(|| "-".into())
        };
        let round_trips = sorted(&phase.flood.round_trips_us);
        let busy = |cpu: Option<Cpu>| {
            cpu.map(|cpu| format!("{:.0}%", 100.0 * cpu.total() / phase.flood_wall_s.max(1e-9)))
                .unwrap_or_else(|| "-".into())
        };
        rows.push(vec![
            count(phase.subscribers as f64),
            phase.flood_events.to_string(),
            count(deliveries as f64),
            format!("{:.3}", phase.flood_wall_s),
            count(rate),
            ms(percentile_ms(&latencies, 50.0)),
            ms(percentile_ms(&latencies, 99.0)),
            ms(percentile_ms(&latencies, 100.0)),
            cpu(phase.server_cpu_s),
            busy(phase.server_cpu_s),
            per_million(phase.server_cpu_s),
            cpu(phase.bench_cpu_s),
            busy(phase.bench_cpu_s),
            others(phase),
            phase
                .steal_s
                .map(|steal| format!("{:.0}%", 100.0 * steal / phase.flood_wall_s.max(1e-9)))
                .unwrap_or_else(|| "-".into()),
            ms(percentile_ms(&round_trips, 50.0)),
        ]);
        notes.extend(phase_notes(phase));
    }
    table(
        &[
            "subscribers",
            "events",
            "deliveries",
            "wall s",
            "deliveries/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "server CPU s",
            "server busy",
            "server CPU s per M deliveries",
            "bench CPU s",
            "bench busy",
            "others busy",
            "steal",
            "POST p50 ms",
        ],
        &rows,
    );

    println!();
    println!("Latency at a moderate, paced rate");
    let mut rows = Vec::new();
    for phase in &run.phases {
        let latencies = sorted(&phase.seen.paced_us);
        let round_trips = sorted(&phase.paced.round_trips_us);
        rows.push(vec![
            count(phase.subscribers as f64),
            phase.paced_events.to_string(),
            format!("{}", phase.paced_rate),
            count(phase.paced_rate * phase.subscribers as f64),
            count(latencies.len() as f64),
            ms(percentile_ms(&latencies, 50.0)),
            ms(percentile_ms(&latencies, 99.0)),
            ms(percentile_ms(&latencies, 100.0)),
            ms(percentile_ms(&round_trips, 50.0)),
            ms(percentile_ms(&round_trips, 99.0)),
        ]);
    }
    table(
        &[
            "subscribers",
            "events",
            "events/s",
            "offered deliveries/s",
            "deliveries",
            "p50 ms",
            "p99 ms",
            "max ms",
            "POST p50 ms",
            "POST p99 ms",
        ],
        &rows,
    );
    println!();
    println!("Latency: from just before the POST is sent to the frame read by the client");
    println!("(includes the REST call and the durable SQLite commit). Wall time: first POST");
    println!("to last delivery. CPU: utime+stime (u+s) from /proc over that window;");
    println!("busy: that CPU time over the wall time (100% = one core). The benchmark");
    println!("process runs every client and the publisher; others: the rest of the");
    println!("machine's busy time (/proc/stat) over the window, load that is not ours;");
    println!("steal: time the hypervisor gave our virtual CPUs to someone else.");
    if !notes.is_empty() {
        println!();
        for note in notes {
            println!("note: {note}");
        }
    }
}

/// What the rest of the machine (other processes, the kernel's own work)
/// used over the flood window, as a share of one core.
fn others(phase: &Phase) -> String {
    let (Some(all), Some(server), Some(bench)) =
        (phase.machine_busy_s, phase.server_cpu_s, phase.bench_cpu_s)
    else {
        return "-".into();
    };
    let rest = (all - server.total() - bench.total()).max(0.0);
    format!("{:.0}%", 100.0 * rest / phase.flood_wall_s.max(1e-9))
}

fn phase_notes(phase: &Phase) -> Vec<String> {
    let mut notes = Vec::new();
    let n = phase.subscribers;
    if !phase.flood_complete {
        notes.push(format!(
            "{n} subscribers: flood incomplete, {} of {} deliveries",
            phase.seen.flood_us.len(),
            n * phase.flood_events
        ));
    }
    if !phase.paced_complete {
        notes.push(format!(
            "{n} subscribers: paced part incomplete, {} of {} deliveries",
            phase.seen.paced_us.len(),
            n * phase.paced_events
        ));
    }
    for (what, published) in [("flood", &phase.flood), ("paced", &phase.paced)] {
        if published.failed > 0 {
            notes.push(format!(
                "{n} subscribers: {} {what} POSTs failed; first: {}",
                published.failed,
                published.first_error.as_deref().unwrap_or("?")
            ));
        }
    }
    if phase.seen.lost > 0 {
        notes.push(format!(
            "{n} subscribers: {} connections ended early; first: {}",
            phase.seen.lost,
            phase.seen.first_loss.as_deref().unwrap_or("?")
        ));
    }
    if phase.seen.foreign > 0 {
        notes.push(format!(
            "{n} subscribers: {} event frames without a benchmark stamp",
            phase.seen.foreign
        ));
    }
    notes
}
