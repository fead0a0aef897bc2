//! Bearer tokens and roles.
//!
//! A token is `fwt_` and 64 hex digits: 32 bytes from the operating system's random source
//! (`service mint-token`). The service keeps only each token's SHA-256: a token has 256 bits
//! of entropy, so no dictionary or brute-force search of the hash is feasible and a slow
//! password hash (argon2, scrypt) would add cost to every request and nothing to security. The
//! presented token's hash is compared with every configured hash in constant time (`subtle`),
//! without stopping at a match, so the time taken tells nothing about which hash was close.

use std::fmt;

use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ServiceCode};

/// What a token may do; each role may do everything the roles before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reports, the journal, exports, proposals (reading).
    Reader,
    /// And submits commands (except the administrator's).
    Recorder,
    /// And approves or rejects proposals recorded by others.
    Approver,
    /// And `configure` and `close_period`.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Reader, Role::Recorder, Role::Approver, Role::Admin];

    /// The role's name (`reader`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Recorder => "recorder",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    /// A role from its name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The role a command type needs: the settings of the ledger and the closing of a
    /// period are the administrator's; every other command the recorder's.
    pub fn for_command(type_name: &str) -> Role {
        match type_name {
            "configure" | "close_period" => Role::Admin,
            _ => Role::Recorder,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An authenticated caller: the name the journal records and the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The name written as `recorded_by` / `approved_by`.
    pub name: String,
    /// What the caller may do.
    pub role: Role,
}

impl Identity {
    /// Refuses (403 `FORBIDDEN`) unless the caller's role is at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::service(
                ServiceCode::Forbidden,
                format!("{} ({}) may not do this: it needs the role {needed}", self.name, self.role),
                json!({"role": self.role.name(), "needed": needed.name()}),
            ))
        }
    }
}

/// One configured token, as the token file has it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    name: String,
    role: String,
    token_sha256: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    #[serde(default)]
    token: Vec<TokenEntry>,
}

/// The configured tokens (hashes only).
#[derive(Clone)]
pub struct Tokens {
    entries: Vec<([u8; 32], Identity)>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and roles only: never the hashes.
        f.debug_list().entries(self.entries.iter().map(|(_, who)| (&who.name, who.role))).finish()
    }
}

/// The prefix of every token.
pub const TOKEN_PREFIX: &str = "fwt_";

