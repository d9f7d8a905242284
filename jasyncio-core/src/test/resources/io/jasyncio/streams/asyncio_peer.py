"""A CPython asyncio peer for jasyncio's stream interop tests (StreamInteropTest).

    asyncio_peer.py client tcp PORT | client unix PATH
    asyncio_peer.py server tcp      | server unix PATH    (prints "ready PORT" or "ready")
    add "uvloop" as a last argument to run on uvloop

Both sides speak the same small conversation:
  1. the client sends 100 lines and reads each back (the server echoes them);
  2. the client sends "SEPS\n"; the server answers "alpha;beta\r\n" (read with separators);
  3. the client sends "FRAME\n", then a 4-byte big-endian length and 1 MiB; the server echoes
     the frame;
  4. the client half-closes; the server reads to EOF, answers "bye\n" and closes.
Prints "ok" and exits 0 when the conversation went as expected; fails loudly otherwise.
"""
import asyncio
import struct
import sys

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


async def client(kind, where):
    if kind == "tcp":
        r, w = await asyncio.open_connection("127.0.0.1", int(where))
    else:
        r, w = await asyncio.open_unix_connection(where)
    for i in range(100):
        w.write(f"line {i}\n".encode())
    await w.drain()
    for i in range(100):
        line = await r.readline()
        assert line == f"line {i}\n".encode(), line
    w.write(b"SEPS\n")
    assert await r.readuntil(b";") == b"alpha;"
    assert await r.readuntil(b"\r\n") == b"beta\r\n"
    w.write(b"FRAME\n" + struct.pack(">I", len(PAYLOAD)) + PAYLOAD)
    await w.drain()
    n = struct.unpack(">I", await r.readexactly(4))[0]
    assert n == len(PAYLOAD), n
    assert await r.readexactly(n) == PAYLOAD
    assert w.can_write_eof()
    w.write_eof()
    rest = await r.read()
    assert rest == b"bye\n", rest
    assert r.at_eof()
    w.close()
    await w.wait_closed()


async def handle(r, w, done):
    try:
        while True:
            line = await r.readline()
            if line == b"SEPS\n":
                w.write(b"alpha;beta\r\n")
                continue
            if line == b"FRAME\n":
                break
            assert line.startswith(b"line "), line
            w.write(line)
            await w.drain()
        header = await r.readexactly(4)
        data = await r.readexactly(struct.unpack(">I", header)[0])
        assert data == PAYLOAD
        w.write(header + data)
        await w.drain()
        assert await r.read() == b""
        w.write(b"bye\n")
        await w.drain()
        w.close()
        await w.wait_closed()
        done.set_result(None)
    except BaseException as e:
        done.set_exception(e)
        raise


async def server(kind, where):
    done = asyncio.get_running_loop().create_future()
    cb = lambda r, w: handle(r, w, done)
    if kind == "tcp":
        srv = await asyncio.start_server(cb, "127.0.0.1", 0)
        print("ready", srv.sockets[0].getsockname()[1], flush=True)
    else:
        srv = await asyncio.start_unix_server(cb, where)
        print("ready", flush=True)
    try:
        await done
    finally:
        srv.close()
        await srv.wait_closed()


def main():
    role, kind = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    if rest and rest[-1] == "uvloop":
        import uvloop
        uvloop.install()
        rest = rest[:-1]
    where = rest[0] if rest else None
    coro = client(kind, where) if role == "client" else server(kind, where)
    asyncio.run(asyncio.wait_for(coro, 20))
    print("ok", flush=True)


if __name__ == "__main__":
    main()
