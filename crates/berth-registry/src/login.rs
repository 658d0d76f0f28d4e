//! `login` and `logout`, as Docker: credentials are checked against the registry, then stored in
//! the Docker client config (or its credential helper); logout erases every form of the address.

use std::path::PathBuf;

use reqwest::StatusCode;

use crate::{
    auth::fetch_token,
    challenge::Challenge,
    client::{error_details, status_error, Client},
    config::{convert_to_hostname, Credentials},
    error::{Error, Result},
    hosts::DOCKER_HUB_AUTH_KEY,
    hosts::{DOCKER_HUB_DOMAIN, DOCKER_HUB_INDEX_HOST},
};

/// What `login` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    /// The key the login is stored under (`https://index.docker.io/v1/` or `host[:port]`).
    pub server: String,
    /// The config file written.
    pub config_path: PathBuf,
    /// True when the secret went into config.json itself (Docker then warns that it is unencrypted).
    pub stored_in_plaintext: bool,
}

/// What `logout` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOutcome {
    /// The host Docker names in `Removing login credentials for <host>`.
    pub host: String,
    /// Whether any stored login was found and removed.
    pub removed: bool,
}

/// Docker's server argument: none (or `docker.io`) means Docker Hub's legacy URL; otherwise the
/// host name of what was given.
fn login_key(server: Option<&str>) -> (String, String) {
    match server.map(str::trim).filter(|s| !s.is_empty()) {
        None => (DOCKER_HUB_AUTH_KEY.to_owned(), DOCKER_HUB_DOMAIN.to_owned()),
        Some(server) => {
            let host = convert_to_hostname(server);
            if server == DOCKER_HUB_AUTH_KEY
                || host == DOCKER_HUB_DOMAIN
                || host == DOCKER_HUB_INDEX_HOST
            {
                (DOCKER_HUB_AUTH_KEY.to_owned(), DOCKER_HUB_DOMAIN.to_owned())
            } else {
                (host.clone(), host)
            }
        }
    }
}

impl Client {
    /// Checks `credentials` against `server` (Docker Hub when `None`) and stores them.
    pub async fn login(
        &self,
        server: Option<&str>,
        credentials: &Credentials,
    ) -> Result<LoginOutcome> {
        let (key, registry) = login_key(server);
        let mut to_store = credentials.clone();
        if let Some(refresh_token) = self.validate_login(&key, &registry, credentials).await? {
            // Like Docker: keep the registry's refresh token instead of the password.
            to_store.password.clear();
            to_store.identity_token = Some(refresh_token);
        }
        let mut config = self.load_docker_config()?;
        let config_path = config.path().to_owned();
        let stored_key = key.clone();
        let plaintext =
            crate::blocking::unblock(move || config.store(&stored_key, &to_store)).await??;
        self.set_credentials(&key, Some(credentials.clone()));
        Ok(LoginOutcome {
            server: key,
            config_path,
            stored_in_plaintext: plaintext,
        })
    }

    /// Pings `/v2/` with `credentials`: a 200 (after the challenge's token or Basic flow) is a
    /// valid login. Returns the refresh token a token server handed out, if any.
    async fn validate_login(
        &self,
        key: &str,
        registry: &str,
        credentials: &Credentials,
    ) -> Result<Option<String>> {
        let endpoint = self.endpoint(registry).await?;
        self.set_credentials(&endpoint.auth_key, Some(credentials.clone()));
        let host = endpoint.host.clone();
        let session = self.session(endpoint, Vec::new());
        let url = session.url("v2/")?;
        // A first, unauthenticated ping learns the challenge.
        let response = session
            .send(
                reqwest::Method::GET,
                url.clone(),
                crate::client::Retry::Transient,
                false,
                &|r| r,
            )
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                self.set_credentials(key, None);
                return Err(error);
            }
        };
        let mut refresh = None;
        let outcome = match response.status() {
            StatusCode::OK => {
                // Bearer: the registry accepted a token fetched with these credentials; ask the
                // realm once more for an offline (refresh) token, as `docker login` does.
                if let Some(Challenge::Bearer { realm, service, .. }) = self.auth.challenge(&host) {
                    let token = fetch_token(
                        &session,
                        &realm,
                        service.as_deref(),
                        &[],
                        Some(credentials),
                        true,
                    )
                    .await?;
                    refresh = token.refresh;
                }
                Ok(())
            }
            // Basic: the registry itself refused the password; Docker's daemon names the URL.
            status @ (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                if matches!(self.auth.challenge(&host), Some(Challenge::Basic)) =>
            {
                Err(Error::LoginFailed {
                    url: url.to_string(),
                    status: status.to_string(),
                })
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::Unauthorized {
                registry: host.clone(),
                details: error_details(response).await,
            }),
            _ => Err(status_error(response).await),
        };
        if let Err(error) = outcome {
            self.set_credentials(key, None);
            return Err(error);
        }
        Ok(refresh)
    }

    /// Removes the login for `server` (Docker Hub when `None`): the address as given, its host
    /// name, and the `http://` and `https://` forms, as Docker does.
    pub async fn logout(&self, server: Option<&str>) -> Result<LogoutOutcome> {
        let given = server.map(str::trim).filter(|s| !s.is_empty());
        let (keys, host) = match given {
            None => (
                vec![DOCKER_HUB_AUTH_KEY.to_owned()],
                DOCKER_HUB_AUTH_KEY.to_owned(),
            ),
            Some(server) if server == DOCKER_HUB_AUTH_KEY => (
                vec![DOCKER_HUB_AUTH_KEY.to_owned()],
                DOCKER_HUB_AUTH_KEY.to_owned(),
            ),
            Some(server) => {
                let host = convert_to_hostname(server);
                let mut keys = vec![
                    server.to_owned(),
                    host.clone(),
                    format!("http://{host}"),
                    format!("https://{host}"),
                ];
                keys.dedup();
                (keys, host)
            }
        };
        let mut config = self.load_docker_config()?;
        let removed = crate::blocking::unblock(move || -> Result<bool> {
            let mut removed = false;
            let mut errors = Vec::new();
            for key in &keys {
                match config.erase(key) {
                    Ok(found) => removed |= found,
                    Err(error) => errors.push(error),
                }
            }
            if removed || errors.is_empty() {
                if removed {
                    config.save()?;
                }
                Ok(removed)
            } else {
                Err(errors.remove(0))
            }
        })
        .await??;
        for key in [host.as_str(), DOCKER_HUB_AUTH_KEY] {
            self.set_credentials(key, None);
        }
        Ok(LogoutOutcome { host, removed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_keys() {
        for (server, key) in [
            (None, DOCKER_HUB_AUTH_KEY),
            (Some("docker.io"), DOCKER_HUB_AUTH_KEY),
            (Some("https://index.docker.io/v1/"), DOCKER_HUB_AUTH_KEY),
            (Some("localhost:5000"), "localhost:5000"),
            (Some("https://reg.example:5000/v2/"), "reg.example:5000"),
        ] {
            assert_eq!(login_key(server).0, key, "{server:?}");
        }
    }
}
