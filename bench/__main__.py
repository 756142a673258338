"""Run the benchmarks: ``python -m bench [engine] [gameproc] [workers] [turnover]
[lobby]`` (``make bench``)."""
import sys

from bench import engine_bench, gameproc_bench, lobby_start, turnover, workers_bench

SUITES = {"engine": engine_bench.run, "gameproc": gameproc_bench.run,
          "workers": workers_bench.run, "turnover": turnover.run, "lobby": lobby_start.run}


def main(argv):
    names = argv or list(SUITES)
    for name in names:
        if name not in SUITES:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(SUITES)}")
        SUITES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
