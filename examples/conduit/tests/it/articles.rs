use conduit::wire::UpdateArticle;
use conduit::{ConduitError, articles};

use crate::{new_article, pool, register};

#[tokio::test]
async fn create_makes_a_slug_sorts_tags_and_starts_unfavorited() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let article = articles::create(
        &pool,
        alice.id,
        new_article(
            "How to train your dragon",
            &["training", "dragons", "dragons", " "],
        ),
    )
    .await
    .expect("create");
    assert_eq!(article.slug, "how-to-train-your-dragon");
    assert_eq!(article.title, "How to train your dragon");
    assert_eq!(article.tag_list, ["dragons", "training"]);
    assert_eq!(article.created_at, article.updated_at);
    assert!(!article.favorited);
    assert_eq!(article.favorites_count, 0);
    assert_eq!(article.author.username, "alice");
    assert_eq!(
        articles::get(&pool, &article.slug, None)
            .await
            .expect("get"),
        article
    );
}

#[tokio::test]
async fn a_taken_slug_gets_the_next_free_number() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let mut made = Vec::new();
    for title in ["Dragons", "dragons!", "DRAGONS", "Dragons 2"] {
        let article = articles::create(&pool, alice.id, new_article(title, &[]))
            .await
            .expect("create");
        made.push(article.slug);
    }
    assert_eq!(made, ["dragons", "dragons-2", "dragons-3", "dragons-2-2"]);
}

#[tokio::test]
async fn unknown_slug_is_not_found() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let get = articles::get(&pool, "nope", None).await;
    let update = articles::update(&pool, alice.id, "nope", UpdateArticle::default()).await;
    let favorite = articles::favorite(&pool, alice.id, "nope").await;
    let unfavorite = articles::unfavorite(&pool, alice.id, "nope").await;
    for result in [get, update, favorite, unfavorite] {
        assert!(
            matches!(result, Err(ConduitError::NotFound("article"))),
            "{result:?}"
        );
    }
    let delete = articles::delete(&pool, alice.id, "nope").await;
    assert!(
        matches!(delete, Err(ConduitError::NotFound("article"))),
        "{delete:?}"
    );
}

#[tokio::test]
async fn update_of_the_body_keeps_the_slug_and_a_new_title_reslugs() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let article = articles::create(&pool, alice.id, new_article("Dragons", &["x"]))
        .await
        .expect("create");
    articles::create(&pool, alice.id, new_article("Wyverns", &[]))
        .await
        .expect("create");
    let body = UpdateArticle {
        body: Some("With two hands".to_owned()),
        ..UpdateArticle::default()
    };
    let updated = articles::update(&pool, alice.id, "dragons", body)
        .await
        .expect("update");
    assert_eq!(
        (updated.slug.as_str(), updated.body.as_str()),
        ("dragons", "With two hands")
    );
    assert_eq!(updated.description, article.description);
    assert!(updated.updated_at >= article.updated_at);
    assert_eq!(updated.created_at, article.created_at);

    let title = UpdateArticle {
        title: Some("Wyverns".to_owned()),
        ..UpdateArticle::default()
    };
    let renamed = articles::update(&pool, alice.id, "dragons", title)
        .await
        .expect("update");
    assert_eq!(
        (renamed.slug.as_str(), renamed.title.as_str()),
        ("wyverns-2", "Wyverns")
    );
    assert_eq!(renamed.tag_list, ["x"]);
    let old = articles::get(&pool, "dragons", None).await;
    assert!(
        matches!(old, Err(ConduitError::NotFound("article"))),
        "{old:?}"
    );
}

#[tokio::test]
async fn only_the_author_updates_or_deletes_an_article() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    let article = articles::create(&pool, alice.id, new_article("Dragons", &[]))
        .await
        .expect("create");
    let changes = UpdateArticle {
        body: Some("Bob was here".to_owned()),
        ..UpdateArticle::default()
    };
    let update = articles::update(&pool, bob.id, &article.slug, changes).await;
    assert!(matches!(update, Err(ConduitError::Forbidden)), "{update:?}");
    let delete = articles::delete(&pool, bob.id, &article.slug).await;
    assert!(matches!(delete, Err(ConduitError::Forbidden)), "{delete:?}");
    assert_eq!(
        articles::get(&pool, &article.slug, None)
            .await
            .expect("still there"),
        article
    );

    articles::delete(&pool, alice.id, &article.slug)
        .await
        .expect("delete");
    let gone = articles::get(&pool, &article.slug, None).await;
    assert!(
        matches!(gone, Err(ConduitError::NotFound("article"))),
        "{gone:?}"
    );
}

#[tokio::test]
async fn favorite_and_unfavorite_count_and_are_relative_to_the_viewer() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    let article = articles::create(&pool, alice.id, new_article("Dragons", &[]))
        .await
        .expect("create");
    let liked = articles::favorite(&pool, bob.id, &article.slug)
        .await
        .expect("favorite");
    assert_eq!((liked.favorited, liked.favorites_count), (true, 1));
    let twice = articles::favorite(&pool, bob.id, &article.slug)
        .await
        .expect("favorite");
    assert_eq!((twice.favorited, twice.favorites_count), (true, 1));
    let by_alice = articles::get(&pool, &article.slug, Some(alice.id))
        .await
        .expect("get");
    assert_eq!((by_alice.favorited, by_alice.favorites_count), (false, 1));
    let unliked = articles::unfavorite(&pool, bob.id, &article.slug)
        .await
        .expect("unfavorite");
    assert_eq!((unliked.favorited, unliked.favorites_count), (false, 0));
}
