"""Reading py-spy's collapsed stacks (``py-spy record --format raw``): where a server's time goes.

    python -m bench.profiles STACKS.txt [--top 30] [--under FUNCTION]

Prints the functions with the largest share of samples, inclusive (the function and what it
calls) and exclusive (the function itself), after dropping idle samples (the event loop waiting
in ``select``/``epoll``). ``--under`` keeps only the samples whose stack passes through a function
whose name contains that text (e.g. ``GraphQL.run`` or ``execute``).
"""

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r"(?P<function>.+?) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")
_IDLE = ("select (selectors.py", "poll (selectors.py", "_run_once (asyncio/base_events.py")
_SITE = re.compile(r".*/site-packages/")


@dataclass(frozen=True)
class Summary:
    samples: int
    busy: int
    inclusive: list[tuple[str, int]]
    exclusive: list[tuple[str, int]]


def _label(frame: str) -> str:
    """``function (path:line)`` → ``function (package/module.py)``, without the line number."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = _SITE.sub("", match["file"])
    path = re.sub(r".*/work/[^/]+/", "", path)
    path = re.sub(r".*/lib/python3\.\d+/", "", path)
    return f"{match['function']} ({path})"


def summarize(path: Path, under: str | None = None, top: int = 30) -> Summary:
    inclusive: Counter[str] = Counter()
    exclusive: Counter[str] = Counter()
    samples = busy = 0
    for raw in path.read_text().splitlines():
        stack, _, count_text = raw.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = [_label(f) for f in stack.split(";") if f.strip()]
        if not frames or frames[-1].startswith(_IDLE) or "(idle)" in frames[-1]:
            continue
        if under is not None and not any(under in f for f in frames):
            continue
        busy += count
        for label in set(frames):
            inclusive[label] += count
        exclusive[frames[-1]] += count
    return Summary(
        samples=samples,
        busy=busy,
        inclusive=inclusive.most_common(top),
        exclusive=exclusive.most_common(top),
    )


def render(summary: Summary) -> str:
    def share(count: int) -> str:
        return f"{100 * count / summary.busy:5.1f}%" if summary.busy else "  -  "

    lines = [f"{summary.busy} busy samples of {summary.samples}", "", "inclusive:"]
    lines += [f"  {share(c)}  {label}" for label, c in summary.inclusive]
    lines += ["", "exclusive:"]
    lines += [f"  {share(c)}  {label}" for label, c in summary.exclusive]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="summarise py-spy collapsed stacks")
    parser.add_argument("stacks", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--under", help="only samples passing through this function")
    args = parser.parse_args()
    print(render(summarize(args.stacks, args.under, args.top)))


if __name__ == "__main__":
    main()
