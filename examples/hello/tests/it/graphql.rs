//! Tour app over graphql (filled in by the graphql adapter's work).
