//! Which `Authorization` a request carries: nothing until a registry challenges, then Basic
//! credentials or a bearer token for the session's scopes, cached per host and scope set and
//! fetched again on expiry or on a fresh 401.

use std::{collections::HashMap, sync::Mutex};

use reqwest::{header, Response, StatusCode};

use crate::{
    challenge::{parse_challenges, Challenge},
    client::{error_details, lock, read_capped, redact_url, status_error, Session},
    config::Credentials,
    error::{is_transient_status, Error, Result},
    token::{parse_token_response, validate_realm, Token, CLIENT_ID, MAX_TOKEN_BYTES},
};

/// Challenges and tokens, shared by every session of a client.
#[derive(Default)]
pub(crate) struct AuthState {
    challenges: Mutex<HashMap<String, Challenge>>,
    tokens: Mutex<HashMap<(String, String), Token>>,
    /// One token request at a time, so concurrent requests that met the same challenge share it.
    fetching: tokio::sync::Mutex<()>,
}

impl AuthState {
    /// The `Authorization` value for a request of `session`, if the registry asked for one.
    pub(crate) async fn authorization(&self, session: &Session<'_>) -> Result<Option<String>> {
        let host = &session.endpoint.host;
        let challenge = lock(&self.challenges).get(host).cloned();
        match challenge {
            None => Ok(None),
            Some(Challenge::Basic) => Ok(session
                .client
                .credentials(&session.endpoint.auth_key)
                .await?
                .filter(|c| c.identity_token.is_none() && !c.username.is_empty())
                .map(|c| c.basic_header())),
            Some(Challenge::Bearer { realm, service, .. }) => {
                let key = (host.clone(), session.scopes.join(" "));
                if let Some(token) = lock(&self.tokens).get(&key).filter(|t| t.is_fresh()) {
                    return Ok(Some(format!("Bearer {}", token.value)));
                }
                let _fetching = self.fetching.lock().await;
                if let Some(token) = lock(&self.tokens).get(&key).filter(|t| t.is_fresh()) {
                    return Ok(Some(format!("Bearer {}", token.value)));
                }
                let credentials = session
                    .client
                    .credentials(&session.endpoint.auth_key)
                    .await?;
                let token = fetch_token(
                    session,
                    &realm,
                    service.as_deref(),
                    &session.scopes,
                    credentials.as_ref(),
                    false,
                )
                .await?;
                let value = format!("Bearer {}", token.value);
                lock(&self.tokens).insert(key, token);
                Ok(Some(value))
            }
        }
    }

    /// Takes in a 401: remembers the challenge and drops the token that was refused (`sent`, the
    /// `Authorization` the request carried). Returns whether the request is worth sending again.
    pub(crate) fn learn(
        &self,
        session: &Session<'_>,
        response: &Response,
        sent: Option<&str>,
    ) -> bool {
        let values = response
            .headers()
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        let Some(challenge) = parse_challenges(values) else {
            return false;
        };
        let host = session.endpoint.host.clone();
        let key = (host.clone(), session.scopes.join(" "));
        let mut tokens = lock(&self.tokens);
        let refused = tokens
            .get(&key)
            .is_some_and(|t| sent == Some(format!("Bearer {}", t.value).as_str()));
        if refused {
            tokens.remove(&key);
        }
        drop(tokens);
        lock(&self.challenges).insert(host, challenge);
        true
    }

    /// The challenge last seen from `host`.
    pub(crate) fn challenge(&self, host: &str) -> Option<Challenge> {
        lock(&self.challenges).get(host).cloned()
    }

    /// Forgets every token (after credentials changed).
    pub(crate) fn forget_host_tokens(&self) {
        lock(&self.tokens).clear();
    }
}

/// Asks the realm for a token for `scopes`: anonymously, with Basic credentials (plus `account`),
/// or with an OAuth2 refresh token (POST `grant_type=refresh_token`). `offline` asks for a refresh
/// token (`offline_token=true`), as `docker login` does.
pub(crate) async fn fetch_token(
    session: &Session<'_>,
    realm: &str,
    service: Option<&str>,
    scopes: &[String],
    credentials: Option<&Credentials>,
    offline: bool,
) -> Result<Token> {
    let endpoint = &session.endpoint;
    let mut url = validate_realm(realm, &endpoint.host, endpoint.insecure)?;
    let http = session.client.http_for(&url)?;
    let refresh_token = credentials.and_then(|c| c.identity_token.clone());
    if refresh_token.is_none() {
        let mut query = url.query_pairs_mut();
        if let Some(service) = service {
            query.append_pair("service", service);
        }
        for scope in scopes {
            query.append_pair("scope", scope);
        }
        if let Some(credentials) = credentials.filter(|c| !c.username.is_empty()) {
            query.append_pair("account", &credentials.username);
        }
        if offline {
            query.append_pair("offline_token", "true");
            query.append_pair("client_id", CLIENT_ID);
        }
    }
    let build = || {
        if let Some(refresh_token) = &refresh_token {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "refresh_token");
            form.append_pair("refresh_token", refresh_token);
            form.append_pair("client_id", CLIENT_ID);
            if let Some(service) = service {
                form.append_pair("service", service);
            }
            if !scopes.is_empty() {
                form.append_pair("scope", &scopes.join(" "));
            }
            if offline {
                form.append_pair("access_type", "offline");
            }
            http.post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.finish())
        } else {
            let mut request = http.get(url.clone());
            if let Some(credentials) = credentials.filter(|c| !c.username.is_empty()) {
                request = request.header(header::AUTHORIZATION, credentials.basic_header());
            }
            request
        }
    };
    let max_attempts = session.client.options.max_attempts.max(1);
    let mut attempt = 0;
    let response = loop {
        attempt += 1;
        tracing::debug!(realm = %redact_url(&url), attempt, "token request");
        match build().send().await {
            Ok(response)
                if is_transient_status(response.status().as_u16()) && attempt < max_attempts =>
            {
                tokio::time::sleep(session.client.backoff(attempt)).await;
            }
            Ok(response) => break response,
            Err(source) => {
                let error = Error::Http {
                    url: redact_url(&url),
                    source,
                };
                if !(error.is_transient() && attempt < max_attempts) {
                    return Err(error);
                }
                tokio::time::sleep(session.client.backoff(attempt)).await;
            }
        }
    };
    match response.status() {
        StatusCode::OK => {
            let body = read_capped(response, MAX_TOKEN_BYTES, "token response").await?;
            parse_token_response(&redact_url(&url), &body)
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::Unauthorized {
            registry: endpoint.host.clone(),
            details: error_details(response).await,
        }),
        _ => Err(status_error(response).await),
    }
}
