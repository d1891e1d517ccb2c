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
    #[derive(__servey::serde::Deserialize, utoipa::ToSchema)]
    #[serde(crate = "::servey::__private::serde")]
    struct __Params {
        day: u32,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Output(String);
    #[allow(dead_code)]
    fn __check_types() {
        __servey::assert_input_type::<u32>();
        __servey::assert_output_type::<String>();
    }
    #[allow(unused_variables)]
    fn __check_fields(
        map: &__servey::Map,
        errors: &mut ::std::vec::Vec<__servey::FieldError>,
    ) {
        __servey::check_field::<u32>(map, "day", errors);
    }
    fn __invoke(
        input: __servey::Input,
        context: __servey::Context,
    ) -> __servey::ActionFuture {
        let _ = &context;
        #[allow(unused_variables)]
        let params: __Params = match input.decode(__check_fields) {
            ::std::result::Result::Ok(params) => params,
            ::std::result::Result::Err(error) => return __servey::failed(error),
        };
        __servey::run_sync(
            __servey::Placement::Pool,
            move || __servey::output_of_result(report(params.day)),
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
        requires_authorization: false,
        schema: __servey::action_schema::<__Params, __Output>,
        owner: ::std::option::Option::None,
        invoke: __invoke,
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
