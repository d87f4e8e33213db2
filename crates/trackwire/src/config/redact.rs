//! Secrets out of what `config check` prints: the JWT secret, and the
//! password of a store or broker URL (`scheme://user:PASSWORD@host`, or a
//! `password=` query parameter).

/// What stands in for a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// `url` with its password, if any, replaced by [`REDACTED`].
pub(crate) fn url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return query(url);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{REDACTED}@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{}", query(tail))
}

/// `password=…` query parameters (libpq's URLs take one) redacted.
fn query(text: &str) -> String {
    let Some((path, params)) = text.split_once('?') else {
        return text.to_owned();
    };
    let params: Vec<String> = params
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                format!("{name}={REDACTED}")
            }
            _ => param.to_owned(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_go_names_stay() {
        assert_eq!(
            url("postgres://postgres:s3cr:et@db:5432/trackwire"),
            "postgres://postgres:<redacted>@db:5432/trackwire"
        );
        assert_eq!(
            url("redis://:hunter2@redis:6379/0"),
            "redis://:<redacted>@redis:6379/0"
        );
        assert_eq!(
            url("postgres://db/trackwire?user=tw&password=x&sslmode=require"),
            "postgres://db/trackwire?user=tw&password=<redacted>&sslmode=require"
        );
        assert_eq!(url("redis://redis:6379"), "redis://redis:6379");
        assert_eq!(url("postgres://tw@db/x"), "postgres://tw@db/x");
        assert_eq!(url("memory"), "memory");
    }
}
