#[doc(hidden)]
#[allow(non_upper_case_globals, non_snake_case, non_camel_case_types, clippy::all)]
static __SERVEY_ACTION_create_article: ::servey::__private::ActionSpec = {
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
        title: __P0,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Params {
        title: String,
    }
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct __Output(Article);
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
        __servey::check_field::<__P0>(map, "title", errors);
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
        let db = match __servey::shared_state::<Db>(&context) {
            ::std::result::Result::Ok(value) => value,
            ::std::result::Result::Err(error) => return __servey::failed(error),
        };
        ::std::boxed::Box::pin(async move {
            __servey::output_of_reply_result::<
                Article,
                _,
            >(create_article(params.title, db).await)
        })
    }
    fn __examples() -> ::std::vec::Vec<__servey::Example> {
        ::std::vec![
            __servey::Example { name : ::std::option::Option::None, description :
            ::std::option::Option::None, params : __servey::serde_json::json!({ "title" :
            "Hi" }), result : __servey::serde_json::json!({ "title" : "Hi" }),
            include_in_tests : true, caller :
            ::std::option::Option::Some(::std::string::ToString::to_string("ann")),
            scopes :
            ::std::option::Option::Some(::std::vec![::std::string::ToString::to_string("write")]),
            anonymous : false, partial : true, }
        ]
    }
    __servey::ActionSpec {
        name: "create_article",
        fn_name: "create_article",
        doc: "",
        location: ::std::concat!(::std::file!(), ":", ::std::line!()),
        triggers: &[
            __servey::Trigger::Web {
                method: __servey::Method::Post,
                path: ::std::option::Option::Some(__servey::Cow::Borrowed("/articles")),
            },
        ],
        examples: __examples,
        access_control: ::std::option::Option::None,
        cache_control: ::std::option::Option::None,
        timeout_secs: ::std::option::Option::None,
        rate_limit: ::std::option::Option::None,
        deny_unknown_fields: ::std::option::Option::None,
        requires_authorization: false,
        state: &[__servey::StateNeed::of::<Db>()],
        status: ::std::option::Option::Some(201u16),
        response_headers: &["Location"],
        error_statuses: &[],
        schema: __servey::action_schema::<__Params, __Output>,
        owner: ::std::option::Option::None,
        tags: &["articles", "writing"],
        module: ::std::module_path!(),
        invoke: __invoke,
        batch: ::std::option::Option::None,
    }
};
::servey::__private::inventory::submit! {
    ::servey::__private::ActionEntry(& __SERVEY_ACTION_create_article)
}
#[doc(hidden)]
#[allow(non_upper_case_globals, dead_code)]
const __servey_action_name_create_article: (u64, &str) = (
    9478930162772916178u64,
    "the action name `create_article` is already taken by `fn create_article` in this module; action names are unique: rename one of them with `name = \"..\"`",
);
#[doc(hidden)]
const _: () = if __servey_action_name_create_article.0 != 9478930162772916178u64 {
    ::std::panic!("{}", __servey_action_name_create_article.1)
};
///Typed calls of the action `create_article` through a `servey::Client` (in-process or over HTTP).
#[allow(non_snake_case, unused_imports)]
mod create_article {
    use super::*;
    ///Calls the action `create_article` through `client`, typed in and out: the same result and the same errors in-process as over HTTP.
    #[allow(clippy::too_many_arguments, dead_code)]
    pub async fn call<__C>(
        client: &__C,
        title: String,
    ) -> ::std::result::Result<Article, ::servey::__private::ClientError>
    where
        __C: ::servey::__private::Caller + ?::std::marker::Sized,
        ::servey::__private::Typed<
            __C,
            String,
        >: ::servey::__private::Encode<Value = String>,
        ::servey::__private::Typed<
            __C,
            Article,
        >: ::servey::__private::Decode<Value = Article>,
    {
        #[allow(unused_mut)]
        let mut input = ::servey::__private::Map::new();
        input
            .insert(
                ::std::string::ToString::to_string("title"),
                <::servey::__private::Typed<
                    __C,
                    String,
                > as ::servey::__private::Encode>::encode(&title)?,
            );
        let result = ::servey::__private::typed_call(
                client,
                "create_article",
                input,
                false,
            )
            .await?;
        <::servey::__private::Typed<
            __C,
            Article,
        > as ::servey::__private::Decode>::decode(result)
    }
    #[cfg(test)]
    #[test]
    fn example_0() {
        ::servey::__private::run_example(&super::__SERVEY_ACTION_create_article, 0usize);
    }
}
