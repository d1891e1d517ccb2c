#[doc(hidden)]
#[allow(non_upper_case_globals, non_snake_case, non_camel_case_types, clippy::all)]
static __SERVEY_ACTION_report: ::servey::__private::ActionSpec = {
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
        day: __P0,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Params {
        day: u32,
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
        __servey::check_field::<__P0>(map, "day", errors);
    }
    fn __invoke(
        input: __servey::Input,
        context: __servey::Context,
    ) -> __servey::ActionFuture {
        let _ = &context;
        #[allow(unused_variables)]
        let params = match __decode::<u32>(&input) {
            ::std::result::Result::Ok(params) => params,
            ::std::result::Result::Err(failed) => return failed,
        };
        __servey::run_sync(
            __servey::Placement::Pool,
            move || __servey::output_of_result::<String, _>(report(params.day)),
        )
    }
    fn __examples() -> ::std::vec::Vec<__servey::Example> {
        ::std::vec![]
    }
    __servey::ActionSpec {
        name: "slow_report",
        fn_name: "report",
        doc: "",
        location: ::std::concat!(::std::file!(), ":", ::std::line!()),
        triggers: &[
            __servey::Trigger::Web {
                method: __servey::Method::Post,
                path: ::std::option::Option::None,
            },
        ],
        examples: __examples,
        access_control: ::std::option::Option::None,
        cache_control: ::std::option::Option::None,
        timeout_secs: ::std::option::Option::Some(2u64),
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
    ::servey::__private::ActionEntry(& __SERVEY_ACTION_report)
}
#[doc(hidden)]
#[allow(non_upper_case_globals, dead_code)]
const __servey_action_name_slow_report: (u64, &str) = (
    3482405911134032689u64,
    "the action name `slow_report` is already taken by `fn report` in this module; action names are unique: rename one of them with `name = \"..\"`",
);
#[doc(hidden)]
const _: () = if __servey_action_name_slow_report.0 != 3482405911134032689u64 {
    ::std::panic!("{}", __servey_action_name_slow_report.1)
};
///Typed calls of the action `slow_report` through a `servey::Client` (in-process or over HTTP).
#[allow(non_snake_case, unused_imports)]
mod report {
    use super::*;
    ///Calls the action `slow_report` through `client`, typed in and out: the same result and the same errors in-process as over HTTP.
    #[allow(clippy::too_many_arguments, dead_code)]
    pub async fn call<__C>(
        client: &__C,
        day: u32,
    ) -> ::std::result::Result<String, ::servey::__private::ClientError>
    where
        __C: ::servey::__private::Caller + ?::std::marker::Sized,
        ::servey::__private::Typed<__C, u32>: ::servey::__private::Encode<Value = u32>,
        ::servey::__private::Typed<
            __C,
            String,
        >: ::servey::__private::Decode<Value = String>,
    {
        #[allow(unused_mut)]
        let mut input = ::servey::__private::Map::new();
        input
            .insert(
                ::std::string::ToString::to_string("day"),
                <::servey::__private::Typed<
                    __C,
                    u32,
                > as ::servey::__private::Encode>::encode(&day)?,
            );
        let result = ::servey::__private::typed_call(client, "slow_report", input, false)
            .await?;
        <::servey::__private::Typed<
            __C,
            String,
        > as ::servey::__private::Decode>::decode(result)
    }
}
