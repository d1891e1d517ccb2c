use conduit::users;

use crate::register;

#[tokio::test]
async fn in_memory_database_is_shared_by_every_query() {
    let pool = crate::pool().await;
    let alice = register(&pool, "alice").await;
    // Concurrent reads through the pool all see the database the registration wrote to.
    let reads: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { users::by_id(&pool, alice.id).await })
        })
        .collect();
    for read in reads {
        let account = read.await.expect("the read did not panic");
        assert_eq!(account.expect("alice is there").username, "alice");
    }
}

#[tokio::test]
async fn file_database_keeps_its_data_and_migrates_once() {
    let dir = std::env::temp_dir().join(format!("conduit-db-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}/conduit.db", dir.display());
    let alice_id = {
        let pool = conduit::connect(&url)
            .await
            .expect("a new file database opens");
        let id = register(&pool, "alice").await.id;
        pool.close().await;
        id
    };
    let pool = conduit::connect(&url)
        .await
        .expect("the existing file database opens");
    let alice = users::by_id(&pool, alice_id).await.expect("alice survived");
    assert_eq!(alice.email, "alice@example.com");
    pool.close().await;
    std::fs::remove_dir_all(&dir).expect("temp dir removed");
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let pool = crate::pool().await;
    let inserted = sqlx::query("INSERT INTO follows (follower_id, followee_id) VALUES (41, 42)")
        .execute(&pool)
        .await;
    assert!(inserted.is_err(), "a follow of unknown users was stored");
}
