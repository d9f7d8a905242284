"""A CPython client of the mq broker, written from the protocol alone with asyncio streams.

    mq_peer.py listen PORT CHANNEL COUNT     print each of COUNT messages: "got <text>" (or "got <n> bytes
                                            sha256 <hex>" for messages over 1 KiB), then "done"
    mq_peer.py send PORT CHANNEL MESSAGE...  listen to /null, publish each message, half-close, wait for the
                                            broker to close, print "sent <n>"
    mq_peer.py chat PORT CHANNEL TEXT       listen to CHANNEL, publish TEXT there, print what comes back
    mq_peer.py oversize PORT                send a message whose payload's length prefix says 16 MiB, and print
                                            how the broker answered

Add --uvloop to run on uvloop. Protocol: every frame is a 4-byte big-endian length and that many bytes;
the first frame names the channel to listen to; then each message is a channel frame and a payload frame.
"""
import asyncio
import hashlib
import sys


async def read_msg(reader: asyncio.StreamReader) -> bytes:
    size = int.from_bytes(await reader.readexactly(4), "big")
    return await reader.readexactly(size)


async def send_msg(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.writelines([len(data).to_bytes(4, "big"), data])
    await writer.drain()


def show(msg: bytes) -> str:
    if len(msg) > 1024:
        return f"{len(msg)} bytes sha256 {hashlib.sha256(msg).hexdigest()}"
    return msg.decode("utf-8")


async def listen(port: int, channel: str, count: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await send_msg(writer, channel.encode("utf-8"))
    for _ in range(count):
        print("got", show(await read_msg(reader)), flush=True)
    writer.close()
    await writer.wait_closed()
    print("done", flush=True)


async def send(port: int, channel: str, messages: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await send_msg(writer, b"/null")
    for m in messages:
        await send_msg(writer, channel.encode("utf-8"))
        await send_msg(writer, m.encode("utf-8"))
    writer.write_eof()
    rest = await reader.read()          # the broker closes once it has routed everything
    writer.close()
    await writer.wait_closed()
    print("sent", len(messages), "rest", len(rest), flush=True)


async def chat(port: int, channel: str, text: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await send_msg(writer, channel.encode("utf-8"))
    await send_msg(writer, channel.encode("utf-8"))
    await send_msg(writer, text.encode("utf-8"))
    print("echo", show(await read_msg(reader)), flush=True)
    writer.close()
    await writer.wait_closed()


async def oversize(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await send_msg(writer, b"/null")
    await send_msg(writer, b"/topic/big")
    writer.write((16 << 20).to_bytes(4, "big"))
    await writer.drain()
    try:
        rest = await asyncio.wait_for(reader.read(), 10)
        print("closed by the broker, eof after", len(rest), "bytes", flush=True)
    except ConnectionResetError:
        print("closed by the broker, reset", flush=True)
    writer.close()


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--uvloop"]
    if "--uvloop" in sys.argv:
        import uvloop
        uvloop.install()
    mode, port = args[0], int(args[1])
    if mode == "listen":
        coro = listen(port, args[2], int(args[3]))
    elif mode == "send":
        coro = send(port, args[2], args[3:])
    elif mode == "chat":
        coro = chat(port, args[2], args[3])
    elif mode == "oversize":
        coro = oversize(port)
    else:
        sys.exit("unknown mode " + mode)
    asyncio.run(asyncio.wait_for(coro, 20))
    print("loop", type(asyncio.new_event_loop()).__module__, flush=True)


if __name__ == "__main__":
    main()
