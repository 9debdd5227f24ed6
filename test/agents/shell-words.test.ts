import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deniedCommand, deniedCommandLine } from "../../src/agents/policy-check.ts";
import { joinShellWords, splitShellWords, splitSimpleCommands } from "../../src/util/shell-words.ts";
import { stubPolicy } from "./helpers.ts";

describe("agents/shell-words", () => {
  test("splits words with quotes and escapes, expanding nothing", () => {
    assert.deepEqual(splitShellWords(`agent --print  --prompt-file {prompt_file}`), [
      "agent",
      "--print",
      "--prompt-file",
      "{prompt_file}",
    ]);
    assert.deepEqual(splitShellWords(`a "b c" 'd "e"' f\\ g "h\\"i" $HOME ''`), [
      "a",
      "b c",
      'd "e"',
      "f g",
      'h"i',
      "$HOME",
      "",
    ]);
    assert.deepEqual(splitShellWords(`x"y"'z'`), ["xyz"]);
    assert.deepEqual(splitShellWords(`sh -c "echo 'it works'; exit 3"`), [
      "sh",
      "-c",
      "echo 'it works'; exit 3",
    ]);
  });

  test("refuses unterminated quotes and a trailing backslash", () => {
    assert.throws(() => splitShellWords(`a "b`), /unterminated double quote/);
    assert.throws(() => splitShellWords(`a 'b`), /unterminated single quote/);
    assert.throws(() => splitShellWords(`a \\`), /trailing backslash/);
  });

  test("joinShellWords round-trips", () => {
    const words = ["git", "commit", "-m", 'it\'s a "fix"', "", "a b", "$X"];
    assert.deepEqual(splitShellWords(joinShellWords(words)), words);
    assert.equal(joinShellWords(["npm", "test"]), "npm test");
  });

  test("splits a script into its simple commands", () => {
    assert.deepEqual(splitSimpleCommands(`npm test && git push origin HEAD; echo 'a;b' | cat`), [
      ["npm", "test"],
      ["git", "push", "origin", "HEAD"],
      ["echo", "a;b"],
      ["cat"],
    ]);
  });
});

describe("agents/policy-check", () => {
  const policy = stubPolicy("git push");

  test("judges argv directly and each command inside sh -c", () => {
    assert.equal(deniedCommand(policy, "git", ["push", "origin"]), "git push");
    assert.equal(deniedCommand(policy, "git", ["status"]), undefined);
    assert.equal(deniedCommand(policy, "/bin/sh", ["-c", "npm test && git push"]), "git push");
    assert.equal(deniedCommand(policy, "bash", ["-lc", "(git push)"]), "git push");
    assert.equal(deniedCommand(policy, "sh", ["-c", "echo 'git push'"]), undefined);
  });

  test("judges a command line, nested shells included", () => {
    assert.equal(deniedCommandLine(policy, "cd x && sh -c 'git push -f'"), "git push");
    assert.equal(deniedCommandLine(policy, "ls -la"), undefined);
  });
});
