//! Golden files of what the macro generates for representative actions (`tests/expand/*.expanded.rs`), so
//! every change to the generated code shows in review. `SERVEY_BLESS=1 cargo test -p servey-macros` rewrites them.

use std::path::PathBuf;

use quote::quote;
use syn::{ImplItem, ItemFn, ItemImpl};

use crate::{expand, parse};

fn check(name: &str, generated: proc_macro2::TokenStream) {
    let file = syn::parse2::<syn::File>(generated).expect("the expansion parses as a file");
    let pretty = prettyplease::unparse(&file);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expand")
        .join(format!("{name}.expanded.rs"));
    if std::env::var_os("SERVEY_BLESS").is_some() {
        std::fs::write(&path, &pretty).expect("the golden file is writable");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        golden == pretty,
        "the expansion of `{name}` changed; review it and rerun with SERVEY_BLESS=1\n--- new ---\n{pretty}"
    );
}

fn expand_fn(
    args: proc_macro2::TokenStream,
    function: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let function: ItemFn = syn::parse2(function).expect("a function");
    let model = parse::action(args, &function.attrs, &function.sig, None).expect("a valid action");
    expand::action(&model)
}

#[test]
fn sync_action_with_example() {
    let generated = expand_fn(
        quote!(triggers = [web_get], example(name = "greet", params = {"name": "Developer"}, result = "Hello Developer!")),
        quote! {
            /// Greet a user!
            fn say_hello(name: String) -> String { format!("Hello {name}!") }
        },
    );
    check("say_hello", generated);
}

#[test]
fn sync_action_with_timeout_runs_on_the_pool() {
    let generated = expand_fn(
        quote!(triggers = [web_post], name = "slow_report", timeout = 2),
        quote! {
            fn report(day: u32) -> Result<String, ActionError> { Ok(String::new()) }
        },
    );
    check("slow_report", generated);
}

#[test]
fn async_action_with_policies_and_injected_parameters() {
    let generated = expand_fn(
        quote!(
            triggers = [web_post, fixed_rate(5)],
            access_control = scope("root"),
            cache_control = ttl(30),
            timeout = 3
        ),
        quote! {
            async fn guarded(count: Option<u32>, auth: Option<Authorization>, context: Context) -> Result<u32, ActionError> { Ok(0) }
        },
    );
    check("guarded", generated);
}

#[test]
fn action_with_state_reply_status_headers_and_tags() {
    let generated = expand_fn(
        quote!(
            triggers = [post("/articles")],
            status = 201,
            headers = ["Location"],
            tags = ["articles", "writing"],
            example(as = "ann", scopes = ["write"], params = {"title": "Hi"}, result = {"title": "Hi"}, partial)
        ),
        quote! {
            async fn create_article(title: String, db: State<Db>) -> Result<Reply<Article>, ActionError> {
                Ok(Reply::new(db.insert(title)?).header("Location", "/articles/1"))
            }
        },
    );
    check("create_article", generated);
}

#[test]
fn fixture() {
    let function: ItemFn = syn::parse2(quote! {
        async fn test_values() -> Result<Extensions, sqlx::Error> {
            Ok(Extensions::new().with(Db::connect().await?))
        }
    })
    .expect("a function");
    let model = parse::fixture(quote!(), &function.sig).expect("a valid fixture");
    check("test_values", expand::fixture(&model));
}

#[test]
fn nested_action() {
    let block: ItemImpl = syn::parse2(quote! {
        impl NumberStats {
            #[action]
            async fn factorial(&self) -> u64 { 1 }
        }
    })
    .expect("an impl block");
    let Some(ImplItem::Fn(method)) = block.items.first() else {
        panic!("one method")
    };
    let model = parse::action(quote!(), &[], &method.sig, Some(&block.self_ty))
        .expect("a valid nested action");
    check("factorial", expand::action(&model));
}
