//! Running the service for tests: a real process on 127.0.0.1 (an ephemeral port), a real
//! PostgreSQL (`FW_PG_URL`, set by `tests/postgres/with-server.sh`), tokens minted at run
//! time by the service's own `mint-token`, and real HTTP.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

/// The connection string, or `None` (and a note) when the tests run without a server;
/// with `FW_PG_REQUIRED=1` a missing server fails the test instead.
pub fn pg() -> Option<String> {
    match std::env::var("FW_PG_URL").ok().filter(|d| !d.is_empty()) {
        Some(dsn) => Some(dsn),
        None => {
            assert!(std::env::var("FW_PG_REQUIRED").as_deref() != Ok("1"), "FW_PG_REQUIRED=1 but FW_PG_URL is unset");
            let _ = writeln!(std::io::stderr(), "service test skipped: FW_PG_URL is unset (`make test-postgres`)");
            None
        }
    }
}

/// A ledger name no other test (or earlier run) uses.
pub fn ledger_name(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("svc-{tag}-{}-{nanos}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(ledger_name(tag));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Tokens minted by `service mint-token`, written to a token file; name -> token.
pub struct Tokens {
    pub file: PathBuf,
    pub by_name: HashMap<String, String>,
}

impl Tokens {
    pub fn mint(dir: &TempDir, people: &[(&str, &str)]) -> Tokens {
        let file = dir.0.join("tokens.toml");
        let mut text = String::new();
        let mut by_name = HashMap::new();
        for (name, role) in people {
            let out =
                Command::new(env!("CARGO_BIN_EXE_service")).args(["mint-token", name, role]).output().expect("mint");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let lines = String::from_utf8(out.stdout).expect("UTF-8");
            let stderr = String::from_utf8(out.stderr).expect("UTF-8");
            let token = stderr.rsplit(": ").next().expect("the token").trim().to_owned();
            assert!(token.starts_with("fwt_") && !lines.contains(&token), "the file's lines hold no token");
            text.push_str(&lines);
            by_name.insert(name.to_string(), token);
        }
        std::fs::write(&file, text).expect("token file");
        Tokens { file, by_name }
    }

    pub fn of(&self, name: &str) -> &str {
        &self.by_name[name]
    }
}

/// A running service process; killed on drop.
pub struct Service {
    pub child: Child,
    pub url: String,
}

impl Service {
    pub fn start(dsn: &str, ledger: &str, tokens: &Tokens, extra: &[(&str, &str)]) -> Service {
        let mut command = Command::new(env!("CARGO_BIN_EXE_service"));
        command
            .env("FW_PG_URL", dsn)
            .env("FW_LEDGER", ledger)
            .env("FW_LISTEN", "127.0.0.1:0")
            .env("FW_TOKENS_FILE", &tokens.file)
            .env_remove("FW_TOKENS")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in extra {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start the service");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the service's first line");
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        Service { url: url.to_owned(), child }
    }

    /// Stops the process at once (SIGKILL): what a crashed replica does.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An answer: status, content type, body (JSON when it parses).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }

    pub fn seq(&self) -> Option<u64> {
        self.headers.get("x-ledger-seq")?.to_str().ok()?.parse().ok()
    }
}

/// HTTP to one service. Every answer is checked against the service's OpenAPI document: its
/// status must be one the operation documents, and a JSON body must match the documented schema.
#[derive(Clone)]
pub struct Http {
    pub client: reqwest::Client,
    pub base: String,
    document: std::sync::Arc<std::sync::OnceLock<Value>>,
    validators: std::sync::Arc<std::sync::Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>>,
    pub checked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Http {
    pub fn new(base: &str) -> Http {
        Http {
            client: reqwest::Client::builder().no_proxy().build().expect("client"),
            base: base.to_owned(),
            document: Default::default(),
            validators: Default::default(),
            checked: Default::default(),
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.try_send(request).await.expect("an HTTP answer")
    }

    /// As [`Http::send`], with a connection that fails (the service is gone) as an error.
    pub async fn try_send(&self, request: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
        let request = request.build().expect("a request");
        let (method, url) = (request.method().as_str().to_lowercase(), request.url().clone());
        let response = self.client.execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        let answer = Answer { status, headers, text, json };
        self.check(&method, url.path(), &answer).await;
        Ok(answer)
    }

    async fn document(&self) -> &Value {
        if self.document.get().is_none() {
            let text = self
                .client
                .get(self.url("/openapi.json"))
                .send()
                .await
                .expect("the document")
                .text()
                .await
                .expect("text");
            let _ = self.document.set(serde_json::from_str(&text).expect("the document is JSON"));
        }
        self.document.get().expect("set above")
    }

    /// Checks an answer against the operation the document gives for its method and path.
    async fn check(&self, method: &str, path: &str, answer: &Answer) {
        let document = self.document().await;
        let paths = document["paths"].as_object().expect("paths");
        let segments: Vec<&str> = path.split('/').collect();
        let template = paths.keys().find(|t| {
            let parts: Vec<&str> = t.split('/').collect();
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s)
        });
        let Some(template) = template else {
            assert_eq!(
                (answer.status, answer.code()),
                (404, "NOT_FOUND"),
                "{method} {path}: not in the document: {}",
                answer.text
            );
            return self.check_schema("#/components/schemas/Error", answer, method, path);
        };
        let Some(operation) = paths[template].get(method) else {
            assert_eq!(
                (answer.status, answer.code()),
                (405, "METHOD_NOT_ALLOWED"),
                "{method} {template} is not documented"
            );
            return self.check_schema("#/components/schemas/Error", answer, method, path);
        };
        let status = answer.status.to_string();
        let documented = &operation["responses"][&status];
        assert!(
            documented.is_object(),
            "{method} {template} answered {status}, which the document does not list: {}",
            answer.text
        );
        // A JSON pointer in a URI fragment: `~` and `/` escaped, then the braces percent-encoded.
        let escaped = template.replace('~', "~0").replace('/', "~1").replace('{', "%7B").replace('}', "%7D");
        if documented["content"].get("application/json").is_some() {
            let pointer = format!("#/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema");
            self.check_schema(&pointer, answer, method, path);
        }
    }

    /// Checks a JSON answer against the schema at `pointer` of the document (panics if it does not match).
    pub fn check_schema(&self, pointer: &str, answer: &Answer, method: &str, path: &str) {
        let validator = {
            let mut cache = self.validators.lock().expect("the cache");
            cache
                .entry(pointer.to_owned())
                .or_insert_with(|| {
                    // The whole document is the root, so that its `#/components/...` references resolve.
                    let mut root = self.document.get().expect("fetched").clone();
                    root["$ref"] = Value::String(pointer.to_owned());
                    root["$schema"] = Value::String("https://json-schema.org/draft/2020-12/schema".into());
                    std::sync::Arc::new(
                        jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("the schema at {pointer}: {e}")),
                    )
                })
                .clone()
        };
        assert!(
            !answer.json.is_null() || answer.text == "null",
            "{method} {path}: the body is not JSON: {}",
            answer.text
        );
        if let Err(error) = validator.validate(&answer.json) {
            panic!("{method} {path} ({}): the body does not match {pointer}: {error}\n{}", answer.status, answer.text);
        }
        self.checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    pub async fn try_post(&self, path: &str, token: &str, body: &Value) -> Result<Answer, reqwest::Error> {
        self.try_send(self.client.post(self.url(path)).bearer_auth(token).json(body)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    /// The number of journal entries (after catching up).
    pub async fn journal_len(&self, token: &str) -> u64 {
        let answer = self.get("/journal?from=1&limit=1", Some(token)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json["head"]["seq"].as_u64().expect("head seq")
    }
}

/// A request written on a raw connection: the body is written as far as the server reads
/// it (a server refusing an oversized body answers and closes before reading it all, which
/// HTTP clients report as a failed request), then the answer is read. Returns the status
/// and the JSON body.
pub fn raw_request(base: &str, head: &str, body: &[u8]) -> (u16, Value) {
    use std::io::Read;
    let address = base.strip_prefix("http://").expect("an http URL");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {text:?}"));
    let json = text.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    (status, json)
}
