"""Load a game folder once and print the traceback of the failure, game frames only.

Run as a script in the limited child process (``python trace_probe.py FOLDER``).
"""
import pathlib
import sys
import traceback


def main(folder):
    from engine.loader import GameSource
    root = str(pathlib.Path(folder).resolve())
    try:
        GameSource(folder).load().unload()
    except BaseException as exc:
        error = exc.__cause__ or exc
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename.startswith(root)]
        lines = traceback.format_list(frames) if frames else []
        print("".join(lines).replace(root + "/", "")
              + "".join(traceback.format_exception_only(type(error), error)), end="")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
