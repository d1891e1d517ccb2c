//! The process manager's side of serving: a listening socket handed down instead of bound (systemd
//! socket activation, `systemfd`, `cargo servey dev`), and the readiness notice sent once the app is
//! up (systemd's `Type=notify`, `cargo servey dev`'s cue to stop the build it replaces).
//!
//! Both follow systemd's conventions: `LISTEN_FDS=1` (with `LISTEN_PID` equal to this process's id,
//! or unset) says that fd 3 is the listening TCP socket; `NOTIFY_SOCKET` names the unix datagram
//! socket that `READY=1` and `STOPPING=1` are sent to.

use servey_core::ServeyConfig;
use tokio::net::TcpListener;

use crate::serve::StartError;

/// The socket to serve: the one this process was handed (`LISTEN_FDS`), else `SERVER_HOST:SERVER_PORT`
/// bound now.
pub(crate) async fn listener(config: &ServeyConfig) -> Result<TcpListener, StartError> {
    match inherited_listener(config)? {
        Some(listener) => Ok(listener),
        None => Ok(TcpListener::bind((config.host.as_str(), config.port)).await?),
    }
}

/// The listening socket this process was handed (`LISTEN_FDS`), or `None` to bind one.
///
/// `LISTEN_FDS` is read through `config`'s settings first, so that an app built from a map of
/// settings (a test) never takes the process's descriptors.
fn inherited_listener(config: &ServeyConfig) -> Result<Option<TcpListener>, StartError> {
    if config.settings.get("LISTEN_FDS").is_none() {
        return Ok(None);
    }
    // Reads LISTEN_FDS and LISTEN_PID from the environment (and removes them, so that processes this
    // app starts do not take the socket for theirs); a LISTEN_PID of another process yields nothing.
    let mut handed = listenfd::ListenFd::from_env();
    let listener = handed.take_tcp_listener(0).map_err(|error| {
        std::io::Error::new(
            error.kind(),
            format!(
                "LISTEN_FDS is set, but descriptor 3 is not a listening TCP socket ({error}); unset \
                 LISTEN_FDS to bind SERVER_HOST:SERVER_PORT instead"
            ),
        )
    })?;
    let Some(listener) = listener else {
        return Ok(None);
    };
    listener.set_nonblocking(true)?;
    let listener = TcpListener::from_std(listener)?;
    tracing::debug!(address = %listener.local_addr()?, "serving on the socket handed down (LISTEN_FDS)");
    Ok(Some(listener))
}

/// Where readiness and stopping are announced (`NOTIFY_SOCKET`), if anywhere.
#[derive(Debug, Clone)]
pub(crate) struct Notifier {
    #[cfg(unix)]
    socket: Option<String>,
}

impl Notifier {
    /// The notifier of `config`'s `NOTIFY_SOCKET` for a server that `owns_the_process`; one that sends
    /// nothing when it is not set, or for a server that does not speak for its process.
    pub(crate) fn from_config(config: &ServeyConfig, owns_the_process: bool) -> Self {
        let socket = config
            .settings
            .get("NOTIFY_SOCKET")
            .filter(|_| owns_the_process);
        #[cfg(not(unix))]
        let _ = socket;
        Self {
            #[cfg(unix)]
            socket,
        }
    }

    /// Says that the app serves: `READY=1` with this process's id.
    pub(crate) fn ready(&self) {
        self.send(&format!("READY=1\nMAINPID={}\n", std::process::id()));
    }

    /// Says that the app stops.
    pub(crate) fn stopping(&self) {
        self.send("STOPPING=1\n");
    }

    #[cfg(unix)]
    fn send(&self, message: &str) {
        let Some(path) = &self.socket else {
            return;
        };
        if let Err(error) = send_datagram(path, message.as_bytes()) {
            tracing::warn!(%error, socket = %path, "NOTIFY_SOCKET could not be told `{}`", message.trim());
        }
    }

    #[cfg(not(unix))]
    fn send(&self, _message: &str) {}
}

/// One datagram to the unix socket at `path` (`@name` is an abstract socket, on Linux).
#[cfg(unix)]
fn send_datagram(path: &str, message: &[u8]) -> std::io::Result<usize> {
    let socket = std::os::unix::net::UnixDatagram::unbound()?;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(name) = path.strip_prefix('@') {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
        return socket.send_to_addr(message, &address);
    }
    socket.send_to(message, path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn config(settings: &'static [(&'static str, &'static str)]) -> ServeyConfig {
        ServeyConfig::from_lookup(|key| {
            settings
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn ready_and_stopping_reach_the_notify_socket() {
        let directory = std::env::temp_dir().join(format!("servey-notify-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("a temporary directory");
        let path = directory.join("notify.sock");
        let _ = std::fs::remove_file(&path);
        let receiver = std::os::unix::net::UnixDatagram::bind(&path).expect("bound");
        let path_text: &'static str = Box::leak(path.display().to_string().into_boxed_str());
        let settings: &'static [(&str, &str)] = Box::leak(Box::new([("NOTIFY_SOCKET", path_text)]));
        let notifier = Notifier::from_config(&config(settings), true);

        notifier.ready();
        notifier.stopping();

        let mut buffer = [0; 256];
        let length = receiver.recv(&mut buffer).expect("a datagram");
        assert_eq!(
            std::str::from_utf8(&buffer[..length]).expect("text"),
            format!("READY=1\nMAINPID={}\n", std::process::id())
        );
        let length = receiver.recv(&mut buffer).expect("a datagram");
        assert_eq!(&buffer[..length], b"STOPPING=1\n");
        let _ = std::fs::remove_dir_all(&directory);
    }

    #[test]
    fn without_listen_fds_nothing_is_inherited() {
        let listener = inherited_listener(&config(&[])).expect("no error");
        assert!(listener.is_none());
    }
}
