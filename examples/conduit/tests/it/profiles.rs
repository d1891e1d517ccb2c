use conduit::wire::Profile;
use conduit::{ConduitError, profiles};

use crate::{pool, register};

#[tokio::test]
async fn profile_is_not_followed_by_anonymous_or_a_stranger() {
    let pool = pool().await;
    let alice = register(&pool, "alice").await;
    let expected = Profile {
        username: "alice".to_owned(),
        bio: None,
        image: None,
        following: false,
    };
    assert_eq!(
        profiles::get(&pool, "alice", None).await.expect("profile"),
        expected
    );
    let bob = register(&pool, "bob").await;
    assert_eq!(
        profiles::get(&pool, "alice", Some(bob.id))
            .await
            .expect("profile"),
        expected
    );
    let own = profiles::get(&pool, "alice", Some(alice.id)).await;
    assert!(!own.expect("own profile").following);
}

#[tokio::test]
async fn follow_then_unfollow_flips_following_for_that_viewer_only() {
    let pool = pool().await;
    register(&pool, "alice").await;
    let bob = register(&pool, "bob").await;
    let carol = register(&pool, "carol").await;
    let followed = profiles::follow(&pool, bob.id, "alice")
        .await
        .expect("follow");
    assert!(followed.following);
    let again = profiles::follow(&pool, bob.id, "alice")
        .await
        .expect("follow twice");
    assert!(again.following);
    assert!(
        !profiles::get(&pool, "alice", Some(carol.id))
            .await
            .expect("profile")
            .following
    );
    assert!(
        !profiles::get(&pool, "alice", None)
            .await
            .expect("profile")
            .following
    );
    let unfollowed = profiles::unfollow(&pool, bob.id, "alice")
        .await
        .expect("unfollow");
    assert!(!unfollowed.following);
    assert!(
        !profiles::get(&pool, "alice", Some(bob.id))
            .await
            .expect("profile")
            .following
    );
}

#[tokio::test]
async fn unknown_username_is_not_found_everywhere() {
    let pool = pool().await;
    let bob = register(&pool, "bob").await;
    let get = profiles::get(&pool, "nobody", None).await;
    let follow = profiles::follow(&pool, bob.id, "nobody").await;
    let unfollow = profiles::unfollow(&pool, bob.id, "nobody").await;
    for result in [get, follow, unfollow] {
        assert!(
            matches!(result, Err(ConduitError::NotFound("profile"))),
            "{result:?}"
        );
    }
}
