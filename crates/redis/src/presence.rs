//! [`RedisPresence`]: who is watching what, the same on every node.
//!
//! Per presence key `K` (a tenant's topic), under the prefix `p`:
//!
//! - `p:pr:K:e`, a sorted set of entries `subject␟node`, scored by when
//!   the entry expires (Redis's own clock, so nodes' clocks do not matter);
//! - `p:pr:K:c`, a hash `subject␟node` → connections of that person on
//!   that node;
//! - `p:pr:K:m`, a hash `subject` → the member (role, since) as JSON;
//! - `p:pr:keys`, every key with entries, and `p:pr:node:N`, the keys
//!   node `N` has entries in.
//!
//! Each operation is one Lua script, so two nodes never see half of
//! another's change: a join and a leave of one person on two nodes, or two
//! nodes expiring the same dead node's entries, stay consistent.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::Script;
use trackwire_gateway::presence::{Member, Presence, PresenceKey};

use crate::names;

/// Splits an entry into subject and node (the unit separator, which no
/// sane subject contains; a subject that does is still told apart, since
/// the node name is known).
const SCRIPTS_PRELUDE: &str = r#"
local sep = string.char(31)
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function names(p, k)
  local base = p .. ':pr:' .. k
  return base .. ':e', base .. ':c', base .. ':m'
