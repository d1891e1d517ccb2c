#[doc(hidden)]
#[allow(non_upper_case_globals, non_snake_case, non_camel_case_types, clippy::all)]
static __SERVEY_ACTION_guarded: ::servey::__private::ActionSpec = {
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
        count: __P0,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Params {
        count: Option<u32>,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Output(u32);
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
        __servey::check_field::<__P0>(map, "count", errors);
    }
    fn __invoke(
        input: __servey::Input,
        context: __servey::Context,
    ) -> __servey::ActionFuture {
        let _ = &context;
        #[allow(unused_variables)]
        let params = match __decode::<Option<u32>>(&input) {
            ::std::result::Result::Ok(params) => params,
            ::std::result::Result::Err(failed) => return failed,
        };
        let auth = __servey::optional_authorization(&context);
        let context = ::std::clone::Clone::clone(&context);
        ::std::boxed::Box::pin(async move {
            __servey::output_of_result::<
                u32,
                _,
            >(guarded(params.count, auth, context).await)
        })
    }
    fn __examples() -> ::std::vec::Vec<__servey::Example> {
        ::std::vec![]
    }
    __servey::ActionSpec {
        name: "guarded",
        fn_name: "guarded",
        doc: "",
        location: ::std::concat!(::std::file!(), ":", ::std::line!()),
        triggers: &[
            __servey::Trigger::Web {
                method: __servey::Method::Post,
                path: ::std::option::Option::None,
            },
            __servey::Trigger::FixedRate {
                seconds: 5u64,
            },
        ],
        examples: __examples,
        access_control: ::std::option::Option::Some(
            __servey::AccessPolicy::Scope("root"),
        ),
        cache_control: ::std::option::Option::Some(__servey::CachePolicy::Ttl {
            seconds: 30u64,
            server_cache: true,
        }),
        timeout_secs: ::std::option::Option::Some(3u64),
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
    ::servey::__private::ActionEntry(& __SERVEY_ACTION_guarded)
}
#[doc(hidden)]
#[allow(non_upper_case_globals, dead_code)]
const __servey_action_name_guarded: (u64, &str) = (
    15957283221347091885u64,
    "the action name `guarded` is already taken by `fn guarded` in this module; action names are unique: rename one of them with `name = \"..\"`",
);
#[doc(hidden)]
const _: () = if __servey_action_name_guarded.0 != 15957283221347091885u64 {
    ::std::panic!("{}", __servey_action_name_guarded.1)
};
///Typed calls of the action `guarded` through a `servey::Client` (in-process or over HTTP).
#[allow(non_snake_case, unused_imports)]
mod guarded {
    use super::*;
    ///Calls the action `guarded` through `client`, typed in and out: the same result and the same errors in-process as over HTTP.
    #[allow(clippy::too_many_arguments, dead_code)]
    pub async fn call<__C>(
        client: &__C,
        count: Option<u32>,
    ) -> ::std::result::Result<u32, ::servey::__private::ClientError>
    where
        __C: ::servey::__private::Caller + ?::std::marker::Sized,
        ::servey::__private::Typed<
            __C,
            Option<u32>,
        >: ::servey::__private::Encode<Value = Option<u32>>,
        ::servey::__private::Typed<__C, u32>: ::servey::__private::Decode<Value = u32>,
    {
        #[allow(unused_mut)]
        let mut input = ::servey::__private::Map::new();
        input
            .insert(
                ::std::string::ToString::to_string("count"),
                <::servey::__private::Typed<
                    __C,
                    Option<u32>,
                > as ::servey::__private::Encode>::encode(&count)?,
            );
        let result = ::servey::__private::typed_call(client, "guarded", input, false)
            .await?;
        <::servey::__private::Typed<
            __C,
            u32,
        > as ::servey::__private::Decode>::decode(result)
    }
}
