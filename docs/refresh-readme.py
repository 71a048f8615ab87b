#!/usr/bin/env python3
"""Refreshes the sample output in README.md: every `$ stacksim run …` and
`$ stacksim check …` line inside a code block is run again (with the
release binary, from the repository root) and the lines after it, up to the
next `$ ` line or the end of the block, are replaced with what it prints
now (`run`, `check` and `plan`). Blocks whose command ends in a `…` line (`availability`) keep their
shape: only the lines shown are replaced. The quick-start block's output is
the README's main command. Usage: python3 docs/refresh-readme.py
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
binary = root / "target" / "release" / "stacksim"
subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=root, check=True)


def run(cmd: str) -> list[str]:
    args = cmd.split()
    assert args[0] == "stacksim", cmd
    out = subprocess.run([str(binary), *args[1:]], cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{cmd}: exit {out.returncode}\n{out.stderr}")
    return out.stdout.rstrip("\n").split("\n")


lines = (root / "README.md").read_text().split("\n")
out: list[str] = []
i = 0
in_block = False
while i < len(lines):
    line = lines[i]
    if line.startswith("```"):
        in_block = not in_block
        out.append(line)
        i += 1
        # The quick start: the block right after "The first command builds".
        if in_block and out[-3:-2] and "The first command builds" in out[-3]:
            new = run("stacksim run experiments/seed.toml")
            while not lines[i].startswith("```"):
                i += 1
            out.extend(new)
        continue
    # A shell pipeline (`&&`, `|`, `;`) is shown as written, not rerun.
    plain = not any(op in line for op in ("&&", "|", ";"))
    if plain and (in_block and line.startswith("$ stacksim ") and " run " in line or (
        in_block and (line.startswith("$ stacksim check ") or line.startswith("$ stacksim plan "))
    )):
        new = run(line[2:])
        out.append(line)
        i += 1
        old = []
        while not lines[i].startswith("```") and not lines[i].startswith("$ "):
            old.append(lines[i])
            i += 1
        out.extend(new)
        continue
    if in_block and line.startswith("$ stacksim availability "):
        new = run(line[2:])
        out.append(line)
        i += 1
        shown = 0
        while not lines[i].startswith("```") and lines[i] != "…":
            shown += 1
            i += 1
        # Keep the first scenario (from its `==` line), as many lines as shown.
        start = next(k for k, l in enumerate(new) if l.startswith("== "))
        out.extend(new[start:start + shown])
        continue
    out.append(line)
    i += 1
(root / "README.md").write_text("\n".join(out))
print("refreshed README.md sample output")
