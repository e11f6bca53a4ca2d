import assert from "node:assert/strict";
import { searchOf } from "./messages.ts";

Deno.test("searchOf: the same as URL.search for serialized request URLs", () => {
  for (
    const url of [
      "http://127.0.0.1:8000/v1/messages",
      "http://127.0.0.1:8000/v1/messages?",
      "http://127.0.0.1:8000/v1/messages?beta=true",
      "http://h/v1/messages?beta=true&x=%20y#frag",
      "http://h/v1/messages?#frag",
      "http://h/v1/messages#frag?no",
      "http://h/v1/messages?a=?b&c=d",
    ]
  ) assert.equal(searchOf(url), new URL(url).search, url);
});
