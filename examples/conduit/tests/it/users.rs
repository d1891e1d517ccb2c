use conduit::users;
use conduit::wire::{LoginUser, UpdateUser};
use conduit::{ConduitError, FieldErrors};

use crate::{fields, new_user, pool, register, validation};

#[tokio::test]
async fn register_returns_the_account_without_password() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    assert_eq!(alice.username, "alice");
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!((alice.bio, alice.image), (None, None));
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?1")
        .bind(alice.id)
        .fetch_one(&pool)
        .await
        .expect("the user row");
    assert!(stored.starts_with("$argon2id$"), "stored {stored:?}");
    assert!(!stored.contains("secret-alice"));
}

#[tokio::test]
async fn into_user_carries_the_token() {
    let pool = pool().await;
    let user = register(&pool, "alice").await.into_user("t0k3n".to_owned());
    assert_eq!(
        (user.token.as_str(), user.username.as_str()),
        ("t0k3n", "alice")
    );
}

#[tokio::test]
async fn duplicate_email_and_username_are_both_taken() {
    let pool = pool().await;
    register(&pool, "alice").await;
    let again = users::register(&pool, new_user("alice")).await;
    assert_eq!(
        validation(again),
        fields(&[
            ("email", "has already been taken"),
            ("username", "has already been taken")
        ])
    );
    let mut shouting = new_user("bob");
    shouting.email = "ALICE@example.com".to_owned();
    let email_case = users::register(&pool, shouting).await;
    assert_eq!(
        validation(email_case),
        fields(&[("email", "has already been taken")])
    );
}

#[tokio::test]
async fn login_with_the_right_password_returns_the_account() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let credentials = LoginUser {
        email: "alice@example.com".to_owned(),
        password: "secret-alice".to_owned(),
    };
    let logged_in = users::login(&pool, credentials).await.expect("login");
    assert_eq!(logged_in, alice);
}

#[tokio::test]
async fn login_with_a_wrong_password_or_unknown_email_is_invalid_credentials() {
    let pool = pool().await;
    register(&pool, "alice").await;
    for (email, password) in [("alice@example.com", "wrong"), ("nobody@example.com", "x")] {
        let credentials = LoginUser {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        let result = users::login(&pool, credentials).await;
        assert!(
            matches!(result, Err(ConduitError::InvalidCredentials)),
            "{email}: {result:?}"
        );
    }
    assert_eq!(
        ConduitError::InvalidCredentials.fields(),
        FieldErrors::from([(
            "email or password".to_owned(),
            vec!["is invalid".to_owned()]
        )])
    );
}

#[tokio::test]
async fn by_id_of_an_unknown_user_is_not_found() {
    let pool = pool().await;
    let result = users::by_id(&pool, 404).await;
    assert!(
        matches!(result, Err(ConduitError::NotFound("user"))),
        "{result:?}"
    );
}

#[tokio::test]
async fn update_changes_only_the_given_fields() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let changes = UpdateUser {
        bio: Some("I like dragons".to_owned()),
        image: Some("https://example.com/a.png".to_owned()),
        ..UpdateUser::default()
    };
    let updated = users::update(&pool, alice.id, changes)
        .await
        .expect("update");
    assert_eq!(updated.bio.as_deref(), Some("I like dragons"));
    assert_eq!(updated.image.as_deref(), Some("https://example.com/a.png"));
    assert_eq!(
        (updated.email, updated.username),
        (alice.email, alice.username)
    );

    let cleared = UpdateUser {
        image: Some(String::new()),
        ..UpdateUser::default()
    };
    let updated = users::update(&pool, alice.id, cleared)
        .await
        .expect("update");
    assert_eq!(updated.image, None);
    assert_eq!(updated.bio.as_deref(), Some("I like dragons"));
}

#[tokio::test]
async fn update_of_email_username_and_password_takes_effect() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let changes = UpdateUser {
        email: Some("alice@new.example".to_owned()),
        username: Some("alicia".to_owned()),
        password: Some("new-secret".to_owned()),
        ..UpdateUser::default()
    };
    let updated = users::update(&pool, alice.id, changes)
        .await
        .expect("update");
    assert_eq!(
        (updated.email.as_str(), updated.username.as_str()),
        ("alice@new.example", "alicia")
    );
    let old_password = LoginUser {
        email: "alice@new.example".to_owned(),
        password: "secret-alice".to_owned(),
    };
    let result = users::login(&pool, old_password).await;
    assert!(matches!(result, Err(ConduitError::InvalidCredentials)));
    let new_password = LoginUser {
        email: "alice@new.example".to_owned(),
        password: "new-secret".to_owned(),
    };
    assert_eq!(
        users::login(&pool, new_password).await.expect("login").id,
        alice.id
    );
}

#[tokio::test]
async fn update_to_a_taken_email_is_validation() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    register(&pool, "bob").await;
    let taken = UpdateUser {
        email: Some("bob@example.com".to_owned()),
        ..UpdateUser::default()
    };
    let result = users::update(&pool, alice.id, taken).await;
    assert_eq!(
        validation(result),
        fields(&[("email", "has already been taken")])
    );
    // Keeping one's own email is not "taken".
    let same = UpdateUser {
        email: Some("alice@example.com".to_owned()),
        ..UpdateUser::default()
    };
    users::update(&pool, alice.id, same)
        .await
        .expect("own email");
}
