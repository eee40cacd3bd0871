//! Generic HTTP actions that can only reach public addresses.
//!
//! A flow's "HTTP request" action calls a URL an admin typed, so the server must never become a
//! way into its own network (SSRF). [`HttpGuard::send`] enforces, in this order:
//!
//! 1. the scheme is `http` or `https`, the method is a common one, the body at most 1 MiB;
//! 2. the host matches the workspace's allowlist, when it has one;
//! 3. a host that is an IP literal is not in a refused range ([`forbidden_reason`]); the `url`
//!    crate has already normalised `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` and `[::ffff:…]`;
//! 4. a host name is resolved by a resolver that hands the connector only allowed addresses, so
//!    the address checked is the address connected to (no window for DNS rebinding);
//! 5. after connecting, the response's remote address is checked once more.
//!
//! Redirects are returned, never followed; proxies are never used; the whole exchange is bounded
//! by a timeout and the response body by a size cap.
//!
//! `allow_private_networks` turns checks 3–5 off so tests and benchmarks can use a local
//! receiver. The server sets it only from `UW_HTTP_ALLOW_PRIVATE_NETWORKS=true`, which must never
//! be set in production.

use std::{
    collections::BTreeMap,
    error::Error as StdError,
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::{
    dns::{Addrs, Name, Resolve, Resolving},
    header::{HeaderMap, HeaderName, HeaderValue},
    redirect, Method,
};
use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::{Error, Result};

/// The environment variable that sets [`HttpGuardConfig::allow_private_networks`] (only the
/// exact value `true` does). For tests and benchmarks; never in production.
pub const ALLOW_PRIVATE_NETWORKS_ENV: &str = "UW_HTTP_ALLOW_PRIVATE_NETWORKS";
/// Total time for one exchange, from connecting to the last byte of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest wait for a TCP (and TLS) connection; shorter when the total timeout is.
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Response bytes kept by default; the rest is not read and the response is marked truncated.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Largest request body sent.
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;

/// Methods a flow may use. CONNECT and TRACE have no business in a webhook.
const ALLOWED_METHODS: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
];

/// How the guard behaves; the defaults are the production settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpGuardConfig {
    /// Skip every address check (literal hosts, resolved and connected addresses). For a local
    /// recording receiver in tests and benchmarks only.
    pub allow_private_networks: bool,
    /// Total time for one exchange.
    pub timeout: Duration,
    /// Response body bytes kept.
    pub max_response_bytes: usize,
}

impl Default for HttpGuardConfig {
    fn default() -> Self {
        Self {
            allow_private_networks: false,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// A request a flow wants to send, after templates were rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
}

/// What came back. A 3xx is a response like any other: its `Location` is not followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundResponse {
    pub status: u16,
    /// Header names in lower case; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The body as UTF-8 (invalid sequences replaced), at most `max_response_bytes` long.
    pub body: String,
    /// The server sent more than `max_response_bytes`.
    pub truncated: bool,
    /// The address actually connected to.
    pub remote_addr: Option<String>,
    pub duration_ms: u64,
}

/// Why an action failed, so the runtime can decide whether to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpErrorKind {
    /// The guard would not send to that address or host.
    Refused,
    /// The request itself is malformed (URL, scheme, method, header, body size).
    InvalidRequest,
    Timeout,
    /// Name resolution, TCP or TLS failed, or the connection broke.
    Connect,
    Other,
}

/// A failed action, with a message an admin can read. Messages name the origin
/// (`scheme://host:port/`), never the path, query or a header value, which may hold secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct HttpActionError {
    pub kind: HttpErrorKind,
    pub message: String,
}

impl HttpActionError {
    fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(HttpErrorKind::InvalidRequest, message)
    }

    fn refused(origin: &str, reason: impl fmt::Display) -> Self {
        tracing::warn!(%origin, %reason, "outbound HTTP request refused");
        Self::new(HttpErrorKind::Refused, format!("{origin} was refused: {reason}"))
    }

    /// Timeouts and connection failures may succeed later; refusals and bad requests never will.
    pub fn retryable(&self) -> bool {
        matches!(self.kind, HttpErrorKind::Timeout | HttpErrorKind::Connect)
    }
}

