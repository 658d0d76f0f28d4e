//! Authentication against the real registry: token auth with a test token server that signs real
//! JWTs (RS256, `x5c` chain the registry trusts), and TLS + htpasswd Basic auth with the CA in
//! `certs.d`.

use std::{
    path::Path,
    process::Command,
    sync::{Arc, Mutex},
};

use base64::Engine as _;
use berth_reference::Reference;
use berth_registry::{Credentials, Error, PullOptions, PushOptions};

use crate::{
    client_in,
    fake::{Reply, Request, Server},
    harness::{have, make_cert, Auth, Registry, PASSWORD, USER},
    image, store_in,
};

fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token server: Basic `berth:s3cret-pass` (or a refresh token it issued) gets every action it
/// asks for; anonymous callers get nothing.
pub struct TokenServer {
    pub server: Server,
    pub cert: std::path::PathBuf,
    pub issued: Arc<Mutex<u32>>,
}

pub fn token_server(dir: &Path) -> Option<TokenServer> {
    if !have("openssl") {
        return None;
    }
    let files = make_cert(dir, "token");
    let key_der = dir.join("token.key.der");
    let cert_der = dir.join("token.crt.der");
    let ok = Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(&files.key)
        .arg("-out")
        .arg(&key_der)
        .status()
        .unwrap()
        .success()
        && Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&files.cert)
            .arg("-out")
            .arg(&cert_der)
            .status()
            .unwrap()
            .success();
    assert!(ok, "openssl could not convert the token key");
    let key = ring::signature::RsaKeyPair::from_pkcs8(&std::fs::read(&key_der).unwrap())
        .expect("RSA key");
    let x5c = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&cert_der).unwrap());
    let issued = Arc::new(Mutex::new(0u32));
    let counter = issued.clone();
    let server = Server::start(move |request: &Request| {
        if request.path() != "/token" {
            return Reply::status(404);
        }
        let form: Vec<(String, String)> = if request.method == "POST" {
            url::form_urlencoded::parse(&request.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        } else {
            Vec::new()
        };
        let form_get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let expected_basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
        );
        let (subject, scopes) = if request.method == "POST" {
            if form_get("grant_type").as_deref() != Some("refresh_token")
                || form_get("refresh_token").as_deref() != Some("refresh-berth")
            {
                return Reply::status(401);
            }
            let scopes: Vec<String> = form_get("scope")
                .map(|s| s.split(' ').map(str::to_owned).collect())
                .unwrap_or_default();
            (USER.to_owned(), scopes)
        } else {
            match request.header("authorization") {
                Some(value) if value == expected_basic => (USER.to_owned(), request.query("scope")),
                Some(_) => return Reply::status(401),
                None => (String::new(), Vec::new()),
            }
        };
        let access: Vec<serde_json::Value> = scopes
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|scope| {
                let mut parts = scope.splitn(3, ':');
                let kind = parts.next()?;
                let name = parts.next()?;
                let actions: Vec<&str> = parts.next()?.split(',').collect();
                Some(serde_json::json!({"type": kind, "name": name, "actions": actions}))
            })
            .collect();
        let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
        let mut count = counter.lock().unwrap();
        *count += 1;
        let claims = serde_json::json!({
            "iss": "berth-test-issuer",
            "sub": subject,
            "aud": "berth-test",
            "exp": now() + 600,
            "nbf": now() - 10,
            "iat": now(),
            "jti": format!("token-{}", *count),
            "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(&header).unwrap()),
            b64url(&serde_json::to_vec(&claims).unwrap())
        );
        let mut signature = vec![0; key.public().modulus_len()];
        key.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .unwrap();
        let token = format!("{signing_input}.{}", b64url(&signature));
        let mut body = serde_json::json!({"token": token, "expires_in": 300});
        if request.query("offline_token") == ["true"] && !subject.is_empty() {
            body["refresh_token"] = "refresh-berth".into();
        }
        Reply::json(200, &body)
    });
    Some(TokenServer {
        server,
        cert: files.cert,
        issued,
    })
}

