#[doc(hidden)]
#[allow(non_upper_case_globals, non_snake_case, non_camel_case_types, clippy::all)]
static __SERVEY_ACTION_number_stats_factorial: ::servey::__private::ActionSpec = {
    use ::servey::__private as __servey;
    #[allow(unused_imports)]
    use ::servey::__private::utoipa;
    #[allow(unused_imports)]
    use ::std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use ::std::{self, format, vec};
    #[derive(__servey::serde::Deserialize)]
    #[serde(crate = "::servey::__private::serde")]
    struct __Decoded {}
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Params {}
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Output(u64);
    #[allow(clippy::type_complexity)]
    fn __decode(
        input: &__servey::Input,
    ) -> ::std::result::Result<__Decoded, __servey::ActionFuture> {
        input.decode(__check_fields).map_err(__servey::failed)
    }
    #[allow(unused_variables)]
    fn __check_fields(
        map: &__servey::Map,
        errors: &mut ::std::vec::Vec<__servey::FieldError>,
    ) {}
    fn __invoke(
        input: __servey::Input,
        context: __servey::Context,
    ) -> __servey::ActionFuture {
        let _ = &context;
        let parent: NumberStats = match input.decode_parent() {
            ::std::result::Result::Ok(parent) => parent,
            ::std::result::Result::Err(error) => return __servey::failed(error),
        };
        #[allow(unused_variables)]
        let params = match __decode(&input) {
            ::std::result::Result::Ok(params) => params,
            ::std::result::Result::Err(failed) => return failed,
        };
        ::std::boxed::Box::pin(async move {
            __servey::output_of::<u64>(<NumberStats>::factorial(&parent).await)
        })
    }
    fn __examples() -> ::std::vec::Vec<__servey::Example> {
        ::std::vec![]
    }
    __servey::ActionSpec {
        name: "number_stats_factorial",
        fn_name: "factorial",
        doc: "",
        location: ::std::concat!(::std::file!(), ":", ::std::line!()),
        triggers: &[],
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
        owner: ::std::option::Option::Some(|| ::std::string::ToString::to_string(
            &<NumberStats as __servey::utoipa::ToSchema>::name(),
        )),
        tags: &[],
        module: ::std::module_path!(),
        invoke: __invoke,
        batch: ::std::option::Option::None,
    }
};
::servey::__private::inventory::submit! {
    ::servey::__private::ActionEntry(& __SERVEY_ACTION_number_stats_factorial)
}
#[doc(hidden)]
#[allow(non_upper_case_globals, dead_code)]
const __servey_action_name_number_stats_factorial: (u64, &str) = (
    7715467025566383938u64,
    "the action name `number_stats_factorial` is already taken by `NumberStats::factorial` in this module; action names are unique: rename one of them with `name = \"..\"`",
);
#[doc(hidden)]
const _: () = if __servey_action_name_number_stats_factorial.0 != 7715467025566383938u64
{
    ::std::panic!("{}", __servey_action_name_number_stats_factorial.1)
};
