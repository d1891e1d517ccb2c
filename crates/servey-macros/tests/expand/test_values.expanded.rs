#[doc(hidden)]
const _: () = {
    fn __servey_fixture() -> ::servey::__private::FixtureFuture {
        ::std::boxed::Box::pin(async move {
            match test_values().await {
                ::std::result::Result::Ok(values) => {
                    let values: ::servey::__private::Extensions = values;
                    ::std::result::Result::Ok(values)
                }
                ::std::result::Result::Err(error) => {
                    ::std::result::Result::Err(
                        ::std::string::ToString::to_string(&error),
                    )
                }
            }
        })
    }
    ::servey::__private::inventory::submit! {
        ::servey::__private::FixtureEntry { make : __servey_fixture, location :
        ::std::concat!(::std::file!(), ":", ::std::line!()), }
    }
};
