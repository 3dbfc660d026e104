//! The SSRF guard: which addresses research may connect to.
//!
//! Refused: loopback, private (RFC 1918, unique-local), link-local, CGNAT (100.64/10), multicast,
//! broadcast, unspecified, documentation, benchmarking and other reserved ranges, for IP-literal
//! URLs (IPv4, IPv6, and the IPv4 address embedded in IPv4-mapped, IPv4-translated, NAT64,
//! local-use NAT64 and 6to4 forms) and for every address a name resolves
//! to. The fetcher connects only to addresses this guard returned, so a DNS answer that changes
//! between the check and the connection (DNS rebinding) cannot slip through.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Why a URL or address may not be fetched, in words a salesperson can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("only http and https addresses can be researched, not {0}")]
    Scheme(String),
    #[error("the address has no host name")]
    NoHost,
    #[error("{host} points to {addr}, a {kind} address; research only reads public websites")]
    NotPublic {
        host: String,
        addr: IpAddr,
        kind: &'static str,
    },
    #[error("{0} could not be found (DNS): {1}")]
    Unresolved(String, String),
    #[error("{0} has no addresses")]
    NoAddresses(String),
}

/// Exact `host:port` pairs let through despite being local: for tests that serve fixture sites
/// on 127.0.0.1. Test names can be pinned to such an address (like curl's `--resolve`), so a
/// fixture site has a real-looking domain. The shipped app always uses [`AllowList::none`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    addrs: HashSet<SocketAddr>,
    hosts: HashMap<String, SocketAddr>,
}

impl AllowList {
    pub fn none() -> AllowList {
        AllowList::default()
    }

    /// Tests only: allow exactly these socket addresses.
    pub fn exact(addrs: impl IntoIterator<Item = SocketAddr>) -> AllowList {
        AllowList {
            addrs: addrs.into_iter().collect(),
            hosts: HashMap::new(),
        }
    }

    /// Tests only: `host` resolves to `addr`, which is allowed.
    pub fn resolve_as(mut self, host: &str, addr: SocketAddr) -> AllowList {
        self.addrs.insert(addr);
        self.hosts.insert(host.to_ascii_lowercase(), addr);
        self
    }

    /// Reads `host=ip:port` or `ip:port` entries separated by commas (the app's test setting).
    pub fn parse(list: &str) -> AllowList {
        let mut allow = AllowList::none();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            match entry.split_once('=') {
                Some((host, addr)) => {
                    if let Ok(addr) = addr.trim().parse() {
                        allow = allow.resolve_as(host.trim(), addr);
                    }
                }
                None => {
                    if let Ok(addr) = entry.parse() {
                        allow.addrs.insert(addr);
                    }
                }
            }
        }
        allow
    }

    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    fn allows(&self, addr: SocketAddr) -> bool {
        self.addrs.contains(&addr)
    }
}

/// The guard with its allow-list.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    allow: AllowList,
}

impl Guard {
    pub fn new(allow: AllowList) -> Guard {
        Guard { allow }
    }

