use conduit::wire::NewComment;
use conduit::{ConduitError, articles, comments, profiles};

use crate::{new_article, pool, register};

fn comment(body: &str) -> NewComment {
    NewComment {
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn comments_are_listed_newest_first_with_viewer_relative_authors() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    let article = articles::create(&pool, alice.id, new_article("Dragons", &[]))
        .await
        .expect("create");
    let first = comments::add(&pool, bob.id, &article.slug, comment("First!"))
        .await
        .expect("add");
    assert_eq!(
        (first.body.as_str(), first.author.username.as_str()),
        ("First!", "bob")
    );
    assert_eq!(first.created_at, first.updated_at);
    let second = comments::add(&pool, alice.id, &article.slug, comment("Thanks"))
        .await
        .expect("add");
    profiles::follow(&pool, bob.id, "alice")
        .await
        .expect("follow");

    let seen_by_bob = comments::list(&pool, &article.slug, Some(bob.id))
        .await
        .expect("list");
    let ids: Vec<i64> = seen_by_bob.iter().map(|c| c.id).collect();
    assert_eq!(ids, [second.id, first.id]);
    assert!(seen_by_bob[0].author.following, "bob follows alice");
    let anonymous = comments::list(&pool, &article.slug, None)
        .await
        .expect("list");
    assert!(!anonymous[0].author.following);
}

#[tokio::test]
async fn a_comment_on_an_unknown_article_is_not_found() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let nowhere = comments::add(&pool, alice.id, "no-such-slug", comment("Hi")).await;
    assert!(
        matches!(nowhere, Err(ConduitError::NotFound("article"))),
        "{nowhere:?}"
    );
    let listed = comments::list(&pool, "no-such-slug", None).await;
    assert!(
        matches!(listed, Err(ConduitError::NotFound("article"))),
        "{listed:?}"
    );
}

#[tokio::test]
async fn only_the_author_deletes_a_comment() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    let article = articles::create(&pool, alice.id, new_article("Dragons", &[]))
        .await
        .expect("create");
    let said = comments::add(&pool, bob.id, &article.slug, comment("Mine"))
        .await
        .expect("add");
    let by_alice = comments::delete(&pool, alice.id, &article.slug, said.id).await;
    assert!(
        matches!(by_alice, Err(ConduitError::Forbidden)),
        "{by_alice:?}"
    );
    comments::delete(&pool, bob.id, &article.slug, said.id)
        .await
        .expect("the author deletes");
    assert!(
        comments::list(&pool, &article.slug, None)
            .await
            .expect("list")
            .is_empty()
    );
    let again = comments::delete(&pool, bob.id, &article.slug, said.id).await;
    assert!(
        matches!(again, Err(ConduitError::NotFound("comment"))),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_comment_is_deleted_only_under_its_own_article() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let one = articles::create(&pool, alice.id, new_article("One", &[]))
        .await
        .expect("create");
    let two = articles::create(&pool, alice.id, new_article("Two", &[]))
        .await
        .expect("create");
    let said = comments::add(&pool, alice.id, &one.slug, comment("On one"))
        .await
        .expect("add");
    let elsewhere = comments::delete(&pool, alice.id, &two.slug, said.id).await;
    assert!(
        matches!(elsewhere, Err(ConduitError::NotFound("comment"))),
        "{elsewhere:?}"
    );
    assert_eq!(
        comments::list(&pool, &one.slug, None)
            .await
            .expect("list")
            .len(),
        1
    );
}
