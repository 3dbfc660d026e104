//! Which process listens on a loopback port: the driver's ports are free when asked for, but
//! another test may bind one before tauri-driver does, so [`super::Driver::start`] checks that
//! its own process group serves both before it talks to them.

use std::collections::HashSet;
use std::net::{Ipv4Addr, TcpListener};

/// An ephemeral loopback port free at the time of asking. Another process may take it before
/// tauri-driver binds it: [`super::Driver::start`] checks who listens and retries.
pub(super) fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral loopback port")
}

/// Who listens on a TCP port of this machine, as far as a driver's process group is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listener {
    Nobody,
    /// A process of the group.
    Ours,
    /// Some other process: another test's driver took the port first.
    Foreign,
}

/// The inodes of the sockets listening on `port` (any address, IPv4 or IPv6), from the
/// kernel's tables.
pub(super) fn listening_inodes(port: u16) -> Vec<u64> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        for line in text.lines().skip(1) {
            let columns: Vec<&str> = line.split_whitespace().collect();
            if columns.len() < 10 || columns[3] != "0A" {
                continue; // not LISTEN
            }
            let local_port = columns[1]
                .rsplit_once(':')
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) {
                inodes.extend(columns[9].parse::<u64>().ok());
            }
        }
    }
    inodes
}

/// The inodes of the sockets that processes of the process group `group` hold open.
pub(super) fn group_sockets(group: u32) -> HashSet<u64> {
    let mut sockets = HashSet::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return sockets;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // The fields after the command name (which may hold spaces): state ppid pgrp ...
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let pgrp = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|g| g.parse::<u32>().ok());
        if pgrp != Some(group) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse::<u64>().ok())
            {
                sockets.insert(inode);
            }
        }
    }
    sockets
}

/// Who listens on `port`, given the inodes listening on it and the sockets of the group. The
/// listeners must be read before the group's sockets: a socket listening when the table was read
/// and held by the group is still held when its descriptors are read after; the other order
/// would call a socket the group opened in between another process's.
pub(super) fn listener(listening: &[u64], ours: &HashSet<u64>) -> Listener {
    if listening.is_empty() {
        Listener::Nobody
    } else if listening.iter().any(|i| ours.contains(i)) {
        Listener::Ours
    } else {
        Listener::Foreign
    }
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};

    use super::super::ProcessGroup;
    use super::*;

    /// The process group of this test process.
    fn own_group() -> u32 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        let (_, rest) = stat.rsplit_once(')').unwrap();
        rest.split_whitespace().nth(2).unwrap().parse().unwrap()
    }

    /// A process in a group of its own that holds no socket (`cat` waiting on its stdin).
    fn other_group() -> ProcessGroup {
        ProcessGroup::spawn(
            "cat",
            Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::null()),
        )
    }

    #[test]
    fn a_port_is_ours_only_when_a_process_of_the_group_listens_on_it() {
        let held = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = held.local_addr().unwrap().port();
        let listening = listening_inodes(port);
        // Ours at least: a test running beside this one may listen on the same number on
        // IPv6 (`::1` and `127.0.0.1` are separate), which does not change the answers below.
        assert!(!listening.is_empty(), "{listening:?}");
        assert_eq!(
            listener(&listening, &group_sockets(own_group())),
            Listener::Ours
        );
        let mut other = other_group();
        let group = other.child().id();
        assert_eq!(
            listener(&listening, &group_sockets(group)),
            Listener::Foreign
        );
        assert_eq!(listener(&[], &group_sockets(group)), Listener::Nobody);
    }
}