    /// Checks what can be checked without DNS: the scheme, and the address of an IP-literal
    /// host. Names are vetted when they are resolved ([`Guard::resolve`]).
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Scheme(url.scheme().to_owned()));
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let name = url.host_str().unwrap_or_default();
        match url.host().ok_or(Refusal::NoHost)? {
            Host::Ipv4(ip) => self.check(name, SocketAddr::new(IpAddr::V4(ip), port)),
            Host::Ipv6(ip) => self.check(name, SocketAddr::new(IpAddr::V6(ip), port)),
            // A pinned test name connects to its address on the URL's port: that is what must
            // be allowed, not the port it was pinned with.
            Host::Domain(domain) => match self.allow.hosts.get(&domain.to_ascii_lowercase()) {
                Some(pinned) => self.check(name, SocketAddr::new(pinned.ip(), port)),
                None => Ok(()),
            },
        }
    }

    /// Vets a URL and resolves its host, returning the addresses it may connect to (never empty).
    pub async fn resolve(&self, url: &Url) -> Result<Vec<SocketAddr>, Refusal> {
        let port = url.port_or_known_default().unwrap_or(443);
        let host = url.host().ok_or(Refusal::NoHost)?;
        let name = url.host_str().unwrap_or_default().to_owned();
        if let Host::Domain(domain) = &host {
            if let Some(pinned) = self.allow.hosts.get(&domain.to_ascii_lowercase()) {
                // A pinned test name: the fetcher checked the URL itself (its real port) with
                // `check_url` before the request; the resolver only learns the name.
                return Ok(vec![*pinned]);
            }
        }
        self.check_url(url)?;
        let candidates: Vec<SocketAddr> = match host {
            Host::Ipv4(ip) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Host::Ipv6(ip) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Host::Domain(domain) => tokio::net::lookup_host((domain, port))
                .await
                .map_err(|e| Refusal::Unresolved(name.clone(), e.to_string()))?
                .collect(),
        };
        if candidates.is_empty() {
            return Err(Refusal::NoAddresses(name));
        }
        // One bad address refuses the host: a name that mixes public and private answers is
        // exactly what a rebinding attack looks like.
        for addr in &candidates {
            self.check(&name, *addr)?;
        }
        Ok(candidates)
    }

    /// Checks one socket address (also used for each redirect and each connection).
    pub fn check(&self, host: &str, addr: SocketAddr) -> Result<(), Refusal> {
        if self.allow.allows(addr) {
            return Ok(());
        }
        match classify(addr.ip()) {
            None => Ok(()),
            Some(kind) => Err(Refusal::NotPublic {
                host: host.to_owned(),
                addr: addr.ip(),
                kind,
            }),
        }
    }
}

/// `None` for a globally routable unicast address, else what kind of address it is.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    let kind = match o {
        [0, ..] => "unspecified (0.0.0.0/8)",
        [10, ..] => "private",
        [127, ..] => "loopback",
        [169, 254, ..] => "link-local",
        [172, b, ..] if (16..=31).contains(&b) => "private",
        [192, 168, ..] => "private",
        [100, b, ..] if (64..=127).contains(&b) => "carrier-grade NAT",
        [192, 0, 0, _] => "reserved (IETF protocol assignments)",
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => "documentation",
        [198, b, ..] if b == 18 || b == 19 => "benchmarking",
        [192, 88, 99, _] => "reserved (6to4 relay)",
        [a, ..] if (224..=239).contains(&a) => "multicast",
        [255, 255, 255, 255] => "broadcast",
        [a, ..] if a >= 240 => "reserved",
        _ => return None,
    };
    Some(kind)
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    let kind = match s {
        // IPv4-compatible (deprecated) ::a.b.c.d: judge by the embedded address.
        [0, 0, 0, 0, 0, 0, hi, lo] => {
            return classify_v4(Ipv4Addr::new(
                (hi >> 8) as u8,
                hi as u8,
                (lo >> 8) as u8,
                lo as u8,
            ))
            .or(Some("reserved (IPv4-compatible)"));
        }
        // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765, SIIT): a translator would reach the
        // embedded address.
        [0, 0, 0, 0, 0xffff, 0, hi, lo] => {
            return classify_v4(Ipv4Addr::new(
                (hi >> 8) as u8,
                hi as u8,
                (lo >> 8) as u8,
                lo as u8,
            ));
        }
        // NAT64 64:ff9b::/96 embeds an IPv4 address that the gateway would reach.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => {
            return classify_v4(Ipv4Addr::new(
                (hi >> 8) as u8,
                hi as u8,
                (lo >> 8) as u8,
                lo as u8,
            ));
        }
        // Local-use NAT64 64:ff9b:1::/48 (RFC 8215): the network picks the prefix length, so
        // the address is read in every layout RFC 6052 allows for it.
        [0x64, 0xff9b, 1, ..] => return classify_local_nat64(ip.octets()),
        // 6to4 2002:a.b.c.d::/48 embeds the relay's IPv4 address.
        [0x2002, hi, lo, ..] => {
            return classify_v4(Ipv4Addr::new(
                (hi >> 8) as u8,
                hi as u8,
                (lo >> 8) as u8,
                lo as u8,
            ));
        }
        [a, ..] if a & 0xfe00 == 0xfc00 => "private (unique local)",
        [a, ..] if a & 0xffc0 == 0xfe80 => "link-local",
        [a, ..] if a & 0xffc0 == 0xfec0 => "site-local (deprecated)",
        [a, ..] if a & 0xff00 == 0xff00 => "multicast",
        [0x2001, 0x0db8, ..] => "documentation",
        [0x2001, b, ..] if b < 0x0200 => "reserved (IETF special purpose)",
        [0x0100, 0, 0, 0, ..] => "discard-only",
        _ => return None,
    };
    Some(kind)
}