/// Why `ip` may not be called, or `None` when it is a public address.
///
/// IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 `64:ff9b::/96`,
/// 6to4 `2002::/16`) are judged by that IPv4 address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let reason = match (a, b, c) {
        (0, ..) => "an unspecified address (0.0.0.0/8)",
        (127, ..) => "a loopback address",
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => "a private address (RFC 1918)",
        (169, 254, 169) if ip == Ipv4Addr::new(169, 254, 169, 254) => "the cloud metadata address (link-local)",
        (169, 254, _) => "a link-local address",
        (100, 64..=127, _) => "a shared address (carrier-grade NAT, RFC 6598)",
        (192, 0, 0) => "an IETF protocol assignment (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address (198.18.0.0/15)",
        (224..=239, ..) => "a multicast address",
        _ if ip == Ipv4Addr::BROADCAST => "the broadcast address",
        (240..=255, ..) => "a reserved address (240.0.0.0/4)",
        _ => return None,
    };
    Some(reason)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("an unspecified address (::)");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if let Some(v4) = embedded_ipv4(ip) {
        return forbidden_v4(v4);
    }
    let reason = match ip.segments() {
        [0x2001, 0, ..] => "a Teredo tunnel address (2001::/32)",
        [0x2001, 0x0db8, ..] => "a documentation address (2001:db8::/32)",
        [0x0064, 0xff9b, 0x0001, ..] => "a local-use NAT64 address (64:ff9b:1::/48)",
        [0x0100, 0, 0, 0, ..] => "a discard-only address (100::/64)",
        [first, ..] if first & 0xfe00 == 0xfc00 => "a unique local address (fc00::/7)",
        [first, ..] if first & 0xffc0 == 0xfe80 => "a link-local address (fe80::/10)",
        [first, ..] if first & 0xffc0 == 0xfec0 => "a site-local address (fec0::/10)",
        [first, ..] if first & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    };
    Some(reason)
}

/// The IPv4 address an IPv6 address stands for, in the forms that reach IPv4 hosts.
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match s {
        // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, high, low] | [0, 0, 0, 0, 0, 0, high, low] | [0x64, 0xff9b, 0, 0, 0, 0, high, low] => {
            Some(from(high, low))
        }
        // 6to4 2002:aabb:ccdd::/48 routes to a.b.c.d.
        [0x2002, high, low, ..] => Some(from(high, low)),
        _ => None,
    }
}

/// "10.0.0.5 is a private address (RFC 1918)", or `None` when `ip` may be called.
fn describe_forbidden(ip: IpAddr) -> Option<String> {
    let reason = forbidden_reason(ip)?;
    let embedded = match ip {
        IpAddr::V6(v6) => embedded_ipv4(v6).filter(|_| !v6.is_unspecified() && !v6.is_loopback()),
        IpAddr::V4(_) => None,
    };
    Some(match embedded {
        Some(v4) => format!("{ip} is {reason} (it stands for {v4})"),
        None => format!("{ip} is {reason}"),
    })
}

/// A resolver error that says every address of a name was refused.
#[derive(Debug)]
struct ResolveRefused(String);

impl fmt::Display for ResolveRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for ResolveRefused {}

