"""Run the benchmarks: ``python -m bench [engine] [gameproc] [workers] [turnover]``
(``make bench``)."""
import sys

from bench import engine_bench, gameproc_bench, turnover, workers_bench

SUITES = {"engine": engine_bench.run, "gameproc": gameproc_bench.run,
          "workers": workers_bench.run, "turnover": turnover.run}


def main(argv):
    names = argv or list(SUITES)
    for name in names:
        if name not in SUITES:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(SUITES)}")
        SUITES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
