#![no_implicit_prelude]

/// Generated code names everything by absolute path, so it compiles without any prelude.
#[::servey::action(triggers = [web_get], example(params = {"name": "a"}, result = "a"))]
fn echo(name: ::std::string::String) -> ::std::string::String {
    name
}

#[::servey::action(triggers = [web_post])]
async fn echo_async(
    count: ::std::option::Option<u32>,
    auth: ::std::option::Option<::servey::Authorization>,
) -> ::std::result::Result<u32, ::servey::ActionError> {
    let _ = auth;
    ::std::result::Result::Ok(::std::option::Option::unwrap_or(count, 0))
}

fn main() {}
