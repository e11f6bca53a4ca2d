/** The connection cap where /proc/self/limits is hidden (Deno without --allow-all). */
import assert from "node:assert/strict";
import { assumedFdLimit, connectionCap, LINUX_FALLBACK_FD_LIMIT } from "../lib/server/fd_limit.ts";

Deno.test("fd limit: unreadable on Linux assumes 4096 (about 1,000 connections), elsewhere 256", () => {
  assert.equal(assumedFdLimit(null, "linux"), LINUX_FALLBACK_FD_LIMIT);
  assert.equal(connectionCap(assumedFdLimit(null, "linux")), 1008, "(4096 - 64) / 4");
  assert.equal(connectionCap(assumedFdLimit(null, "darwin")), 48, "macOS: (256 - 64) / 4");
  assert.equal(assumedFdLimit(1024, "linux"), 1024, "a limit that could be read wins");
  assert.equal(connectionCap(assumedFdLimit(null, "linux"), 10), 10, "MAX_CONNECTIONS wins");
});

Deno.test({
  name: "fd limit: with only --allow-read (the documented flags) the Linux cap is ~1,000, not 48",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const module = new URL("../lib/server/fd_limit.ts", import.meta.url).href;
    const script = `${dir}/cap.ts`;
    await Deno.writeTextFile(
      script,
      `import { assumedFdLimit, connectionCap, readSoftFdLimit } from "${module}";\n` +
        `console.log(readSoftFdLimit(), connectionCap(assumedFdLimit(readSoftFdLimit(), Deno.build.os)));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", script],
      stdin: "null",
    }).output();
    await Deno.remove(dir, { recursive: true });
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "null 1008");
  },
});
