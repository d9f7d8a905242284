"""An aiohttp web server for the jasyncio HTTP client's interop tests: prints its port, then serves.

usage: aiohttp_server.py  (listens on 127.0.0.1, a free port)
"""
import asyncio
import json
import sys

from aiohttp import web


async def hello(request):
    return web.Response(text="Hello, World!")


async def peer(request):
    return web.Response(text=str(request.transport.get_extra_info("peername")[1]))


async def as_json(request):
    return web.json_response({"message": "Hello, World!", "query": dict(request.query)})


async def gzip(request):
    r = web.Response(text="compressed " * 1000)
    r.enable_compression(web.ContentCoding.gzip)
    return r


async def deflate(request):
    r = web.Response(text="deflated " * 1000)
    r.enable_compression(web.ContentCoding.deflate)
    return r


async def chunked(request):
    r = web.StreamResponse()
    r.enable_chunked_encoding()
    await r.prepare(request)
    for i in range(5):
        await r.write(f"line {i}\n".encode())
        await asyncio.sleep(0.01)
    await r.write_eof()
    return r


async def echo(request):
    body = await request.read()
    return web.json_response({"method": request.method, "length": len(body), "body": body.decode(),
                              "chunked": request.headers.get("Transfer-Encoding") == "chunked",
                              "type": request.content_type})


async def redirect(request):
    raise web.HTTPFound("/hello")


async def status(request):
    return web.Response(status=int(request.match_info["code"]), text="status")


async def main():
    app = web.Application()
    app.add_routes([web.get("/hello", hello), web.get("/peer", peer), web.get("/json", as_json),
                    web.get("/gzip", gzip), web.get("/deflate", deflate), web.get("/chunked", chunked),
                    web.post("/echo", echo), web.put("/echo", echo), web.get("/redirect", redirect),
                    web.get("/status/{code}", status)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