/// An address in 64:ff9b:1::/48 as a local NAT64 gateway would translate it. RFC 6052 puts
/// the IPv4 address after a /48, /56, /64 or /96 prefix, skipping bits 64-71 (the `u` octet,
/// always zero) and leaving zeros after it. Each layout whose `u` octet and suffix are zero is a
/// reading a gateway could make; the /96 one always is. The address is refused when any of
/// them is not public.
fn classify_local_nat64(o: [u8; 16]) -> Option<&'static str> {
    let zero = |range: std::ops::Range<usize>| o[range].iter().all(|b| *b == 0);
    let mut readings = vec![[o[12], o[13], o[14], o[15]]];
    if o[8] == 0 && zero(11..16) {
        readings.push([o[6], o[7], o[9], o[10]]); // /48
    }
    if o[8] == 0 && zero(12..16) {
        readings.push([o[7], o[9], o[10], o[11]]); // /56
    }
    if o[8] == 0 && zero(13..16) {
        readings.push([o[9], o[10], o[11], o[12]]); // /64
    }
    readings
        .into_iter()
        .find_map(|[a, b, c, d]| classify_v4(Ipv4Addr::new(a, b, c, d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for bad in [
            "127.0.0.1",
            "127.255.255.254",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2001:db8::1",
            "::7f00:1",
            "fec0::1",
            // IPv4-translated (RFC 2765) and local-use NAT64 (RFC 8215) in its layouts.
            "::ffff:0:127.0.0.1",
            "::ffff:0:a9fe:a9fe",
            "::ffff:0:10.0.0.1",
            "64:ff9b:1::7f00:1",
            "64:ff9b:1::a00:1",
            "64:ff9b:1:ffff:ffff::a9fe:a9fe",
            "64:ff9b:1:7f00:0:100::",
            "64:ff9b:1:0:7f:0:100:0",
            "64:ff9b:1:0:a:0:100:0",
            "64:ff9b:1:0:c0:a801:100::",
        ] {
            assert!(classify(ip(bad)).is_some(), "{bad} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for good in [
            "93.184.215.14",
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82b::200e",
            "::ffff:93.184.215.14",
            "64:ff9b::808:808",
            "2002:808:808::",
            "::ffff:0:808:808",
            "64:ff9b:1::808:808",
            "64:ff9b:1:abcd::5db8:d70e",
        ] {
            assert_eq!(classify(ip(good)), None, "{good} is public");
        }
    }

    #[tokio::test]
    async fn ip_literal_urls_and_local_names_are_refused_with_a_reason() {
        let guard = Guard::default();
        for url in [
            "http://127.0.0.1/",
            "http://[::1]:8080/",
            "http://[::ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0x7f.1/",
            "http://2130706433/",
            "http://localhost:8080/",
        ] {
            let url = Url::parse(url).unwrap();
            let err = guard.resolve(&url).await.unwrap_err();
            assert!(matches!(err, Refusal::NotPublic { .. }), "{url}: {err}");
            assert!(err
                .to_string()
                .contains("research only reads public websites"));
        }
        let err = guard
            .resolve(&Url::parse("ftp://acme.example/").unwrap())
            .await
            .unwrap_err();
        assert_eq!(err, Refusal::Scheme("ftp".into()));
    }

    #[tokio::test]
    async fn the_test_allow_list_lets_exactly_one_socket_through() {
        let allowed: SocketAddr = "127.0.0.1:45678".parse().unwrap();
        let guard = Guard::new(AllowList::exact([allowed]));
        let ok = guard
            .resolve(&Url::parse("http://127.0.0.1:45678/").unwrap())
            .await
            .unwrap();
        assert_eq!(ok, [allowed]);
        for other in [
            "http://127.0.0.1:45679/",
            "http://127.0.0.2:45678/",
            "http://[::1]:45678/",
        ] {
            assert!(
                guard.resolve(&Url::parse(other).unwrap()).await.is_err(),
                "{other}"
            );
        }
    }
}
