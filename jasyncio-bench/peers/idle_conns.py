"""Opens N idle connections to 127.0.0.1:PORT, each checked with one echoed byte, and reports the
server's resident memory per connection: (RSS with N connections - RSS before) / N.

usage: idle_conns.py PORT SERVER_PID N
Prints one JSON line: {"conns": N, "rss_before_kb": .., "rss_after_kb": .., "bytes_per_conn": ..}
"""
import json
import socket
import sys
import time


def rss_kb(pid):
    # the server and its children (a `timeout` wrapper's child is the real server)
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []
    out = []
    for k in kids:
        out += [k] + children(k)
    return out


def main():
    port, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    time.sleep(1.0)
    before = rss_kb(pid)
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"x")
        socks.append(s)
    for s in socks:
        if s.recv(1) != b"x":
            raise SystemExit("no echo")
    time.sleep(2.0)
    after = rss_kb(pid)
    print(json.dumps({"conns": n, "rss_before_kb": before, "rss_after_kb": after,
                      "bytes_per_conn": round((after - before) * 1024 / n)}))
    for s in socks:
        s.close()


main()
