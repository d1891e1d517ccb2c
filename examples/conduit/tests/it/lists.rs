use conduit::wire::{ArticleQuery, FeedQuery, MultipleArticlesResponse};
use conduit::{articles, profiles};

use crate::{new_article, pool, register};

fn slugs(list: &MultipleArticlesResponse) -> Vec<&str> {
    list.articles.iter().map(|a| a.slug.as_str()).collect()
}

#[tokio::test]
async fn list_filters_by_tag_author_and_favorited_newest_first() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    for (author, title, tags) in [
        (alice.id, "A1", &["dragons"][..]),
        (bob.id, "B1", &["dragons", "training"][..]),
        (alice.id, "A2", &["training"][..]),
    ] {
        articles::create(&pool, author, new_article(title, tags))
            .await
            .expect("create");
    }
    articles::favorite(&pool, bob.id, "a1")
        .await
        .expect("favorite");
    let list = |query: ArticleQuery| {
        let pool = pool.clone();
        async move {
            articles::list(&pool, &query, Some(bob.id))
                .await
                .expect("list")
        }
    };
    let all = list(ArticleQuery::default()).await;
    assert_eq!(
        (slugs(&all), all.articles_count),
        (vec!["a2", "b1", "a1"], 3)
    );
    let tagged = list(ArticleQuery {
        tag: Some("dragons".to_owned()),
        ..ArticleQuery::default()
    })
    .await;
    assert_eq!(slugs(&tagged), ["b1", "a1"]);
    let by_alice = list(ArticleQuery {
        author: Some("alice".to_owned()),
        ..ArticleQuery::default()
    })
    .await;
    assert_eq!(slugs(&by_alice), ["a2", "a1"]);
    let favorited = list(ArticleQuery {
        favorited: Some("bob".to_owned()),
        ..ArticleQuery::default()
    })
    .await;
    assert_eq!(
        (slugs(&favorited), favorited.articles_count),
        (vec!["a1"], 1)
    );
    assert!(favorited.articles[0].favorited);
    let both = list(ArticleQuery {
        tag: Some("training".to_owned()),
        author: Some("alice".to_owned()),
        ..ArticleQuery::default()
    })
    .await;
    assert_eq!(slugs(&both), ["a2"]);
    let nobody = list(ArticleQuery {
        author: Some("nobody".to_owned()),
        ..ArticleQuery::default()
    })
    .await;
    assert_eq!((nobody.articles.len(), nobody.articles_count), (0, 0));
}

#[tokio::test]
async fn list_pages_with_limit_and_offset_and_counts_all_matches() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    for n in 1..=25 {
        articles::create(&pool, alice.id, new_article(&format!("Post {n}"), &[]))
            .await
            .expect("create");
    }
    let first = articles::list(&pool, &ArticleQuery::default(), None)
        .await
        .expect("list");
    assert_eq!((first.articles.len(), first.articles_count), (20, 25));
    assert_eq!(first.articles[0].slug, "post-25");
    let page = ArticleQuery {
        limit: Some(2),
        offset: Some(3),
        ..ArticleQuery::default()
    };
    let page = articles::list(&pool, &page, None).await.expect("list");
    assert_eq!(
        (slugs(&page), page.articles_count),
        (vec!["post-22", "post-21"], 25)
    );
}

#[tokio::test]
async fn feed_has_only_followed_authors_paged() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    let carol = register(&pool, "carol").await;
    for (author, title) in [
        (alice.id, "A1"),
        (bob.id, "B1"),
        (alice.id, "A2"),
        (carol.id, "C1"),
    ] {
        articles::create(&pool, author, new_article(title, &[]))
            .await
            .expect("create");
    }
    let empty = articles::feed(&pool, carol.id, &FeedQuery::default())
        .await
        .expect("feed");
    assert_eq!((empty.articles.len(), empty.articles_count), (0, 0));
    profiles::follow(&pool, carol.id, "alice")
        .await
        .expect("follow");
    profiles::follow(&pool, carol.id, "bob")
        .await
        .expect("follow");
    let feed = articles::feed(&pool, carol.id, &FeedQuery::default())
        .await
        .expect("feed");
    assert_eq!(
        (slugs(&feed), feed.articles_count),
        (vec!["a2", "b1", "a1"], 3)
    );
    assert!(feed.articles.iter().all(|a| a.author.following));
    let page = FeedQuery {
        limit: Some(1),
        offset: Some(1),
    };
    let page = articles::feed(&pool, carol.id, &page).await.expect("feed");
    assert_eq!((slugs(&page), page.articles_count), (vec!["b1"], 3));
}
