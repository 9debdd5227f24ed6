import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { addItem, openStore, watchStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const STORE = new URL("../../src/store/index.ts", import.meta.url).href;

/** Files an item from another process, as a `gaffer` command or a worker would. */
async function addItemElsewhere(database: string): Promise<void> {
  const script = `import { addItem, openStore } from "${STORE}";
const store = await openStore(process.argv[1]);
await addItem(store.db, { title: "from another process" });
await store.close();`;
  await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, database]);
}

describe("store watch", () => {
  it("wakes on a commit by another process, with no timeout to reach", async (t) => {
    const database = join(tempDir(t), "gaffer.db");
    const store = await openStore(database);
    t.after(() => store.close());
    const changes = watchStore(database);
    t.after(() => changes.close());
    const woken = changes.next(3_600_000);
    await addItemElsewhere(database);
    assert.equal(await woken, "changed");
  });

  it("keeps a commit made between two waits for the next one", async (t) => {
    const database = join(tempDir(t), "gaffer.db");
    const store = await openStore(database);
    t.after(() => store.close());
    const changes = watchStore(database);
    t.after(() => changes.close());
    await addItem(store.db, { title: "while nobody waits" });
    assert.equal(await changes.next(3_600_000), "changed");
  });

  it("times out without a commit, stops when aborted, and works before the store exists", async (t) => {
    const changes = watchStore(join(tempDir(t), "not-yet", "gaffer.db"));
    t.after(() => changes.close());
    assert.equal(await changes.next(1), "timeout");
    const stop = new AbortController();
    const waiting = changes.next(3_600_000, stop.signal);
    stop.abort();
    assert.equal(await waiting, "aborted");
  });
});
