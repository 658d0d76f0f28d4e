//! login / logout and the Docker client config: modes, atomic writes through symlinks, kept keys,
//! Docker's logout forms, and a `docker-credential-*` helper.

use std::{os::unix::fs::PermissionsExt, path::Path};

use base64::Engine as _;
use berth_registry::{Credentials, DockerConfig};

use crate::{
    client_in,
    harness::{Auth, Registry},
};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn login_writes_a_private_file_and_logout_erases_every_form() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = registry.host();
    let config_dir = dir.path().join("docker");
    let config_path = config_dir.join("config.json");

    let client = client_in(dir.path());
    let outcome = client
        .login(Some(&host), &Credentials::new("alice", "pw:with:colons"))
        .await
        .expect("login");
    assert_eq!(outcome.server, host);
    assert_eq!(outcome.config_path, config_path);
    assert!(outcome.stored_in_plaintext);
    assert_eq!(mode(&config_dir), 0o700);
    assert_eq!(mode(&config_path), 0o600);
    let config = read_json(&config_path);
    let auth = config["auths"][&host]["auth"].as_str().unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(auth)
            .unwrap(),
        b"alice:pw:with:colons"
    );
    let loaded = DockerConfig::load(&config_path).unwrap();
    let creds = loaded.credentials(&host).unwrap().unwrap();
    assert_eq!(
        (creds.username.as_str(), creds.password.as_str()),
        ("alice", "pw:with:colons")
    );
    // No temp file is left behind.
    let names: Vec<_> = std::fs::read_dir(&config_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["config.json"]);

    // Keys berth does not know survive; legacy forms of the address are all logged out.
    let mut config = read_json(&config_path);
    config["psFormat"] = "table {{.ID}}".into();
    for key in [
        format!("http://{host}"),
        format!("https://{host}/v1/"),
        "other.example".into(),
    ] {
        config["auths"][key] = serde_json::json!({"auth": "dTpw"});
    }
    std::fs::write(&config_path, serde_json::to_vec(&config).unwrap()).unwrap();
    let logout = client
        .logout(Some(&format!("https://{host}/v1/")))
        .await
        .unwrap();
    assert_eq!(logout.host, host);
    assert!(logout.removed);
    let config = read_json(&config_path);
    let auths = config["auths"].as_object().unwrap();
    assert_eq!(auths.keys().collect::<Vec<_>>(), ["other.example"]);
    assert_eq!(config["psFormat"], "table {{.ID}}");
    assert_eq!(mode(&config_path), 0o600);
    let again = client.logout(Some(&host)).await.unwrap();
    assert!(!again.removed);
}

#[tokio::test]
async fn login_keeps_a_symlinked_config_and_its_mode() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let target = dotfiles.join("docker-config.json");
    std::fs::write(&target, br#"{"auths":{}}"#).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let config_dir = dir.path().join("docker");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::os::unix::fs::symlink(&target, config_dir.join("config.json")).unwrap();

    let client = client_in(dir.path());
    client
        .login(Some(&registry.host()), &Credentials::new("bob", "pw"))
        .await
        .unwrap();
    let link = config_dir.join("config.json");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode(&target), 0o640, "an existing file keeps its mode");
    assert!(read_json(&target)["auths"][registry.host()]["auth"].is_string());
}

#[tokio::test]
async fn bad_config_entries_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(&path, br#"{"auths":{"h":{"auth":"%%%"}}}"#).unwrap();
    let error = DockerConfig::load(&path)
        .unwrap()
        .credentials("h")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid auth configuration for h: auth is not valid base64"
    );
    std::fs::write(&path, b"{not json").unwrap();
    assert!(DockerConfig::load(&path).is_err());
    std::fs::write(&path, br#"{"credsStore":"berth-no-such-helper"}"#).unwrap();
    let error = DockerConfig::load(&path)
        .unwrap()
        .credentials("h")
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("credential helper docker-credential-berth-no-such-helper failed"),
        "{error}"
    );
}

/// A `docker-credential-berthtest` helper that keeps one login in a file next to it.
fn install_helper(bin: &Path) {
    let script = r#"#!/bin/sh
store="$(dirname "$0")/helper-store.json"
case "$1" in
  get) read server; if [ -f "$store" ]; then cat "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) cat > "$store" ;;
  erase) read server; if [ -f "$store" ]; then rm "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  *) exit 2 ;;
esac
"#;
    std::fs::create_dir_all(bin).unwrap();
    let path = bin.join("docker-credential-berthtest");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test]
async fn credential_helpers_store_get_and_erase() {
    // The helper is found through PATH, as Docker finds it; one directory shared by the tests.
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bin = BIN.get_or_init(|| {
        let bin = std::env::temp_dir().join(format!("berth-helper-{}", std::process::id()));
        install_helper(&bin);
        let path = std::env::var("PATH").unwrap_or_default();
        std::env::set_var("PATH", format!("{}:{path}", bin.display()));
        bin
    });
    let config_dir = dir.path().join("docker");
    std::fs::create_dir_all(&config_dir).unwrap();
    let config_path = config_dir.join("config.json");
    std::fs::write(&config_path, br#"{"credsStore":"berthtest"}"#).unwrap();

    let host = registry.host();
    let client = client_in(dir.path());
    let outcome = client
        .login(Some(&host), &Credentials::new("carol", "helper-secret"))
        .await
        .unwrap();
    assert!(!outcome.stored_in_plaintext);
    let text = std::fs::read_to_string(&config_path).unwrap();
    assert!(!text.contains("helper-secret"), "{text}");
    let stored = read_json(&bin.join("helper-store.json"));
    assert_eq!(stored["ServerURL"], host.as_str());
    assert_eq!(stored["Username"], "carol");
    assert_eq!(stored["Secret"], "helper-secret");
    let creds = DockerConfig::load(&config_path)
        .unwrap()
        .credentials(&host)
        .unwrap()
        .unwrap();
    assert_eq!(creds.password, "helper-secret");

    let logout = client.logout(Some(&host)).await.unwrap();
    assert!(logout.removed);
    assert!(!bin.join("helper-store.json").exists());
    let _ = std::fs::remove_file(bin.join("docker-credential-berthtest"));
}
