//! `PatchedScripts`: the connection the background workers give apalis-redis, which runs servey's
//! patched copies of three of its Lua scripts in place of the originals. apalis-redis 1.0's `fetch_next`
//! promotes every due job with one `unpack(...)`, and `reenqueue_orphaned` pushes a dead worker's jobs
//! back the same way; Redis's Lua refuses more than about 8,000 values there ("too many results to
//! unpack"), so a larger backlog failed every fetch (or heartbeat) for good and no job ran again. And
//! `register_worker` writes a global key that a Redis Cluster keeps in another slot, which failed every
//! worker's registration there.
//!
//! apalis-redis loads its scripts with `include_str!` and offers no way to replace them, but its storage
//! takes any `ConnectionLike`: this one recognises each broken script by the SHA-1 apalis-redis sends
//! (`EVALSHA`) and runs the patched copy, with the same keys and arguments, instead. A script it does not
//! recognise (any script of another apalis-redis version) passes through untouched, so an upgrade can
//! never run a patch against a script it was not written for; the backlog test says whether the new
//! version still needs one.

use std::sync::LazyLock;

use ::redis::aio::ConnectionLike;
use ::redis::{Arg, Cmd, Pipeline, RedisFuture, Script, Value};

/// apalis-redis 1.0.0's scripts that servey patches, by the SHA-1 of their text, and the patched copy.
static PATCHED: LazyLock<[(&str, Script); 3]> = LazyLock::new(|| {
    [
        (
            "f053fd9b41b61a2d32b8b7d8dba3f1a96e3aa6e1",
            Script::new(include_str!("lua/fetch_next.lua")),
        ),
        (
            "6b6f3808de063cd4ca38e9e11b6968a6cc826069",
            Script::new(include_str!("lua/reenqueue_orphaned.lua")),
        ),
        (
            "0d5fbce91e1dcff1121ece41f7169da3c0e39194",
            Script::new(include_str!("lua/register_worker.lua")),
        ),
    ]
});

/// A Redis connection that runs servey's patched copies of apalis-redis's broken scripts.
#[derive(Clone)]
pub(crate) struct PatchedScripts(crate::Connection);

impl PatchedScripts {
    /// Commands go through `connection`.
    pub(crate) fn new(connection: crate::Connection) -> Self {
        Self(connection)
    }
}

/// A patched script to run in place of a command's, with the command's keys and arguments.
struct Replacement<'a> {
    script: &'static Script,
    keys: Vec<&'a [u8]>,
    argv: Vec<&'a [u8]>,
}

/// What to run instead of `command` when it is an `EVALSHA` of a script servey patches.
fn replacement(command: &Cmd) -> Option<Replacement<'_>> {
    let mut args = command.args_iter().map(|arg| match arg {
        Arg::Simple(bytes) => Some(bytes),
        _ => None,
    });
    if !args.next()??.eq_ignore_ascii_case(b"EVALSHA") {
        return None;
    }
    let sha = args.next()??;
    let (_, script) = PATCHED
        .iter()
        .find(|(upstream, _)| upstream.as_bytes() == sha)?;
    let key_count: usize = std::str::from_utf8(args.next()??).ok()?.parse().ok()?;
    let mut keys: Vec<&[u8]> = args.collect::<Option<_>>()?;
    if keys.len() < key_count {
        return None;
    }
    let argv = keys.split_off(key_count);
    Some(Replacement { script, keys, argv })
}

impl ConnectionLike for PatchedScripts {
    fn req_packed_command<'a>(&'a mut self, command: &'a Cmd) -> RedisFuture<'a, Value> {
        let Some(Replacement { script, keys, argv }) = replacement(command) else {
            return self.0.req_packed_command(command);
        };
        Box::pin(async move {
            let mut invocation = script.prepare_invoke();
            for key in keys {
                invocation.key(key);
            }
            for arg in argv {
                invocation.arg(arg);
            }
            // Loads the patched script when Redis does not have it yet (a new or restarted server).
            invocation.invoke_async(&mut self.0).await
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        self.0.req_packed_commands(pipeline, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_broken_scripts_are_replaced_with_their_keys_and_arguments_kept() {
        let fetch = PATCHED[0].0;
        let mut command = ::redis::cmd("EVALSHA");
        command.arg(fetch).arg(2).arg("k1").arg("k2").arg("a1");
        let Replacement { script, keys, argv } =
            replacement(&command).expect("the fetch script is patched");
        assert_eq!(script.get_hash(), PATCHED[0].1.get_hash());
        assert_ne!(script.get_hash(), fetch, "the patched text differs");
        assert_eq!(keys, [b"k1".as_slice(), b"k2"]);
        assert_eq!(argv, [b"a1".as_slice()]);
        let mut other = ::redis::cmd("EVALSHA");
        other.arg("0123456789abcdef0123456789abcdef01234567").arg(0);
        assert!(replacement(&other).is_none(), "other scripts pass through");
        let mut get = ::redis::cmd("GET");
        get.arg(fetch);
        assert!(replacement(&get).is_none(), "other commands pass through");
    }
}