/// Resolves with the system resolver and hands the connector only allowed addresses, so a name
/// that resolves to an internal address is never connected to, whatever it resolved to earlier.
#[derive(Debug, Clone, Copy)]
struct GuardedResolver {
    allow_private_networks: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private_networks = self.allow_private_networks;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = allowed_addresses(&host, resolved, allow_private_networks)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

fn allowed_addresses(
    host: &str,
    resolved: Vec<SocketAddr>,
    allow_private_networks: bool,
) -> Result<Vec<SocketAddr>, ResolveRefused> {
    if allow_private_networks {
        return Ok(resolved);
    }
    let mut first_refusal = None;
    let mut allowed = Vec::with_capacity(resolved.len());
    for addr in resolved {
        match describe_forbidden(addr.ip()) {
            None => allowed.push(addr),
            Some(why) => {
                first_refusal.get_or_insert(why);
            }
        }
    }
    match (allowed.is_empty(), first_refusal) {
        (true, Some(why)) => Err(ResolveRefused(format!(
            "{host} resolves only to private or reserved addresses ({why})"
        ))),
        (true, None) => Err(ResolveRefused(format!("{host} did not resolve to any address"))),
        (false, _) => Ok(allowed),
    }
}

/// Whether `host` matches one of the allowlist's patterns: a host name (`api.example.com`), a
/// wildcard for its subdomains (`*.example.com`, which does not match `example.com` itself) or an
/// IP address. Blank entries are ignored; a list with no patterns allows every host.
fn host_allowed(host: &Host<&str>, allowlist: &[String]) -> bool {
    let mut patterns = allowlist.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).peekable();
    if patterns.peek().is_none() {
        return true;
    }
    let host_ip = literal_ip(host);
    let host_name = match host {
        Host::Domain(name) => Some(name.trim_end_matches('.').to_ascii_lowercase()),
        _ => None,
    };
    patterns.any(|pattern| {
        let bare = pattern.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return host_ip == Some(ip);
        }
        let Some(name) = host_name.as_deref() else {
            // An IP-literal host only matches IP patterns (url also normalises `127.1`).
            return normalise_pattern_host(pattern).and_then(|p| p.parse::<IpAddr>().ok()) == host_ip;
        };
        match pattern.strip_prefix("*.") {
            Some(suffix) => normalise_pattern_host(suffix)
                .is_some_and(|suffix| name.len() > suffix.len() + 1 && name.ends_with(&format!(".{suffix}"))),
            None => normalise_pattern_host(pattern).is_some_and(|p| p == name),
        }
    })
}

