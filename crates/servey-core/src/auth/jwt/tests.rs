//! The JWT bearer's tokens: what it issues and every refusal, with its exact words.

use jwt_compact::alg::{Hs512, Hs512Key};

use super::*;

const SECRET: &str = "test-secret";

fn in_an_hour() -> Option<DateTime<Utc>> {
    timestamp(unix_now() + 3600)
}

fn grant() -> Claims<Grant> {
    Claims::new(Grant {
        sub: Some("root".to_owned()),
        scope: "root".to_owned(),
    })
}

fn refusal(token: &str) -> String {
    JwtAuthorizer::new(Some(SECRET))
        .verify(token)
        .expect_err("refused")
}

#[test]
fn each_refusal_names_its_reason() {
    let key = Hs256Key::new(SECRET);
    let header = Header::empty().with_token_type("JWT");
    let mut valid = grant();
    valid.expiration = in_an_hour();
    let hs512 = Hs512
        .token(&header, &valid, &Hs512Key::new(SECRET))
        .expect("signed");
    let critical = Header::new(CriticalHeaders {
        crit: Some(vec!["exp".to_owned()]),
    });
    let crit = Hs256.token(&critical, &valid, &key).expect("signed");
    let mut future = grant();
    future.expiration = in_an_hour();
    future.issued_at = timestamp(unix_now() + 86_400);
    let future = Hs256.token(&header, &future, &key).expect("signed");
    let no_exp = Hs256.token(&header, &grant(), &key).expect("signed");
    // {"alg":"none","typ":"JWT"} . {"sub":"root","scope":"root","exp":9999999999} . (no signature)
    let alg_none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJyb290Iiwic2NvcGUiOiJyb290IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
    let foreign = Hs256
        .token(&header, &valid, &Hs256Key::new("other"))
        .expect("signed");
    assert_eq!(
        [
            refusal(alg_none),
            refusal(&hs512),
            refusal(&crit),
            refusal(&future),
            refusal(&no_exp),
            refusal(&foreign),
            refusal("garbage"),
        ],
        [
            "the token is malformed",
            "the token's algorithm is not HS256",
            "the token names critical header extensions (`crit`)",
            "the token is issued in the future",
            "the token has no `exp` claim",
            "the token's signature is invalid",
            "the token is malformed",
        ]
    );
}

#[test]
fn issued_tokens_carry_their_times_and_a_jwt_header() {
    let authorizer = JwtAuthorizer::new(Some(SECRET));
    let now = unix_now();
    let grant = Authorization {
        not_before: Some(now - 5),
        ..Authorization::new("ann", ["user"])
    };
    let token = authorizer
        .issue(&grant, Duration::from_secs(60))
        .expect("issued");
    let untrusted = UntrustedToken::new(&token).expect("parsed");
    assert_eq!(
        (
            untrusted.algorithm(),
            untrusted.header().token_type.as_deref()
        ),
        ("HS256", Some("JWT"))
    );
    let verified = authorizer.verify(&token).expect("valid");
    assert_eq!(verified.not_before, Some(now - 5));
    assert!(verified.expire_at.is_some_and(|exp| exp >= now + 60));
}

#[test]
fn a_verified_grant_carries_the_token_as_sent_and_never_shows_it() {
    let bearer = JwtBearer::new(SECRET);
    let token = bearer
        .issue(&Authorization::new("ann", ["user"]))
        .expect("issued");
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("a header value"),
    );
    let Credentials::Valid(grant) = bearer.authenticate(&headers) else {
        panic!("the token is valid");
    };
    assert_eq!(grant.token(), Some(token.as_str()));
    let same_grant = Authorization {
        expire_at: grant.expire_at,
        ..Authorization::new("ann", ["user"])
    };
    assert_eq!(grant, same_grant, "equal whichever token presented it");
    assert!(!format!("{grant:?}").contains(&token), "{grant:?}");
    assert_eq!(
        serde_json::to_value(&grant).expect("serializes"),
        serde_json::json!({
            "subject": "ann", "scopes": ["user"], "not_before": null,
            "expire_at": grant.expire_at
        })
    );
    assert_eq!(Authorization::new("ann", ["user"]).token(), None);
}
