//! Database URLs: what the connection reads from them beyond what diesel does, and their form
//! with the password hidden, for every message and span that shows one.

use std::time::Duration;

/// How long opening a connection to a server may take, unless the URL's `connect_timeout`
/// (seconds) says otherwise.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Query parameters that carry a password.
const SECRET_PARAMS: [&str; 4] = ["password", "passwd", "pwd", "sslpassword"];

/// A database URL, as given: `scheme://user:password@host:port/database?name=value`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DatabaseUrl<'a> {
    raw: &'a str,
}

impl<'a> DatabaseUrl<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        DatabaseUrl { raw }
    }

    /// The part after `scheme://` and before the path, query or fragment.
    fn authority(&self) -> Option<(usize, &'a str)> {
        let start = self.raw.find("://")? + 3;
        let rest = &self.raw[start..];
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        Some((start, &rest[..end]))
    }

    /// The query, without its `?`, and where it starts.
    fn query(&self) -> Option<(usize, &'a str)> {
        let start = self.raw.find('?')? + 1;
        let rest = &self.raw[start..];
        Some((start, rest.split('#').next().unwrap_or(rest)))
    }

    /// The URL with the password in its user part and in its query replaced by `***`.
    pub(crate) fn redacted(&self) -> String {
        let mut out = self.raw.to_owned();
        if let Some((start, query)) = self.query() {
            let hidden: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _))
                        if SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str()) =>
                    {
                        format!("{name}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            out.replace_range(start..start + query.len(), &hidden.join("&"));
        }
        if let Some((start, authority)) = self.authority() {
            if let Some((user, _)) = authority.rsplit_once('@') {
                if let Some((name, _)) = user.split_once(':') {
                    let password = start + name.len() + 1..start + user.len();
                    out.replace_range(password, "***");
                }
            }
        }
        out
    }

    /// For a `sqlite:` URL, the file it names, or `:memory:` for a database in memory
    /// (`sqlite::memory:`, `sqlite://:memory:`, or no path); `None` for another scheme.
    pub(crate) fn sqlite_path(&self) -> Option<&'a str> {
        let rest = self.raw.strip_prefix("sqlite:")?;
        match rest.trim_start_matches("//") {
            "" | ":memory:" => Some(":memory:"),
            path => Some(path),
        }
    }

    /// The value of the query parameter `name`, as written.
    pub(crate) fn param(&self, name: &str) -> Option<&'a str> {
        self.query()?
            .1
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// The URL with `name=value` added to its query.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn with_param(&self, name: &str, value: &str) -> String {
        let (base, fragment) = match self.raw.split_once('#') {
            Some((base, fragment)) => (base, Some(fragment)),
            None => (self.raw, None),
        };
        let sep = if base.contains('?') { '&' } else { '?' };
        let mut out = format!("{base}{sep}{name}={value}");
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(fragment);
        }
        out
    }

    /// How long connecting may take: the `connect_timeout` parameter (whole seconds, as
    /// libpq reads it), else [`CONNECT_TIMEOUT`]. `None` for a parameter that is not a number.
    pub(crate) fn connect_timeout(&self) -> Option<Duration> {
        match self.param("connect_timeout") {
            None => Some(CONNECT_TIMEOUT),
            Some(secs) => secs.parse().ok().map(Duration::from_secs),
        }
    }

    /// The host and port of a URL that connects over TCP (`default_port` when the URL names
    /// none); `None` for a Unix socket: `unix_socket=`, no host, or `localhost`, which
    /// libmysqlclient reaches through its socket.
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) fn tcp_address(&self, default_port: u16) -> Option<(String, u16)> {
        if self.param("unix_socket").is_some() {
            return None;
        }
        let (_, authority) = self.authority()?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
        if host_port.is_empty() {
            return None;
        }
        let (host, port) = match host_port.strip_prefix('[') {
            // An IPv6 address: `[::1]:3306`.
            Some(v6) => {
                let (host, rest) = v6.split_once(']')?;
                (host, rest.strip_prefix(':'))
            }
            None => match host_port.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (host_port, None),
            },
        };
        if host == "localhost" {
            return None;
        }
        let port = match port {
            Some(port) => port.parse().ok()?,
            None => default_port,
        };
        Some((host.to_owned(), port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_the_user_part_and_the_query() {
        let redacted = |u: &str| DatabaseUrl::new(u).redacted();
        assert_eq!(
            redacted("postgres://ann:s3cret@db.example:5432/app"),
            "postgres://ann:***@db.example:5432/app"
        );
        assert_eq!(
            redacted("mysql://ann:p%40ss@host/app?ssl_mode=required&password=x&PWD=y"),
            "mysql://ann:***@host/app?ssl_mode=required&password=***&PWD=***"
        );
        assert_eq!(
            redacted("postgres://ann@host/app?password=s3cret#frag"),
            "postgres://ann@host/app?password=***#frag"
        );
        assert_eq!(redacted("postgres://host/app"), "postgres://host/app");
        assert_eq!(redacted("sqlite://db.sqlite"), "sqlite://db.sqlite");
        // A password with `@` in it: the user part ends at the last one.
        assert_eq!(
            redacted("mysql://ann:a@b@host/app"),
            "mysql://ann:***@host/app"
        );
    }

    #[test]
    fn timeouts_addresses_and_params() {
        let url = DatabaseUrl::new("mysql://ann:pw@[::1]:3307/app?connect_timeout=3");
        assert_eq!(url.connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(url.tcp_address(3306), Some(("::1".into(), 3307)));
        let url = DatabaseUrl::new("mysql://ann@db/app");
        assert_eq!(url.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(url.tcp_address(3306), Some(("db".into(), 3306)));
        assert_eq!(
            url.with_param("connect_timeout", "10"),
            "mysql://ann@db/app?connect_timeout=10"
        );
        let socket = DatabaseUrl::new("mysql://ann@localhost/app?unix_socket=/run/m.sock");
        assert_eq!(socket.tcp_address(3306), None);
        assert_eq!(
            DatabaseUrl::new("mysql://ann@localhost:3306/app").tcp_address(3306),
            None
        );
        for memory in ["sqlite::memory:", "sqlite://:memory:", "sqlite:"] {
            assert_eq!(DatabaseUrl::new(memory).sqlite_path(), Some(":memory:"));
        }
        assert_eq!(
            DatabaseUrl::new("sqlite://db/app.db").sqlite_path(),
            Some("db/app.db")
        );
        assert_eq!(DatabaseUrl::new("postgres://h/app").sqlite_path(), None);
        let bad = DatabaseUrl::new("postgres://h/app?connect_timeout=soon");
        assert_eq!(bad.connect_timeout(), None);
    }
}
