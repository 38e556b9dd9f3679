"""`python -m bilibili_sdk.cli`: the `bili` command."""

from . import main

raise SystemExit(main())
