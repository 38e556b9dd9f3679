"""`python -m codegen [--spec-dir DIR] [generate|check|validate|try-examples|list|draft]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .loader import SpecError, load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m codegen")
    sub = ap.add_subparsers(dest="cmd")
    sub.add_parser("generate", help="write the generated files (the default)")
    sub.add_parser("check", help="fail if the generated files differ from the catalogue")
    sub.add_parser("validate", help="only load and validate the catalogue")
    tp = sub.add_parser("try-examples", help="validate examples against models, in memory")
    tp.add_argument("--namespace", help="only this namespace")
    lp = sub.add_parser("list", help="print the catalogue")
    lp.add_argument("--json", action="store_true", help="as a JSON array")
    dp = sub.add_parser("draft", help="draft models from recorded examples (see --collect)")
    dp.add_argument("--url", help="endpoint URL to look up in the recorded examples")
    dp.add_argument("--id", help="record id, e.g. video/info#2")
    dp.add_argument("--name", required=True, help="name of the top model")
    dp.add_argument("--envelope", default="data", choices=("data", "result", "none"))
    dp.add_argument(
        "--collect",
        metavar="DIR",
        help="the recorded examples (*.jsonl of shared/reference/collect); default:"
        " $BILIBILI_COLLECT_DIR, else ../shared/reference/collect beside the repository",
    )
    ap.add_argument(
        "--spec-dir",
        metavar="DIR",
        help="the catalogue to load (default: api_spec/ of this repository); put it before"
        " the command, e.g. `--spec-dir /tmp/spec validate`",
    )
    args = ap.parse_args(argv)

    if args.cmd == "draft":
        from .draft import collect_dir, draft, find, missing_collect

        where = collect_dir(args.collect)
        problem = missing_collect(where)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        recs = find(where, url=args.url, rid=args.id)
        bodies = [
            e
            for r in recs
            for e in r["examples"]
            if not isinstance(e, dict) or e.get("code", 0) == 0
        ]
        if args.envelope != "none":
            bodies = [
                b[args.envelope] for b in bodies if isinstance(b, dict) and args.envelope in b
            ]
        if not bodies:
            print("no recorded successful example found", file=sys.stderr)
            return 1
        print(f"# from {', '.join(r['id'] for r in recs)}")
        print(draft(bodies, args.name))
        return 0

    try:
        cat = load(Path(args.spec_dir)) if args.spec_dir else load()
    except SpecError as e:
        for line in e.errors:
            print(line, file=sys.stderr)
        if len(e.errors) > 1:  # one mistake, one line: nothing else to read
            print(f"{len(e.errors)} errors in the catalogue", file=sys.stderr)
        return 1

    for warning in cat.warnings:
        print(warning, file=sys.stderr)
    if args.cmd == "validate":
        n = len(cat.endpoints())
        print(f"catalogue OK: {n} endpoints in {len(cat.namespaces)} namespaces")
        return 0
    if args.cmd == "try-examples":
        from .generate import try_examples

        return try_examples(cat, args.namespace)
    if args.cmd == "list":
        from .generate import listing

        rows = listing(cat)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                print(f"{r['namespace']}.{r['name']:32} {r['method']:5} {r['url']}")
        return 0

    from .generate import check, generate

    if args.cmd == "check":
        problems = check(cat)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print("generated code is out of date: run `python -m codegen`", file=sys.stderr)
            return 1
        print("generated code is up to date")
        return 0
    written = generate(cat)
    print(f"wrote {written} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
