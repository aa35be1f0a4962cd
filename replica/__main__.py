"""``python -m replica linhai [--host H] [--port P] [--served-log FILE] [--night N]``

``python -m replica dongxiang --defence rs412 --defence retry_after=2``: a seed
portal with defences up (rs412, jsl521, referer, retry_after=SECONDS; see
``replica.seeds.defences``).

Prints exactly one line ``READY http://HOST:PORT`` once listening, then serves
until SIGINT or SIGTERM and exits with status 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from replica import ReplicaServer, sites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__.split("\n")[0])
    parser.add_argument("site", choices=sorted(sites))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--served-log", help="append one JSON line per response sent")
    parser.add_argument("--night", type=int, default=1,
                        help="serve the site as it is on night N (1: as first built)")
    parser.add_argument("--defence", action="append", default=[], metavar="NAME[=VALUE]",
                        help="put up a portal defence (seed portals other than linhai)")
    args = parser.parse_args(argv)
    if args.night < 1:
        parser.error("--night starts at 1")
    if args.defence:
        from replica.seeds.defences import parse_switches

        try:
            defences = parse_switches(args.defence)
            site = sites[args.site](args.night, defences=defences)
        except (TypeError, ValueError) as exc:
            parser.error(f"--defence: {exc}")
    else:
        site = sites[args.site](args.night) if args.night != 1 else sites[args.site]()
    server = ReplicaServer(site, args.host, args.port, args.served_log)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    print(f"READY {server.base_url}", flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
