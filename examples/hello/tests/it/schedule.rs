//! Tour app over schedule (filled in by the schedule adapter's work).
