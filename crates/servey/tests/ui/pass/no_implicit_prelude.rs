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

#[::servey::action(
    triggers = [post("/echo")],
    status = 201,
    headers = ["Location"],
    example(as = "ann", scopes = ["a"], partial, params = {"name": "a"}, result = "a"),
    example(anonymous, params = {"name": "b"}, result = "b"),
)]
async fn echo_reply(
    name: ::std::string::String,
    size: ::servey::State<u32>,
) -> ::std::result::Result<::servey::Reply<::std::string::String>, ::servey::ActionError> {
    let _ = *size;
    ::std::result::Result::Ok(::servey::Reply::new(name))
}

#[::servey::action(triggers = [delete("/echo")])]
fn forget(size: ::servey::State<u32>) -> ::servey::Reply<()> {
    let _ = size;
    ::servey::Reply::new(())
}

#[::servey::fixture]
fn values() -> ::std::result::Result<::servey::Extensions, ::std::string::String> {
    ::std::result::Result::Ok(::servey::Extensions::new().with(1_u32))
}

fn main() {}
