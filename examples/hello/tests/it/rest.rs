//! Tour app over rest (filled in by the rest adapter's work).
