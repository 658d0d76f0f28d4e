//! Real peers on loopback: the CNCF distribution registry (`docker-registry serve`) in plain
//! HTTP, TLS + htpasswd and token-auth configurations, started on a free port with a temporary
//! storage directory and killed on drop.

use std::{
    fmt::Write as _,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
pub const USER: &str = "berth";
pub const PASSWORD: &str = "s3cret-pass";
/// `htpasswd -Bbn berth s3cret-pass`, used when `htpasswd` (apache2-utils) is not installed.
const HTPASSWD_LINE: &str = "berth:$2y$05$ENYmQdAPqJ4GgYlnlBYcgOIIEL9ZTYQszZR3NMFqTn8q9PZJKD8JS";

/// Whether a peer program is available. Missing in CI (`CI` set) is a failure, not a skip.
#[allow(clippy::print_stderr)] // tell the developer why a test did nothing
pub fn have(program: &str) -> bool {
    let found = if program.contains('/') {
        Path::new(program).exists()
    } else {
        Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "peer program {program} is missing (install it: the CI needs it)"
        );
        eprintln!("skipping: {program} is not installed");
    }
    found
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// How the registry authenticates.
pub enum Auth {
    None,
    /// TLS with the certificate of `TlsFiles`, htpasswd Basic auth.
    Htpasswd,
    /// Token auth against `realm`, trusting `TokenKeys::cert`.
    Token {
        realm: String,
        cert: PathBuf,
    },
}

pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(args: &[&str], dir: &Path) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {args:?} failed");
}

/// A self-signed certificate for 127.0.0.1 (made with openssl): good for signing tokens.
pub fn make_cert(dir: &Path, name: &str) -> TlsFiles {
    let cert = format!("{name}.crt");
    let key = format!("{name}.key");
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        dir,
    );
    TlsFiles {
        cert: dir.join(cert),
        key: dir.join(key),
    }
}

/// A test CA and a server certificate for 127.0.0.1 it signed (webpki refuses a CA certificate
/// as a server's). Returns (CA certificate, server files).
pub fn make_server_cert(dir: &Path) -> (PathBuf, TlsFiles) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=berth test CA",
        ],
        dir,
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        dir,
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.crt",
            "-extfile",
            "server.ext",
        ],
        dir,
    );
    (
        dir.join("ca.crt"),
        TlsFiles {
            cert: dir.join("server.crt"),
            key: dir.join("server.key"),
        },
    )
}

pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub tls: Option<TlsFiles>,
    /// The CA that signed the TLS certificate.
    pub ca: Option<PathBuf>,
}

impl Registry {
    /// `None` when the registry binary is missing outside CI.
    pub fn start(auth: Auth) -> Option<Registry> {
        if !have(REGISTRY_BIN) {
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage).unwrap();
        let mut yaml = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: berth-test-secret\n",
            storage.display()
        );
        let mut tls = None;
        let mut ca = None;
        match auth {
            Auth::None => {}
            Auth::Htpasswd => {
                if !have("openssl") {
                    return None;
                }
                let (ca_cert, files) = make_server_cert(dir.path());
                ca = Some(ca_cert);
                let _ = write!(
                    yaml,
                    "  tls:\n    certificate: {}\n    key: {}\n",
                    files.cert.display(),
                    files.key.display()
                );
                let htpasswd = dir.path().join("htpasswd");
                let line = Command::new("htpasswd")
                    .args(["-Bbn", USER, PASSWORD])
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map_or_else(
                        || HTPASSWD_LINE.to_owned(),
                        |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
                    );
                std::fs::write(&htpasswd, format!("{line}\n")).unwrap();
                let _ = write!(
                    yaml,
                    "auth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n",
                    htpasswd.display()
                );
                tls = Some(files);
            }
            Auth::Token { realm, cert } => {
                let _ = write!(
                    yaml,
                    "auth:\n  token:\n    realm: {realm}\n    service: berth-test\n    \
                     issuer: berth-test-issuer\n    rootcertbundle: {}\n",
                    cert.display()
                );
            }
        }
        let config = dir.path().join("config.yml");
        std::fs::write(&config, yaml).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let registry = Registry {
            child,
            port,
            dir,
            tls,
            ca,
        };
        registry.wait_ready();
        Some(registry)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                if self.tls.is_some() {
                    return;
                }
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = stream.write_all(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
                let mut head = [0u8; 12];
                if stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default();
        panic!("registry on port {} did not start: {log}", self.port);
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
