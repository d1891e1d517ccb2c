use conduit::{articles, tags};

use crate::{new_article, pool, register};

#[tokio::test]
async fn tags_are_listed_once_each_in_alphabetical_order() {
    let pool = pool().await;
    assert!(tags::list(&pool).await.expect("tags").is_empty());
    let alice = register(&pool, "alice").await;
    articles::create(
        &pool,
        alice.id,
        new_article("One", &["training", "dragons"]),
    )
    .await
    .expect("create");
    articles::create(&pool, alice.id, new_article("Two", &["dragons", "angular"]))
        .await
        .expect("create");
    assert_eq!(
        tags::list(&pool).await.expect("tags"),
        ["angular", "dragons", "training"]
    );
}

#[tokio::test]
async fn a_tag_goes_away_with_its_last_article() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let one = articles::create(&pool, alice.id, new_article("One", &["rare", "common"]))
        .await
        .expect("create");
    articles::create(&pool, alice.id, new_article("Two", &["common"]))
        .await
        .expect("create");
    articles::delete(&pool, alice.id, &one.slug)
        .await
        .expect("delete");
    assert_eq!(tags::list(&pool).await.expect("tags"), ["common"]);
}
