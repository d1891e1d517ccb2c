use chrono::{TimeZone, Utc};
use conduit::wire::{Article, NewArticle, Profile, UpdateUser};
use conduit::{ConduitError, FieldErrors};
use serde_json::json;

fn article() -> Article {
    Article {
        slug: "how-to-train-your-dragon".to_owned(),
        title: "How to train your dragon".to_owned(),
        description: "Ever wonder how?".to_owned(),
        body: "Very carefully.".to_owned(),
        tag_list: vec!["dragons".to_owned(), "training".to_owned()],
        created_at: Utc
            .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
            .single()
            .expect("a date"),
        updated_at: Utc
            .timestamp_millis_opt(1_795_000_000_123)
            .single()
            .expect("a date"),
        favorited: false,
        favorites_count: 0,
        author: Profile {
            username: "jake".to_owned(),
            bio: None,
            image: Some("https://example.com/jake.png".to_owned()),
            following: false,
        },
    }
}

#[test]
fn article_has_conduits_exact_json_shape() {
    let json = serde_json::to_value(article()).expect("serializes");
    assert_eq!(
        json,
        json!({
            "slug": "how-to-train-your-dragon",
            "title": "How to train your dragon",
            "description": "Ever wonder how?",
            "body": "Very carefully.",
            "tagList": ["dragons", "training"],
            "createdAt": "2026-11-26T12:00:00.000Z",
            "updatedAt": "2026-11-18T11:06:40.123Z",
            "favorited": false,
            "favoritesCount": 0,
            "author": {
                "username": "jake",
                "bio": null,
                "image": "https://example.com/jake.png",
                "following": false
            }
        })
    );
    let back: Article = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, article());
}

#[test]
fn new_article_tag_list_is_optional() {
    let new: NewArticle = serde_json::from_value(json!({
        "title": "T", "description": "D", "body": "B"
    }))
    .expect("deserializes");
    assert!(new.tag_list.is_empty());
}

#[test]
fn debug_of_a_request_never_shows_the_password() {
    let changes = UpdateUser {
        password: Some("hunter2".to_owned()),
        ..UpdateUser::default()
    };
    assert!(!format!("{changes:?}").contains("hunter2"));
}

#[test]
fn errors_give_conduits_field_map() {
    let not_found = ConduitError::NotFound("article").fields();
    assert_eq!(
        not_found,
        FieldErrors::from([("article".to_owned(), vec!["not found".to_owned()])])
    );
    let body = serde_json::to_value(conduit::wire::GenericErrorModel::from(
        &ConduitError::invalid("email", "has already been taken"),
    ))
    .expect("serializes");
    assert_eq!(
        body,
        json!({"errors": {"email": ["has already been taken"]}})
    );
}
