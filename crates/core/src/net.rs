//! Address checks shared by the providers.

use std::net::{IpAddr, Ipv6Addr};

/// Whether `host` (a host name or IP literal, optionally with `:port`, IPv6 in brackets or
/// bare) names this machine: `localhost`, an address in `127.0.0.0/8`, or `::1` (also as the
/// IPv4-mapped `::ffff:127.x.y.z`).
///
/// The providers accept plain `http://` to such a host without `allow_http(true)`: the traffic
/// never leaves the machine (an emulator, a local proxy). Sub-domains of `localhost` are not
/// included, since not every resolver keeps them on the machine.
///
/// ```
/// use bucket_admin_core::is_loopback_host;
/// assert!(is_loopback_host("127.0.0.1:9000"));
/// assert!(is_loopback_host("[::1]:8787"));
/// assert!(is_loopback_host("LOCALHOST"));
/// assert!(!is_loopback_host("10.0.0.1"));
/// assert!(!is_loopback_host("localhost.example.com"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    // `[v6]` or `[v6]:port`.
    if let Some(rest) = host.strip_prefix('[') {
        return rest
            .split_once(']')
            .and_then(|(ip, _)| ip.parse::<Ipv6Addr>().ok())
            .is_some_and(|ip| IpAddr::V6(ip).is_loopback() || is_mapped_loopback(ip));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match ip {
            IpAddr::V4(v4) => v4.is_loopback(),
            IpAddr::V6(v6) => v6.is_loopback() || is_mapped_loopback(v6),
        };
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    name.parse::<std::net::Ipv4Addr>()
        .is_ok_and(|ip| ip.is_loopback())
}

fn is_mapped_loopback(ip: Ipv6Addr) -> bool {
    ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn loopback_hosts_only() {
        for yes in [
            "127.0.0.1",
            "127.255.0.9:80",
            "localhost",
            "localhost:9000",
            "::1",
            "[::1]",
            "[::1]:8787",
            "[::ffff:127.0.0.1]:1",
        ] {
            assert!(is_loopback_host(yes), "{yes}");
        }
        for no in [
            "128.0.0.1",
            "10.0.0.1:80",
            "example.com",
            "localhost.example.com",
            "bucket.localhost",
            "[::2]:80",
            "0.0.0.0",
            "",
            "127.0.0.1.nip.io",
        ] {
            assert!(!is_loopback_host(no), "{no}");
        }
    }
}
