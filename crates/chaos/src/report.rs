//! What a scenario prints: its name and seed, its figures line by line,
//! and the checker's verdict.

use std::fmt;

use crate::checker::Verdict;

#[derive(Debug, Default)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub lines: Vec<String>,
    pub verdict: Verdict,
    /// Promises outside the history (a refusal's code, a start that must
    /// fail): each broken one, in words.
    pub broken: Vec<String>,
}

impl Report {
    pub fn new(scenario: &str, seed: u64) -> Self {
        Self {
            scenario: scenario.to_owned(),
            seed,
            ..Self::default()
        }
    }

    pub fn line(&mut self, line: impl Into<String>) {
        let line = line.into();
        eprintln!("[{}] {line}", self.scenario);
        self.lines.push(line);
    }

    /// Records a promise kept or broken.
    pub fn expect(&mut self, kept: bool, promise: impl Into<String>) {
        let promise = promise.into();
        self.line(format!("{}: {promise}", if kept { "ok" } else { "BROKEN" }));
        if !kept {
            self.broken.push(promise);
        }
    }

    pub fn ok(&self) -> bool {
        self.verdict.ok() && self.broken.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "== scenario {} (seed {}; replay with --seed {})",
            self.scenario, self.seed, self.seed
        )?;
        for line in &self.lines {
            writeln!(f, "  {line}")?;
        }
        if let Some(first) = self.broken.first() {
            writeln!(f, "  {} promises broken; first: {first}", self.broken.len())?;
        }
        write!(f, "  {}", self.verdict)
    }
}