impl Tokens {
    /// Tokens from the TOML of a token file (`[[token]]` tables of `name`, `role`,
    /// `token_sha256`). Refuses unknown keys, unknown roles, malformed hashes, an empty or
    /// repeated name and a repeated hash.
    pub fn from_toml(text: &str) -> Result<Tokens, String> {
        let file: TokenFile = toml::from_str(text).map_err(|e| format!("token file: {e}"))?;
        let mut entries: Vec<([u8; 32], Identity)> = Vec::new();
        for (n, entry) in file.token.into_iter().enumerate() {
            let at = format!("token file, token {}", n + 1);
            let name = entry.name.trim();
            if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) || name != entry.name {
                return Err(format!(
                    "{at}: name {:?} must be 1 to 100 characters, without control characters or surrounding spaces",
                    entry.name
                ));
            }
            let role = Role::parse(&entry.role).ok_or_else(|| {
                format!("{at}: role {:?} is not one of reader, recorder, approver, admin", entry.role)
            })?;
            let hash = parse_hash(&entry.token_sha256)
                .ok_or_else(|| format!("{at}: token_sha256 must be 64 lower-case hex digits"))?;
            if entries.iter().any(|(_, who)| who.name == name) {
                return Err(format!("{at}: the name {name:?} is given twice"));
            }
            if entries.iter().any(|(h, _)| *h == hash) {
                return Err(format!("{at}: the same token is given twice"));
            }
            entries.push((hash, Identity { name: name.to_owned(), role }));
        }
        Ok(Tokens { entries })
    }

    /// How many tokens are configured.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The caller of a request, from its `Authorization: Bearer` header (401 `UNAUTHENTICATED`
    /// when missing or unknown).
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Identity, ApiError> {
        let refuse = |message: &str| Err(ApiError::service(ServiceCode::Unauthenticated, message, json!({})));
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return refuse("send Authorization: Bearer <token>");
        };
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) else {
            return refuse("the Authorization header must be Bearer <token>");
        };
        let presented: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found: Option<&Identity> = None;
        for (hash, who) in &self.entries {
            // Every entry is compared; the match is remembered, not returned early.
            if bool::from(hash.ct_eq(&presented)) {
                found = Some(who);
            }
        }
        match found {
            Some(who) => Ok(who.clone()),
            None => refuse("unknown token"),
        }
    }
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The hex SHA-256 of a token, as the token file keeps it.
pub fn token_sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token (`fwt_` and 64 hex digits).
pub fn mint_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random bytes from the operating system: {e}"))?;
    Ok(format!("{TOKEN_PREFIX}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// The lines of the token file for a token.
pub fn token_file_lines(name: &str, role: Role, token: &str) -> String {
    // The name goes through TOML's own string quoting.
    let quoted = toml::Value::String(name.to_owned()).to_string();
    format!("[[token]]\nname = {quoted}\nrole = \"{role}\"\ntoken_sha256 = \"{}\"\n", token_sha256(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(axum::http::header::AUTHORIZATION, value.parse().unwrap());
        map
    }

    #[test]
    fn a_minted_token_authenticates_through_its_file_lines_and_others_do_not() {
        let ana = mint_token().unwrap();
        let ben = mint_token().unwrap();
        assert_ne!(ana, ben);
        assert_eq!(ana.len(), 4 + 64);
        let file = format!(
            "{}{}",
            token_file_lines("Ana \"finance\"", Role::Admin, &ana),
            token_file_lines("ben", Role::Reader, &ben)
        );
        assert!(!file.contains(&ana[4..]), "the file holds hashes, never the token");
        let tokens = Tokens::from_toml(&file).unwrap();
        let who = tokens.authenticate(&headers(&format!("Bearer {ana}"))).unwrap();
        assert_eq!((who.name.as_str(), who.role), ("Ana \"finance\"", Role::Admin));
        assert_eq!(tokens.authenticate(&headers(&format!("Bearer {ben}"))).unwrap().role, Role::Reader);
        let forged = format!("{}0", &ana[..ana.len() - 1]);
        for bad in [format!("Bearer {forged}"), ana.clone(), format!("Basic {ana}"), "Bearer ".into()] {
            assert_eq!(tokens.authenticate(&headers(&bad)).unwrap_err().code(), "UNAUTHENTICATED", "{bad}");
        }
        assert_eq!(tokens.authenticate(&HeaderMap::new()).unwrap_err().code(), "UNAUTHENTICATED");
        assert!(!format!("{tokens:?}").contains(&token_sha256(&ana)), "Debug shows no hash");
    }

    #[test]
    fn roles_are_ordered_and_the_file_is_checked() {
        let reader = Identity { name: "r".into(), role: Role::Reader };
        assert!(reader.require(Role::Reader).is_ok());
        assert_eq!(reader.require(Role::Recorder).unwrap_err().code(), "FORBIDDEN");
        assert_eq!(Role::for_command("configure"), Role::Admin);
        assert_eq!(Role::for_command("record_receipt"), Role::Recorder);
        let hash = token_sha256("x");
        let line = |name: &str, role: &str, hash: &str| {
            format!("[[token]]\nname = \"{name}\"\nrole = \"{role}\"\ntoken_sha256 = \"{hash}\"\n")
        };
        assert!(Tokens::from_toml(&line("a", "root", &hash)).is_err());
        assert!(Tokens::from_toml(&line("a", "admin", "abc")).is_err());
        assert!(Tokens::from_toml(&line("", "admin", &hash)).is_err());
        assert!(Tokens::from_toml(&format!("{}{}", line("a", "admin", &hash), line("b", "admin", &hash))).is_err());
        assert!(Tokens::from_toml(&format!(
            "{}{}",
            line("a", "admin", &hash),
            line("a", "reader", &token_sha256("y"))
        ))
        .is_err());
        assert!(Tokens::from_toml("[[token]]\nname = \"a\"\nrole = \"admin\"\ntoken = \"plain\"\n").is_err());
    }
}