end
local function live(e, subject, now)
  for _, f in ipairs(redis.call('ZRANGEBYSCORE', e, '(' .. now, '+inf')) do
    if string.sub(f, 1, #subject + 1) == subject .. sep then return true end
  end
  return false
end
"#;

/// ARGV: prefix, key, subject, node, lease ms, member JSON.
const JOIN: &str = r#"
local p, k, subject, node, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local e, c, m = names(p, k)
local now = now_ms()
local was_here = live(e, subject, now)
local entry = subject .. sep .. node
redis.call('HINCRBY', c, entry, 1)
redis.call('ZADD', e, now + lease, entry)
redis.call('SADD', p .. ':pr:keys', k)
redis.call('SADD', p .. ':pr:node:' .. node, k)
if was_here then return false end
redis.call('HSET', m, subject, ARGV[6])
return ARGV[6]
"#;

/// ARGV: prefix, key, subject, node.
const LEAVE: &str = r#"
local p, k, subject, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local e, c, m = names(p, k)
local entry = subject .. sep .. node
if redis.call('HEXISTS', c, entry) == 0 then return false end
if redis.call('HINCRBY', c, entry, -1) <= 0 then
  redis.call('HDEL', c, entry)
  redis.call('ZREM', e, entry)
end
if live(e, subject, now_ms()) then return false end
local member = redis.call('HGET', m, subject)
redis.call('HDEL', m, subject)
return member
"#;

/// ARGV: prefix, key. The members with a live entry.
const MEMBERS: &str = r#"
local p, k = ARGV[1], ARGV[2]
local e, c, m = names(p, k)
local out, seen = {}, {}
for _, f in ipairs(redis.call('ZRANGEBYSCORE', e, '(' .. now_ms(), '+inf')) do
  local at = string.find(f, sep, 1, true)
  local subject = string.sub(f, 1, (at or 0) - 1)
  if not seen[subject] then
    seen[subject] = true
    local member = redis.call('HGET', m, subject)
    if member then table.insert(out, member) end
  end
end
return out
"#;

/// ARGV: prefix, node, lease ms. Extends every entry of the node.
const REFRESH: &str = r#"
local p, node, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local expires = now_ms() + lease
local suffix = sep .. node
local index = p .. ':pr:node:' .. node
for _, k in ipairs(redis.call('SMEMBERS', index)) do
  local e, c = names(p, k)
  local any = false
  for _, f in ipairs(redis.call('HKEYS', c)) do
    if string.sub(f, -#suffix) == suffix then
      redis.call('ZADD', e, 'XX', expires, f)
      any = true
    end
  end
  if not any then redis.call('SREM', index, k) end
end
return 0
"#;

/// ARGV: prefix. Takes every expired entry; returns [key, member, …] for
/// the members left with no live entry.
const EXPIRE: &str = r#"
local p = ARGV[1]
local now = now_ms()
local out = {}
for _, k in ipairs(redis.call('SMEMBERS', p .. ':pr:keys')) do
  local e, c, m = names(p, k)
  for _, f in ipairs(redis.call('ZRANGEBYSCORE', e, '-inf', now)) do
    redis.call('ZREM', e, f)
    redis.call('HDEL', c, f)
    local at = string.find(f, sep, 1, true)
    local subject = string.sub(f, 1, (at or 0) - 1)
    if not live(e, subject, now) then
      local member = redis.call('HGET', m, subject)
      if member then
        redis.call('HDEL', m, subject)
        table.insert(out, k)
        table.insert(out, member)
      end
    end
  end
  if redis.call('ZCARD', e) == 0 then
    redis.call('SREM', p .. ':pr:keys', k)
    redis.call('DEL', c, m)
  end
end
return out
"#;

pub struct RedisPresence {
    commands: ConnectionManager,
    prefix: String,
    node: String,
    lease: Duration,
    scripts: Scripts,
}

struct Scripts {
    join: Script,
    leave: Script,
    members: Script,
    refresh: Script,
    expire: Script,
}

impl RedisPresence {
    /// Presence of node `node` over the Redis at `client`, names under
    /// `prefix`, entries living `lease` past the node's last refresh.
    pub async fn connect(
        client: &redis::Client,
        prefix: &str,
        node: &str,
        lease: Duration,
    ) -> Result<Self, redis::RedisError> {
        let script = |body: &str| Script::new(&format!("{SCRIPTS_PRELUDE}{body}"));
        Ok(Self {
            commands: crate::commands(client).await?,
            prefix: prefix.to_owned(),
            node: node.to_owned(),
            lease,
            scripts: Scripts {
                join: script(JOIN),
                leave: script(LEAVE),
                members: script(MEMBERS),
                refresh: script(REFRESH),
                expire: script(EXPIRE),
            },
        })
    }

    fn lease_ms(&self) -> u64 {
        u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX)
    }

    async fn run<T: redis::FromRedisValue>(
        &self,
        what: &str,
        invocation: &mut redis::ScriptInvocation<'_>,
    ) -> Option<T> {
        let mut commands = self.commands.clone();
        match invocation.invoke_async(&mut commands).await {
            Ok(value) => Some(value),
            Err(error) => {
                // Ephemeral state: the next refresh or join puts it right.
                tracing::warn!(%error, what, "redis presence failed");
                None
            }
        }
    }
}

fn member(json: &str) -> Option<Member> {
    serde_json::from_str(json).ok()
}

#[async_trait]
impl Presence for RedisPresence {
    async fn join(&self, key: &PresenceKey, subject: &str, role: &str) -> Option<Member> {
        let candidate = Member {
            subject: subject.to_owned(),
            role: role.to_owned(),
            since: chrono::Utc::now(),
        };
        let json = serde_json::to_string(&candidate).ok()?;
        let mut invocation = self.scripts.join.prepare_invoke();
        invocation
            .arg(&self.prefix)
            .arg(names::presence_key(key))
            .arg(subject)
            .arg(&self.node)
            .arg(self.lease_ms())
            .arg(json);
        let joined: Option<String> = self.run("join", &mut invocation).await?;
        joined.as_deref().and_then(member)
    }

    async fn leave(&self, key: &PresenceKey, subject: &str) -> Option<Member> {
        let mut invocation = self.scripts.leave.prepare_invoke();
        invocation
            .arg(&self.prefix)
            .arg(names::presence_key(key))
            .arg(subject)
            .arg(&self.node);
        let left: Option<String> = self.run("leave", &mut invocation).await?;
        left.as_deref().and_then(member)
    }

    async fn members(&self, key: &PresenceKey) -> Vec<Member> {
        let mut invocation = self.scripts.members.prepare_invoke();
        invocation.arg(&self.prefix).arg(names::presence_key(key));
        let found: Vec<String> = self
            .run("members", &mut invocation)
            .await
            .unwrap_or_default();
        let mut members: Vec<Member> = found.iter().filter_map(|json| member(json)).collect();
        members.sort_by(|a, b| a.since.cmp(&b.since).then(a.subject.cmp(&b.subject)));
        members
    }

    async fn refresh(&self) {
        let mut invocation = self.scripts.refresh.prepare_invoke();
        invocation
            .arg(&self.prefix)
            .arg(&self.node)
            .arg(self.lease_ms());
        let _: Option<i64> = self.run("refresh", &mut invocation).await;
    }

    async fn expire(&self) -> Vec<(PresenceKey, Member)> {
        let mut invocation = self.scripts.expire.prepare_invoke();
        invocation.arg(&self.prefix);
        let flat: Vec<String> = self
            .run("expire", &mut invocation)
            .await
            .unwrap_or_default();
        flat.chunks_exact(2)
            .filter_map(|pair| Some((names::parse_presence_key(&pair[0])?, member(&pair[1])?)))
            .collect()
    }

    fn lease(&self) -> Duration {
        self.lease
    }
}
