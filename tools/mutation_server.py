"""Fork server for tools/mutation.py: pytest with pandas, numpy and Hypothesis imported once.

Starting Python, pytest, pandas, scipy and Hypothesis costs about a second per mutant, more than the
engine's tests themselves. ``serve`` imports them once, then forks a child per request that runs
``pytest.main`` in the workspace; the engine and the tests are imported fresh in each child, so
each sees the mutated file. ``client`` is cosmic-ray's test command: it sends the pytest
arguments over a Unix socket and exits with pytest's exit code.

    python tools/mutation_server.py serve SOCKET TIMEOUT
    python -S tools/mutation_server.py client SOCKET PYTEST-ARGS...
"""

import json
import os
import socket
import sys


def client(path, args):
    import time

    for _attempt in range(300):  # the server may still be importing: never report a kill for that
        try:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.connect(path)
            break
        except OSError:
            conn.close()
            time.sleep(0.2)
    else:
        sys.exit(f"No pytest fork server at {path}")
    with conn:
        conn.sendall(json.dumps(args).encode() + b"\n")
        reply = conn.makefile().readline()
    sys.exit(int(reply or 3))


def _child(args, timeout):
    import signal

    import pytest

    signal.alarm(timeout)  # an endless loop in a mutant: cosmic-ray only kills the client
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os._exit(int(pytest.main(args)))


def serve(path, timeout):
    sys.dont_write_bytecode = True  # never cache a mutated module
    sys.path.insert(0, os.getcwd())
    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pytest  # noqa: F401
    import scipy.stats  # noqa: F401  (satisfaction)

    if os.path.exists(path):
        os.unlink(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        while True:
            conn, _address = server.accept()
            with conn:
                args = json.loads(conn.makefile().readline())
                if args == ["--stop"]:
                    return
                pid = os.fork()
                if pid == 0:
                    server.close()
                    _child(args, timeout)
                _pid, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(f"{code if code >= 0 else 128 - code}\n".encode())
                except OSError:
                    pass  # the client was killed (cosmic-ray's timeout)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(float(sys.argv[3])))
    else:
        client(sys.argv[2], sys.argv[3:])