/// A pattern's host as the `url` crate writes hosts (lower case, punycode, normalised IPv4).
fn normalise_pattern_host(pattern: &str) -> Option<String> {
    match Host::parse(pattern.trim_end_matches('.')).ok()? {
        Host::Domain(name) => Some(name),
        Host::Ipv4(ip) => Some(ip.to_string()),
        Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

fn literal_ip(host: &Host<&str>) -> Option<IpAddr> {
    match host {
        Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        Host::Domain(_) => None,
    }
}

/// `scheme://host[:port]/`: what messages show of a URL (paths and queries may hold secrets).
fn origin_of(url: &Url) -> String {
    format!("{}/", url.origin().ascii_serialization())
}

/// A request that passed every check that can be made before connecting.
struct Prepared {
    origin: String,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<String>,
}

/// Sends flows' HTTP requests to public addresses only. Cheap to clone; one connection pool.
#[derive(Debug, Clone)]
pub struct HttpGuard {
    client: reqwest::Client,
    config: HttpGuardConfig,
}

impl HttpGuard {
    pub fn new(config: HttpGuardConfig) -> Result<Self> {
        let resolver = GuardedResolver {
            allow_private_networks: config.allow_private_networks,
        };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            .redirect(redirect::Policy::none())
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(MAX_CONNECT_TIMEOUT))
            .user_agent(concat!("clockify-addons/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| Error::Internal(format!("cannot build the flows' HTTP client: {error}")))?;
        Ok(Self { client, config })
    }

    pub fn config(&self) -> &HttpGuardConfig {
        &self.config
    }

    /// Sends `request` if every check passes. `allowlist` is the workspace's list of host patterns
    /// (empty: any public host).
    pub async fn send(
        &self,
        request: OutboundRequest,
        allowlist: &[String],
    ) -> Result<OutboundResponse, HttpActionError> {
        let prepared = self.prepare(request, allowlist)?;
        let origin = prepared.origin.clone();
        // The client's own timeout covers the body too; this one also bounds our reading of it.
        match tokio::time::timeout(self.config.timeout, self.exchange(prepared)).await {
            Ok(result) => result,
            Err(_) => Err(timed_out(&origin, self.config.timeout)),
        }
    }

    fn prepare(&self, request: OutboundRequest, allowlist: &[String]) -> Result<Prepared, HttpActionError> {
        // The URL is not echoed: it was rendered from templates and may hold secrets.
        let url = Url::parse(request.url.trim())
            .map_err(|error| HttpActionError::invalid(format!("the URL is not valid: {error}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpActionError::invalid(format!(
                "only http and https URLs can be called, not {}:",
                url.scheme()
            )));
        }
        let Some(host) = url.host() else {
            return Err(HttpActionError::invalid("the URL has no host"));
        };
        let origin = origin_of(&url);
        if !host_allowed(&host, allowlist) {
            return Err(HttpActionError::refused(
                &origin,
                format_args!("{host} is not in this workspace's list of allowed hosts"),
            ));
        }
        if !self.config.allow_private_networks {
            if let Some(why) = literal_ip(&host).and_then(describe_forbidden) {
                return Err(HttpActionError::refused(&origin, why));
            }
        }

        let method = Method::from_bytes(request.method.trim().to_ascii_uppercase().as_bytes())
            .ok()
            .filter(|method| ALLOWED_METHODS.contains(method))
            .ok_or_else(|| {
                HttpActionError::invalid(format!(
                    "{:?} is not a method flows can use (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)",
                    request.method
                ))
            })?;

        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let header_name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| HttpActionError::invalid(format!("{name:?} is not a valid header name")))?;
            let mut header_value = HeaderValue::from_str(value.trim()).map_err(|_| {
                HttpActionError::invalid(format!(
                    "the value of header {header_name} is not valid (no line breaks or control characters)"
                ))
            })?;
            // Keeps values out of Debug output and HTTP/2 header compression tables.
            header_value.set_sensitive(true);
            headers.append(header_name, header_value);
        }

        if let Some(body) = &request.body {
            if body.len() > MAX_REQUEST_BODY_BYTES {
                return Err(HttpActionError::invalid(format!(
                    "the request body is {} bytes; at most {MAX_REQUEST_BODY_BYTES} can be sent",
                    body.len()
                )));
            }
        }

        Ok(Prepared {
            origin,
            method,
            url,
            headers,
            body: request.body,
        })
    }

    async fn exchange(&self, prepared: Prepared) -> Result<OutboundResponse, HttpActionError> {
        let Prepared {
            origin,
            method,
            url,
            headers,
            body,
        } = prepared;
        let started = Instant::now();
        let mut builder = self.client.request(method, url).headers(headers);
        if let Some(body) = body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(|error| self.classify(&origin, error))?;

        // Second line of defence: the resolver already handed out allowed addresses only.
        let remote_addr = response.remote_addr();
        if !self.config.allow_private_networks {
            match remote_addr.map(|addr| describe_forbidden(addr.ip())) {
                Some(None) => {}
                Some(Some(why)) => return Err(HttpActionError::refused(&origin, format_args!("connected to {why}"))),
                None => {
                    return Err(HttpActionError::refused(
                        &origin,
                        "the address connected to could not be checked",
                    ))
                }
            }
        }

        let status = response.status().as_u16();
        let mut response_headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes());
            response_headers
                .entry(name.as_str().to_owned())
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }

        let (body, truncated) = self.read_capped(&mut response, &origin).await?;
        Ok(OutboundResponse {
            status,
            headers: response_headers,
            body,
            truncated,
            remote_addr: remote_addr.map(|addr| addr.to_string()),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Reads the body chunk by chunk and stops at the cap, so a huge body is never held.
    async fn read_capped(
        &self,
        response: &mut reqwest::Response,
        origin: &str,
    ) -> Result<(String, bool), HttpActionError> {
        let cap = self.config.max_response_bytes;
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|error| self.classify(origin, error))? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        if truncated {
            // Drop a character the cap cut in half rather than turn it into U+FFFD.
            if let Err(error) = std::str::from_utf8(&body) {
                if error.error_len().is_none() {
                    body.truncate(error.valid_up_to());
                }
            }
        }
        Ok((String::from_utf8_lossy(&body).into_owned(), truncated))
    }

    fn classify(&self, origin: &str, error: reqwest::Error) -> HttpActionError {
        let error = error.without_url();
        if let Some(refused) = find_source::<ResolveRefused>(&error) {
            return HttpActionError::refused(origin, refused);
        }
        if error.is_timeout() {
            return timed_out(origin, self.config.timeout);
        }
        let cause = root_cause(&error);
        if error.is_connect() {
            return HttpActionError::new(
                HttpErrorKind::Connect,
                format!("could not connect to {origin}: {cause}"),
            );
        }
        if error.is_body() || error.is_request() {
            return HttpActionError::new(
                HttpErrorKind::Connect,
                format!("the connection to {origin} broke: {cause}"),
            );
        }
        if error.is_builder() {
            return HttpActionError::invalid(format!("the request to {origin} could not be built: {cause}"));
        }
        HttpActionError::new(HttpErrorKind::Other, format!("the request to {origin} failed: {cause}"))
    }
}

