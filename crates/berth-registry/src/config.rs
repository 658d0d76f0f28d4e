//! The Docker client config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`): where
//! `docker login` and `berth login` keep credentials, so the two share logins.
//!
//! Lookup follows docker/cli: `credHelpers[server]`, then `credsStore`, then `auths[server]`
//! (with the legacy fallback of matching `auths` keys by host name). Helpers are the
//! `docker-credential-<name>` programs, spoken to over stdin/stdout. The file is rewritten
//! atomically (`berth_store::fs::write_atomic_path`: mode 0600, or the mode it had), through a symlink
//! to its target, keeping every key berth does not know.

use std::{
    fmt,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use base64::Engine as _;
use berth_store::fs::Permissions;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// What a helper returns as user name when the secret is an identity (refresh) token.
const TOKEN_USERNAME: &str = "<token>";

/// Largest config.json read (it holds a handful of small entries).
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Credentials for one registry. `Debug` never shows the secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// An OAuth2 refresh token (Docker's `identitytoken`), used instead of the password.
    pub identity_token: Option<String>,
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
            identity_token: None,
        }
    }

    pub(crate) fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field(
                "identity_token",
                &self.identity_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Docker's `ConvertToHostname`: `https://host:5000/v1/` -> `host:5000`, `host/x` -> `host`.
pub fn convert_to_hostname(address: &str) -> String {
    let stripped = address.split_once("://").map_or(address, |(_, rest)| rest);
    stripped.split('/').next().unwrap_or_default().to_owned()
}

/// The key a registry's login is stored under: Docker Hub's legacy URL, else the host.
pub fn auth_key(registry_host: &str) -> String {
    use crate::hosts::{
        DOCKER_HUB_API_HOST, DOCKER_HUB_AUTH_KEY, DOCKER_HUB_DOMAIN, DOCKER_HUB_INDEX_HOST,
    };
    if [
        DOCKER_HUB_DOMAIN,
        DOCKER_HUB_INDEX_HOST,
        DOCKER_HUB_API_HOST,
    ]
    .contains(&registry_host)
    {
        DOCKER_HUB_AUTH_KEY.to_owned()
    } else {
        registry_host.to_owned()
    }
}

/// The default location: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn default_docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

/// A loaded config.json, kept as a JSON object so unknown keys survive a rewrite.
#[derive(Debug, Clone)]
pub struct DockerConfig {
    path: PathBuf,
    root: Map<String, Value>,
}

impl DockerConfig {
    /// Loads `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<DockerConfig> {
        let bytes =
            match std::fs::File::open(path) {
                Ok(file) => berth_store::fs::read_file_bounded(&file, MAX_CONFIG_BYTES).map_err(
                    |source| Error::DockerConfigRead {
                        path: path.to_owned(),
                        source,
                    },
                )?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(source) => {
                    return Err(Error::DockerConfigRead {
                        path: path.to_owned(),
                        source,
                    })
                }
            };
        DockerConfig::parse(path, &bytes)
    }

    /// Parses config.json bytes (empty or whitespace-only bytes are an empty config).
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<DockerConfig> {
        let root = if bytes.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            serde_json::from_slice(bytes).map_err(|source| Error::DockerConfigParse {
                path: path.to_owned(),
                source,
            })?
        };
        Ok(DockerConfig {
            path: path.to_owned(),
            root,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn auths(&self) -> Option<&Map<String, Value>> {
        self.root.get("auths").and_then(Value::as_object)
    }

    /// The helper configured for `key`: `credHelpers[key]`, else `credsStore`.
    pub fn helper_for(&self, key: &str) -> Option<String> {
        let from_helpers = self
            .root
            .get("credHelpers")
            .and_then(Value::as_object)
            .and_then(|helpers| helpers.get(key))
            .and_then(Value::as_str);
        let store = self.root.get("credsStore").and_then(Value::as_str);
        from_helpers
            .or(store)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    }

    /// Credentials for the registry stored under `key` (see [`auth_key`]), if any.
    pub fn credentials(&self, key: &str) -> Result<Option<Credentials>> {
        if let Some(helper) = self.helper_for(key) {
            return helper_get(&helper, key);
        }
        let Some(auths) = self.auths() else {
            return Ok(None);
        };
        let entry = auths.get(key).or_else(|| {
            let host = convert_to_hostname(key);
            auths
                .iter()
                .find(|(stored, _)| convert_to_hostname(stored) == host)
                .map(|(_, entry)| entry)
        });
        match entry {
            Some(entry) => decode_entry(key, entry),
            None => Ok(None),
        }
    }

    /// Stores credentials under `key`: with its helper if one is configured, else base64 in `auths`.
    /// Returns whether the secret went into the plain-text file.
    pub fn store(&mut self, key: &str, credentials: &Credentials) -> Result<bool> {
        if let Some(helper) = self.helper_for(key) {
            helper_store(&helper, key, credentials)?;
            // Docker keeps an empty entry in `auths` for helper-stored logins.
            self.auths_mut()
                .insert(key.to_owned(), Value::Object(Map::new()));
            self.save()?;
            return Ok(false);
        }
        let mut entry = Map::new();
        if let Some(token) = &credentials.identity_token {
            let auth = format!("{}:", credentials.username);
            entry.insert(
                "auth".into(),
                base64::engine::general_purpose::STANDARD
                    .encode(auth)
                    .into(),
            );
            entry.insert("identitytoken".into(), token.clone().into());
        } else {
            let auth = format!("{}:{}", credentials.username, credentials.password);
            entry.insert(
                "auth".into(),
                base64::engine::general_purpose::STANDARD
                    .encode(auth)
                    .into(),
            );
        }
        self.auths_mut()
            .insert(key.to_owned(), Value::Object(entry));
        self.save()?;
        Ok(true)
    }

    /// Removes the login stored under `key` (helper and file). Returns whether anything was there.
    pub fn erase(&mut self, key: &str) -> Result<bool> {
        let mut found = false;
        if let Some(helper) = self.helper_for(key) {
            found |= helper_erase(&helper, key)?;
        }
        if let Some(auths) = self.root.get_mut("auths").and_then(Value::as_object_mut) {
            found |= auths.remove(key).is_some();
        }
        Ok(found)
    }

    fn auths_mut(&mut self) -> &mut Map<String, Value> {
        let auths = self
            .root
            .entry("auths")
            .or_insert_with(|| Value::Object(Map::new()));
        if !auths.is_object() {
            *auths = Value::Object(Map::new());
        }
        auths.as_object_mut().expect("just made an object")
    }

    /// Writes the config atomically: mode 0600 in a 0700 directory, through a symlink to its target.
    pub fn save(&self) -> Result<()> {
        let write_error = |source| Error::DockerConfigWrite {
            path: self.path.clone(),
            source,
        };
        // Keep a symlinked config (dotfile managers) a symlink: write its target.
        let target = match std::fs::canonicalize(&self.path) {
            Ok(resolved) => resolved,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match std::fs::read_link(&self.path) {
                    Ok(link) => self
                        .path
                        .parent()
                        .map_or(link.clone(), |parent| parent.join(link)),
                    Err(_) => self.path.clone(),
                }
            }
            Err(source) => return Err(write_error(source)),
        };
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        create_private_dir(dir).map_err(write_error)?;
        let mut bytes = serde_json::to_vec_pretty(&Value::Object(self.root.clone()))
            .expect("a JSON object serializes");
        bytes.push(b'\n');
        // A rewritten config keeps its mode (whatever the umask); a new one is 0600.
        let mode = existing_mode(&target).unwrap_or(0o600);
        berth_store::fs::write_atomic_path(&target, &bytes, Permissions::Exact(mode))
            .map_err(write_error)
    }
}

fn decode_entry(key: &str, entry: &Value) -> Result<Option<Credentials>> {
    let bad = |reason| Error::BadAuthEntry {
        server: key.to_owned(),
        reason,
    };
    let identity_token = entry
        .get("identitytoken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let auth = entry
        .get("auth")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if auth.is_empty() {
        // Some writers keep user and password as separate fields.
        let username = entry.get("username").and_then(Value::as_str);
        let password = entry.get("password").and_then(Value::as_str);
        return Ok(match (username, password, identity_token) {
            (Some(u), Some(p), token) if !u.is_empty() => Some(Credentials {
                username: u.to_owned(),
                password: p.to_owned(),
                identity_token: token,
            }),
            (_, _, Some(token)) => Some(Credentials {
                identity_token: Some(token),
                ..Credentials::default()
            }),
            _ => None,
        });
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| bad("auth is not valid base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad("auth is not UTF-8"))?;
    let Some((username, password)) = decoded.split_once(':') else {
        return Err(bad("auth has no ':' between user name and password"));
    };
    if username.is_empty() {
        return Err(bad("auth has an empty user name"));
    }
    Ok(Some(Credentials {
        username: username.to_owned(),
        password: password.trim_matches('\0').to_owned(),
        identity_token,
    }))
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperCredentials {
    #[serde(rename = "ServerURL", default)]
    server_url: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

/// Runs `docker-credential-<helper> <action>` with `input` on stdin; returns (success, stdout).
fn run_helper(helper: &str, action: &str, input: &[u8]) -> Result<(bool, Vec<u8>)> {
    let program = format!("docker-credential-{helper}");
    let failure = |message: String| Error::CredentialHelper {
        helper: helper.to_owned(),
        message,
    };
    let mut child = Command::new(&program)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failure(format!("cannot run {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|e| failure(format!("cannot write to {program}: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| failure(format!("{program} did not finish: {e}")))?;
    Ok((output.status.success(), output.stdout))
}

fn helper_get(helper: &str, key: &str) -> Result<Option<Credentials>> {
    let (ok, stdout) = run_helper(helper, "get", key.as_bytes())?;
    if !ok {
        let message = String::from_utf8_lossy(&stdout).trim().to_owned();
        if message.contains("credentials not found") || message.is_empty() {
            return Ok(None);
        }
        return Err(Error::CredentialHelper {
            helper: helper.to_owned(),
            message: truncate(&message),
        });
    }
    let creds: HelperCredentials =
        serde_json::from_slice(&stdout).map_err(|_| Error::CredentialHelper {
            helper: helper.to_owned(),
            message: "invalid JSON from get".into(),
        })?;
    Ok(Some(if creds.username == TOKEN_USERNAME {
        Credentials {
            identity_token: Some(creds.secret),
            ..Credentials::default()
        }
    } else {
        Credentials::new(creds.username, creds.secret)
    }))
}

fn helper_store(helper: &str, key: &str, credentials: &Credentials) -> Result<()> {
    let payload = match &credentials.identity_token {
        Some(token) => HelperCredentials {
            server_url: key.to_owned(),
            username: TOKEN_USERNAME.to_owned(),
            secret: token.clone(),
        },
        None => HelperCredentials {
            server_url: key.to_owned(),
            username: credentials.username.clone(),
            secret: credentials.password.clone(),
        },
    };
    let input = serde_json::to_vec(&payload).expect("helper credentials serialize");
    let (ok, stdout) = run_helper(helper, "store", &input)?;
    if ok {
        Ok(())
    } else {
        Err(Error::CredentialHelper {
            helper: helper.to_owned(),
            message: truncate(String::from_utf8_lossy(&stdout).trim()),
        })
    }
}

fn helper_erase(helper: &str, key: &str) -> Result<bool> {
    let (ok, stdout) = run_helper(helper, "erase", key.as_bytes())?;
    let message = String::from_utf8_lossy(&stdout);
    if ok {
        Ok(true)
    } else if message.contains("credentials not found") {
        Ok(false)
    } else {
        Err(Error::CredentialHelper {
            helper: helper.to_owned(),
            message: truncate(message.trim()),
        })
    }
}

fn truncate(message: &str) -> String {
    message.chars().take(200).collect()
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::metadata(dir) {
        Ok(_) => Ok(()),
        Err(_) => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir),
    }
}

fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DockerConfig {
        DockerConfig::parse(Path::new("/nonexistent/config.json"), json.as_bytes()).expect("parses")
    }

    #[test]
    fn hostnames() {
        for (input, expected) in [
            ("https://index.docker.io/v1/", "index.docker.io"),
            ("http://localhost:5000", "localhost:5000"),
            ("myhost:5000/path", "myhost:5000"),
            ("myhost", "myhost"),
        ] {
            assert_eq!(convert_to_hostname(input), expected, "{input}");
        }
    }

    #[test]
    fn decodes_auths_and_legacy_keys() {
        let c = config(r#"{"auths":{"https://reg.example:5000/v1/":{"auth":"dTpw"}}}"#);
        let creds = c.credentials("reg.example:5000").unwrap().unwrap();
        assert_eq!(
            (creds.username.as_str(), creds.password.as_str()),
            ("u", "p")
        );
        assert!(c.credentials("other").unwrap().is_none());
    }

    #[test]
    fn rejects_bad_auth_entries() {
        for auth in [
            "!!!",
            "bm9jb2xvbg==", /* "nocolon" */
            "OnA=",         /* ":p" */
        ] {
            let c = config(&format!(r#"{{"auths":{{"h":{{"auth":"{auth}"}}}}}}"#));
            assert!(
                matches!(c.credentials("h"), Err(Error::BadAuthEntry { .. })),
                "{auth}"
            );
        }
    }

    #[test]
    fn missing_helper_is_an_error() {
        let c = config(r#"{"credsStore":"berth-test-does-not-exist"}"#);
        assert!(matches!(
            c.credentials("h"),
            Err(Error::CredentialHelper { .. })
        ));
    }

    /// Saving keeps credentials private: a new config.json is 0600 whatever the umask, a rewritten one
    /// keeps its mode, and a symlinked one (dotfile managers) stays a symlink with its target rewritten.
    #[test]
    fn saves_keep_the_mode_and_the_symlink() {
        use std::os::unix::fs::PermissionsExt;
        // (mode of an existing file, whether config.json is a symlink to it, mode after the save)
        let cases = [
            (None, false, 0o600),
            (Some(0o600), false, 0o600),
            (Some(0o644), false, 0o644),
            (Some(0o640), true, 0o640),
        ];
        for (before, symlinked, after) in cases {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("docker").join("config.json");
            let target = dir.path().join("dotfiles").join("docker.json");
            let written = if symlinked { &target } else { &path };
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            if let Some(mode) = before {
                std::fs::write(written, br#"{"other":1}"#).unwrap();
                std::fs::set_permissions(written, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            if symlinked {
                std::os::unix::fs::symlink(&target, &path).unwrap();
            }
            let mut config = DockerConfig::load(&path).unwrap();
            config.store("h", &Credentials::new("u", "p")).unwrap();
            let case = format!("{before:?} symlinked={symlinked}");
            let metadata = std::fs::symlink_metadata(written).unwrap();
            assert!(metadata.is_file(), "{case}");
            assert_eq!(metadata.permissions().mode() & 0o7777, after, "{case}");
            assert_eq!(
                std::fs::symlink_metadata(&path).unwrap().is_symlink(),
                symlinked,
                "{case}"
            );
            let reread = DockerConfig::load(&path).unwrap();
            assert_eq!(
                reread.credentials("h").unwrap(),
                Some(Credentials::new("u", "p")),
                "{case}"
            );
            if before.is_some() {
                assert_eq!(reread.root.get("other"), Some(&Value::from(1)), "{case}");
            }
            let names = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
            assert_eq!(
                names(written.parent().unwrap()),
                1,
                "{case}: a temp file was left"
            );
        }
    }

    /// A config.json past the limit is refused as too large (it was cut and then failed to parse).
    #[test]
    fn oversized_configs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let mut bytes = b"{}".to_vec();
        for (extra, fits) in [(0, true), (1, false)] {
            bytes.resize(usize::try_from(MAX_CONFIG_BYTES).unwrap() + extra, b'\n');
            std::fs::write(&path, &bytes).unwrap();
            match DockerConfig::load(&path) {
                Ok(_) => assert!(fits),
                Err(error) => {
                    assert!(!fits, "{error}");
                    let Error::DockerConfigRead { source, .. } = &error else {
                        panic!("{error:?}");
                    };
                    assert_eq!(
                        source.to_string(),
                        format!("file too large: more than {MAX_CONFIG_BYTES} bytes")
                    );
                }
            }
        }
    }

    #[test]
    fn debug_redacts() {
        let creds = Credentials::new("user", "hunter2");
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