fn write_login(dir: &Path, host: &str) {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let config = dir.join("docker");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.json"),
        serde_json::to_vec(&serde_json::json!({"auths": {host: {"auth": auth}}})).unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn token_auth_push_and_pull() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tokens) = token_server(dir.path()) else {
        return;
    };
    let Some(registry) = Registry::start(Auth::Token {
        realm: format!("{}/token", tokens.server.url()),
        cert: tokens.cert.clone(),
    }) else {
        return;
    };
    let name = format!("{}/secure/app:1", registry.host());
    let reference = Reference::parse_normalized(&name).unwrap();

    // Anonymous: the token server grants nothing, so the pull is refused in Docker's words.
    let anonymous = client_in(dir.path());
    let store = store_in(dir.path(), "anon");
    let error = anonymous
        .pull(&store, &reference, &PullOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with(&format!(
            "pull access denied for {}/secure/app",
            registry.host()
        )),
        "{error}"
    );

    // With a stored login: push and pull work, and tokens are cached per scope.
    write_login(dir.path(), &registry.host());
    let client = client_in(dir.path());
    let source = store_in(dir.path(), "source");
    let built = image::small(&source, &[&name], "token");
    let pushed = client
        .push(&source, &reference, &PushOptions::default(), |_| {})
        .await
        .expect("push with token auth");
    assert_eq!(pushed.tags[0].digest, built.manifest_digest);
    let target = store_in(dir.path(), "target");
    client
        .pull(&target, &reference, &PullOptions::default(), |_| {})
        .await
        .expect("pull with token auth");
    assert_eq!(target.resolve(&name).unwrap().id, built.config_digest);
    let token_requests = tokens.server.requests();
    assert!(
        token_requests.len() <= 4,
        "tokens are cached per scope: {:?}",
        token_requests
            .iter()
            .map(|r| (r.query("scope"), r.header("authorization").is_some()))
            .collect::<Vec<_>>()
    );
    let scopes: Vec<String> = token_requests
        .iter()
        .flat_map(|r| r.query("scope"))
        .collect();
    assert!(
        scopes.contains(&"repository:secure/app:pull,push".to_owned()),
        "{scopes:?}"
    );
    assert!(
        scopes.contains(&"repository:secure/app:pull".to_owned()),
        "{scopes:?}"
    );
    for request in token_requests.iter().skip(1) {
        assert_eq!(request.query("account"), [USER]);
        assert!(request
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic ")));
    }

    // login: validated against the registry through the token server; the refresh token it
    // hands out is stored instead of the password, and used (POST grant) from then on.
    let login_dir = tempfile::tempdir().unwrap();
    let client = client_in(login_dir.path());
    let wrong = client
        .login(Some(&registry.host()), &Credentials::new(USER, "wrong"))
        .await
        .unwrap_err();
    assert!(matches!(wrong, Error::Unauthorized { .. }), "{wrong}");
    let outcome = client
        .login(Some(&registry.host()), &Credentials::new(USER, PASSWORD))
        .await
        .expect("login");
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&outcome.config_path).unwrap()).unwrap();
    let entry = &config["auths"][registry.host()];
    assert_eq!(entry["identitytoken"], "refresh-berth");
    assert!(!config.to_string().contains(PASSWORD));
    let fresh = client_in(login_dir.path());
    let before = tokens.server.requests().len();
    let store = store_in(login_dir.path(), "after-login");
    fresh
        .pull(&store, &reference, &PullOptions::default(), |_| {})
        .await
        .expect("pull with the refresh token");
    let used: Vec<Request> = tokens.server.requests().split_off(before);
    assert!(used.iter().any(|r| r.method == "POST"
        && String::from_utf8_lossy(&r.body).contains("grant_type=refresh_token")));
    assert!(*tokens.issued.lock().unwrap() > 0);
}

#[tokio::test]
async fn tls_htpasswd_with_certs_d() {
    let Some(registry) = Registry::start(Auth::Htpasswd) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = registry.host();
    let name = format!("{host}/basic/app:2");
    let reference = Reference::parse_normalized(&name).unwrap();

    // Without the CA: a loopback registry is insecure, so (like Docker) berth speaks HTTPS to it
    // without checking the self-signed certificate, and gets as far as the password check.
    let client = client_in(dir.path());
    let store = store_in(dir.path(), "store");
    let anonymous = client
        .pull(&store, &reference, &PullOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(anonymous, Error::PullAccessDenied { .. }),
        "{anonymous:?}"
    );
    let unverified = client
        .login(Some(&host), &Credentials::new(USER, PASSWORD))
        .await
        .unwrap_or_else(|e| panic!("login over unverified TLS: {e:?}"));
    assert_eq!(unverified.server, host);
    std::fs::remove_file(dir.path().join("docker").join("config.json")).unwrap();

    // certs.d/<host>/ca.crt makes berth use verified HTTPS.
    let certs = dir.path().join("berth-config").join("certs.d").join(&host);
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(registry.ca.as_ref().unwrap(), certs.join("ca.crt")).unwrap();
    let client = client_in(dir.path());
    let wrong = client
        .login(Some(&host), &Credentials::new(USER, "nope"))
        .await
        .unwrap_err();
    // Docker's daemon words for a Basic login the registry refuses.
    assert_eq!(
        wrong.to_string(),
        format!("login attempt to https://{host}/v2/ failed with status: 401 Unauthorized")
    );
    assert!(!dir.path().join("docker").join("config.json").exists());
    let outcome = client
        .login(
            Some(&format!("https://{host}")),
            &Credentials::new(USER, PASSWORD),
        )
        .await
        .unwrap_or_else(|e| panic!("login over TLS: {:?}", std::error::Error::source(&e)));
    assert_eq!(outcome.server, host);
    assert!(outcome.stored_in_plaintext);

    let client = client_in(dir.path());
    let built = image::small(&store, &[&name], "basic");
    client
        .push(&store, &reference, &PushOptions::default(), |_| {})
        .await
        .expect("push with Basic auth");
    let target = store_in(dir.path(), "target");
    client
        .pull(&target, &reference, &PullOptions::default(), |_| {})
        .await
        .expect("pull with Basic auth");
    assert_eq!(target.resolve(&name).unwrap().id, built.config_digest);

    if have("skopeo") {
        let output = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", "--format", "{{.Digest}}"])
            .arg(format!("--creds={USER}:{PASSWORD}"))
            .arg(format!("docker://{name}"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            built.manifest_digest.to_string()
        );
    }
}
