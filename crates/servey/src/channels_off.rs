//! The channel macros of a binary built without the `schedule` feature: each one stops the build with a
//! message that names the feature, instead of an unknown macro.

/// Declares a websocket event channel; needs servey's `schedule` feature.
#[macro_export]
macro_rules! websocket_event_channel {
    ($($any:tt)*) => {
        compile_error!(
            "`websocket_event_channel!` needs servey's `schedule` feature: servey = { features = [\"schedule\"] }"
        );
    };
}

/// Declares a background channel; needs servey's `schedule` feature.
#[macro_export]
macro_rules! background_channel {
    ($($any:tt)*) => {
        compile_error!(
            "`background_channel!` needs servey's `schedule` feature: servey = { features = [\"schedule\"] }"
        );
    };
}

/// Declares a webhook channel; needs servey's `schedule` feature.
#[macro_export]
macro_rules! webhook_channel {
    ($($any:tt)*) => {
        compile_error!(
            "`webhook_channel!` needs servey's `schedule` feature: servey = { features = [\"schedule\"] }"
        );
    };
}