fn timed_out(origin: &str, timeout: Duration) -> HttpActionError {
    HttpActionError::new(
        HttpErrorKind::Timeout,
        format!("{origin} did not answer within {timeout:?}"),
    )
}

fn find_source<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// The innermost error's text ("Connection refused (os error 111)"), which says the most.
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::{TcpListener, TcpStream},
    };

    use super::*;

    fn guard(allow_private_networks: bool) -> HttpGuard {
        HttpGuard::new(HttpGuardConfig {
            allow_private_networks,
            ..HttpGuardConfig::default()
        })
        .expect("client builds")
    }

    fn get(url: &str) -> OutboundRequest {
        OutboundRequest {
            method: "GET".into(),
            url: url.into(),
            headers: BTreeMap::new(),
            body: None,
        }
    }

    async fn listener() -> (TcpListener, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local addr").port();
        (listener, port)
    }

    /// Asserts nobody connected to `listener`.
    async fn assert_never_connected(listener: &TcpListener) {
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "a connection reached the listener");
    }

    async fn read_request_head(stream: &mut TcpStream) {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// A server that answers every request with `response`; returns its port and a count of the
    /// connections it accepted.
    async fn serve(response: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
        let (listener, port) = listener().await;
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let response = Arc::new(response);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let response = response.clone();
                tokio::spawn(async move {
                    read_request_head(&mut stream).await;
                    // The client may hang up early (body cap); that is fine.
                    let _ = stream.write_all(&response).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        (port, connections)
    }

    #[test]
    fn forbidden_ranges_and_their_neighbours() {
        let forbidden = [
            "127.0.0.1",
            "127.255.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.0",
            "10.255.255.255",
            "172.16.0.0",
            "172.31.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "192.168.255.255",
            "169.254.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.1",
            "203.0.113.1",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fdff::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "100::1",
        ];
        for ip in forbidden {
            let parsed: IpAddr = ip.parse().expect("test address parses");
            assert!(forbidden_reason(parsed).is_some(), "{ip} should be forbidden");
        }
        let allowed = [
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "100.63.255.255",
            "192.169.0.1",
            "11.0.0.1",
            "169.253.255.255",
            "198.20.0.1",
            "192.0.3.1",
            "223.255.255.255",
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ];
        for ip in allowed {
            let parsed: IpAddr = ip.parse().expect("test address parses");
            assert_eq!(forbidden_reason(parsed), None, "{ip} should be allowed");
        }
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(
            describe_forbidden("10.0.0.5".parse().expect("ip")).as_deref(),
            Some("10.0.0.5 is a private address (RFC 1918)")
        );
        assert_eq!(
            describe_forbidden("::ffff:127.0.0.1".parse().expect("ip")).as_deref(),
            Some("::ffff:127.0.0.1 is a loopback address (it stands for 127.0.0.1)")
        );
        assert_eq!(
            describe_forbidden("::1".parse().expect("ip")).as_deref(),
            Some("::1 is a loopback address")
        );
    }

    #[tokio::test]
    async fn internal_urls_are_refused_before_connecting() {
        let urls = [
            "http://localhost/",
            "http://127.0.0.1/",
            "https://127.0.0.1/",
            "http://127.255.255.254:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://[0:0:0:0:0:ffff:7f00:1]/",
            "http://2130706433/",
            "http://017700000001/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://127.0.0.1./",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:169.254.169.254]/latest/meta-data",
            "http://[::1]/",
            "http://[::]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[fec0::1]/",
            "http://[ff02::1]/",
            "http://[2001:db8::1]/",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "http://[::7f00:1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://255.255.255.255/",
            "http://224.0.0.1/",
            "http://240.0.0.1/",
            "http://10.0.0.5/",
            "http://10.255.255.255/",
            "http://172.16.0.1/",
            "http://172.31.0.1/",
            "http://192.168.0.1/",
            "http://192.0.0.8/",
            "http://192.0.2.1/",
            "http://198.51.100.7/",
            "http://203.0.113.9/",
            "http://198.18.0.1/",
        ];
        let guard = guard(false);
        for url in urls {
            let error = guard.send(get(url), &[]).await.expect_err(url);
            assert_eq!(error.kind, HttpErrorKind::Refused, "{url}: {}", error.message);
            assert!(!error.retryable(), "{url}");
            assert!(error.message.contains("was refused"), "{url}: {}", error.message);
        }
        let error = guard.send(get("http://10.0.0.5/"), &[]).await.expect_err("refused");
        assert_eq!(
            error.message,
            "http://10.0.0.5/ was refused: 10.0.0.5 is a private address (RFC 1918)"
        );
        let error = guard.send(get("http://localhost/"), &[]).await.expect_err("refused");
        assert!(
            error.message.contains("resolves only to private or reserved addresses"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn a_refused_request_never_reaches_the_listener() {
        let (listener, port) = listener().await;
        let guard = guard(false);
        let urls = [
            format!("http://127.0.0.1:{port}/"),
            format!("http://localhost:{port}/"),
            format!("http://2130706433:{port}/"),
            format!("http://0177.0.0.1:{port}/"),
            format!("http://127.1:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
            format!("http://[64:ff9b::7f00:1]:{port}/"),
        ];
        for url in &urls {
            let error = guard.send(get(url), &[]).await.expect_err(url);
            assert_eq!(error.kind, HttpErrorKind::Refused, "{url}: {}", error.message);
        }
        assert_never_connected(&listener).await;

        // The same listener is reachable when private networks are allowed, so the check above
        // would have seen a connection.
        let open = self::guard(true);
        let reached = tokio::spawn(async move { listener.accept().await.is_ok() });
        let _ = tokio::time::timeout(
            Duration::from_millis(500),
            open.send(get(&format!("http://localhost:{port}/")), &[]),
        )
        .await;
        assert!(
            reached.await.expect("accept task"),
            "the control request did not connect"
        );
    }

    #[test]
    fn the_resolver_keeps_only_public_addresses() {
        let public: SocketAddr = "93.184.215.14:0".parse().expect("addr");
        let loopback: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let metadata: SocketAddr = "169.254.169.254:0".parse().expect("addr");
        let kept = allowed_addresses("mixed.example", vec![loopback, public, metadata], false).expect("one is public");
        assert_eq!(kept, vec![public]);

        let error = allowed_addresses("evil.example", vec![loopback, metadata], false).expect_err("all private");
        assert_eq!(
            error.to_string(),
            "evil.example resolves only to private or reserved addresses (127.0.0.1 is a loopback address)"
        );
        let everything = allowed_addresses("dev.local", vec![loopback, metadata], true).expect("allowed in dev");
        assert_eq!(everything.len(), 2);
    }

    #[tokio::test]
    async fn only_http_and_https_are_sent() {
        let guard = guard(true);
        for url in [
            "ftp://example.com/file",
            "file:///etc/passwd",
            "gopher://example.com/",
            "ws://example.com/",
            "data:text/plain,hello",
            "javascript:alert(1)",
            "not a url",
            "/relative/path",
        ] {
            let error = guard.send(get(url), &[]).await.expect_err(url);
            assert_eq!(error.kind, HttpErrorKind::InvalidRequest, "{url}: {}", error.message);
            assert!(!error.retryable());
        }
    }

    #[tokio::test]
    async fn bad_methods_headers_and_bodies_are_invalid_and_secrets_stay_out_of_messages() {
        let guard = guard(false);
        let mut request = get("https://api.example.com/");
        request.method = "CONNECT".into();
        assert_eq!(
            guard.send(request, &[]).await.expect_err("method").kind,
            HttpErrorKind::InvalidRequest
        );

        let mut request = get("https://api.example.com/");
        request
            .headers
            .insert("Authorization".into(), "Bearer s3cret\r\nX-Injected: 1".into());
        let error = guard.send(request, &[]).await.expect_err("header");
        assert_eq!(error.kind, HttpErrorKind::InvalidRequest);
        assert!(error.message.contains("authorization"), "{}", error.message);
        assert!(!error.message.contains("s3cret"), "{}", error.message);

        let mut request = get("https://api.example.com/");
        request.method = "POST".into();
        request.body = Some("x".repeat(MAX_REQUEST_BODY_BYTES + 1));
        assert_eq!(
            guard.send(request, &[]).await.expect_err("body").kind,
            HttpErrorKind::InvalidRequest
        );
    }

    #[test]
    fn allowlist_patterns() {
        let list = |patterns: &[&str]| patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let allowed = |url: &str, patterns: &[&str]| {
            let url = Url::parse(url).expect("test url");
            host_allowed(&url.host().expect("host"), &list(patterns))
        };
        assert!(allowed("https://anything.example/", &[]));
        assert!(allowed("https://anything.example/", &["  ", ""]));
        assert!(allowed("https://api.example.com/x", &["api.example.com"]));
        assert!(allowed("https://API.Example.COM./x", &["api.example.com"]));
        assert!(allowed("https://api.example.com/", &["other.org", "*.example.com"]));
        assert!(allowed("https://a.b.example.com/", &["*.example.com"]));
        assert!(!allowed("https://example.com/", &["*.example.com"]));
        assert!(!allowed("https://evil-example.com/", &["*.example.com"]));
        assert!(!allowed(
            "https://example.com.evil.org/",
            &["*.example.com", "example.com"]
        ));
        assert!(!allowed("https://api.example.com.evil.org/", &["api.example.com"]));
        assert!(!allowed("https://other.example.com/", &["api.example.com"]));
        assert!(allowed("http://93.184.215.14/", &["93.184.215.14"]));
        assert!(allowed("http://[2606:4700::1]/", &["[2606:4700::1]"]));
        assert!(allowed("http://[2606:4700::1]/", &["2606:4700::1"]));
        assert!(!allowed("http://93.184.215.15/", &["93.184.215.14"]));
        assert!(!allowed("http://93.184.215.14/", &["*.example.com"]));
        assert!(allowed("https://xn--bcher-kva.example/", &["bücher.example"]));
    }

    #[tokio::test]
    async fn the_allowlist_is_enforced_before_resolving_and_never_overrides_address_checks() {
        let guard = guard(false);
        let allowlist = vec!["*.example.com".to_string()];
        // No DNS lookup happens for evil-example.com: the refusal names the allowlist.
        let error = guard
            .send(get("https://evil-example.com/"), &allowlist)
            .await
            .expect_err("not listed");
        assert_eq!(error.kind, HttpErrorKind::Refused);
        assert!(error.message.contains("list of allowed hosts"), "{}", error.message);

        let error = guard
            .send(get("http://127.0.0.1/"), &["127.0.0.1".to_string()])
            .await
            .expect_err("listed but loopback");
        assert_eq!(error.kind, HttpErrorKind::Refused);
        assert!(error.message.contains("loopback"), "{}", error.message);

        let (port, _) = serve(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".to_vec()).await;
        let open = self::guard(true);
        let url = format!("http://127.0.0.1:{port}/");
        let response = open.send(get(&url), &["127.0.0.1".to_string()]).await.expect("listed");
        assert_eq!(response.status, 204);
        let error = open
            .send(get(&url), &["localhost".to_string()])
            .await
            .expect_err("not listed");
        assert_eq!(error.kind, HttpErrorKind::Refused);
    }

    #[tokio::test]
    async fn redirects_are_returned_not_followed() {
        let (secret_port, secret_connections) =
            serve(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret".to_vec()).await;
        let redirect = format!(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{secret_port}/secret\r\nContent-Length: 0\r\n\r\n"
        );
        let (port, connections) = serve(redirect.into_bytes()).await;

        let response = guard(true)
            .send(get(&format!("http://127.0.0.1:{port}/start")), &[])
            .await
            .expect("302 is a response");
        assert_eq!(response.status, 302);
        assert_eq!(
            response.headers.get("location").map(String::as_str),
            Some(format!("http://127.0.0.1:{secret_port}/secret").as_str())
        );
        assert_eq!(response.remote_addr, Some(format!("127.0.0.1:{port}")));
        assert_eq!(connections.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(secret_connections.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_response_body_is_capped() {
        let body_len = 2 * 1024 * 1024;
        let mut response = format!("HTTP/1.1 200 OK\r\nContent-Length: {body_len}\r\n\r\n").into_bytes();
        response.extend(std::iter::repeat_n(b'a', body_len));
        let (port, _) = serve(response).await;

        let response = guard(true)
            .send(get(&format!("http://127.0.0.1:{port}/big")), &[])
            .await
            .expect("response");
        assert_eq!(response.status, 200);
        assert_eq!(response.body.len(), DEFAULT_MAX_RESPONSE_BYTES);
        assert!(response.truncated);

        let (port, _) = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec()).await;
        let response = guard(true)
            .send(get(&format!("http://127.0.0.1:{port}/small")), &[])
            .await
            .expect("response");
        assert_eq!(response.body, "hello");
        assert!(!response.truncated);
    }

    #[tokio::test]
    async fn a_cut_character_is_dropped_not_replaced() {
        // "é" is two bytes; a 5-byte cap cuts the third "é" in half.
        let (port, _) = serve("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nééé".as_bytes().to_vec()).await;
        let guard = HttpGuard::new(HttpGuardConfig {
            allow_private_networks: true,
            max_response_bytes: 5,
            ..HttpGuardConfig::default()
        })
        .expect("client");
        let response = guard
            .send(get(&format!("http://127.0.0.1:{port}/")), &[])
            .await
            .expect("response");
        assert_eq!(response.body, "éé");
        assert!(response.truncated);
    }

    #[tokio::test]
    async fn a_silent_server_times_out_and_may_be_retried() {
        let (listener, port) = listener().await;
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        let guard = HttpGuard::new(HttpGuardConfig {
            allow_private_networks: true,
            timeout: Duration::from_millis(300),
            ..HttpGuardConfig::default()
        })
        .expect("client");
        let started = Instant::now();
        let error = guard
            .send(get(&format!("http://127.0.0.1:{port}/")), &[])
            .await
            .expect_err("times out");
        assert_eq!(error.kind, HttpErrorKind::Timeout, "{}", error.message);
        assert!(error.retryable());
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_closed_port_is_a_retryable_connect_error() {
        let (listener, port) = listener().await;
        drop(listener);
        let error = guard(true)
            .send(get(&format!("http://127.0.0.1:{port}/")), &[])
            .await
            .expect_err("nothing listens");
        assert_eq!(error.kind, HttpErrorKind::Connect, "{}", error.message);
        assert!(error.retryable());
        assert!(error
            .message
            .starts_with(&format!("could not connect to http://127.0.0.1:{port}/")));
    }

    #[tokio::test]
    async fn headers_and_body_are_sent() {
        let (listener, port) = listener().await;
        let received = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&seen).ends_with("{\"a\":1}") {
                let n = stream.read(&mut buf).await.expect("read");
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            stream
                .write_all(b"HTTP/1.1 201 Created\r\nX-Id: 1\r\nX-Id: 2\r\nContent-Length: 2\r\n\r\nok")
                .await
                .expect("write");
            String::from_utf8_lossy(&seen).into_owned()
        });
        let request = OutboundRequest {
            method: "post".into(),
            url: format!("http://127.0.0.1:{port}/hook?x=1"),
            headers: BTreeMap::from([
                ("Content-Type".to_string(), "application/json".to_string()),
                ("X-Token".to_string(), "abc".to_string()),
            ]),
            body: Some("{\"a\":1}".into()),
        };
        let response = guard(true).send(request, &[]).await.expect("response");
        assert_eq!(response.status, 201);
        assert_eq!(response.body, "ok");
        assert_eq!(response.headers.get("x-id").map(String::as_str), Some("1, 2"));
        let seen = received.await.expect("server").to_ascii_lowercase();
        assert!(seen.starts_with("post /hook?x=1 http/1.1\r\n"), "{seen}");
        assert!(seen.contains("x-token: abc\r\n"), "{seen}");
        assert!(seen.contains("content-type: application/json\r\n"), "{seen}");
    }
}
