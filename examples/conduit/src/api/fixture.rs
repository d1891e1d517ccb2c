//! The test fixture of Conduit's example tests: a fresh in-memory database holding one user (`jake`,
//! id 1) and one article of his tagged `dragons` and `training`.

use servey::Extensions;

use crate::wire::{NewArticle, NewUser, UpdateUser};
use crate::{ConduitError, articles, users};

/// What each example test's app holds: the seeded pool.
#[servey::fixture]
async fn seeded() -> Result<Extensions, ConduitError> {
    let pool = crate::connect("sqlite::memory:").await?;
    let jake = users::register(
        &pool,
        NewUser {
            username: "jake".into(),
            email: "jake@jake.jake".into(),
            password: "jakejake".into(),
        },
    )
    .await?;
    users::update(
        &pool,
        jake.id,
        UpdateUser {
            bio: Some("I work at statefarm".into()),
            ..UpdateUser::default()
        },
    )
    .await?;
    articles::create(
        &pool,
        jake.id,
        NewArticle {
            title: "How to train your dragon".into(),
            description: "Ever wonder how?".into(),
            body: "Very carefully.".into(),
            tag_list: vec!["training".into(), "dragons".into()],
        },
    )
    .await?;
    Ok(Extensions::new().with(pool))
}
