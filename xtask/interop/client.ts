// Typed calls to the tour app through openapi-fetch, with the types openapi-typescript generated from
// its /openapi.json (`schema.d.ts`). `cargo xtask interop` type-checks this with `tsc --strict`: a
// document that generators misread (a missing body name, a wrong parameter, an untyped answer) fails.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

// A free-form input is one exploded object (`style: form`): its keys are the query's own.
const client = createClient<paths>({
  baseUrl: "http://127.0.0.1:8000",
  querySerializer: { object: { style: "form", explode: true } },
});

export async function tour(token: string): Promise<string[]> {
  const seen: string[] = [];
  const hello = await client.GET("/actions/say-hello", { params: { query: { name: "World" } } });
  const greeting: string | undefined = hello.data;
  const problem: Schemas["Problem"] | undefined = hello.error;
  seen.push(greeting ?? problem?.code ?? "");

  const body: Schemas["StoreMessageInput"] = { message: { sender: "ann", text: "hi" }, id: 7 };
  const stored = await client.POST("/actions/store-message", { body });
  const length: number | undefined = stored.data?.length;
  seen.push(String(length));

  const item: Schemas["UpdateItemBody"] = { name: "lamp", price_cents: 1999 };
  const updated = await client.PUT("/items/{id}", { params: { path: { id: 7 } }, body: item });
  const price: number | undefined = updated.data?.price_cents;
  seen.push(String(price));

  const stats = await client.GET("/actions/number-stats", { params: { query: { value: 5 } } });
  const isEven: boolean | undefined = stats.data?.is_even;
  seen.push(String(isEven));

  const generated = await client.GET("/actions/generated-1", {
    params: { query: { input: { a: 1 } } },
  });
  seen.push(JSON.stringify(generated.data));

  const headers = { Authorization: `Bearer ${token}` };
  const secret = await client.GET("/actions/only-for-root", { headers });
  const data: string | undefined = secret.data;
  seen.push(data ?? "");
  const caller = await client.GET("/actions/echo-authorization", { headers });
  const scopes: string[] | undefined = caller.data?.scopes;
  seen.push((scopes ?? []).join(" "));

  const login = await client.POST("/login", {
    body: { grant_type: "password", username: "root", password: "secret" },
    bodySerializer: (form) => new URLSearchParams(form as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const expiresIn: number | undefined = login.data?.expires_in;
  // A 400 is RFC 6749's `{"error": ..}`, a 500 the app's problem document.
  const failure = login.error;
  const refusal: string | undefined =
    failure === undefined ? undefined : "error" in failure ? failure.error : failure.code;
  seen.push(String(expiresIn ?? refusal));

  const broadcast = await client.POST("/actions/broadcast-message", {
    body: { message: { sender: "ann", text: "hi" } },
  });
  seen.push(broadcast.data?.text ?? "");
  return seen;
}
