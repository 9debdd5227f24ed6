"""A small re-implementation of the Module-25 lab runner (`agent_runner.py`), for the benchmark.

It follows the seed's behaviour: `issue-to-pr <issue.md> [--simulate good|bad]` and
`self-heal [--simulate bad|stuck]`; the gate is `ruff check .` then `pytest -q` in the current
directory (a missing tool fails it); a green gate commits with `git add -A` on the current branch
and prints the push command; exit 0 proposed, 1 gate or agent failed, 2 self-heal gave up.
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

RETRY_CAP = 3
DEMO_SRC = Path("agent_demo.py")
DEMO_TEST = Path("test_agent_demo.py")
CONFIG_CANDIDATES = ["AGENTS.md", ".agent/instructions.md", "agent-config.md"]
GATE = (("ruff (lint)", ["ruff", "check", "."]), ("pytest (tests)", ["pytest", "-q"]))
TEST_TEXT = (
    "from agent_demo import discount\n\n\n"
    "def test_discount_takes_a_percentage():\n"
    "    # 10% off 200 is 180. A flat subtraction (200 - 10 = 190) is the plausible-but-wrong bug.\n"
    "    assert discount(200, 10) == 180\n"
)


def source(expression: str) -> str:
    return f"def discount(price, pct):\n    return {expression}\n"


def run_gate() -> tuple[bool, str]:
    out, ok = [], True
    for label, cmd in GATE:
        out.append(f"\n=== gate: {label} -> {' '.join(cmd)} ===")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            out.append(f" ! {cmd[0]} not installed. Treating as a gate FAIL.")
            ok = False
            continue
        out.append(proc.stdout.rstrip())
        if proc.stderr.strip():
            out.append(proc.stderr.rstrip())
        if proc.returncode != 0:
            ok = False
            out.append(f" -> FAILED ({label})")
    return ok, "\n".join(out)


def find_config() -> Path | None:
    env = os.environ.get("AGENT_CONFIG")
    if env and Path(env).exists():
        return Path(env)
    return next((Path(name) for name in CONFIG_CANDIDATES if Path(name).exists()), None)


def build_prompt(issue_path: Path | None = None, failure: str | None = None) -> str:
    parts = ["You are working in a Git repository on the current branch. Make the change directly in",
             "the files. Do not commit, push, or merge — just edit. Follow the project's conventions."]
    config = find_config()
    if config:
        parts += ["", f"# Project conventions (from {config})", config.read_text()]
    if issue_path:
        parts += ["", "# Task (issue to implement)", issue_path.read_text()]
    if failure:
        parts += ["", "# A CI check just failed. Fix the CODE so it passes — do not weaken or delete",
                  "# the test to make it pass. Here is the failing output:", "```", failure, "```"]
    return "\n".join(parts)


def run_real_agent(prompt: str) -> None:
    template = os.environ["AGENT_CMD"]
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as fh:
        fh.write(prompt)
    try:
        if "{prompt_file}" in template:
            proc = subprocess.run(shlex.split(template.replace("{prompt_file}", fh.name)))
        else:
            proc = subprocess.run(shlex.split(template), input=prompt, text=True)
        if proc.returncode != 0:
            sys.exit(f"agent command exited non-zero ({proc.returncode}); aborting.")
    finally:
        os.unlink(fh.name)


def simulate_implement(variant: str) -> None:
    DEMO_TEST.write_text(TEST_TEXT)
    DEMO_SRC.write_text(source("price - price * pct / 100" if variant == "good" else "price - pct"))


def simulate_fix(variant: str, attempt: int) -> None:
    DEMO_SRC.write_text(source(f"price - pct - {attempt}" if variant == "stuck" else "price - price * pct / 100"))


def propose_pr(message: str) -> None:
    print("GATE PASSED. Proposing a PR — NOT merging.")
    subprocess.run(["git", "add", "-A"])
    subprocess.run(["git", "commit", "-q", "-m", message])
    branch = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"  git push -u origin {branch}")
    print("The agent stops here. It cannot merge.")


def reject(gate_output: str, simulated: bool) -> None:
    print(gate_output)
    print("GATE FAILED. No PR proposed.")
    if simulated:
        for path in (DEMO_SRC, DEMO_TEST):
            path.unlink(missing_ok=True)


def cmd_issue_to_pr(issue_path: Path, simulate: str | None) -> int:
    if simulate:
        simulate_implement(simulate)
    else:
        run_real_agent(build_prompt(issue_path=issue_path))
    ok, output = run_gate()
    if ok:
        print(output)
        propose_pr(f"Agent: implement {issue_path.stem}")
        return 0
    reject(output, bool(simulate))
    return 1


def cmd_self_heal(simulate: str | None) -> int:
    if simulate:
        simulate_implement("bad")
    for attempt in range(1, RETRY_CAP + 1):
        ok, output = run_gate()
        print(output)
        if ok:
            propose_pr("Agent: self-healing fix for failing CI")
            return 0
        if attempt > RETRY_CAP - 1:
            break
        if simulate:
            simulate_fix(simulate, attempt)
        else:
            run_real_agent(build_prompt(failure=output))
    print(f"SELF-HEAL GAVE UP after {RETRY_CAP - 1} attempts. Handing off to a human.")
    return 2


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Module-25 runner (re-implemented for gaffer's benchmark).")
    sub = parser.add_subparsers(dest="command", required=True)
    itp = sub.add_parser("issue-to-pr")
    itp.add_argument("issue", type=Path)
    itp.add_argument("--simulate", choices=["good", "bad"])
    heal = sub.add_parser("self-heal")
    heal.add_argument("--simulate", choices=["bad", "stuck"])
    args = parser.parse_args(argv)
    if not args.simulate and "AGENT_CMD" not in os.environ:
        sys.exit("No --simulate and no AGENT_CMD set.")
    if args.command == "issue-to-pr":
        return cmd_issue_to_pr(args.issue, args.simulate)
    return cmd_self_heal(args.simulate)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
