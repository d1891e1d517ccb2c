#[doc(hidden)]
#[allow(non_upper_case_globals, non_snake_case, non_camel_case_types, clippy::all)]
static __SERVEY_ACTION_say_hello: ::servey::__private::ActionSpec = {
    use ::servey::__private as __servey;
    #[allow(unused_imports)]
    use ::servey::__private::utoipa;
    #[allow(unused_imports)]
    use ::std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use ::std::{self, format, vec};
    #[derive(__servey::serde::Deserialize)]
    #[serde(crate = "::servey::__private::serde")]
    struct __Decoded<__P0> {
        name: __P0,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Params {
        name: String,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Output(String);
    #[allow(clippy::type_complexity)]
    fn __decode<__P0: for<'de> __servey::serde::Deserialize<'de>>(
        input: &__servey::Input,
    ) -> ::std::result::Result<__Decoded<__P0>, __servey::ActionFuture> {
        input.decode(__check_fields::<__P0>).map_err(__servey::failed)
    }
    #[allow(unused_variables)]
    fn __check_fields<__P0: for<'de> __servey::serde::Deserialize<'de>>(
        map: &__servey::Map,
        errors: &mut ::std::vec::Vec<__servey::FieldError>,
    ) {
        __servey::check_field::<__P0>(map, "name", errors);
    }
    fn __invoke(
        input: __servey::Input,
        context: __servey::Context,
    ) -> __servey::ActionFuture {
        let _ = &context;
        #[allow(unused_variables)]
        let params = match __decode::<String>(&input) {
            ::std::result::Result::Ok(params) => params,
            ::std::result::Result::Err(failed) => return failed,
        };
        __servey::run_sync(
            __servey::Placement::Inline,
            move || __servey::output_of::<String>(say_hello(params.name)),
        )
    }
    fn __examples() -> ::std::vec::Vec<__servey::Example> {
        ::std::vec![
            __servey::Example { name :
            ::std::option::Option::Some(::std::string::ToString::to_string("greet")),
            description : ::std::option::Option::None, params :
            __servey::serde_json::json!({ "name" : "Developer" }), result :
            __servey::serde_json::json!("Hello Developer!"), include_in_tests : true,
            caller : ::std::option::Option::None, scopes : ::std::option::Option::None,
            anonymous : false, partial : false, }
        ]
    }
    __servey::ActionSpec {
        name: "say_hello",
        fn_name: "say_hello",
        doc: "Greet a user!",
        location: ::std::concat!(::std::file!(), ":", ::std::line!()),
        triggers: &[
            __servey::Trigger::Web {
                method: __servey::Method::Get,
                path: ::std::option::Option::None,
            },
        ],
        examples: __examples,
        access_control: ::std::option::Option::None,
        cache_control: ::std::option::Option::None,
        timeout_secs: ::std::option::Option::None,
        rate_limit: ::std::option::Option::None,
        deny_unknown_fields: ::std::option::Option::None,
        requires_authorization: false,
        state: &[],
        status: ::std::option::Option::None,
        response_headers: &[],
        error_statuses: &[],
        schema: __servey::action_schema::<__Params, __Output>,
        owner: ::std::option::Option::None,
        tags: &[],
        module: ::std::module_path!(),
        invoke: __invoke,
        batch: ::std::option::Option::None,
    }
};
::servey::__private::inventory::submit! {
    ::servey::__private::ActionEntry(& __SERVEY_ACTION_say_hello)
}
#[doc(hidden)]
#[allow(non_upper_case_globals, dead_code)]
const __servey_action_name_say_hello: (u64, &str) = (
    17570263190661662013u64,
    "the action name `say_hello` is already taken by `fn say_hello` in this module; action names are unique: rename one of them with `name = \"..\"`",
);
#[doc(hidden)]
const _: () = if __servey_action_name_say_hello.0 != 17570263190661662013u64 {
    ::std::panic!("{}", __servey_action_name_say_hello.1)
};
///Typed calls of the action `say_hello` through a `servey::Client` (in-process or over HTTP).
#[allow(non_snake_case, unused_imports)]
mod say_hello {
    use super::*;
    ///Calls the action `say_hello` through `client`, typed in and out: the same result and the same errors in-process as over HTTP.
    #[allow(clippy::too_many_arguments, dead_code)]
    pub async fn call<__C>(
        client: &__C,
        name: String,
    ) -> ::std::result::Result<String, ::servey::__private::ClientError>
    where
        __C: ::servey::__private::Caller + ?::std::marker::Sized,
        ::servey::__private::Typed<
            __C,
            String,
        >: ::servey::__private::Encode<Value = String>,
        ::servey::__private::Typed<
            __C,
            String,
        >: ::servey::__private::Decode<Value = String>,
    {
        #[allow(unused_mut)]
        let mut input = ::servey::__private::Map::new();
        input
            .insert(
                ::std::string::ToString::to_string("name"),
                <::servey::__private::Typed<
                    __C,
                    String,
                > as ::servey::__private::Encode>::encode(&name)?,
            );
        let result = ::servey::__private::typed_call(client, "say_hello", input, true)
            .await?;
        <::servey::__private::Typed<
            __C,
            String,
        > as ::servey::__private::Decode>::decode(result)
    }
    #[cfg(test)]
    #[test]
    fn example_greet() {
        ::servey::__private::run_example(&super::__SERVEY_ACTION_say_hello, 0usize);
    }
}
